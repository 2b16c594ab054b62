//! The JSON API: one file per endpoint group, errors as `{"error": {"code", "message"}}`.

mod articles;
mod hot;
pub mod openapi;
mod search;
mod slots;
mod trending;
mod write;

use std::collections::HashMap;

use axum::{
    Router,
    extract::{FromRequestParts, Path},
    http::request::Parts,
    routing::get,
};

use crate::{Ctx, error::ApiError};

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/api/articles", get(articles::list).post(write::create))
        .route("/api/articles/{id}", get(articles::get_one).put(write::update).delete(write::remove))
        .route("/api/articles/{id}/related", get(articles::related))
        .route("/api/hot", get(hot::hot))
        .route("/api/search", get(search::search))
        .route("/api/slots/{name}", get(slots::slot))
        .route("/api/trending", get(trending::trending))
        .route("/api/openapi.json", get(openapi::document))
}

/// A whole-number parameter within `1..=max`, `default` when absent.
pub fn limit_param(p: &HashMap<String, String>, name: &str, default: u32, max: u32) -> Result<u32, ApiError> {
    match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid_parameter", format!("参数 {name} 应为 1 到 {max} 之间的整数，收到 {s:?}"))
        }),
    }
}

/// The `{id}` of an article route, as text: one that is not even UTF-8 (`/api/articles/%FF`)
/// names no article, and gets the API's JSON 404 rather than axum's plain-text rejection.
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(IdPath(id)),
            Err(_) => Err(ApiError::not_found("文章不存在")),
        }
    }
}

pub fn article_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("文章 {raw:?} 不存在")))
}
