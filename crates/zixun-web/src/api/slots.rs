use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::Serialize;
use utoipa::ToSchema;
use zixun_core::{SiteClock, slot::Slot};

use super::articles::ApiSummary;
use crate::{
    Ctx,
    error::{ApiError, ErrorBody},
    slots::live_slots,
};

/// An item of a slot: an article, or an outside link (跳转) with the title an editor gave it.
#[derive(Serialize, ToSchema)]
pub struct SlotEntry {
    /// `article` or `link`.
    pub kind: &'static str,
    pub title: String,
    /// The article's page, or the outside address.
    pub url: String,
    /// The article, for `kind: article`.
    pub article: Option<ApiSummary>,
    /// RFC 3339: shown from then (`null`: at once).
    pub starts_at: Option<String>,
    /// RFC 3339: leaves by itself then (`null`: stays until removed).
    pub ends_at: Option<String>,
}

/// `GET /api/slots/{name}`.
#[derive(Serialize, ToSchema)]
pub struct SlotResponse {
    /// `headline` (头条), `carousel` (幻灯) or `recommended` (推荐).
    pub slot: &'static str,
    /// The category whose slot this is; `null` for the site-wide slot of the home page.
    pub category: Option<String>,
    /// The live items in the editors' order (at most what a page shows).
    pub items: Vec<SlotEntry>,
}

#[utoipa::path(get, path = "/api/slots/{name}", tag = "lists",
    params(("name" = String, Path, description = "`headline` or 头条, `carousel` or 幻灯, `recommended` or 推荐"),
           ("category" = Option<String>, Query, description = "a category's slot; absent: the site-wide slot")),
    responses((status = 200, body = SlotResponse), (status = 404, body = ErrorBody)))]
pub async fn slot(
    State(ctx): State<Ctx>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Json<SlotResponse>, ApiError> {
    let name = name.map(|Path(n)| n).unwrap_or_default();
    let slot = Slot::parse(&name).ok_or_else(|| {
        ApiError::not_found(format!(
            "没有名为 {name:?} 的推荐位（可用：headline 头条、carousel 幻灯、recommended 推荐）"
        ))
    })?;
    let category = p.get("category").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut live = live_slots(&ctx, category.as_deref().unwrap_or(""), SiteClock::now()).await?;
    let base = &ctx.config.base_url;
    let items = live
        .remove(&slot)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SlotEntry {
            kind: if s.article.is_some() { "article" } else { "link" },
            url: if s.article.is_some() { crate::context::site_url(base, &s.href) } else { s.href.clone() },
            article: s.article.as_ref().map(|a| ApiSummary::new(a, &ctx.clock, base)),
            starts_at: s.item.starts_at.map(|t| ctx.clock.rfc3339(t)),
            ends_at: s.item.ends_at.map(|t| ctx.clock.rfc3339(t)),
            title: s.title,
        })
        .collect();
    Ok(Json(SlotResponse { slot: slot.as_str(), category, items }))
}
