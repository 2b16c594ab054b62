//! OPML 1.0/2.0 subscription lists, in (`zixun sources import`) and out (`sources export`).

use quick_xml::{
    Reader, Writer, XmlVersion,
    events::{BytesDecl, BytesStart, BytesText, Event},
};
use zixun_store::{NewSource, SourceStore, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    #[error("not valid OPML at byte {position}: {reason}")]
    Xml { position: u64, reason: String },
}

/// A feed outline found in an OPML file; `category` is the enclosing folder or the
/// `category` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub name: String,
    pub url: String,
    pub category: Option<String>,
}

/// Every `<outline xmlUrl=…>` in `text`, folders flattened into categories.
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let mut reader = Reader::from_str(text);
    let mut feeds = Vec::new();
    // The title of each open folder outline (None for an open feed outline).
    let mut folders: Vec<Option<String>> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| OpmlError::Xml { position: reader.buffer_position(), reason: e.to_string() })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) if e.local_name().as_ref() == "outline" => {
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref().eq_ignore_ascii_case(name))
                        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                };
                let title = attr("title").or_else(|| attr("text"));
                let is_start = matches!(event, Event::Start(_));
                match attr("xmlUrl") {
                    Some(url) => {
                        let folder = folders.iter().rev().find_map(Clone::clone);
                        feeds.push(OpmlFeed {
                            name: title.unwrap_or_else(|| url.clone()),
                            category: attr("category").or(folder),
                            url,
                        });
                        if is_start {
                            folders.push(None);
                        }
                    }
                    None if is_start => folders.push(title),
                    None => {}
                }
            }
            Event::End(ref e) if e.local_name().as_ref() == "outline" => {
                folders.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(feeds)
}

/// An OPML 2.0 document listing `sources`.
pub fn write_opml(title: &str, sources: &[NewSource]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail; results are ignored for that reason only.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w.create_element("opml").with_attribute(("version", "2.0")).write_inner_content(|w| {
        w.create_element("head").write_inner_content(|w| {
            w.create_element("title").write_text_content(BytesText::new(title))?;
            Ok(())
        })?;
        w.create_element("body").write_inner_content(|w| {
            for s in sources {
                let mut outline = BytesStart::new("outline");
                outline.push_attribute(("type", "rss"));
                outline.push_attribute(("text", s.name.as_str()));
                outline.push_attribute(("title", s.name.as_str()));
                outline.push_attribute(("xmlUrl", s.url.as_str()));
                if let Some(c) = &s.category {
                    outline.push_attribute(("category", c.as_str()));
                }
                w.write_event(Event::Empty(outline))?;
            }
            Ok(())
        })?;
        Ok(())
    });
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_become_categories_and_round_trip() {
        let opml = r#"<?xml version="1.0"?><opml version="1.0"><head><title>订阅</title></head><body>
<outline text="财经"><outline text="财联社" xmlUrl="https://cls.example/rss" type="rss"/>
<outline title="证券之星 &amp; 快讯" xmlUrl="https://stock.example/atom.xml"/></outline>
<outline text="能源网" xmlUrl="https://energy.example/feed" category="能源"/>
<outline text="no feed here"/></body></opml>"#;
        let feeds = parse_opml(opml).expect("parse");
        assert_eq!(feeds.len(), 3);
        assert_eq!(
            feeds[0],
            OpmlFeed {
                name: "财联社".into(), url: "https://cls.example/rss".into(), category: Some("财经".into())
            }
        );
        assert_eq!(feeds[1].name, "证券之星 & 快讯");
        assert_eq!(feeds[2].category.as_deref(), Some("能源"));
        let sources: Vec<NewSource> = feeds
            .iter()
            .map(|f| NewSource {
                name: f.name.clone(),
                url: f.url.clone(),
                category: f.category.clone(),
                interval_secs: 900,
                localize_images: false,
            })
            .collect();
        let again = parse_opml(&write_opml("zixun", &sources)).expect("reparse");
        assert_eq!(again, feeds);
    }

    #[test]
    fn broken_opml_names_the_place() {
        let err = parse_opml("<opml><body><outline text=\"a\" xmlUrl=\"u\"></body></opml>").expect_err("mismatched");
        assert!(err.to_string().contains("not valid OPML at byte"), "{err}");
    }
}

/// What adding an OPML file's feeds did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpmlImport {
    pub added: usize,
    /// Feeds skipped because their name or URL is already a source's, with the reason.
    pub known: Vec<String>,
}

/// Adds every feed of an OPML file as a source polled every `interval_secs` (the CLI's
/// `sources import` and the newsroom's import). Feeds already known are skipped.
pub async fn import_opml(
    store: &dyn SourceStore,
    text: &str,
    interval_secs: i64,
) -> Result<OpmlImport, OpmlImportError> {
    let feeds = parse_opml(text)?;
    let mut done = OpmlImport::default();
    for f in feeds {
        let new = NewSource { name: f.name, url: f.url, category: f.category, interval_secs, localize_images: false };
        match store.add_source(&new).await {
            Ok(_) => done.added += 1,
            Err(StoreError::Conflict(reason)) => done.known.push(reason),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(done)
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlImportError {
    #[error(transparent)]
    Opml(#[from] OpmlError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The sources as OPML feeds are written (what they were added with).
pub fn export_opml(title: &str, sources: Vec<zixun_store::Source>) -> String {
    let sources: Vec<NewSource> = sources
        .into_iter()
        .map(|s| NewSource {
            name: s.name,
            url: s.url,
            category: s.category,
            interval_secs: s.interval_secs,
            localize_images: s.localize_images,
        })
        .collect();
    write_opml(title, &sources)
}
