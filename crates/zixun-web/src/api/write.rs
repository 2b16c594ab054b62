//! `POST /api/articles`, `PUT /api/articles/{id}`, `DELETE /api/articles/{id}` with a Bearer
//! token. The body is the import format plus `status` (`draft`, `submitted`, `published`,
//! `scheduled` with `publish_at`); an author's `published` becomes `submitted`.

use axum::{Json, body::Bytes, extract::State, http::StatusCode};
use serde_json::Value;
use utoipa::ToSchema;
use zixun_core::newsroom::Workflow;
use zixun_ingest::{ImportRecord, RecordError};

use super::{IdPath, article_id, articles::ApiArticle};
use crate::{
    Ctx,
    error::{ApiError, ErrorBody},
    newsroom::{ApiActor, EditRequest, apply_edit, delete},
};

/// The body of a write: the import format (see `zixun import`) plus the state asked for.
/// [`ImportRecord::parse`] reads it field by field, so that each error names its field; this
/// type is what the OpenAPI document says of it.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the body that ImportRecord::parse reads")]
pub struct ArticleInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    title: String,
    /// Plain text, paragraphs split by newlines; or `body_html`.
    body: Option<String>,
    /// HTML, sanitized on the way in.
    body_html: Option<String>,
    author: Option<String>,
    /// The outlet credited (来源).
    source: Option<String>,
    /// The original's address (http or https).
    url: Option<String>,
    original: Option<bool>,
    category: Option<String>,
    #[schema(max_items = 30)]
    tags: Option<Vec<String>>,
    /// RFC 3339 or `YYYY-MM-DD HH:MM` in the site's time zone.
    published_at: Option<String>,
    /// `draft` (default), `submitted`, `published` or `scheduled`.
    #[schema(pattern = "^(draft|submitted|published|scheduled)$")]
    status: Option<String>,
    /// When a `scheduled` article goes out.
    publish_at: Option<String>,
    /// The cover image: an upload (`/uploads/…`) or an http(s) address; the body's first image
    /// when absent.
    #[schema(max_length = 2048)]
    cover: Option<String>,
    /// 原标题: the original's title, for a syndicated (转载) article.
    #[schema(max_length = 200)]
    original_title: Option<String>,
    /// 原作者: the original's author.
    #[schema(max_length = 100)]
    original_author: Option<String>,
    /// 责任编辑: who answers for the article; the publishing account when absent.
    #[schema(max_length = 100)]
    editor: Option<String>,
}

#[utoipa::path(post, path = "/api/articles", tag = "newsroom", request_body = ArticleInput,
    responses((status = 201, body = ApiArticle), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(ctx): State<Ctx>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<(StatusCode, Json<ApiArticle>), ApiError> {
    let req = edit_request(&ctx, None, &body)?;
    let (id, _) = apply_edit(&ctx.newsroom, &actor, req).await?;
    Ok((StatusCode::CREATED, Json(saved(&ctx, id).await?)))
}

#[utoipa::path(put, path = "/api/articles/{id}", tag = "newsroom", request_body = ArticleInput,
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ApiArticle), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(ctx): State<Ctx>,
    ApiActor(actor): ApiActor,
    IdPath(raw_id): IdPath,
    body: Bytes,
) -> Result<Json<ApiArticle>, ApiError> {
    let id = article_id(&raw_id)?;
    let req = edit_request(&ctx, Some(id), &body)?;
    apply_edit(&ctx.newsroom, &actor, req).await?;
    Ok(Json(saved(&ctx, id).await?))
}

#[utoipa::path(delete, path = "/api/articles/{id}", tag = "newsroom", params(("id" = i64, Path, example = 1)),
    responses((status = 204, description = "deleted (kept for the audit log, shown to no one)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove(
    State(ctx): State<Ctx>,
    ApiActor(actor): ApiActor,
    IdPath(raw_id): IdPath,
) -> Result<StatusCode, ApiError> {
    delete(&ctx.newsroom, &actor, article_id(&raw_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn saved(ctx: &Ctx, id: i64) -> Result<ApiArticle, ApiError> {
    let a = ctx.store.article(id).await?.ok_or_else(|| ApiError::not_found(format!("文章 {id} 不存在")))?;
    Ok(ApiArticle::new(ctx, &a))
}

/// The request body, checked field by field: not JSON is 400; a missing or wrong field is
/// 422 naming it. Any `id` in the body is ignored (the URL says which article).
fn edit_request(ctx: &Ctx, id: Option<i64>, body: &[u8]) -> Result<EditRequest, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid(StatusCode::BAD_REQUEST, "body", "请求体不是有效的 UTF-8"))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::invalid(StatusCode::BAD_REQUEST, "body", format!("请求体不是有效的 JSON：{e}")))?;
    let mut record = ImportRecord::parse(text).map_err(|e| {
        let field = match &e {
            RecordError::Missing(f) | RecordError::Empty(f) => f,
            RecordError::WrongType { field, .. } => field,
            RecordError::NotJson(_) | RecordError::NotObject(_) => &"body",
        };
        ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, field, e.to_string())
    })?;
    record.id = None;
    let wanted = match value.get("status") {
        None | Some(Value::Null) => Workflow::Draft,
        Some(Value::String(s)) => match s.as_str() {
            "draft" | "submitted" | "published" | "scheduled" => Workflow::parse(s).unwrap_or(Workflow::Draft),
            other => {
                return Err(ApiError::invalid(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "status",
                    format!("status 应为 draft、submitted、published 或 scheduled，收到 {other:?}"),
                ));
            }
        },
        Some(_) => return Err(ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, "status", "status 应为字符串")),
    };
    record.status = None;
    let publish_at = match value.get("publish_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(ctx.clock.parse(s).map_err(|e| {
            ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, "publish_at", format!("publish_at: {e}"))
        })?),
        Some(_) => {
            return Err(ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, "publish_at", "publish_at 应为时间字符串"));
        }
    };
    Ok(EditRequest { id, record, wanted, publish_at, markdown: None, restores: None })
}
