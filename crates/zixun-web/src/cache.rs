//! Rendered pages kept in memory, weighed in bytes, served with ETags.
//!
//! A page is compressed only when a client asks for that encoding, once, on a blocking thread.
//! Each page records what it shows ([`Shows`]), so that a change the node sees in the store
//! (see `AppContext::follow_store`) drops the pages it can alter and keeps the rest: an edit of
//! one article leaves the other article pages cached. Entries also expire after a few seconds,
//! so that the view counts and side lists on a cached page lag by no more than that (a new
//! article reaches other articles' 相关内容 within that time, not at once).

use std::{
    collections::HashSet,
    io::Write,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use moka::sync::Cache;
use tokio::sync::{Semaphore, SemaphorePermit};
use zixun_core::Article;
use zixun_store::ListFilter;

/// Brotli quality for pages: on a 13 KB article page it gives within a few per cent of
/// quality 11's size at a small fraction of its time (`cargo run --release -p zixun-web
/// --example compression_levels` prints the trade).
pub const BROTLI_QUALITY: i32 = 5;
const GZIP_LEVEL: u32 = 6;
/// Missed pages rendered at once, per core (see [`PageCache::render_turn`]).
const RENDERS_PER_CORE: usize = 2;

/// Missed pages rendered at once on this machine.
fn render_turns() -> usize {
    RENDERS_PER_CORE * std::thread::available_parallelism().map_or(2, usize::from)
}

/// What a cached page shows: which changes make it stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shows {
    /// An article page: the article itself first, then the articles its side lists name.
    Articles(Box<[i64]>),
    /// One page of a newest-first list (the home page, a category, a source, an author, a tag)
    /// and the articles on it. Its side lists show the categories' counts too.
    List { filter: ListFilter, ids: Box<[i64]> },
    /// A document that any change may alter (feeds, sitemaps).
    Anything,
}

/// A change the node has taken in, as the cache needs it.
pub struct Changed<'a> {
    /// Every article that changed, whatever its status now.
    pub ids: &'a [i64],
    /// Those of them published now, as they are now.
    pub published: &'a [Article],
    /// Articles whose pages' 相关内容 a changed article may enter (its nearest).
    pub neighbours: &'a [i64],
    /// The categories' counts changed (every list page's side list shows them).
    pub counts_changed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

pub struct CachedPage {
    etag: String,
    identity: Arc<[u8]>,
    gzip: OnceLock<Arc<[u8]>>,
    br: OnceLock<Arc<[u8]>>,
    content_type: &'static str,
    shows: Shows,
}

impl CachedPage {
    pub fn new(html: String, content_type: &'static str, shows: Shows) -> Self {
        let bytes = html.into_bytes();
        let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..20]);
        CachedPage { etag, identity: bytes.into(), gzip: OnceLock::new(), br: OnceLock::new(), content_type, shows }
    }

    /// Bytes this entry may come to hold: the page, and at most half as much again for its two
    /// compressed forms (HTML and XML compress to well under a quarter each), so that the
    /// budget holds before a client asks for either.
    fn weight(&self) -> usize {
        self.identity.len() + self.identity.len() / 2 + self.etag.len() + 64
    }

    fn encoded(&self, encoding: Encoding) -> Option<&Arc<[u8]>> {
        match encoding {
            Encoding::Identity => Some(&self.identity),
            Encoding::Gzip => self.gzip.get(),
            Encoding::Brotli => self.br.get(),
        }
    }

    /// Compresses the page for `encoding`, once (a second caller finds it done).
    fn compress(&self, encoding: Encoding) -> Arc<[u8]> {
        let bytes = &self.identity[..];
        match encoding {
            Encoding::Identity => self.identity.clone(),
            Encoding::Gzip => self
                .gzip
                .get_or_init(|| {
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
                    // Writing to a Vec cannot fail.
                    gz.write_all(bytes).and_then(|_| gz.finish()).unwrap_or_default().into()
                })
                .clone(),
            Encoding::Brotli => self
                .br
                .get_or_init(|| {
                    let mut out = Vec::new();
                    let params = brotli::enc::BrotliEncoderParams { quality: BROTLI_QUALITY, ..Default::default() };
                    match brotli::BrotliCompress(&mut &bytes[..], &mut out, &params) {
                        Ok(_) => out.into(),
                        Err(_) => Vec::new().into(),
                    }
                })
                .clone(),
        }
    }

    /// The response for a request with these headers: 304 when the ETag matches, else the
    /// best encoding the client accepts (compressed now, off the async threads, if this is
    /// the first client to ask for it).
    pub async fn respond(self: &Arc<Self>, req: &HeaderMap, cache_hit: bool) -> Response {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
        headers.insert("x-cache", HeaderValue::from_static(if cache_hit { "hit" } else { "miss" }));
        let matches = req
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "*" || v.split(',').any(|t| t.trim().trim_start_matches("W/") == self.etag));
        if matches {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        let encoding = preferred_encoding(req);
        let body = match self.encoded(encoding) {
            Some(done) => done.clone(),
            None => {
                let page = self.clone();
                tokio::task::spawn_blocking(move || page.compress(encoding)).await.unwrap_or_else(|_| Vec::new().into())
            }
        };
        let (body, encoding) =
            if body.is_empty() { (self.identity.clone(), Encoding::Identity) } else { (body, encoding) };
        match encoding {
            Encoding::Brotli => headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br")),
            Encoding::Gzip => headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            Encoding::Identity => None,
        };
        (StatusCode::OK, headers, Body::from(axum::body::Bytes::from_owner(body))).into_response()
    }

    /// Whether this page shows any of `ids`.
    fn shows_any(&self, ids: &HashSet<i64>) -> bool {
        match &self.shows {
            Shows::Articles(shown) | Shows::List { ids: shown, .. } => shown.iter().any(|id| ids.contains(id)),
            Shows::Anything => true,
        }
    }
}

/// The best encoding `Accept-Encoding` allows: brotli, then gzip, else none.
fn preferred_encoding(req: &HeaderMap) -> Encoding {
    let accept = req.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let accepts = |enc: &str| {
        accept.split(',').any(|p| {
            let mut it = p.split(';');
            it.next().is_some_and(|n| n.trim() == enc)
                && !it.any(|q| matches!(q.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"))
        })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

pub struct PageCache {
    pages: Cache<String, Arc<CachedPage>>,
    /// Moves on every invalidation: a page rendered before one is not cached after it.
    generation: AtomicU64,
    /// Turns to render a missed page, handed out first come, first served (see
    /// [`PageCache::render_turn`]).
    renders: Semaphore,
}

impl PageCache {
    /// A cache of at most `budget_bytes` (pages weighed as [`CachedPage::weight`] says) whose
    /// entries live `ttl`.
    pub fn new(ttl: Duration, budget_bytes: u64) -> Self {
        let pages = Cache::builder()
            .max_capacity(budget_bytes)
            .weigher(|key: &String, page: &Arc<CachedPage>| {
                u32::try_from(key.len() + page.weight()).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        PageCache { pages, generation: AtomicU64::new(0), renders: Semaphore::new(render_turns()) }
    }

    /// Waits for a turn to render a missed page; the turn ends when the guard drops. Turns are
    /// handed out in the order asked (tokio's semaphore is fair), so that a crowd of misses (a
    /// crawler storm) is rendered a few at a time, oldest first, instead of all at once, and a
    /// request that waited can find its page rendered by one ahead of it. A few turns per core
    /// keep the CPU busy while some wait for the database. `None` only if the semaphore were
    /// closed (it never is).
    pub async fn render_turn(&self) -> Option<SemaphorePermit<'_>> {
        self.renders.acquire().await.ok()
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.pages.get(key)
    }

    /// The invalidation generation now: take it before rendering, hand it to
    /// [`PageCache::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Caches `page` unless an invalidation happened since `generation` (the page may show
    /// what that invalidation was for).
    pub fn insert(&self, key: String, page: Arc<CachedPage>, generation: u64) {
        if self.generation() != generation {
            tracing::trace!(page = key.as_str(), "not cached: rendered across an invalidation");
        } else {
            self.pages.insert(key.clone(), page);
            // An invalidation between the check and the insert must not leave this page.
            if self.generation() != generation {
                self.pages.invalidate(&key);
            }
        }
    }

    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.pages.invalidate_all();
    }

    /// Drops the pages `changed` can alter: every page that shows a changed article, the
    /// pages of the articles it may now be related to (its neighbours), every
    /// page of a list that showed one (it may have left that list), the first-to-last pages
    /// of the lists a published one belongs to now, every list page when the categories'
    /// counts moved, and the documents that show anything. Returns how many were dropped.
    pub fn invalidate(&self, changed: &Changed<'_>) -> usize {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let ids: HashSet<i64> = changed.ids.iter().copied().collect();
        let neighbours: HashSet<i64> = changed.neighbours.iter().copied().collect();
        let entries: Vec<(Arc<String>, Arc<CachedPage>)> = self.pages.iter().collect();
        // Lists that showed a changed article: all their pages shift.
        let left: Vec<&ListFilter> = entries
            .iter()
            .filter_map(|(_, page)| match &page.shows {
                Shows::List { filter, ids: shown } if shown.iter().any(|id| ids.contains(id)) => Some(filter),
                _ => None,
            })
            .collect();
        let mut dropped = 0;
        for (key, page) in &entries {
            let stale = page.shows_any(&ids)
                || match &page.shows {
                    Shows::List { filter, .. } => {
                        changed.counts_changed
                            || *filter == ListFilter::All
                            || left.contains(&filter)
                            || changed.published.iter().any(|a| filter.shows(a))
                    }
                    Shows::Articles(shown) => shown.first().is_some_and(|own| neighbours.contains(own)),
                    Shows::Anything => false,
                };
            if stale {
                tracing::trace!(page = key.as_str(), "cached page dropped");
                self.pages.invalidate(key.as_str());
                dropped += 1;
            }
        }
        dropped
    }

    /// Bytes the cache holds by its own weighing (after pending work is done).
    pub fn weighed_bytes(&self) -> u64 {
        self.pages.run_pending_tasks();
        self.pages.weighted_size()
    }

    pub fn entry_count(&self) -> u64 {
        self.pages.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn missed_pages_render_in_turns_first_come_first_served() {
        let cache = Arc::new(PageCache::new(Duration::from_secs(60), 1 << 20));
        let turns = render_turns();
        let mut held = Vec::new();
        for _ in 0..turns {
            held.push(cache.render_turn().await.expect("a turn"));
        }
        // Two more renders queue, in the order they asked.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for n in 0..2 {
            let (cache, tx) = (cache.clone(), tx.clone());
            tokio::spawn(async move {
                let _turn = cache.render_turn().await;
                tx.send(n).expect("send");
            });
            tokio::task::yield_now().await;
        }
        let wait = Duration::from_millis(50);
        assert!(tokio::time::timeout(wait, rx.recv()).await.is_err(), "no turn is free while all are held");
        held.pop();
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a turn came free"), Some(0));
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("and was passed on"), Some(1));
    }

    fn article(id: i64, category: &str) -> Article {
        Article { category: Some(category.into()), tags: vec!["马拉松".into()], ..crate::test_support::article(id) }
    }

    fn page(shows: Shows) -> Arc<CachedPage> {
        Arc::new(CachedPage::new("<p>页面</p>".repeat(50), "text/html; charset=utf-8", shows))
    }

    fn cache_with(pages: &[(&str, Shows)]) -> PageCache {
        let cache = PageCache::new(Duration::from_secs(60), 1 << 20);
        for (key, shows) in pages {
            cache.insert(key.to_string(), page(shows.clone()), cache.generation());
        }
        cache
    }

    fn kept(cache: &PageCache, keys: &[&str]) -> Vec<String> {
        keys.iter().filter(|k| cache.get(k).is_some()).map(|k| k.to_string()).collect()
    }

    fn list(filter: ListFilter, ids: &[i64]) -> Shows {
        Shows::List { filter, ids: ids.into() }
    }

    const KEYS: [&str; 8] = ["/a/1", "/a/2", "/a/3", "/", "/c/体育", "/c/科技", "/c/科技?cursor=x", "rss"];

    fn site() -> PageCache {
        cache_with(&[
            ("/a/1", Shows::Articles([1, 2].into())),
            ("/a/2", Shows::Articles([2, 3].into())),
            ("/a/3", Shows::Articles([3].into())),
            ("/", list(ListFilter::All, &[3, 2])),
            ("/c/体育", list(ListFilter::Category("体育".into()), &[1])),
            ("/c/科技", list(ListFilter::Category("科技".into()), &[3, 2])),
            ("/c/科技?cursor=x", list(ListFilter::Category("科技".into()), &[9])),
            ("rss", Shows::Anything),
        ])
    }

    #[test]
    fn an_edit_drops_the_pages_that_show_the_article_and_keeps_the_others() {
        let cache = site();
        let edited = article(1, "体育");
        let dropped = cache.invalidate(&Changed {
            ids: &[1],
            published: std::slice::from_ref(&edited),
            neighbours: &[],
            counts_changed: false,
        });
        assert_eq!(dropped, 4);
        assert_eq!(kept(&cache, &KEYS), ["/a/2", "/a/3", "/c/科技", "/c/科技?cursor=x"]);
    }

    #[test]
    fn an_article_that_changes_lists_drops_every_page_of_both_lists() {
        let cache = site();
        // Article 2 moves from 科技 to 体育: 科技's second page shifts although it never showed it.
        let moved = article(2, "体育");
        cache.invalidate(&Changed {
            ids: &[2],
            published: std::slice::from_ref(&moved),
            neighbours: &[],
            counts_changed: false,
        });
        assert_eq!(kept(&cache, &KEYS), ["/a/3"]);
    }

    #[test]
    fn a_new_article_drops_every_list_page_when_counts_move_and_its_neighbours_pages() {
        let cache = site();
        let new = article(7, "财经");
        cache.invalidate(&Changed {
            ids: &[7],
            published: std::slice::from_ref(&new),
            neighbours: &[3],
            counts_changed: true,
        });
        assert_eq!(kept(&cache, &KEYS), ["/a/1", "/a/2"], "/a/3's related list may now show the new one");
    }

    #[test]
    fn an_unpublished_article_leaves_its_lists() {
        let cache = site();
        cache.invalidate(&Changed { ids: &[3], published: &[], neighbours: &[], counts_changed: false });
        assert_eq!(kept(&cache, &KEYS), ["/a/1", "/c/体育"]);
    }

    #[test]
    fn a_page_rendered_before_an_invalidation_is_not_cached_after_it() {
        let cache = site();
        let generation = cache.generation();
        cache.invalidate(&Changed { ids: &[42], published: &[], neighbours: &[], counts_changed: false });
        cache.insert("/a/5".into(), page(Shows::Articles([5].into())), generation);
        assert!(cache.get("/a/5").is_none());
        cache.insert("/a/5".into(), page(Shows::Articles([5].into())), cache.generation());
        assert!(cache.get("/a/5").is_some());
    }

    #[test]
    fn the_cache_holds_its_byte_budget() {
        let budget = 200 << 10;
        let cache = PageCache::new(Duration::from_secs(60), budget);
        let body = "<p>新闻正文</p>".repeat(700); // 12.6 KB, an article page's size
        for i in 0..200 {
            let page = Arc::new(CachedPage::new(body.clone(), "text/html", Shows::Articles([i].into())));
            cache.insert(format!("/a/{i}"), page, cache.generation());
        }
        let held = cache.weighed_bytes();
        assert!(held <= budget && held > budget / 2, "{held} of {budget}");
        let pages = cache.entry_count();
        assert!((8..=16).contains(&pages), "{pages} pages of 19 KB in 200 KB");
    }

    #[tokio::test]
    async fn a_page_is_compressed_for_the_encoding_asked_and_only_then() {
        let page = page(Shows::Anything);
        let ask = |enc: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(enc).expect("header"));
            h
        };
        let res = page.respond(&ask("identity"), false).await;
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        assert!(page.gzip.get().is_none() && page.br.get().is_none(), "nothing compressed for identity");
        let res = page.respond(&ask("gzip, deflate"), false).await;
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        assert!(page.gzip.get().is_some() && page.br.get().is_none());
        let res = page.respond(&ask("gzip, br;q=0"), true).await;
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        let res = page.respond(&ask("br"), true).await;
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &body[..], &mut out).expect("brotli");
        assert_eq!(out, page.identity.as_ref());
    }
}
