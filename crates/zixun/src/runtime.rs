//! Shared start-up: logs, the data folder, the analyzer.

use std::sync::Arc;

use anyhow::{Context, Result};
use tracing_subscriber::{EnvFilter, fmt};
use zixun_core::{SiteClock, TextAnalyzer, story::StoryPolicy};
use zixun_ingest::{
    ArticlePreparer, ArticleWriter, ImageLocalizer, SensitiveWords,
    feed::{FeedFetcher, FeedPoller, FetchPolicy},
};
use zixun_newsroom::{Newsroom, NewsroomConfig};
use zixun_store::{Backend, OpenOptions, UploadStore};

use crate::config::Config;

pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_env("ZIXUN_LOG").unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The backend `database_url` names (the data folder's SQLite by default), migrated.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Backend>> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create the data folder {}", config.data_dir.display()))?;
    let options = OpenOptions {
        story: story_policy(config)?,
        max_connections: config.database_max_connections,
        revisions_kept: config.revisions_kept,
    };
    let store =
        zixun_store::open(config.database_url.as_deref(), &config.data_dir, &options).await.with_context(|| {
            match config.database_url.as_deref() {
                Some(u) if u.starts_with("postgres") => "database_url".to_string(),
                _ => format!("data folder {}", config.data_dir.display()),
            }
        })?;
    tracing::debug!(backend = store.kind().as_str(), "store open");
    Ok(store)
}

pub fn story_policy(config: &Config) -> Result<StoryPolicy> {
    Ok(StoryPolicy { max_bits: config.story_max_bits()?, window_secs: (config.story_window_days * 86400.0) as i64 })
}

pub fn clock(config: &Config) -> Result<SiteClock> {
    SiteClock::new(&config.timezone).context("setting timezone")
}

pub fn analyzer(config: &Config) -> Result<Arc<TextAnalyzer>> {
    let dict = match &config.dictionary {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the site dictionary {}", path.display()))?,
        ),
        None => None,
    };
    Ok(Arc::new(TextAnalyzer::new(dict.as_deref()).context("site dictionary")?))
}

/// The feed fetcher with the configured timeouts, body limit and SSRF guard.
pub fn feed_fetcher(config: &Config) -> Result<FeedFetcher> {
    let policy = FetchPolicy {
        connect_timeout: Config::seconds(config.feed_connect_timeout_seconds),
        timeout: Config::seconds(config.feed_timeout_seconds),
        max_bytes: config.feed_max_bytes,
        allow_private_addresses: config.allow_private_addresses,
        ..FetchPolicy::default()
    };
    FeedFetcher::new(policy).context("feed fetcher")
}

pub fn feed_poller(
    config: &Config,
    store: Arc<dyn Backend>,
    preparer: ArticlePreparer,
    images: Arc<ImageLocalizer>,
) -> Result<FeedPoller> {
    Ok(FeedPoller::new(store, feed_fetcher(config)?, preparer, images))
}

/// What stores outside images as uploads (for sources that ask, and with `localize_images` for
/// imports and the newsroom), with the watermark, read once, that uploads get too.
pub fn image_localizer(config: &Config, store: Arc<dyn Backend>) -> Result<Arc<ImageLocalizer>> {
    let watermark = config.watermark()?.map(Arc::new);
    let uploads: Arc<dyn UploadStore> = store;
    Ok(Arc::new(ImageLocalizer::new(feed_fetcher(config)?, uploads, config.upload_max_bytes, watermark)))
}

/// The newsroom of a web node: accounts and sessions in `store`, writes through the same
/// preparation as import.
pub fn newsroom(
    config: &Config,
    store: Arc<dyn Backend>,
    preparer: &ArticlePreparer,
    images: &Arc<ImageLocalizer>,
) -> Result<Newsroom> {
    let nr = NewsroomConfig {
        secure_cookies: config.secure_cookies,
        session_idle: Config::hours(config.session_idle_hours),
        login_max_failures: config.login_max_failures.max(1),
        login_window: Config::seconds(config.login_window_minutes * 60.0),
        upload_max_bytes: config.upload_max_bytes,
        watermark: images.watermark().cloned(),
        dashboard_refresh: Config::seconds(config.dashboard_refresh_seconds),
    };
    let poller = Arc::new(feed_poller(config, store.clone(), preparer.clone(), images.clone())?);
    let images = config.localize_images.then(|| images.clone());
    let writer = ArticleWriter::new(store.clone(), preparer.clone());
    Ok(Newsroom::new(store, writer, images, poller, nr))
}

pub fn preparer(config: &Config, analyzer: Arc<TextAnalyzer>) -> Result<ArticlePreparer> {
    Ok(ArticlePreparer {
        analyzer,
        clock: clock(config)?,
        max_body_bytes: config.max_body_bytes,
        words: Arc::new(sensitive_words(config)?),
    })
}

/// The site's 敏感词 list, followed as its file changes (none when `sensitive_words` is unset).
pub fn sensitive_words(config: &Config) -> Result<SensitiveWords> {
    match &config.sensitive_words {
        Some(path) => Ok(SensitiveWords::open(path.clone()).context("sensitive_words")?),
        None => Ok(SensitiveWords::none()),
    }
}
