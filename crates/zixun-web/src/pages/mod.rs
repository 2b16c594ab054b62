//! Readers' pages, server-rendered from the theme.

mod article;
mod assets;
mod lists;
pub mod picture;
pub mod search;

use std::sync::{Arc, atomic::Ordering};

use axum::{
    Router,
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;
use zixun_core::{ArticleSummary, SiteClock};

use self::lists::NamedList;
use crate::{
    AppContext, Ctx,
    cache::{CachedPage, Shows},
    error::PageError,
};

/// The reader pages, in the Simplified view and again under `/zh-hant` in the Traditional one.
pub fn router() -> Router<Ctx> {
    let traditional = || axum::middleware::from_fn(crate::script::traditional);
    // The Simplified view costs a cached page nothing: the cache sets it when it renders.
    views()
        .route("/static/{name}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        .nest(crate::script::HANT_PREFIX, views().layer(traditional()))
        // `/zh-hant/` as well as `/zh-hant` is the Traditional home page.
        .route("/zh-hant/", get(lists::home).layer(traditional()))
}

fn views() -> Router<Ctx> {
    Router::new()
        .route("/", get(lists::home))
        .route("/a/{id}", get(article::article_page))
        .route("/c/{name}", NamedList::Category.route())
        .route("/source/{name}", NamedList::Source.route())
        .route("/author/{name}", NamedList::Author.route())
        .route("/tag/{name}", NamedList::Tag.route())
        .route("/search", get(search::search_page).layer(axum::middleware::from_fn(crate::script::simplified)))
}

/// Unknown paths: JSON under `/api/`, the theme's 404 page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError::not_found("没有这个接口").into_response()
    } else {
        PageError::not_found().into_response()
    }
}

/// A list entry as templates show it.
#[derive(Debug, Serialize)]
pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    pub time: String,
    pub author: Option<String>,
    pub source_name: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    pub views: i64,
    /// Why a related item is listed (shared words), empty elsewhere.
    pub shared: Vec<String>,
    /// The cover's address.
    pub cover: Option<String>,
    /// The cover as a thumbnail's markup (`<picture>` or `<img>`), where the list shows one.
    pub thumb: Option<String>,
}

impl ListItem {
    pub fn new(a: &ArticleSummary, clock: &SiteClock) -> Self {
        ListItem {
            id: a.id,
            title: a.title.clone(),
            excerpt: a.summary.clone(),
            time: clock.format(a.published_at),
            author: a.author.clone(),
            source_name: a.source_name.clone(),
            original: a.original,
            category: a.category.clone(),
            views: a.views,
            shared: Vec::new(),
            cover: a.cover.clone(),
            thumb: None,
        }
    }

    /// With its cover as a thumbnail (`.thumb`) shown `sizes` wide, loading at once or when
    /// scrolled to.
    pub fn with_thumb(mut self, loading: picture::Loading, sizes: &str) -> Self {
        self.thumb =
            self.cover.as_deref().map(|c| picture::Picture::new(c).html(&self.title, sizes, loading, Some("thumb")));
        self
    }
}

/// The first `n` of 热门资讯 (of `category`, or of the site), the first with its cover.
pub fn hot_items(ctx: &AppContext, n: usize, category: Option<&str>) -> Vec<ListItem> {
    ctx.hot
        .top(n, category)
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let item = ListItem::new(&h.article, &ctx.clock);
            if i == 0 { item.with_thumb(picture::Loading::Lazy, picture::SIDE_SIZES) } else { item }
        })
        .collect()
}

/// A page as rendered, with what it shows (for the page cache's invalidation).
pub struct Rendered {
    pub html: String,
    pub shows: Shows,
}

/// Serves the HTML page `key` from the page cache, or renders it with `render` and caches it.
pub async fn cached<F, Fut>(
    ctx: &AppContext,
    key: String,
    headers: &HeaderMap,
    render: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Rendered, PageError>>,
{
    serve(ctx, key, headers, "text/html; charset=utf-8", render).await
}

/// [`cached`] for a text document that any change may alter (feeds, sitemaps, robots.txt).
pub async fn cached_as<F, Fut>(
    ctx: &AppContext,
    key: String,
    headers: &HeaderMap,
    content_type: &'static str,
    render: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, PageError>>,
{
    serve(ctx, key, headers, content_type, || async { Ok(Rendered { html: render().await?, shows: Shows::Anything }) })
        .await
}

async fn serve<F, Fut>(
    ctx: &AppContext,
    key: String,
    headers: &HeaderMap,
    content_type: &'static str,
    render: F,
) -> Result<Response, PageError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Rendered, PageError>>,
{
    // The 繁體 view of a page is a page of its own.
    let path = key;
    let key = if crate::script::is_hant() { format!("{}{path}", crate::script::HANT_PREFIX) } else { path.clone() };
    if let Some(page) = cache_hit(ctx, &key) {
        return Ok(page.respond(headers, true).await);
    }
    let turn = ctx.cache.render_turn().await;
    // Rendered by a request ahead of this one while it waited.
    if let Some(page) = cache_hit(ctx, &key) {
        drop(turn);
        return Ok(page.respond(headers, true).await);
    }
    ctx.metrics.cache_misses.fetch_add(1, Ordering::Relaxed);
    let generation = ctx.cache.generation();
    let rendered = crate::script::rendering(&path, render()).await?;
    drop(turn);
    let page = Arc::new(CachedPage::new(rendered.html, content_type, rendered.shows));
    ctx.cache.insert(key, page.clone(), generation);
    Ok(page.respond(headers, false).await)
}

/// The cached page of `key`, counted as a hit.
fn cache_hit(ctx: &AppContext, key: &str) -> Option<Arc<CachedPage>> {
    let page = ctx.cache.get(key)?;
    ctx.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
    Some(page)
}
