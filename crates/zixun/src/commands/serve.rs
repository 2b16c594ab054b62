//! `zixun serve [--demo]`

use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use zixun_ingest::feed::FeedScheduler;
use zixun_search::SearchIndex;
use zixun_web::{AppContext, Theme, WebConfig};

use crate::{cli::ServeArgs, config::Config, demo, runtime};

pub async fn run(config: &Config, args: &ServeArgs) -> Result<()> {
    let store = runtime::open_store(config).await?;
    let analyzer = runtime::analyzer(config)?;
    let clock = runtime::clock(config)?;
    // One preparer (and so one 敏感词 list, followed as its file changes) for every writer.
    let preparer = runtime::preparer(config, analyzer.clone())?;
    if args.demo {
        demo::load_if_empty(store.as_ref(), preparer.clone()).await?;
    }
    let search = Arc::new(
        SearchIndex::open(&config.index_dir(), analyzer.clone())
            .context("cannot open the search index (another `zixun serve` or `zixun reindex` on this data folder?)")?,
    );
    let theme = Theme::load(config.theme.as_deref(), clock.clone()).context("theme")?;
    let listener =
        TcpListener::bind(&config.bind).await.with_context(|| format!("cannot listen on {}", config.bind))?;
    let local = listener.local_addr()?;
    let web = WebConfig {
        site_name: config.site_name.clone(),
        base_url: config.base_url.clone().unwrap_or_else(|| format!("http://{local}")),
        page_cache_ttl: std::time::Duration::from_secs(config.page_cache_seconds.max(1)),
        page_cache_bytes: config.page_cache_mb.max(1) << 20,
        hot_half_life: Config::hours(config.hot_half_life_hours),
        hot_max_age: Config::hours(config.hot_max_age_hours),
        view_flush_interval: Config::seconds(config.view_flush_seconds),
        hot_refresh_interval: Config::seconds(config.hot_refresh_seconds),
        trending_refresh_interval: Config::seconds(config.trending_refresh_seconds),
        related: config.related_settings()?,
        trusted_proxies: config.trusted_proxies()?,
        background: !args.no_background,
        connections: zixun_web::ConnectionLimits {
            header_timeout: Config::seconds(config.header_timeout_seconds),
            idle_timeout: Config::seconds(config.idle_timeout_seconds),
            max_connections: config.max_connections.max(1),
        },
        registrations: config.registrations(),
        analytics_script: config.analytics_script()?,
        indexnow_key: config.indexnow_key()?,
    };
    let engines = config.push_engines()?;
    let images = runtime::image_localizer(config, store.clone())?;
    let newsroom = runtime::newsroom(config, store.clone(), &preparer, &images)?;
    let ctx = Arc::new(AppContext::new(store.clone(), search, analyzer, clock, web, theme, newsroom));
    tokio::spawn(shutdown_on_signal(ctx.clone()));
    // Listening before the node has caught up: /healthz answers at once, /readyz says 503
    // until the search index and term vectors hold what the database holds (the follower,
    // started with the server, catches up with progress in the log; the hot list and 热词 are
    // computed by their own tasks at once).
    let behind = store.max_seq().await? - ctx.search.indexed_seq();
    if behind > 0 {
        tracing::info!(changes = behind, backend = store.kind().as_str(), "bringing the search index up to date");
    }
    let fetcher = if config.fetch_feeds && !args.no_background {
        let poller = runtime::feed_poller(config, store.clone(), preparer, images)?;
        let scheduler = FeedScheduler {
            poller: Arc::new(poller),
            max_parallel: config.feed_parallel.max(1),
            tick: std::time::Duration::from_secs(1),
            lease: Config::seconds(config.feed_timeout_seconds * 2.0 + 60.0),
        };
        Some(tokio::spawn(scheduler.run(ctx.shutdown.subscribe())))
    } else {
        None
    };
    let pusher = if !engines.is_empty() && !args.no_background {
        let site = config.base_url.as_deref().unwrap_or_default();
        let pusher = zixun_push::Pusher::new(store.clone(), engines, site, config.push_settings())
            .context("cannot make the push client")?;
        // Before the node says it is ready: what is published from then on is pushed.
        pusher.begin().await?;
        Some(tokio::spawn(pusher.run(ctx.shutdown.subscribe())))
    } else {
        None
    };
    tracing::info!(address = %format!("http://{local}"), data_dir = %config.data_dir.display(), "zixun is serving");
    zixun_web::serve(ctx, listener).await?;
    for task in [fetcher, pusher].into_iter().flatten() {
        let _ = task.await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_on_signal(ctx: Arc<AppContext>) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests and flushing views");
    let _ = ctx.shutdown.send(true);
}
