//! Revisions: what an article said after each save by a person (editor, API), kept so that an
//! editor can see what changed and bring an earlier text back. The diff is by word: Chinese
//! text has no spaces, so the caller cuts both texts into words (jieba) and [`word_diff`]
//! aligns the words.

use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, TextDiff};

use crate::{ArticleDraft, Credits};

/// Revisions kept per article when the configuration says nothing (`revisions_kept`).
pub const DEFAULT_REVISIONS_KEPT: u32 = 20;

/// What a revision keeps: what the editor's form holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionContent {
    pub title: String,
    /// The Markdown the article was written in, or its HTML when it has none (imports, feeds).
    pub body: String,
    pub markdown: bool,
    pub author: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub cover: Option<String>,
    pub original: bool,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub credits: Credits,
}

impl RevisionContent {
    pub fn of(d: &ArticleDraft) -> Self {
        RevisionContent {
            title: d.title.clone(),
            body: d.body_markdown.clone().unwrap_or_else(|| d.body_html.clone()),
            markdown: d.body_markdown.is_some(),
            author: d.author.clone(),
            category: d.category.clone(),
            tags: d.tags.clone(),
            cover: d.cover.clone(),
            original: d.original,
            source_name: d.source_name.clone(),
            source_url: d.source_url.clone(),
            credits: d.credits.clone(),
        }
    }
}

/// One kept revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: i64,
    pub article_id: i64,
    pub at: i64,
    pub user_name: String,
    /// The audit action of the save: `create`, `edit`, `publish`, `submit`, `restore`…
    pub action: String,
    pub content: RevisionContent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

/// A run of words the two texts share, or one has and the other not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    pub kind: DiffKind,
    pub text: String,
}

/// The words of `old` and `new` aligned (Patience: moved paragraphs read as moved, not as
/// noise), consecutive words of one kind joined into one part.
pub fn word_diff(old: &[&str], new: &[&str]) -> Vec<DiffPart> {
    let diff = TextDiff::configure().algorithm(Algorithm::Patience).diff_slices(old, new);
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => DiffKind::Same,
            ChangeTag::Insert => DiffKind::Added,
            ChangeTag::Delete => DiffKind::Removed,
        };
        match parts.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => parts.push(DiffPart { kind, text: change.value().to_string() }),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_and_runs_joined() {
        let old = ["全市", "新增", "二十", "家", "城市", "书房", "。"];
        let new = ["全市", "新增", "三十", "家", "城市", "书房", "，", "晚上", "开放", "。"];
        let parts = word_diff(&old, &new);
        let shown: Vec<(DiffKind, &str)> = parts.iter().map(|p| (p.kind, p.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (DiffKind::Same, "全市新增"),
                (DiffKind::Removed, "二十"),
                (DiffKind::Added, "三十"),
                (DiffKind::Same, "家城市书房"),
                (DiffKind::Added, "，晚上开放"),
                (DiffKind::Same, "。"),
            ]
        );
    }

    #[test]
    fn the_same_text_is_one_part_and_nothing_is_nothing() {
        assert_eq!(word_diff(&["一", "二"], &["一", "二"]), [DiffPart { kind: DiffKind::Same, text: "一二".into() }]);
        assert!(word_diff(&[], &[]).is_empty());
    }

    #[test]
    fn content_travels_as_json() {
        let c =
            RevisionContent {
                title: "标题".into(), body: "正文".into(), markdown: true, ..RevisionContent::default()
            };
        let back: RevisionContent = serde_json::from_str(&serde_json::to_string(&c).expect("json")).expect("back");
        assert_eq!(back, c);
    }
}
