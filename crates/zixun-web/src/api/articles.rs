use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Serialize;
use utoipa::ToSchema;
use zixun_core::{Article, ArticleStatus, ArticleSummary, SiteClock};
use zixun_store::{Cursor, ListFilter};

use super::{IdPath, article_id, limit_param};
use crate::{
    Ctx,
    error::{ApiError, ErrorBody},
    newsroom::{bearer_actor, visible_article},
};

/// A list item in the API.
#[derive(Serialize, ToSchema)]
pub struct ApiSummary {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub author: Option<String>,
    pub source: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    /// RFC 3339, in the site's time zone.
    pub published_at: String,
    pub views: i64,
    pub url: String,
    /// The cover image's absolute address.
    pub cover: Option<String>,
}

/// `GET /api/articles`: newest first.
#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    pub items: Vec<ApiSummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// Every field of an article, as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ApiArticle {
    pub id: i64,
    /// The id it was imported or polled with.
    pub ext_id: Option<String>,
    pub title: String,
    pub author: Option<String>,
    /// The outlet a syndicated article is credited to (来源).
    pub source: Option<String>,
    pub source_url: Option<String>,
    /// 原创: written here, not syndicated.
    pub original: bool,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub keywords: Vec<String>,
    pub summary: String,
    pub body_html: String,
    pub body_text: String,
    pub published_at: String,
    pub updated_at: String,
    /// `published` or `draft`.
    pub status: &'static str,
    pub views: i64,
    /// 64-bit SimHash, hex.
    pub simhash: String,
    /// The story head this article is a copy of.
    pub copy_of: Option<i64>,
    pub url: String,
    /// The newsroom state: `draft`, `submitted`, `scheduled`, `published`, `unpublished`.
    pub workflow: &'static str,
    pub publish_at: Option<String>,
    /// The cover image's absolute address (the one given, else the body's first image).
    pub cover: Option<String>,
    /// 原标题: the original's title, for a syndicated (转载) article.
    pub original_title: Option<String>,
    /// 原作者: the original's author.
    pub original_author: Option<String>,
    /// 责任编辑: who answers for the article here (the publishing account unless named).
    pub editor: Option<String>,
}

/// An item of 相关内容.
#[derive(Serialize, ToSchema)]
pub struct RelatedEntry {
    #[serde(flatten)]
    pub summary: ApiSummary,
    pub score: f64,
    /// Words it shares with the article, the weightiest first (empty for a filler).
    pub shared_keywords: Vec<String>,
}

/// `GET /api/articles/{id}/related`.
#[derive(Serialize, ToSchema)]
pub struct RelatedList {
    pub id: i64,
    pub items: Vec<RelatedEntry>,
}

impl ApiSummary {
    pub fn new(a: &ArticleSummary, clock: &SiteClock, base: &str) -> Self {
        ApiSummary {
            id: a.id,
            title: a.title.clone(),
            summary: a.summary.clone(),
            author: a.author.clone(),
            source: a.source_name.clone(),
            original: a.original,
            category: a.category.clone(),
            published_at: clock.rfc3339(a.published_at),
            views: a.views,
            url: crate::context::site_url(base, &format!("/a/{}", a.id)),
            cover: a.cover.as_deref().map(|c| crate::context::absolute_url(base, c)),
        }
    }
}

/// The list's filter: at most one of `category`, `source` (the outlet credited), `author` and
/// `tag` (a tag or a keyword), each matched exactly.
fn list_filter(p: &HashMap<String, String>) -> Result<ListFilter, ApiError> {
    let given: Vec<(&str, &String)> = ["category", "source", "author", "tag"]
        .into_iter()
        .filter_map(|k| p.get(k).filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
        .collect();
    match given.as_slice() {
        [] => Ok(ListFilter::All),
        [(key, v)] => {
            let v = v.trim().to_string();
            Ok(match *key {
                "category" => ListFilter::Category(v),
                "source" => ListFilter::Source(v),
                "author" => ListFilter::Author(v),
                _ => ListFilter::Term(v),
            })
        }
        _ => Err(ApiError::bad_request("invalid_parameter", "category、source、author、tag 只能给出其中一个")),
    }
}

#[utoipa::path(get, path = "/api/articles", tag = "articles",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the page before"),
        ("category" = Option<String>, Query), ("source" = Option<String>, Query),
        ("author" = Option<String>, Query), ("tag" = Option<String>, Query, description = "a tag or keyword"),
    ),
    responses((status = 200, body = ArticleList), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn list(
    State(ctx): State<Ctx>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<ArticleList>, ApiError> {
    let limit = limit_param(&p, "limit", 20, 100)?;
    let cursor = match p.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(Cursor::decode(c).ok_or_else(|| ApiError::bad_request("invalid_parameter", "参数 cursor 无效"))?)
        }
        None => None,
    };
    let filter = list_filter(&p)?;
    let mut items = ctx.store.list(&filter, cursor, limit + 1).await?;
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|a| Cursor { published_at: a.published_at, id: a.id }.encode())
    });
    let base = &ctx.config.base_url;
    let items: Vec<ApiSummary> = items.iter().map(|a| ApiSummary::new(a, &ctx.clock, base)).collect();
    Ok(Json(ArticleList { items, next_cursor: next.flatten() }))
}

async fn published(ctx: &Ctx, raw_id: &str) -> Result<Article, ApiError> {
    let id = article_id(raw_id)?;
    ctx.store
        .article(id)
        .await?
        .filter(|a| a.status == ArticleStatus::Published)
        .ok_or_else(|| ApiError::not_found(format!("文章 {id} 不存在")))
}

/// With a token, also the drafts (and submitted, scheduled, unpublished articles) that the
/// token's user may see; without one, only what readers see.
#[utoipa::path(get, path = "/api/articles/{id}", tag = "articles",
    params(("id" = i64, Path, description = "the article's id", example = 1)),
    responses((status = 200, body = ApiArticle), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get_one(
    State(ctx): State<Ctx>,
    IdPath(raw_id): IdPath,
    headers: axum::http::HeaderMap,
) -> Result<Json<ApiArticle>, ApiError> {
    let a = match bearer_actor(&headers, &ctx).await? {
        Some(actor) => {
            let id = article_id(&raw_id)?;
            visible_article(&ctx.newsroom, &actor, id)
                .await
                .map_err(|_| ApiError::not_found(format!("文章 {id} 不存在")))?
        }
        None => published(&ctx, &raw_id).await?,
    };
    Ok(Json(ApiArticle::new(&ctx, &a)))
}

impl ApiArticle {
    pub fn new(ctx: &Ctx, a: &Article) -> Self {
        ApiArticle {
            id: a.id,
            ext_id: a.ext_id.clone(),
            title: a.title.clone(),
            author: a.author.clone(),
            source: a.source_name.clone(),
            source_url: a.source_url.clone(),
            original: a.original,
            category: a.category.clone(),
            tags: a.tags.clone(),
            keywords: a.keywords.clone(),
            summary: a.summary.clone(),
            body_html: a.body_html.clone(),
            body_text: a.body_text.clone(),
            published_at: ctx.clock.rfc3339(a.published_at),
            updated_at: ctx.clock.rfc3339(a.updated_at),
            status: a.status.as_str(),
            views: a.views,
            simhash: format!("{:016x}", a.simhash),
            copy_of: a.copy_of,
            url: ctx.url(&format!("/a/{}", a.id)),
            workflow: a.workflow.as_str(),
            publish_at: a.publish_at.map(|t| ctx.clock.rfc3339(t)),
            cover: a.cover.as_deref().map(|c| ctx.absolute(c)),
            original_title: a.credits.original_title.clone(),
            original_author: a.credits.original_author.clone(),
            editor: a.credits.editor.clone(),
        }
    }
}

#[utoipa::path(get, path = "/api/articles/{id}/related", tag = "articles",
    params(("id" = i64, Path, example = 1), ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "default 7")),
    responses((status = 200, body = RelatedList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn related(
    State(ctx): State<Ctx>,
    IdPath(raw_id): IdPath,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<RelatedList>, ApiError> {
    let limit = limit_param(&p, "limit", 7, 50)?;
    let a = published(&ctx, &raw_id).await?;
    let list = ctx.related.related(ctx.related_sources(), &a, limit as usize).await.map_err(|e| {
        tracing::error!(error = %e, "related list failed");
        ApiError {
            status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
            code: "related_unavailable",
            message: "相关内容暂时不可用".into(),
            field: None,
        }
    })?;
    let base = &ctx.config.base_url;
    let items = list
        .iter()
        .map(|r| RelatedEntry {
            summary: ApiSummary::new(&r.article, &ctx.clock, base),
            score: r.score,
            shared_keywords: r.shared.clone(),
        })
        .collect();
    Ok(Json(RelatedList { id: a.id, items }))
}
