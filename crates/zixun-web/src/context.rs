//! The state every handler shares.

use std::{sync::Arc, time::Duration};

use parking_lot::RwLock;
use tokio::sync::watch;
use zixun_core::{SiteClock, TextAnalyzer};
use zixun_search::{SearchIndex, TermVectorIndex};
use zixun_store::Store;

use crate::{
    cache::PageCache,
    error::BackgroundError,
    hot::HotList,
    metrics::Metrics,
    newsroom::Newsroom,
    related::{RelatedFinder, RelatedSettings},
    theme::Theme,
    trending::TrendingList,
    views::ViewCounter,
};

/// Settings of the web layer (the binary reads them from config).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub site_name: String,
    /// Public address for canonical links and Open Graph (`https://news.example.com`).
    pub base_url: String,
    pub page_cache_ttl: Duration,
    pub view_flush_interval: Duration,
    pub hot_refresh_interval: Duration,
    pub trending_refresh_interval: Duration,
    pub hot_half_life: Duration,
    pub hot_max_age: Duration,
    pub related: RelatedSettings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "资讯".into(),
            base_url: "http://127.0.0.1:8080".into(),
            page_cache_ttl: Duration::from_secs(5),
            view_flush_interval: Duration::from_secs(2),
            hot_refresh_interval: Duration::from_secs(5),
            trending_refresh_interval: Duration::from_secs(60),
            hot_half_life: Duration::from_secs(6 * 3600),
            hot_max_age: Duration::from_secs(3 * 24 * 3600),
            related: RelatedSettings::default(),
        }
    }
}

pub struct AppContext {
    pub store: Arc<dyn Store>,
    pub search: Arc<SearchIndex>,
    /// Term vectors of the published articles, for 相关内容 (in memory, rebuilt at start-up).
    pub vectors: TermVectorIndex,
    pub analyzer: Arc<TextAnalyzer>,
    pub clock: SiteClock,
    pub config: WebConfig,
    pub theme: Theme,
    pub cache: PageCache,
    pub views: ViewCounter,
    pub hot: HotList,
    pub trending: TrendingList,
    pub related: RelatedFinder,
    pub metrics: Metrics,
    /// Categories and their counts, for the navigation of every page.
    pub categories: RwLock<Arc<Vec<(String, i64)>>>,
    pub shutdown: watch::Sender<bool>,
    pub newsroom: Newsroom,
}

impl AppContext {
    pub fn new(
        store: Arc<dyn Store>,
        search: Arc<SearchIndex>,
        analyzer: Arc<TextAnalyzer>,
        clock: SiteClock,
        config: WebConfig,
        theme: Theme,
        newsroom: Newsroom,
    ) -> Self {
        AppContext {
            cache: PageCache::new(config.page_cache_ttl),
            hot: HotList::default(),
            trending: TrendingList::default(),
            related: RelatedFinder::new(),
            vectors: TermVectorIndex::new(analyzer.clone()),
            views: ViewCounter::default(),
            metrics: Metrics::default(),
            categories: RwLock::new(Arc::new(Vec::new())),
            shutdown: watch::channel(false).0,
            newsroom,
            store,
            search,
            analyzer,
            clock,
            config,
            theme,
        }
    }

    /// Makes the node current with the store: indexes new changes, drops cached pages that
    /// may show them, refreshes the navigation. Cheap when nothing changed (one small query).
    pub async fn follow_store(&self) -> Result<(), BackgroundError> {
        let max_seq = self.store.max_seq().await?;
        let followed = self.search.indexed_seq().min(self.vectors.seq());
        if max_seq <= followed && !self.categories.read().is_empty() {
            return Ok(());
        }
        self.search.follow(self.store.as_ref(), |_, _| {}).await?;
        let changed = self.vectors.follow(self.store.as_ref()).await?;
        self.cache.invalidate_all();
        self.related.forget(&changed);
        *self.categories.write() = Arc::new(self.store.categories().await?);
        self.metrics.set_articles(self.store.count_published().await?);
        Ok(())
    }

    /// Publishes the scheduled articles due at `now` and records each in the audit log.
    pub async fn publish_scheduled(&self, now: i64) -> Result<(), BackgroundError> {
        for id in self.newsroom.store.publish_due(now).await? {
            self.newsroom.record(None, "定时发布", "publish", Some(id), "scheduled").await?;
            tracing::info!(id, "scheduled article published");
        }
        Ok(())
    }

    pub fn categories(&self) -> Arc<Vec<(String, i64)>> {
        self.categories.read().clone()
    }
}

impl AppContext {
    /// What every template sees as `site`.
    pub fn site_globals(&self) -> minijinja::Value {
        let categories: Vec<minijinja::Value> = self
            .categories()
            .iter()
            .map(|(name, count)| minijinja::context! { name => name, count => count })
            .collect();
        minijinja::context! {
            name => self.config.site_name.clone(),
            base_url => self.config.base_url.clone(),
            categories => categories,
            css => self.theme.asset_url("style.css").unwrap_or_default(),
        }
    }
}
