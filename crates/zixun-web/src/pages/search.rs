//! `/search`: results with highlighted words, filters, sorting and pagination.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use minijinja::{context, value::Serde};
use zixun_search::{MAX_QUERY_CHARS, SearchRequest, SortOrder};

use crate::{AppContext, Ctx, error::PageError};

const PAGE_SIZE: usize = 10;
/// Deeper pages are not served (nobody reads them; they cost the most).
const MAX_PAGE: usize = 50;

/// A search request from query parameters, shared by the page and the API. Dates are
/// `YYYY-MM-DD` (or any form [`zixun_core::SiteClock::parse`] takes) in the site's zone;
/// `to` includes its whole day when given as a date.
pub fn parse_request(ctx: &AppContext, p: &HashMap<String, String>) -> Result<SearchRequest, String> {
    let non_empty = |k: &str| p.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()).map(String::from);
    let date = |k: &str| -> Result<Option<i64>, String> {
        match non_empty(k) {
            None => Ok(None),
            Some(v) => ctx.clock.parse(&v).map(Some).map_err(|_| format!("参数 {k} 的日期无法识别：应为 YYYY-MM-DD")),
        }
    };
    let from = date("from")?;
    let mut to = date("to")?;
    if let (Some(t), Some(raw)) = (to, non_empty("to"))
        && raw.len() == 10
    {
        to = Some(t + 24 * 3600);
    }
    let sort = match non_empty("sort").as_deref() {
        None | Some("relevance") => SortOrder::Relevance,
        Some("newest") => SortOrder::Newest,
        Some(other) => return Err(format!("参数 sort 只能是 relevance 或 newest，收到 {other:?}")),
    };
    Ok(SearchRequest {
        q: p.get("q").cloned().unwrap_or_default(),
        category: non_empty("category"),
        source: non_empty("source"),
        from,
        to,
        sort,
        limit: PAGE_SIZE,
        offset: 0,
        plain: false,
    })
}

pub async fn search_page(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut req = parse_request(&ctx, &p).map_err(PageError::bad_request)?;
    let page: usize = match p.get("page").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 1,
        Some(s) => s
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| PageError::bad_request(format!("页码应为 1 到 {MAX_PAGE} 之间的整数")))?,
    };
    req.offset = (page - 1) * PAGE_SIZE;
    let results = ctx.search.find(req.clone()).await?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let summaries: HashMap<i64, _> = ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    let hits: Vec<minijinja::Value> = results
        .hits
        .iter()
        .filter_map(|h| {
            let s = summaries.get(&h.id)?;
            Some(context! {
                id => h.id,
                title_html => minijinja::Value::from_safe_string(h.title_html.clone()),
                snippet_html => minijinja::Value::from_safe_string(h.snippet_html.clone()),
                time => ctx.clock.format(s.published_at),
                source_name => s.source_name.clone(),
                original => s.original,
                category => s.category.clone(),
            })
        })
        .collect();
    let pages = results.total.div_ceil(PAGE_SIZE).min(MAX_PAGE);
    // The same query string, without the page number.
    let base_query: String = {
        let mut pairs: Vec<(&String, &String)> =
            p.iter().filter(|(k, v)| k.as_str() != "page" && !v.is_empty()).collect();
        pairs.sort();
        pairs.iter().map(|(k, v)| format!("{}={}", k, encode(v))).collect::<Vec<_>>().join("&")
    };
    let (q, _) = zixun_search::clean_query_for_display(&req.q);
    let html = ctx.theme.render(
        "search.html",
        context! {
            site => ctx.site_globals(),
            q => q,
            has_query => !results.terms.is_empty(),
            terms => results.terms,
            truncated => results.truncated,
            max_chars => MAX_QUERY_CHARS,
            total => results.total,
            hits => hits,
            page => page,
            pages => pages,
            prev_url => (page > 1).then(|| format!("/search?{base_query}&page={}", page - 1)),
            next_url => (page < pages).then(|| format!("/search?{base_query}&page={}", page + 1)),
            category => req.category,
            source => req.source,
            from => p.get("from"),
            to => p.get("to"),
            sort => Serde(req.sort),
        },
    )?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html)
        .into_response())
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
