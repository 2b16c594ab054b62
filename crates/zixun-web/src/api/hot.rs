use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{articles::ApiSummary, limit_param};
use crate::{
    Ctx,
    error::{ApiError, ErrorBody},
};

/// An item of 热门资讯.
#[derive(Serialize, ToSchema)]
pub struct HotEntry {
    #[serde(flatten)]
    pub summary: ApiSummary,
    /// The article's views, each decayed by its age (half-life `half_life_hours`).
    pub hot_score: f64,
}

/// `GET /api/hot`.
#[derive(Serialize, ToSchema)]
pub struct HotResponse {
    pub items: Vec<HotEntry>,
    pub half_life_hours: f64,
}

#[utoipa::path(get, path = "/api/hot", tag = "lists",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "default 10"), ("category" = Option<String>, Query)),
    responses((status = 200, body = HotResponse), (status = 400, body = ErrorBody)))]
pub async fn hot(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<HotResponse>, ApiError> {
    let limit = limit_param(&p, "limit", 10, 100)?;
    let category = p.get("category").map(|s| s.trim()).filter(|s| !s.is_empty());
    let items = ctx
        .hot
        .top(limit as usize, category)
        .iter()
        .map(|h| HotEntry {
            summary: ApiSummary::new(&h.article, &ctx.clock, &ctx.config.base_url),
            hot_score: h.score,
        })
        .collect();
    Ok(Json(HotResponse { items, half_life_hours: ctx.config.hot_half_life.as_secs_f64() / 3600.0 }))
}
