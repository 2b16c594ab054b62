//! Errors, mapped to HTTP in one place: JSON for the API, themed pages for readers.

use axum::{
    Json,
    extract::{Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use zixun_newsroom::EditError;
use zixun_search::SearchError;
use zixun_store::StoreError;

use crate::Ctx;

/// An error of the JSON API: `{"error": {"code": "…", "message": "…"}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The request field at fault, for validation errors.
    pub field: Option<&'static str>,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.into(), field: None }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into(), field: None }
    }

    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "需要有效的 API 令牌（Authorization: Bearer …）".into(),
            field: None,
        }
    }

    /// A field that is present but not acceptable (422), or malformed (400), named.
    pub fn invalid(status: StatusCode, field: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code: "invalid_field", message: message.into(), field: Some(field) }
    }
}

/// What the API answers on an error.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `not_found`, `invalid_parameter`, `invalid_field`, `sensitive_words`, `unauthorized`,
    /// `forbidden`, `empty_query`, `store_unavailable`…
    pub code: &'static str,
    /// For people, in Chinese.
    pub message: String,
    /// The request field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message, field: self.field } };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store error in API");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "store_unavailable",
            message: "存储暂时不可用，请稍后再试".into(),
            field: None,
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
            field: None,
        }
    }
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Forbidden(f) => {
                ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: f.to_string(), field: None }
            }
            EditError::NotFound => ApiError::not_found("文章不存在"),
            EditError::Invalid { field, message } => {
                ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, field, message)
            }
            EditError::Blocked { field, message } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "sensitive_words",
                message,
                field: Some(field),
            },
            EditError::Store(s) => s.into(),
            EditError::Write(w) => {
                tracing::error!(error = %w, "newsroom write failed");
                ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, code: "write_failed", message: w, field: None }
            }
        }
    }
}

impl From<EditError> for PageError {
    fn from(e: EditError) -> Self {
        let api = ApiError::from(e);
        PageError { status: api.status, message: api.message }
    }
}

/// A role that may not: 403, in the words the edit path uses.
impl From<zixun_core::newsroom::Forbidden> for PageError {
    fn from(f: zixun_core::newsroom::Forbidden) -> Self {
        EditError::from(f).into()
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
