//! The state every handler shares.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::http::HeaderValue;
use parking_lot::RwLock;
use tokio::sync::watch;
use zixun_core::{Article, ArticleStatus, AuditNote, SiteClock, TextAnalyzer, rank::RelatedSettings};
use zixun_search::{SearchIndex, TermVectorIndex};
use zixun_store::Backend;

use crate::{
    cache::{Changed, PageCache},
    error::BackgroundError,
    hot::HotList,
    metrics::Metrics,
    newsroom::{Newsroom, content_security_policy},
    registrations::Registrations,
    related::{RelatedFinder, RelatedSources},
    theme::Theme,
    trending::TrendingList,
    views::ViewCounter,
};

/// Changes taken in at once above which every cached page and related list is dropped (a bulk
/// import: finding each change's neighbours would cost more than rendering the pages again).
const PER_ARTICLE_INVALIDATION: usize = 64;
/// How many of its nearest articles' 相关内容 a changed article may enter at once (the others
/// see it when their lists expire, within a minute).
const NEIGHBOURS: usize = 50;

/// Settings of the web layer (the binary reads them from config).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub site_name: String,
    /// Public address for canonical links and Open Graph (`https://news.example.com`).
    pub base_url: String,
    pub page_cache_ttl: Duration,
    /// What the page cache and the related lists' caches may hold together, in bytes
    /// (`page_cache_mb`).
    pub page_cache_bytes: u64,
    pub view_flush_interval: Duration,
    pub hot_refresh_interval: Duration,
    pub trending_refresh_interval: Duration,
    pub hot_half_life: Duration,
    pub hot_max_age: Duration,
    pub related: RelatedSettings,
    /// Proxies whose `X-Forwarded-For` / `X-Real-IP` name the client (empty: none is trusted).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Run the site-wide jobs on this node (scheduled publishing); any number of nodes may.
    pub background: bool,
    pub connections: crate::server::ConnectionLimits,
    /// 备案 numbers for the footer and the engines' verification tags.
    pub registrations: Registrations,
    /// An analytics script (`https://hm.baidu.com/hm.js?…`): loaded on every reader page, and
    /// its origin allowed by the Content-Security-Policy. None by default.
    pub analytics_script: Option<url::Url>,
    /// The IndexNow key, served at `/{key}.txt` for the engines to check.
    pub indexnow_key: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "资讯".into(),
            base_url: "http://127.0.0.1:8080".into(),
            page_cache_ttl: Duration::from_secs(5),
            page_cache_bytes: 128 << 20,
            view_flush_interval: Duration::from_secs(2),
            hot_refresh_interval: Duration::from_secs(5),
            trending_refresh_interval: Duration::from_secs(60),
            hot_half_life: Duration::from_secs(6 * 3600),
            hot_max_age: Duration::from_secs(3 * 24 * 3600),
            related: RelatedSettings::default(),
            trusted_proxies: Vec::new(),
            background: true,
            connections: crate::server::ConnectionLimits::default(),
            registrations: Registrations::default(),
            analytics_script: None,
            indexnow_key: None,
        }
    }
}

pub struct AppContext {
    /// The backend (SQLite or PostgreSQL) behind every aggregate's trait.
    pub store: Arc<dyn Backend>,
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
    /// The newsroom dashboard's last figures of reads, shared by every editor.
    pub dashboard_reads: crate::newsroom::dashboard::ReadsCache,
    /// The Content-Security-Policy of every response that sets none of its own.
    pub csp: HeaderValue,
    /// The node has caught up with the store once (`/readyz`).
    ready: AtomicBool,
}

impl AppContext {
    pub fn new(
        store: Arc<dyn Backend>,
        search: Arc<SearchIndex>,
        analyzer: Arc<TextAnalyzer>,
        clock: SiteClock,
        config: WebConfig,
        theme: Theme,
        newsroom: Newsroom,
    ) -> Self {
        AppContext {
            // The budget: three quarters for pages, a quarter for related lists and the texts
            // they compare.
            cache: PageCache::new(config.page_cache_ttl, config.page_cache_bytes - config.page_cache_bytes / 4),
            hot: HotList::default(),
            trending: TrendingList::default(),
            related: RelatedFinder::with_budget(config.page_cache_bytes / 4),
            vectors: TermVectorIndex::new(analyzer.clone()),
            views: ViewCounter::default(),
            metrics: Metrics::default(),
            categories: RwLock::new(Arc::new(Vec::new())),
            shutdown: watch::channel(false).0,
            newsroom,
            dashboard_reads: Default::default(),
            ready: AtomicBool::new(false),
            csp: csp(config.analytics_script.as_ref()),
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
    /// The node is ready once this has caught up.
    pub async fn follow_store(&self) -> Result<(), BackgroundError> {
        let max_seq = self.store.max_seq().await?;
        let followed = self.search.indexed_seq().min(self.vectors.seq());
        if max_seq <= followed && self.is_ready() {
            return Ok(());
        }
        let store = self.store.as_ref();
        let mut last_logged = std::time::Instant::now();
        self.search
            .follow(store, |done, seq| {
                if last_logged.elapsed() >= Duration::from_secs(2) {
                    last_logged = std::time::Instant::now();
                    tracing::info!(changes = done, seq, of = max_seq, "search index catching up");
                }
            })
            .await?;
        let changed = self.vectors.follow(store).await?;
        if !changed.is_empty() || !self.is_ready() {
            let categories = Arc::new(self.store.categories().await?);
            let before = std::mem::replace(&mut *self.categories.write(), categories.clone());
            let names = |c: &[(String, i64)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            // Every page's navigation names the categories; a bulk change touches most pages.
            if !self.is_ready() || changed.len() > PER_ARTICLE_INVALIDATION || names(&before) != names(&categories) {
                self.related.forget_all(&changed);
                self.cache.invalidate_all();
            } else {
                let published: Vec<Article> = self
                    .store
                    .articles(&changed)
                    .await?
                    .into_iter()
                    .filter(|a| a.status == ArticleStatus::Published)
                    .collect();
                // Pages rendered from now on must not take a changed title from the hot list.
                self.hot.update(&changed, &published);
                // The articles a changed one is nearest: it may enter their 相关内容.
                let neighbours: Vec<i64> =
                    published.iter().flat_map(|a| self.vectors.similar(a.id, &[], NEIGHBOURS)).map(|c| c.id).collect();
                self.related.forget(&changed, &neighbours);
                let dropped = self.cache.invalidate(&Changed {
                    ids: &changed,
                    published: &published,
                    neighbours: &neighbours,
                    counts_changed: before != categories,
                });
                tracing::debug!(changed = changed.len(), dropped, "cached pages dropped");
            }
            self.metrics.set_articles(self.store.count_published().await?);
        }
        if !self.ready.swap(true, Ordering::SeqCst) {
            tracing::info!(
                seq = self.search.indexed_seq(),
                docs = self.search.num_docs(),
                "caught up with the store: ready"
            );
        }
        Ok(())
    }

    /// Whether the node has caught up with the store since it started.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Publishes the scheduled articles due at `now`, each with its audit entry in the same
    /// transaction. Safe on every node at once: each article goes out exactly once.
    pub async fn publish_scheduled(&self, now: i64) -> Result<(), BackgroundError> {
        let by = AuditNote {
            user_id: None,
            user_name: "定时发布".into(),
            action: "publish".into(),
            detail: "scheduled".into(),
        };
        for id in self.newsroom.store.publish_due(now, &by).await? {
            tracing::info!(id, "scheduled article published");
        }
        Ok(())
    }

    /// What the related lists read.
    pub fn related_sources(&self) -> RelatedSources<'_> {
        RelatedSources { store: self.store.as_ref(), vectors: &self.vectors, settings: &self.config.related }
    }

    pub fn categories(&self) -> Arc<Vec<(String, i64)>> {
        self.categories.read().clone()
    }
}

/// The policy for a site with this analytics script (its origin may run scripts).
fn csp(analytics: Option<&url::Url>) -> HeaderValue {
    let origin = analytics.map(|u| u.origin().ascii_serialization()).filter(|o| o != "null");
    let policy = content_security_policy(origin.as_deref());
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// `path` on the site whose public address is `base_url`.
pub fn site_url(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// A stored address as an absolute one: a web address as it is, a site path (an upload) under
/// `base_url`.
pub fn absolute_url(base_url: &str, address: &str) -> String {
    if zixun_core::html::is_web_address(address) { address.to_owned() } else { site_url(base_url, address) }
}

impl AppContext {
    /// The absolute address of `path` on this site (`base_url`).
    pub fn url(&self, path: &str) -> String {
        site_url(&self.config.base_url, path)
    }

    /// A stored address as an absolute one: a web address as it is, a site path (an upload)
    /// under the site's address.
    pub fn absolute(&self, address: &str) -> String {
        absolute_url(&self.config.base_url, address)
    }

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
            reader_js => self.theme.asset_url("reader.js").unwrap_or_default(),
            favicon => self.theme.asset_url("favicon.svg").unwrap_or_default(),
            police_icon => self.theme.asset_url("police.svg").unwrap_or_default(),
            icp => minijinja::value::Serde(self.config.registrations.icp()),
            police => minijinja::value::Serde(self.config.registrations.police()),
            verification => minijinja::value::Serde(self.config.registrations.meta_tags()),
            analytics => self.config.analytics_script.as_ref().map(url::Url::as_str),
        }
    }
}
