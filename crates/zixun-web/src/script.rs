//! The 繁體 view: every reader page is also served at `/zh-hant/…`, converted on the server
//! from Simplified to Traditional characters (OpenCC's `s2t` tables, by `ferrous-opencc`),
//! its links into the reader pages kept in the Traditional view. Both views name each other
//! with `hreflang` alternates and carry a switch link (see the theme's base.html).
//!
//! Which view a request is for is set by a middleware around the reader routes and read where
//! pages are rendered ([`crate::Theme::render`]) and cached ([`crate::pages::cached`]), so no
//! handler has to pass it along.

use std::sync::LazyLock;

use axum::{extract::Request, middleware::Next, response::Response};
use ferrous_opencc::{OpenCC, config::BuiltinConfig};

/// The prefix of the Traditional view.
pub const HANT_PREFIX: &str = "/zh-hant";

/// The reader page being answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageScope {
    /// The Traditional view.
    pub hant: bool,
    /// The page's path and query, without the view's prefix (`/a/5`, `/c/科技?cursor=…`).
    pub path: String,
}

tokio::task_local! {
    static PAGE: PageScope;
}

/// The reader page this task answers; `None` outside the reader routes (newsroom, API).
pub fn current() -> Option<PageScope> {
    PAGE.try_with(Clone::clone).ok()
}

/// Around the reader routes: the Simplified view.
pub async fn simplified(req: Request, next: Next) -> Response {
    scoped(false, req, next).await
}

/// Around the reader routes under [`HANT_PREFIX`]: the Traditional view.
pub async fn traditional(req: Request, next: Next) -> Response {
    scoped(true, req, next).await
}

async fn scoped(hant: bool, req: Request, next: Next) -> Response {
    // Inside the nested router the prefix is already gone from the path.
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    PAGE.scope(PageScope { hant, path }, next.run(req)).await
}

static S2T: LazyLock<Option<OpenCC>> = LazyLock::new(|| match OpenCC::from_config(BuiltinConfig::S2t) {
    Ok(c) => Some(c),
    Err(e) => {
        tracing::error!(error = %e, "the Simplified→Traditional tables did not load; /zh-hant/ pages stay Simplified");
        None
    }
});

/// A rendered Simplified page as the Traditional view shows it: its text converted, its links
/// into reader pages prefixed with [`HANT_PREFIX`] (but not the `hreflang` ones, which name a
/// view on purpose).
pub fn to_traditional(html: &str) -> String {
    let converted = match S2T.as_ref() {
        Some(c) => c.convert(html),
        None => html.to_owned(),
    };
    prefix_reader_links(&converted)
}

/// Paths of the reader pages (what the Traditional view also serves).
fn is_reader_path(path: &str) -> bool {
    path == "/"
        || path.starts_with("/?")
        || ["/a/", "/c/", "/source/", "/author/", "/tag/", "/search"].iter().any(|p| path.starts_with(p))
}

fn prefix_reader_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        rest = &rest[end..];
        if tag.contains(" hreflang=") || !(tag.contains(" href=\"/") || tag.contains(" action=\"/")) {
            out.push_str(tag);
            continue;
        }
        let mut t = tag;
        while let Some(i) = [t.find(" href=\"/"), t.find(" action=\"/")].into_iter().flatten().min() {
            let value_at = i + t[i..].find('"').map_or(0, |q| q + 1);
            out.push_str(&t[..value_at]);
            let value = &t[value_at..];
            if is_reader_path(&value[..value.find('"').unwrap_or(value.len())]) {
                out.push_str(HANT_PREFIX);
            }
            t = &t[value_at..];
        }
        out.push_str(t);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_traditional_and_reader_links_stay_in_the_view() {
        let html = r#"<html lang="zh-CN"><link rel="alternate" hreflang="zh-Hans" href="/a/1"><link rel="stylesheet" href="/static/style.css"><a href="/">首页</a><a href="/c/%E7%A7%91">科技</a><form action="/search"><a class="x" href="/uploads/a.png">图</a><a href="https://outlet.example/a/1">来源</a><p>马斯克发布新一代汽车，专家说这个变化很大。</p>"#;
        let out = to_traditional(html);
        assert!(
            out.contains("馬斯克發佈新一代汽車，專家說這個變化很大。")
                || out.contains("馬斯克發布新一代汽車，專家說這個變化很大。"),
            "{out}"
        );
        assert!(out.contains(r#"<a href="/zh-hant/">首頁</a>"#), "{out}");
        assert!(out.contains(r#"<a href="/zh-hant/c/%E7%A7%91">科技</a>"#), "{out}");
        assert!(out.contains(r#"<form action="/zh-hant/search">"#), "{out}");
        assert!(out.contains(r#"hreflang="zh-Hans" href="/a/1""#), "alternates name their view: {out}");
        assert!(out.contains(r#"href="/static/style.css""#) && out.contains(r#"href="/uploads/a.png""#), "{out}");
        assert!(out.contains(r#"href="https://outlet.example/a/1""#), "{out}");
    }
}
