use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State},
};
use serde::Serialize;
use serde_json::{Value, json};
use zixun_core::{Article, ArticleStatus, ArticleSummary, SiteClock};
use zixun_store::{Cursor, ListFilter};

use super::{IdPath, article_id, limit_param};
use crate::{
    Ctx,
    error::ApiError,
    newsroom::{bearer_actor, visible_article},
};

/// A list item in the API.
#[derive(Serialize)]
pub struct ApiSummary {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub author: Option<String>,
    pub source: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    pub published_at: String,
    pub views: i64,
    pub url: String,
}

impl ApiSummary {
    /// The summary as JSON with extra fields (a score, why it is listed).
    pub fn with(&self, extra: &[(&str, Value)]) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            for (k, x) in extra {
                m.insert((*k).to_string(), x.clone());
            }
        }
        v
    }

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
            url: format!("{}/a/{}", base.trim_end_matches('/'), a.id),
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

pub async fn list(State(ctx): State<Ctx>, Query(p): Query<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({"items": items, "next_cursor": next.flatten()})))
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
pub async fn get_one(
    State(ctx): State<Ctx>,
    IdPath(raw_id): IdPath,
    headers: axum::http::HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let a = match bearer_actor(&headers, &ctx).await? {
        Some(actor) => {
            let id = article_id(&raw_id)?;
            visible_article(&ctx, &actor, id).await.map_err(|_| ApiError::not_found(format!("文章 {id} 不存在")))?
        }
        None => published(&ctx, &raw_id).await?,
    };
    Ok(Json(article_json(&ctx, &a)))
}

/// Every field of an article, as the API shows it.
pub fn article_json(ctx: &Ctx, a: &Article) -> Value {
    json!({
        "id": a.id,
        "ext_id": a.ext_id,
        "title": a.title,
        "author": a.author,
        "source": a.source_name,
        "source_url": a.source_url,
        "original": a.original,
        "category": a.category,
        "tags": a.tags,
        "keywords": a.keywords,
        "summary": a.summary,
        "body_html": a.body_html,
        "body_text": a.body_text,
        "published_at": ctx.clock.rfc3339(a.published_at),
        "updated_at": ctx.clock.rfc3339(a.updated_at),
        "status": a.status,
        "views": a.views,
        "simhash": format!("{:016x}", a.simhash),
        "copy_of": a.copy_of,
        "url": format!("{}/a/{}", ctx.config.base_url.trim_end_matches('/'), a.id),
        "workflow": a.workflow,
        "publish_at": a.publish_at.map(|t| ctx.clock.rfc3339(t)),
    })
}

pub async fn related(
    State(ctx): State<Ctx>,
    IdPath(raw_id): IdPath,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = limit_param(&p, "limit", 7, 50)?;
    let a = published(&ctx, &raw_id).await?;
    let list = ctx.related.related(&ctx, &a, limit as usize).await.map_err(|e| {
        tracing::error!(error = %e, "related list failed");
        ApiError {
            status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
            code: "related_unavailable",
            message: "相关内容暂时不可用".into(),
            field: None,
        }
    })?;
    let base = &ctx.config.base_url;
    let items: Vec<Value> = list
        .iter()
        .map(|r| {
            ApiSummary::new(&r.article, &ctx.clock, base)
                .with(&[("score", json!(r.score)), ("shared_keywords", json!(r.shared))])
        })
        .collect();
    Ok(Json(json!({"id": a.id, "items": items})))
}
