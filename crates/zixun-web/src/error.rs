//! Errors, mapped to HTTP in one place: JSON for the API, themed pages for readers.

use axum::{
    Json,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;
use zixun_search::SearchError;
use zixun_store::StoreError;

use crate::Ctx;

/// An error of the JSON API: `{"error": {"code": "…", "message": "…"}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": {"code": self.code, "message": self.message}}))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store error in API");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "store_unavailable",
            message: "存储暂时不可用，请稍后再试".into(),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        tracing::error!(error = %e, "search error in API");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "search_unavailable",
            message: "搜索暂时不可用，请稍后再试".into(),
        }
    }
}

/// An error of a reader's page; [`render_error_pages`] turns it into the theme's error page.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn not_found() -> Self {
        PageError { status: StatusCode::NOT_FOUND, message: "页面不存在或已被删除".into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        PageError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// A bug on our side: logged with `detail`, shown as a plain error page.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "page failed");
        PageError { status: StatusCode::INTERNAL_SERVER_ERROR, message: "页面生成出错".into() }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store error on a page");
        PageError { status: StatusCode::SERVICE_UNAVAILABLE, message: "服务暂时不可用，请稍后再试".into() }
    }
}

impl From<SearchError> for PageError {
    fn from(e: SearchError) -> Self {
        tracing::error!(error = %e, "search error on a page");
        PageError { status: StatusCode::SERVICE_UNAVAILABLE, message: "搜索暂时不可用，请稍后再试".into() }
    }
}

impl From<minijinja::Error> for PageError {
    fn from(e: minijinja::Error) -> Self {
        tracing::error!(error = %e, "template error");
        PageError { status: StatusCode::INTERNAL_SERVER_ERROR, message: "页面渲染出错".into() }
    }
}

/// Renders [`PageError`]s with the theme's `error.html`.
pub async fn render_error_pages(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<PageError>().cloned() else {
        return res;
    };
    let body = ctx
        .theme
        .render(
            "error.html",
            minijinja::context! { status => err.status.as_u16(), message => err.message, site => ctx.site_globals() },
        )
        .unwrap_or_else(|_| format!("<!doctype html><meta charset=utf-8><title>{0}</title><h1>{0}</h1>", err.status));
    (err.status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A failure of background work (logged and retried on the next tick).
#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}
