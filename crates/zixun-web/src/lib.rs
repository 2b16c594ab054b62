//! zixun-web: the axum router, pages, theme, page cache, JSON API and operations endpoints.
//!
//! Each area exposes a `router()`; they share one [`AppContext`].

mod api;
mod cache;
pub mod client_addr;
mod context;
mod error;
mod feeds;
mod hot;
mod metrics;
pub mod newsroom;
mod ops;
mod pages;
mod registrations;
mod related;
mod script;
pub mod server;
mod slots;
#[cfg(test)]
mod test_support;
mod theme;
mod trending;
mod views;

use std::{sync::Arc, time::Duration};

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tokio::{net::TcpListener, task::JoinHandle};
use tower_http::{
    compression::CompressionLayer,
    trace::{DefaultOnFailure, TraceLayer},
};
use zixun_core::SiteClock;

pub use context::{AppContext, WebConfig};
pub use registrations::{Registrations, Verification};
pub use related::{CANDIDATES as RELATED_CANDIDATES, RelatedFinder, RelatedItem, RelatedSources};
pub use server::ConnectionLimits;
pub use theme::Theme;
pub use views::is_crawler;
pub use zixun_core::rank::RelatedSettings;

pub type Ctx = Arc<AppContext>;

/// Largest request body outside image uploads (an article as JSON or a form).
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .merge(pages::router())
        .merge(api::router())
        .merge(feeds::router())
        .merge(newsroom::router(ctx.newsroom.config.upload_max_bytes))
        .merge(ops::router())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn_with_state(ctx.clone(), error::render_error_pages))
        .layer(middleware::from_fn_with_state(ctx.clone(), newsroom::security_headers))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(ctx.clone(), metrics::track))
        // A 5xx is logged where it is made, with its cause (a store error, a failed write);
        // `/readyz` answering 503 while a node catches up is no failure at all.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)))
        .with_state(ctx)
}

/// Starts the background work of a web node: following the store (index, caches), flushing
/// views and refreshing the hot list. Stops when the context's shutdown is signalled.
pub fn spawn_background(ctx: Ctx) -> Vec<JoinHandle<()>> {
    let every = |period: Duration, ctx: Ctx, name: &'static str, f: fn(Ctx) -> BackgroundTask| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut shutdown = ctx.shutdown.subscribe();
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(e) = f(ctx.clone()).await {
                            tracing::warn!(task = name, error = %e, "background task failed; retrying");
                        }
                    }
                    _ = shutdown.changed() => break,
                }
            }
        })
    };
    // Following the store: woken by the backend's notifications, and polling besides.
    let follow = {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let mut shutdown = ctx.shutdown.subscribe();
            loop {
                if let Err(e) = ctx.follow_store().await {
                    tracing::warn!(task = "follow store", error = %e, "background task failed; retrying");
                }
                tokio::select! {
                    _ = ctx.store.wait_for_change(Duration::from_millis(500)) => {}
                    _ = shutdown.changed() => break,
                }
            }
        })
    };
    let mut tasks = vec![
        follow,
        every(ctx.config.view_flush_interval, ctx.clone(), "flush views", |c| {
            Box::pin(async move { c.views.flush(c.store.as_ref()).await.map_err(Into::into) })
        }),
        every(ctx.config.hot_refresh_interval, ctx.clone(), "refresh hot list", |c| {
            Box::pin(async move { c.hot.refresh(&c).await })
        }),
        every(ctx.config.trending_refresh_interval, ctx.clone(), "refresh trending words", |c| {
            Box::pin(async move { c.trending.refresh(&c).await })
        }),
    ];
    if ctx.config.background {
        tasks.push(every(Duration::from_secs(1), ctx.clone(), "publish scheduled articles", |c| {
            Box::pin(async move { c.publish_scheduled(SiteClock::now()).await })
        }));
    }
    tasks
}

/// One round of a periodic background job.
type BackgroundTask = std::pin::Pin<Box<dyn Future<Output = Result<(), error::BackgroundError>> + Send>>;

/// Serves until `ctx.shutdown` is signalled, then flushes buffered views.
pub async fn serve(ctx: Ctx, listener: TcpListener) -> std::io::Result<()> {
    let app = router(ctx.clone());
    let tasks = spawn_background(ctx.clone());
    server::serve_connections(listener, app, ctx.config.connections, ctx.shutdown.subscribe()).await?;
    for t in tasks {
        let _ = t.await;
    }
    if let Err(e) = ctx.views.flush(ctx.store.as_ref()).await {
        tracing::error!(error = %e, "could not flush views at shutdown");
    }
    Ok(())
}
