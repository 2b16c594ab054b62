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
    /// The page's address in either view (`/a/5`, `/c/科技?cursor=…`, `/search?q=…`).
    pub path: String,
}

tokio::task_local! {
    static PAGE: PageScope;
}

/// The reader page this task renders; `None` outside the reader pages (newsroom, API).
pub fn current() -> Option<PageScope> {
    PAGE.try_with(Clone::clone).ok()
}

/// Whether this task answers a page of the Traditional view (the page cache's question, asked
/// on every hit: no copy).
pub fn is_hant() -> bool {
    PAGE.try_with(|p| p.hant).unwrap_or(false)
}

/// Runs `render`, a page of the Simplified view at `path`, unless a view is set already. The
/// page cache calls it on a miss with the page's key, so a hit pays for no view at all.
pub async fn rendering<F: Future>(path: &str, render: F) -> F::Output {
    if PAGE.try_with(|_| ()).is_ok() {
        render.await
    } else {
        PAGE.scope(PageScope { hant: false, path: as_address(path) }, render).await
    }
}

/// A cache key's path as an address (a list's key holds its name as written: `/c/财经`).
fn as_address(path: &str) -> String {
    url::Url::parse("http://site/")
        .and_then(|base| base.join(path))
        .map(|u| u[url::Position::BeforePath..].to_owned())
        .unwrap_or_else(|_| "/".to_owned())
}

/// Around pages the cache does not keep (search): the Simplified view, unless the Traditional
/// one is set already.
pub async fn simplified(req: Request, next: Next) -> Response {
    scoped(false, req, next).await
}

/// Around the reader routes under [`HANT_PREFIX`]: the Traditional view.
pub async fn traditional(req: Request, next: Next) -> Response {
    scoped(true, req, next).await
}

async fn scoped(hant: bool, req: Request, next: Next) -> Response {
    if PAGE.try_with(|_| ()).is_ok() {
        return next.run(req).await;
    }
    let path = page_path(req.uri());
    PAGE.scope(PageScope { hant, path }, next.run(req)).await
}

/// A request's page in either view: its path without the view's prefix, and of its query only
/// what names another page (a search, a list's `cursor`), so that a made-up parameter never
/// reaches a page's links.
fn page_path(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let path = match path.strip_prefix(HANT_PREFIX) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    };
    let path = if path.is_empty() { "/" } else { path };
    match uri.query() {
        Some(q) if path == "/search" => format!("{path}?{q}"),
        Some(q) => match q.split('&').find(|kv| kv.starts_with("cursor=")) {
            Some(cursor) => format!("{path}?{cursor}"),
            None => path.to_owned(),
        },
        None => path.to_owned(),
    }
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
    let Some(s2t) = S2T.as_ref() else { return prefix_reader_links(html) };
    // Addresses and form values are not text: a category's name in a link (`/c/财经`) or a
    // filter's value must stay as the site spells it. They are set aside, the rest converted,
    // and they are put back.
    let (masked, kept) = mask_addresses(html);
    let converted = s2t.convert(&masked);
    prefix_reader_links(&unmask(&converted, &kept))
}

/// Attributes whose values are addresses or values sent back to the site.
const KEPT_ATTRIBUTES: [&str; 6] = [" href=\"", " src=\"", " srcset=\"", " action=\"", " value=\"", " content=\"http"];
/// Private-use characters around a kept value's number: no conversion table touches them.
const MASK_OPEN: char = '\u{E000}';
const MASK_CLOSE: char = '\u{E001}';

fn mask_addresses(html: &str) -> (String, Vec<&str>) {
    let mut out = String::with_capacity(html.len());
    let mut kept = Vec::new();
    let mut rest = html;
    loop {
        let next = KEPT_ATTRIBUTES.iter().filter_map(|a| rest.find(a).map(|i| (i, a))).min_by_key(|(i, _)| *i);
        let Some((i, attr)) = next else { break };
        // `content="http…"`: the value starts at its quote, `http` included.
        let value_at = i + attr.find('"').map_or(attr.len(), |q| q + 1);
        let Some(len) = rest[value_at..].find('"') else { break };
        out.push_str(&rest[..value_at]);
        out.push(MASK_OPEN);
        out.push_str(&kept.len().to_string());
        out.push(MASK_CLOSE);
        kept.push(&rest[value_at..value_at + len]);
        rest = &rest[value_at + len..];
    }
    out.push_str(rest);
    (out, kept)
}

fn unmask(html: &str, kept: &[&str]) -> String {
    let mut out = String::with_capacity(html.len() + kept.iter().map(|k| k.len()).sum::<usize>());
    let mut rest = html;
    while let Some(open) = rest.find(MASK_OPEN) {
        let after = open + MASK_OPEN.len_utf8();
        let Some(close) = rest[after..].find(MASK_CLOSE) else { break };
        out.push_str(&rest[..open]);
        match rest[after..after + close].parse::<usize>().ok().and_then(|n| kept.get(n)) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[open..after + close + MASK_CLOSE.len_utf8()]),
        }
        rest = &rest[after + close + MASK_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
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
        // Template values come escaped (`/` as `&#x2f;`), literal paths as written.
        const LINKS: [&str; 4] = [" href=\"/", " action=\"/", " href=\"&#x2f;", " action=\"&#x2f;"];
        if tag.contains(" hreflang=") || !LINKS.iter().any(|l| tag.contains(l)) {
            out.push_str(tag);
            continue;
        }
        let mut t = tag;
        while let Some(i) = LINKS.iter().filter_map(|l| t.find(l)).min() {
            let value_at = i + t[i..].find('"').map_or(0, |q| q + 1);
            out.push_str(&t[..value_at]);
            let value = &t[value_at..];
            let value = value[..value.find('"').unwrap_or(value.len())].replace("&#x2f;", "/");
            if is_reader_path(&value) {
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

    #[test]
    fn addresses_and_form_values_keep_their_characters() {
        let html = r#"<a href="&#x2f;c&#x2f;财经?cursor=1">更早</a><option value="财经">财经</option><img src="https://img.example/图.jpg" alt="图"><meta property="og:url" content="http://site/c/财经"><meta name="description" content="财经新闻">"#;
        let out = to_traditional(html);
        assert!(out.contains(r#"<a href="/zh-hant&#x2f;c&#x2f;财经?cursor=1">更早</a>"#), "{out}");
        assert!(out.contains(r#"<option value="财经">財經</option>"#), "{out}");
        assert!(out.contains(r#"src="https://img.example/图.jpg" alt="圖""#), "{out}");
        assert!(out.contains(r#"content="http://site/c/财经""#) && out.contains(r#"content="財經新聞""#), "{out}");
    }

    #[test]
    fn a_page_names_itself_without_the_view_and_stray_parameters() {
        let path = |uri: &str| page_path(&uri.parse().expect("uri"));
        assert_eq!(path("/zh-hant/"), "/");
        assert_eq!(path("/zh-hant/a/5"), "/a/5");
        assert_eq!(path("/a/5?utm=x"), "/a/5");
        assert_eq!(path("/c/x?utm=1&cursor=abc"), "/c/x?cursor=abc");
        assert_eq!(path("/search?q=%E8%8A%AF&page=2"), "/search?q=%E8%8A%AF&page=2");
        assert_eq!(path("/zh-hantx"), "/zh-hantx");
        assert_eq!(as_address("/c/财经 要闻?cursor=a"), "/c/%E8%B4%A2%E7%BB%8F%20%E8%A6%81%E9%97%BB?cursor=a");
    }
}
