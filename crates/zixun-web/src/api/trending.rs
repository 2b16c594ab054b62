use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde_json::{Value, json};

use super::limit_param;
use crate::{Ctx, error::ApiError};

pub async fn trending(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = limit_param(&p, "limit", 10, 30)?;
    let base = ctx.config.base_url.trim_end_matches('/');
    let items: Vec<Value> = ctx
        .trending
        .top(limit as usize)
        .into_iter()
        .map(|w| {
            json!({
                "word": w.word,
                "count_24h": w.count_24h,
                "usual_per_day": w.usual_per_day,
                "score": w.score,
                "url": format!("{base}/tag/{}", w.word),
            })
        })
        .collect();
    Ok(Json(json!({"items": items})))
}
