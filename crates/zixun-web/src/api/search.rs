use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde_json::{Value, json};

use super::limit_param;
use crate::{Ctx, error::ApiError, pages::search::parse_request};

/// Deepest result the API pages to.
const MAX_OFFSET: u32 = 1000;

pub async fn search(State(ctx): State<Ctx>, Query(p): Query<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
    let mut req = parse_request(&ctx, &p).map_err(|m| ApiError::bad_request("invalid_parameter", m))?;
    req.limit = limit_param(&p, "limit", 10, 100)? as usize;
    req.offset = match p.get("offset").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<u32>().ok().filter(|n| *n <= MAX_OFFSET).ok_or_else(|| {
            ApiError::bad_request("invalid_parameter", format!("参数 offset 应为 0 到 {MAX_OFFSET} 之间的整数"))
        })? as usize,
    };
    let results = ctx.search.search(&req)?;
    if results.terms.is_empty() {
        return Err(ApiError::bad_request("empty_query", "搜索词为空：请提供含有文字的 q 参数"));
    }
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let summaries: HashMap<i64, _> = ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    let items: Vec<Value> = results
        .hits
        .iter()
        .filter_map(|h| {
            let s = summaries.get(&h.id)?;
            Some(json!({
                "id": h.id,
                "title": s.title,
                "title_html": h.title_html,
                "snippet_html": h.snippet_html,
                "score": h.score,
                "source": s.source_name,
                "category": s.category,
                "original": s.original,
                "published_at": ctx.clock.rfc3339(s.published_at),
                "url": format!("{}/a/{}", ctx.config.base_url.trim_end_matches('/'), h.id),
            }))
        })
        .collect();
    Ok(Json(json!({
        "total": results.total,
        "terms": results.terms,
        "truncated": results.truncated,
        "items": items,
    })))
}
