use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde_json::{Value, json};

use super::{articles::ApiSummary, limit_param};
use crate::{Ctx, error::ApiError};

pub async fn hot(State(ctx): State<Ctx>, Query(p): Query<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
    let limit = limit_param(&p, "limit", 10, 100)?;
    let category = p.get("category").map(|s| s.trim()).filter(|s| !s.is_empty());
    let items: Vec<Value> = ctx
        .hot
        .top(limit as usize, category)
        .iter()
        .map(|h| ApiSummary::new(&h.article, &ctx.clock, &ctx.config.base_url).with(&[("hot_score", json!(h.score))]))
        .collect();
    Ok(Json(json!({"items": items, "half_life_hours": ctx.config.hot_half_life.as_secs_f64() / 3600.0})))
}
