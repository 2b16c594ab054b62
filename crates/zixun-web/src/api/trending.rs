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
};

/// A word of 热词: carried by more stories today than usual.
#[derive(Serialize, ToSchema)]
pub struct TrendingEntry {
    pub word: String,
    /// Stories carrying it in the last 24 hours.
    pub count_24h: u32,
    /// Stories a day carrying it over the 29 days before.
    pub usual_per_day: f64,
    pub score: f64,
    /// Its tag page.
    pub url: String,
}

/// `GET /api/trending`.
#[derive(Serialize, ToSchema)]
pub struct TrendingResponse {
    pub items: Vec<TrendingEntry>,
}

#[utoipa::path(get, path = "/api/trending", tag = "lists",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 30, description = "default 10")),
    responses((status = 200, body = TrendingResponse), (status = 400, body = ErrorBody)))]
pub async fn trending(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<TrendingResponse>, ApiError> {
    let limit = limit_param(&p, "limit", 10, 30)?;
    let items = ctx
        .trending
        .top(limit as usize)
        .into_iter()
        .map(|w| TrendingEntry {
            url: ctx
                .url(&format!("/tag/{}", url::form_urlencoded::byte_serialize(w.word.as_bytes()).collect::<String>())),
            word: w.word,
            count_24h: w.count_24h,
            usual_per_day: w.usual_per_day,
            score: w.score,
        })
        .collect();
    Ok(Json(TrendingResponse { items }))
}
