//! Operations: `/healthz` and `/metrics`.

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

use crate::Ctx;

pub fn router() -> Router<Ctx> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

/// 200 when the store answers; says how far the search index is behind it.
async fn healthz(State(ctx): State<Ctx>) -> Response {
    match ctx.store.max_seq().await {
        Ok(store_seq) => {
            let indexed = ctx.search.indexed_seq();
            Json(json!({"status": "ok", "store_seq": store_seq, "indexed_seq": indexed, "index_lag": store_seq - indexed}))
                .into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "error": e.to_string()})))
            .into_response(),
    }
}

async fn metrics(State(ctx): State<Ctx>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        ctx.metrics.render(ctx.views.pending(), ctx.search.indexed_seq()),
    )
}
