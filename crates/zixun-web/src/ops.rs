//! Operations: `/healthz` (liveness), `/readyz` (ready to serve) and `/metrics`.

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
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

/// 200 when the store answers; says how far the search index is behind it. The database's
/// error goes to the log, not to whoever asks.
async fn healthz(State(ctx): State<Ctx>) -> Response {
    match ctx.store.max_seq().await {
        Ok(store_seq) => {
            let indexed = ctx.search.indexed_seq();
            Json(json!({
                "status": "ok",
                "backend": ctx.store.kind().as_str(),
                "store_seq": store_seq,
                "indexed_seq": indexed,
                "index_lag": store_seq - indexed,
                "indexed_docs": ctx.search.num_docs(),
                "term_vectors": ctx.vectors.len(),
                "ready": ctx.is_ready(),
            }))
            .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"}))).into_response()
        }
    }
}

/// 200 once the node has caught up with the store since it started (its search index and term
/// vectors hold what the database holds) and the store answers; 503 before, so that a load
/// balancer never sends readers to a cold node.
async fn readyz(State(ctx): State<Ctx>) -> Response {
    let store_seq = match ctx.store.max_seq().await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "readiness check: the store does not answer");
            return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"}))).into_response();
        }
    };
    let indexed = ctx.search.indexed_seq();
    let body = json!({"store_seq": store_seq, "indexed_seq": indexed, "index_lag": store_seq - indexed});
    if ctx.is_ready() {
        (StatusCode::OK, Json(json!({"status": "ready", "progress": body}))).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "catching up", "progress": body}))).into_response()
    }
}

async fn metrics(State(ctx): State<Ctx>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        ctx.metrics.render(&crate::metrics::NodeGauges {
            pending_views: ctx.views.pending(),
            indexed_seq: ctx.search.indexed_seq(),
            page_cache_bytes: ctx.cache.weighed_bytes(),
            page_cache_pages: ctx.cache.entry_count(),
        }),
    )
}
