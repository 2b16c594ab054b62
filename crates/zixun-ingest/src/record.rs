//! One line of the JSON Lines import format, checked field by field.

use serde_json::{Map, Value};

/// A line as the writer gave it, before normalisation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportRecord {
    pub id: Option<String>,
    pub title: String,
    /// Plain text (paragraphs split by newlines) ...
    pub body: Option<String>,
    /// ... or HTML, sanitized on the way in.
    pub body_html: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub original: Option<bool>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub published_at: Option<String>,
    pub status: Option<String>,
    /// The cover image: an upload (`/uploads/…`) or a web address.
    pub cover: Option<String>,
    /// 原标题, 原作者 and 责任编辑 (see [`zixun_core::Credits`]).
    pub original_title: Option<String>,
    pub original_author: Option<String>,
    pub editor: Option<String>,
}

/// Why a line was rejected; the message names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("not valid JSON: {0}")]
    NotJson(String),
    #[error("expected a JSON object, got {0}")]
    NotObject(&'static str),
    #[error("missing required field \"{0}\"")]
    Missing(&'static str),
    #[error("field \"{field}\" must be {expected}, got {got}")]
    WrongType { field: &'static str, expected: &'static str, got: &'static str },
    #[error("field \"{0}\" is empty")]
    Empty(&'static str),
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn opt_string(obj: &Map<String, Value>, field: &'static str) -> Result<Option<String>, RecordError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(RecordError::WrongType { field, expected: "a string", got: kind(other) }),
    }
}

impl ImportRecord {
    pub fn parse(line: &str) -> Result<Self, RecordError> {
        let value: Value = serde_json::from_str(line).map_err(|e| RecordError::NotJson(e.to_string()))?;
        let Value::Object(obj) = value else {
            return Err(RecordError::NotObject(kind(&value)));
        };
        // An id may be a number in exports from other systems; it is only a key.
        let id = match obj.get("id") {
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => opt_string(&obj, "id")?,
        };
        let title = match obj.get("title") {
            None | Some(Value::Null) => return Err(RecordError::Missing("title")),
            Some(Value::String(s)) if s.trim().is_empty() => return Err(RecordError::Empty("title")),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(other) => {
                return Err(RecordError::WrongType { field: "title", expected: "a string", got: kind(other) });
            }
        };
        let body = opt_string(&obj, "body")?;
        let body_html = opt_string(&obj, "body_html")?;
        if body.is_none() && body_html.is_none() {
            return Err(RecordError::Missing("body"));
        }
        let original = match obj.get("original") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(RecordError::WrongType { field: "original", expected: "true or false", got: kind(other) });
            }
        };
        let tags = match obj.get("tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut tags = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => tags.push(s.trim().to_string()),
                        Value::String(_) => {}
                        other => {
                            return Err(RecordError::WrongType {
                                field: "tags",
                                expected: "an array of strings",
                                got: kind(other),
                            });
                        }
                    }
                }
                tags.dedup();
                tags
            }
            Some(other) => {
                return Err(RecordError::WrongType {
                    field: "tags",
                    expected: "an array of strings",
                    got: kind(other),
                });
            }
        };
        Ok(ImportRecord {
            id,
            title,
            body,
            body_html,
            author: opt_string(&obj, "author")?,
            source: opt_string(&obj, "source")?,
            url: opt_string(&obj, "url")?,
            original,
            category: opt_string(&obj, "category")?,
            tags,
            published_at: opt_string(&obj, "published_at")?,
            status: opt_string(&obj, "status")?,
            cover: opt_string(&obj, "cover")?,
            original_title: opt_string(&obj, "original_title")?,
            original_author: opt_string(&obj, "original_author")?,
            editor: opt_string(&obj, "editor")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_line_gets_its_reason() {
        let cases = [
            ("not json", "not valid JSON"),
            ("[1,2]", "expected a JSON object, got an array"),
            (r#"{"body":"正文"}"#, "missing required field \"title\""),
            (r#"{"title":"标题"}"#, "missing required field \"body\""),
            (r#"{"title":"  ","body":"正文"}"#, "field \"title\" is empty"),
            (r#"{"title":5,"body":"正文"}"#, "field \"title\" must be a string, got a number"),
            (
                r#"{"title":"标题","body":"正文","tags":"科技"}"#,
                "field \"tags\" must be an array of strings, got a string",
            ),
            (
                r#"{"title":"标题","body":"正文","original":"yes"}"#,
                "field \"original\" must be true or false, got a string",
            ),
        ];
        for (line, want) in cases {
            let err = ImportRecord::parse(line).expect_err(line).to_string();
            assert!(err.contains(want), "{line}: {err}");
        }
    }

    #[test]
    fn optional_fields_may_be_absent_or_null() {
        let r = ImportRecord::parse(r#"{"id":42,"title":"标题","body":"正文","author":null,"tags":["甲","乙"]}"#)
            .expect("valid");
        assert_eq!(r.id.as_deref(), Some("42"));
        assert_eq!(r.author, None);
        assert_eq!(r.tags, vec!["甲", "乙"]);
    }
}
