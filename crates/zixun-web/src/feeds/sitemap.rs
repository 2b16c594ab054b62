//! `/sitemap.xml` (one urlset while the site is small, else an index of monthly sitemaps),
//! `/sitemaps/{YYYY-MM}.xml`, `/news-sitemap.xml` (Google News: the last 48 hours), the flat
//! URL lists Baidu reads (`/sitemap.txt`, then `/sitemaps/2.txt`, …) and `/robots.txt`. XML
//! through quick-xml's writer.

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};
use zixun_core::SiteClock;
use zixun_store::ListFilter;

use super::xml_text;
use crate::{AppContext, Ctx, error::PageError, pages::cached_as};

/// Above this many stories the sitemap becomes an index of monthly sitemaps (the protocol's
/// limit is 50,000 URLs a file; a month of a big portal stays under it).
pub const SITEMAP_MAX_URLS: i64 = 10_000;
/// Google News takes articles of the last two days, at most 1,000 a sitemap.
const NEWS_WINDOW_SECS: i64 = 48 * 3600;
const NEWS_MAX_URLS: u32 = 1000;
/// Baidu's limit for a text sitemap: 50,000 URLs a file.
pub const TEXT_SITEMAP_MAX_URLS: usize = 50_000;

const XML_TYPE: &str = "application/xml; charset=utf-8";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

type XmlResult = std::io::Result<()>;

fn document(
    root: &str,
    namespaces: &[(&str, &str)],
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> XmlResult,
) -> Result<String, PageError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let mut written = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    if written.is_ok() {
        let mut el = w.create_element(root);
        for ns in namespaces {
            el = el.with_attribute(*ns);
        }
        written = el.write_inner_content(body).map(|_| ());
    }
    written.map_err(|e| PageError::internal(format!("sitemap writer: {e}")))?;
    xml_text(w.into_inner(), "sitemap")
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> XmlResult {
    w.create_element(name).write_text_content(BytesText::new(text))?;
    Ok(())
}

fn url_entry(w: &mut Writer<Vec<u8>>, loc: &str, lastmod: &str) -> XmlResult {
    w.create_element("url").write_inner_content(|w| {
        text_element(w, "loc", loc)?;
        text_element(w, "lastmod", lastmod)
    })?;
    Ok(())
}

async fn urlset(ctx: &AppContext, from: i64, to: i64) -> Result<String, PageError> {
    let rows = ctx.store.published_between(from, to, u32::MAX).await?;
    let home_lastmod = rows.first().map(|(_, at)| ctx.clock.rfc3339(*at)).unwrap_or_default();
    let with_home = from == i64::MIN;
    document("urlset", &[("xmlns", SITEMAP_NS)], |w| {
        if with_home {
            url_entry(w, &ctx.url("/"), &home_lastmod)?;
        }
        for (id, updated) in &rows {
            url_entry(w, &ctx.url(&format!("/a/{id}")), &ctx.clock.rfc3339(*updated))?;
        }
        Ok(())
    })
}

pub async fn sitemap(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    cached_as(&ctx, "sitemap.xml".into(), &headers, XML_TYPE, || async {
        let months = ctx.store.published_months().await?;
        let total: i64 = months.iter().map(|(_, n, _)| n).sum();
        if total <= SITEMAP_MAX_URLS {
            return urlset(&ctx, i64::MIN, i64::MAX).await;
        }
        document("sitemapindex", &[("xmlns", SITEMAP_NS)], |w| {
            for (month, _, last) in &months {
                w.create_element("sitemap").write_inner_content(|w| {
                    text_element(w, "loc", &ctx.url(&format!("/sitemaps/{month}.xml")))?;
                    text_element(w, "lastmod", &ctx.clock.rfc3339(*last))
                })?;
            }
            Ok(())
        })
    })
    .await
}

/// Text sitemap `n` (1 is `/sitemap.txt`): the home page, then the published stories' URLs,
/// newest first, one a line, `per_file` lines a file.
async fn text_sitemap(ctx: &AppContext, n: usize, per_file: usize) -> Result<String, PageError> {
    // Line 0 of the first file is the home page: story i is on line i + 1.
    let end = n.checked_mul(per_file).ok_or_else(PageError::not_found)? - 1;
    let skip = ((n - 1) * per_file).saturating_sub(1);
    let rows = ctx.store.published_between(i64::MIN, i64::MAX, u32::try_from(end).unwrap_or(u32::MAX)).await?;
    if n > 1 && rows.len() <= skip {
        return Err(PageError::not_found());
    }
    let mut out = String::with_capacity(rows.len().saturating_sub(skip) * 32 + 32);
    if n == 1 {
        out.push_str(&ctx.url("/"));
        out.push('\n');
    }
    for (id, _) in rows.iter().skip(skip) {
        out.push_str(&ctx.url(&format!("/a/{id}")));
        out.push('\n');
    }
    Ok(out)
}

/// The path of text sitemap `n`.
fn text_sitemap_path(n: usize) -> String {
    if n == 1 { "/sitemap.txt".to_string() } else { format!("/sitemaps/{n}.txt") }
}

/// How many text sitemaps `stories` need (the first also carries the home page).
fn text_sitemap_files(stories: i64, per_file: usize) -> usize {
    let urls = usize::try_from(stories).unwrap_or(0) + 1;
    urls.div_ceil(per_file).max(1)
}

const TEXT_TYPE: &str = "text/plain; charset=utf-8";

pub async fn sitemap_txt(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    cached_as(&ctx, "sitemap.txt".into(), &headers, TEXT_TYPE, || text_sitemap(&ctx, 1, TEXT_SITEMAP_MAX_URLS)).await
}

/// The UTC month `YYYY-MM` as `[from, to)` Unix seconds.
fn month_range(month: &str) -> Option<(i64, i64)> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i16, i8) = (y.parse().ok()?, m.parse().ok()?);
    let start = jiff::civil::date(y, 1, 1).checked_add(jiff::Span::new().months(i64::from(m) - 1)).ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    let end = start.checked_add(jiff::Span::new().months(1)).ok()?;
    let utc = |d: jiff::civil::Date| d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second());
    Some((utc(start)?, utc(end)?))
}

pub async fn month_sitemap(
    State(ctx): State<Ctx>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(n) = file.strip_suffix(".txt").and_then(|n| n.parse::<usize>().ok()).filter(|n| *n >= 2) {
        let render = || text_sitemap(&ctx, n, TEXT_SITEMAP_MAX_URLS);
        return cached_as(&ctx, format!("sitemaps/{file}"), &headers, TEXT_TYPE, render).await;
    }
    let (from, to) = file.strip_suffix(".xml").and_then(month_range).ok_or_else(PageError::not_found)?;
    cached_as(&ctx, format!("sitemaps/{file}"), &headers, XML_TYPE, || urlset(&ctx, from, to)).await
}

pub async fn news_sitemap(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    cached_as(&ctx, "news-sitemap.xml".into(), &headers, XML_TYPE, || async {
        let since = SiteClock::now() - NEWS_WINDOW_SECS;
        let recent: Vec<_> = ctx
            .store
            .list(&ListFilter::All, None, NEWS_MAX_URLS)
            .await?
            .into_iter()
            .take_while(|a| a.published_at >= since)
            .collect();
        document("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)], |w| {
            for a in &recent {
                w.create_element("url").write_inner_content(|w| {
                    text_element(w, "loc", &ctx.url(&format!("/a/{}", a.id)))?;
                    w.create_element("news:news").write_inner_content(|w| {
                        w.create_element("news:publication").write_inner_content(|w| {
                            text_element(w, "news:name", &ctx.config.site_name)?;
                            text_element(w, "news:language", "zh-cn")
                        })?;
                        text_element(w, "news:publication_date", &ctx.clock.rfc3339(a.published_at))?;
                        text_element(w, "news:title", &a.title)
                    })?;
                    Ok(())
                })?;
            }
            Ok(())
        })
    })
    .await
}

pub async fn robots(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    cached_as(&ctx, "robots.txt".into(), &headers, TEXT_TYPE, || async {
        let stories: i64 = ctx.store.published_months().await?.iter().map(|(_, n, _)| n).sum();
        let mut out = format!(
            "User-agent: *\nDisallow: /search\nDisallow: /api/\nDisallow: /admin\n\nSitemap: {}\nSitemap: {}\n",
            ctx.url("/sitemap.xml"),
            ctx.url("/news-sitemap.xml")
        );
        for n in 1..=text_sitemap_files(stories, TEXT_SITEMAP_MAX_URLS) {
            out.push_str(&format!("Sitemap: {}\n", ctx.url(&text_sitemap_path(n))));
        }
        Ok(out)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_utc_ranges() {
        assert_eq!(month_range("2026-11"), Some((1_793_491_200, 1_796_083_200)));
        assert_eq!(month_range("2026-12").map(|r| r.1), Some(1_798_761_600));
        assert_eq!(month_range("2026-13"), None);
        assert_eq!(month_range("november"), None);
    }

    #[test]
    fn text_sitemaps_hold_at_most_their_share_with_the_home_page_in_the_first() {
        assert_eq!(text_sitemap_files(0, 50_000), 1);
        assert_eq!(text_sitemap_files(49_999, 50_000), 1);
        assert_eq!(text_sitemap_files(50_000, 50_000), 2, "the home page takes a line of the first");
        assert_eq!(text_sitemap_files(1_000_000, 50_000), 21);
        assert_eq!(text_sitemap_path(1), "/sitemap.txt");
        assert_eq!(text_sitemap_path(3), "/sitemaps/3.txt");
    }
}
