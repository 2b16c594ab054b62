//! A feed (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.x, in any encoding) to entries ready to be
//! turned into articles: text titles, absolute links, sanitized HTML, dates as Unix seconds.

use feed_rs::model::{Entry, Link, Text};
use zixun_core::html::{html_to_text, sanitize_with_base};

use super::{decode::decode_feed, dialect::upgrade_dialect};

/// Why a fetched document gave no entries (recorded against the source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the response is empty")]
    Empty,
    #[error("the response is an HTML page, not a feed")]
    HtmlPage,
    #[error("not a feed: {0}")]
    Malformed(String),
}

impl FeedError {
    /// A stable code for what went wrong (stored with the source; the newsroom words it).
    pub fn code(&self) -> &'static str {
        match self {
            FeedError::Empty => "empty",
            FeedError::HtmlPage => "html_page",
            FeedError::Malformed(_) => "not_feed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The site the feed is about.
    pub link: Option<String>,
    pub encoding: &'static str,
    pub entries: Vec<FeedEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    /// guid / id, else the link, else a hash of link and title (feed-rs makes one).
    pub guid: String,
    pub title: Option<String>,
    pub link: Option<String>,
    pub author: Option<String>,
    /// Unix seconds; published, else updated.
    pub published: Option<i64>,
    /// Sanitized HTML of the content, else of the summary; empty when the entry has neither.
    pub html: String,
    pub categories: Vec<String>,
}

/// Parses `bytes` served with `content_type` from `url` (the base for relative links).
pub fn parse_feed(bytes: &[u8], content_type: Option<&str>, url: Option<&str>) -> Result<ParsedFeed, FeedError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FeedError::Empty);
    }
    let decoded = decode_feed(bytes, content_type);
    if looks_like_html(&decoded.text) {
        return Err(FeedError::HtmlPage);
    }
    let text = upgrade_dialect(&decoded.text).unwrap_or(decoded.text);
    let parser = feed_rs::parser::Builder::new().base_uri(url).sanitize_content(false).build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| FeedError::Malformed(e.to_string()))?;
    let link = alternate_link(&feed.links).map(|l| absolute(&l.href, url)).or_else(|| permalink(&feed.id));
    let entries = feed.entries.iter().map(|e| entry(e, url)).collect();
    Ok(ParsedFeed { title: feed.title.as_ref().map(plain_text), link, encoding: decoded.encoding, entries })
}

fn entry(e: &Entry, feed_url: Option<&str>) -> FeedEntry {
    let base = e.base.as_deref().map(|b| absolute(b, feed_url));
    let base = base.as_deref().or(feed_url);
    let link = alternate_link(&e.links).map(|l| absolute(&l.href, base)).or_else(|| permalink(&e.id));
    // Relative URLs in the content are relative to the entry's base, else to its page.
    let content_base = e.base.as_deref().map(|_| base).unwrap_or(link.as_deref().or(base));
    let html = match (&e.content, &e.summary) {
        (Some(c), _) if c.body.as_deref().is_some_and(|b| !b.trim().is_empty()) => {
            let body = c.body.as_deref().unwrap_or_default();
            if c.content_type.to_string().contains("html") {
                sanitize_with_base(body, content_base)
            } else {
                text_to_html(body)
            }
        }
        (_, Some(s)) if !s.content.trim().is_empty() => {
            if is_html(s) {
                sanitize_with_base(&s.content, content_base)
            } else {
                text_to_html(&s.content)
            }
        }
        _ => String::new(),
    };
    FeedEntry {
        guid: e.id.clone(),
        title: e.title.as_ref().map(plain_text).filter(|t| !t.is_empty()),
        link,
        author: e.authors.iter().find_map(|p| p.name.clone()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        published: e.published.or(e.updated).map(|d| d.timestamp()),
        html,
        categories: e.categories.iter().map(|c| c.label.clone().unwrap_or_else(|| c.term.clone())).collect(),
    }
}

fn is_html(t: &Text) -> bool {
    t.content_type.to_string().contains("html")
}

/// The text of a title: markup in an HTML title is dropped, entities decoded.
fn plain_text(t: &Text) -> String {
    let s = if is_html(t) || t.content.contains('<') { html_to_text(&t.content) } else { t.content.clone() };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_to_html(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("<p>{}</p>", zixun_core::html::escape(l)))
        .collect();
    paragraphs.concat()
}

/// The entry's own page: rel="alternate" or no rel, else the first link.
fn alternate_link(links: &[Link]) -> Option<&Link> {
    links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")).or_else(|| links.first())
}

/// An id that is a web address doubles as the link (RSS guid isPermaLink, Atom id URLs).
fn permalink(id: &str) -> Option<String> {
    let id = id.trim();
    (id.starts_with("http://") || id.starts_with("https://")).then(|| id.to_string())
}

fn absolute(href: &str, base: Option<&str>) -> String {
    let href = href.trim();
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(b) => b.join(href).map(String::from).unwrap_or_else(|_| href.to_string()),
        None => href.to_string(),
    }
}

/// An HTML page (a portal's front page, a login wall, an error page) served where a feed was
/// expected.
fn looks_like_html(text: &str) -> bool {
    let head: String = text.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
    let head = head.trim_start_matches(|c: char| c != '<');
    let after_decl = match head.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or("", |(_, r)| r).trim_start(),
        None => head,
    };
    after_decl.starts_with("<!doctype html") || after_decl.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs the fuzzer found crashing the parser (fuzz/seeds/feed/crash-*): each is now an
    /// error or a feed.
    #[test]
    fn inputs_that_crashed_the_parser_do_not() {
        let found: [&[u8]; 1] = [include_bytes!("../../../../fuzz/seeds/feed/crash-quick-xml-second-declaration.xml")];
        for bytes in found {
            let _ = parse_feed(bytes, None, Some("https://outlet.example/feed.xml"));
        }
    }

    #[test]
    fn rss_entry_with_script_and_relative_urls() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>财联社 &amp; 快讯</title><link>https://cls.example/</link>
<item><title>央行宣布降准0.5个百分点</title><link>/a/1.html</link><guid isPermaLink="false">cls-1</guid>
<author>记者 王明</author><pubDate>Sat, 28 Nov 2026 09:30:00 +0800</pubDate>
<description><![CDATA[<p onclick="x()">正文<script>alert(1)</script><img src="p.png" onerror="steal()"></p>]]></description></item>
</channel></rss>"#;
        let feed = parse_feed(xml.as_bytes(), None, Some("https://cls.example/rss.xml")).expect("parse");
        assert_eq!(feed.title.as_deref(), Some("财联社 & 快讯"));
        let e = &feed.entries[0];
        assert_eq!(e.guid, "cls-1");
        assert_eq!(e.link.as_deref(), Some("https://cls.example/a/1.html"));
        assert_eq!(e.published, Some(1_795_829_400));
        assert!(!e.html.contains("script") && !e.html.contains("onerror") && !e.html.contains("onclick"), "{}", e.html);
        assert!(e.html.contains("https://cls.example/a/p.png"), "{}", e.html);
    }

    #[test]
    fn bad_documents_are_named() {
        assert_eq!(parse_feed(b"  \n", None, None), Err(FeedError::Empty));
        assert_eq!(
            parse_feed(b"<!DOCTYPE html><html><body>login</body></html>", Some("text/html"), None),
            Err(FeedError::HtmlPage)
        );
        // Truncated: an error, never the entries read so far.
        assert!(matches!(
            parse_feed(b"<rss version=\"2.0\"><channel><item><title>x", None, None),
            Err(FeedError::Malformed(_))
        ));
        assert!(matches!(parse_feed(b"{\"not\": \"a feed\"", None, None), Err(FeedError::Malformed(_))));
    }
}
