use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::limit_param;
use crate::{
    Ctx,
    error::{ApiError, ErrorBody},
    pages::search::parse_request,
};

/// A search hit, with its highlights.
#[derive(Serialize, ToSchema)]
pub struct SearchEntry {
    pub id: i64,
    pub title: String,
    /// The title with the matched words in `<mark>`, HTML-escaped otherwise.
    pub title_html: String,
    /// A passage around the best match, likewise.
    pub snippet_html: String,
    pub score: f32,
    pub source: Option<String>,
    pub category: Option<String>,
    pub original: bool,
    pub published_at: String,
    pub url: String,
}

/// `GET /api/search`.
#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    /// Matches in all (the items are one page of them).
    pub total: usize,
    /// The words searched for, as the analyzer cut the query.
    pub terms: Vec<String>,
    /// The query was cut to its first 100 characters.
    pub truncated: bool,
    pub items: Vec<SearchEntry>,
}

/// Deepest result the API pages to.
const MAX_OFFSET: u32 = 1000;

#[utoipa::path(get, path = "/api/search", tag = "search",
    params(
        ("q" = String, Query, example = "新能源汽车", description = "the words; `\"…\"` for a phrase, `-word` to exclude"),
        ("category" = Option<String>, Query), ("source" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("sort" = Option<String>, Query, description = "`relevance` (default) or `newest`"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "default 10"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000),
    ),
    responses((status = 200, body = SearchResponse), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn search(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<SearchResponse>, ApiError> {
    let mut req = parse_request(&ctx, &p).map_err(|m| ApiError::bad_request("invalid_parameter", m))?;
    req.limit = limit_param(&p, "limit", 10, 100)? as usize;
    req.offset = match p.get("offset").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<u32>().ok().filter(|n| *n <= MAX_OFFSET).ok_or_else(|| {
            ApiError::bad_request("invalid_parameter", format!("参数 offset 应为 0 到 {MAX_OFFSET} 之间的整数"))
        })? as usize,
    };
    let results = ctx.search.find(req.clone()).await?;
    if results.terms.is_empty() {
        return Err(ApiError::bad_request("empty_query", "搜索词为空：请提供含有文字的 q 参数"));
    }
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let summaries: HashMap<i64, _> = ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    let items = results
        .hits
        .iter()
        .filter_map(|h| {
            let s = summaries.get(&h.id)?;
            Some(SearchEntry {
                id: h.id,
                title: s.title.clone(),
                title_html: h.title_html.clone(),
                snippet_html: h.snippet_html.clone(),
                score: h.score,
                source: s.source_name.clone(),
                category: s.category.clone(),
                original: s.original,
                published_at: ctx.clock.rfc3339(s.published_at),
                url: ctx.url(&format!("/a/{}", h.id)),
            })
        })
        .collect();
    Ok(Json(SearchResponse { total: results.total, terms: results.terms, truncated: results.truncated, items }))
}
