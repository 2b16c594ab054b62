//! Feeds in over real HTTP: a local server serves the fixture feeds (written for the project)
//! and every kind of bad answer; the fetcher and poller write to a real SQLite file.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use zixun_core::{SiteClock, TextAnalyzer};
use zixun_ingest::{
    ArticlePreparer, ImageLocalizer,
    feed::{FeedFetcher, FeedPoller, FetchError, FetchPolicy, Fetched, Validators, parse_feed},
};
use zixun_store::{ListFilter, NewSource, SourceStore, SqliteStore, Store, UploadStore};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

#[derive(Default)]
struct ServerState {
    /// Requests to /etag.xml answered 304.
    not_modified: AtomicUsize,
    /// Which version /versioned.xml serves.
    version: AtomicUsize,
    /// Requests to /feed.xml.
    feed_hits: AtomicUsize,
    /// Requests to /img/photo.jpg.
    image_hits: AtomicUsize,
}

/// An 800×600 JPEG drawn here.
fn photo_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([(x / 4) as u8, (y / 3) as u8, 90]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .expect("encodes");
    out
}

/// A feed whose entry shows a photo (by a relative address), a page posing as an image and
/// an image on the entry's own server.
async fn images_feed(headers: HeaderMap) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>图片报</title><link>http://{host}/</link>
<item><title>江城冬季第一场雪</title><link>http://{host}/news/snow.html</link><guid>snow-1</guid>
<description><![CDATA[<p>今晨江城迎来今冬第一场雪，市民纷纷走上街头赏雪拍照。</p><img src="../img/photo.jpg" alt="雪景"><p>气象部门提醒注意交通安全。</p><img src="http://{host}/img/fake.jpg" alt="假图">]]></description>
<pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate></item></channel></rss>"#
    );
    xml("application/rss+xml; charset=utf-8", body.into_bytes())
}

fn xml(ctype: &'static str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, ctype)], body).into_response()
}

async fn fixture_route(Path(name): Path<String>) -> Response {
    let ctype = match name.as_str() {
        "feed.json" => "application/feed+json",
        // Declared in the header only (the XML declaration has no encoding).
        "big5.xml" => "text/xml; charset=big5",
        // No charset anywhere: must be sniffed.
        "gbk.xml" => "application/xml",
        "page.html" => "text/html; charset=utf-8",
        _ => "application/rss+xml; charset=utf-8",
    };
    match std::fs::read(format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"))) {
        Ok(body) => xml(ctype, body),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn etag(State(s): State<Arc<ServerState>>, headers: HeaderMap) -> Response {
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
        s.not_modified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::ETAG, "\"v1\""), (header::CONTENT_TYPE, "application/rss+xml")], fixture("rss.xml")).into_response()
}

async fn versioned(State(s): State<Arc<ServerState>>) -> Response {
    let feed = String::from_utf8(fixture("rss.xml")).expect("utf-8");
    let feed = if s.version.load(Ordering::SeqCst) == 0 {
        feed
    } else {
        feed.replace("江城地铁5号线今日全线贯通", "【更新】江城地铁5号线今日全线贯通")
    };
    xml("application/rss+xml", feed.into_bytes())
}

async fn redirect_chain(Path(n): Path<u32>) -> Redirect {
    if n == 0 { Redirect::temporary("/f/rss.xml") } else { Redirect::temporary(&format!("/hop/{}", n - 1)) }
}

/// One byte every 300 ms: each read makes progress, the whole never ends in time.
async fn trickle() -> Response {
    let stream = futures_util::stream::unfold(0u32, |i| async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        (i < 200).then(|| (Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")), i + 1))
    });
    xml("application/rss+xml", Vec::new()).map(|_| Body::from_stream(stream))
}

/// 50 MB without a Content-Length.
async fn huge() -> Response {
    let chunk = axum::body::Bytes::from(vec![b' '; 1024 * 1024]);
    let stream = futures_util::stream::iter((0..50).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    xml("application/rss+xml", Vec::new()).map(|_| Body::from_stream(stream))
}

async fn start_server() -> (String, Arc<ServerState>) {
    let state = Arc::new(ServerState::default());
    let app = Router::new()
        .route("/f/{name}", get(fixture_route))
        .route("/etag.xml", get(etag))
        .route(
            "/feed.xml",
            get(|State(s): State<Arc<ServerState>>| async move {
                s.feed_hits.fetch_add(1, Ordering::SeqCst);
                xml("application/rss+xml", fixture("rss.xml"))
            }),
        )
        .route("/versioned.xml", get(versioned))
        .route("/hop/{n}", get(redirect_chain))
        .route("/loop-a", get(|| async { Redirect::temporary("/loop-b") }))
        .route("/loop-b", get(|| async { Redirect::temporary("/loop-a") }))
        .route("/trickle", get(trickle))
        .route("/huge", get(huge))
        .route("/empty", get(|| async { xml("application/rss+xml", Vec::new()) }))
        .route("/error", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/images.xml", get(images_feed))
        .route(
            "/img/photo.jpg",
            get(|State(s): State<Arc<ServerState>>| async move {
                s.image_hits.fetch_add(1, Ordering::SeqCst);
                ([(header::CONTENT_TYPE, "image/jpeg")], photo_jpeg())
            }),
        )
        // A page behind an image address (a hotlink "protection" page, a login wall).
        .route(
            "/img/fake.jpg",
            get(|| async { ([(header::CONTENT_TYPE, "image/jpeg")], "<html><body>防盗链</body></html>") }),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), state)
}

/// The test servers are on 127.0.0.1: the SSRF guard is off here (it is tested on its own).
fn fetcher() -> FeedFetcher {
    FeedFetcher::new(FetchPolicy {
        timeout: Duration::from_secs(2),
        allow_private_addresses: true,
        ..FetchPolicy::default()
    })
    .expect("fetcher")
}

async fn body_of(base: &str, path: &str) -> (Vec<u8>, Option<String>, String) {
    match fetcher().fetch(&format!("{base}{path}"), &Validators::default()).await.expect("fetch") {
        Fetched::Body { bytes, content_type, final_url, .. } => (bytes, content_type, final_url),
        Fetched::NotModified => panic!("unexpected 304"),
    }
}

#[tokio::test]
async fn every_format_and_encoding_parses() {
    let (base, _) = start_server().await;
    for (path, title, entries) in [
        ("/f/rss.xml", "江城晚报·本地", 3),
        ("/f/atom.xml", "华东财经网", 2),
        ("/f/feed.json", "西部科技报", 2),
        ("/f/gbk.xml", "南方农业信息网", 2),
        ("/f/big5.xml", "港澳資訊台", 1),
    ] {
        let (bytes, ctype, url) = body_of(&base, path).await;
        let feed = parse_feed(&bytes, ctype.as_deref(), Some(&url)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(feed.title.as_deref(), Some(title), "{path}");
        assert_eq!(feed.entries.len(), entries, "{path}");
        assert!(feed.entries.iter().all(|e| e.title.is_some() && e.link.is_some() && !e.html.is_empty()), "{path}");
    }
    let (bytes, ctype, url) = body_of(&base, "/f/gbk.xml").await;
    let gbk = parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect("gbk");
    assert_eq!(gbk.encoding, "GBK");
    assert_eq!(gbk.entries[0].title.as_deref(), Some("今年早稻收购价格保持稳定"));
    let (bytes, ctype, url) = body_of(&base, "/f/big5.xml").await;
    assert_eq!(parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect("big5").encoding, "Big5");
    // Atom: relative links against xml:base; an HTML title loses its markup.
    let (bytes, ctype, url) = body_of(&base, "/f/atom.xml").await;
    let atom = parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect("atom");
    assert_eq!(atom.entries[0].link.as_deref(), Some("https://hdcj.example/news/metro-5-repost.html"));
    assert_eq!(atom.entries[1].title.as_deref(), Some("沪深两市成交额连续三日突破万亿元"));
    // RSS dates in three usual shapes all read.
    let (bytes, ctype, url) = body_of(&base, "/f/rss.xml").await;
    let rss = parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect("rss");
    assert!(
        rss.entries.iter().all(|e| e.published.is_some()),
        "{:?}",
        rss.entries.iter().map(|e| e.published).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn script_handlers_iframes_and_pixels_are_removed() {
    let (base, _) = start_server().await;
    let (bytes, ctype, url) = body_of(&base, "/f/rss.xml").await;
    let feed = parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect("rss");
    let html = &feed.entries[0].html;
    for bad in ["<script", "alert(", "onclick", "onerror", "steal(", "<iframe", "pixel.gif"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    // The relative image is made absolute against the entry's link (itself made absolute).
    let link = format!("{base}/local/2026/11/metro-5.html");
    assert_eq!(feed.entries[0].link.as_deref(), Some(link.as_str()));
    assert!(html.contains(&format!("{base}/local/2026/11/images/metro-5.jpg")), "{html}");
}

#[tokio::test]
async fn conditional_get_and_redirects() {
    let (base, state) = start_server().await;
    let f = fetcher();
    let Fetched::Body { validators, .. } =
        f.fetch(&format!("{base}/etag.xml"), &Validators::default()).await.expect("first")
    else {
        panic!("expected a body");
    };
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(f.fetch(&format!("{base}/etag.xml"), &validators).await.expect("second"), Fetched::NotModified);
    assert_eq!(state.not_modified.load(Ordering::SeqCst), 1);
    // Five redirects are followed; the final URL is the base for relative links.
    let Fetched::Body { final_url, .. } =
        f.fetch(&format!("{base}/hop/4"), &Validators::default()).await.expect("chain")
    else {
        panic!("expected a body");
    };
    assert_eq!(final_url, format!("{base}/f/rss.xml"));
    let err = f.fetch(&format!("{base}/hop/9"), &Validators::default()).await.expect_err("too many");
    assert!(matches!(&err, FetchError::Redirect(m) if m.contains("more than 5 redirects")), "{err}");
    let err = f.fetch(&format!("{base}/loop-a"), &Validators::default()).await.expect_err("loop");
    assert!(matches!(&err, FetchError::Redirect(m) if m.contains("redirect loop")), "{err}");
}

#[tokio::test]
async fn each_bad_answer_gets_its_error() {
    let (base, _) = start_server().await;
    let f = fetcher();
    let started = std::time::Instant::now();
    let err = f.fetch(&format!("{base}/trickle"), &Validators::default()).await.expect_err("trickle");
    assert_eq!(err, FetchError::Timeout(Duration::from_secs(2)));
    assert!(started.elapsed() < Duration::from_secs(5), "the timeout covers the whole body");
    let err = f.fetch(&format!("{base}/huge"), &Validators::default()).await.expect_err("huge");
    assert_eq!(err, FetchError::TooLarge(10 * 1024 * 1024));
    let err = f.fetch(&format!("{base}/error"), &Validators::default()).await.expect_err("500");
    assert_eq!(err, FetchError::Status(500));
    let err = f.fetch("http://127.0.0.1:1/feed", &Validators::default()).await.expect_err("refused");
    assert!(matches!(err, FetchError::Connect(_)), "{err}");
    let err = f.fetch("ftp://example.com/feed", &Validators::default()).await.expect_err("scheme");
    assert!(matches!(err, FetchError::Url(_)), "{err}");
    // Bodies that arrive but are no feed.
    for (path, want) in [
        ("/f/page.html", "an HTML page, not a feed"),
        ("/empty", "the response is empty"),
        ("/f/malformed.xml", "not a feed"),
        ("/f/truncated.xml", "not a feed"),
    ] {
        let (bytes, ctype, url) = body_of(&base, path).await;
        let err = parse_feed(&bytes, ctype.as_deref(), Some(&url)).expect_err(path);
        assert!(err.to_string().contains(want), "{path}: {err}");
    }
}

async fn poller(dir: &std::path::Path) -> (Arc<SqliteStore>, FeedPoller) {
    let store = Arc::new(SqliteStore::open(&dir.join("z.db")).await.expect("store"));
    let preparer = ArticlePreparer {
        analyzer: Arc::new(TextAnalyzer::new(None).expect("analyzer")),
        clock: SiteClock::shanghai(),
        max_body_bytes: 1024 * 1024,
        words: Default::default(),
    };
    let images = Arc::new(ImageLocalizer::new(fetcher(), store.clone(), 5 << 20, None));
    (store.clone(), FeedPoller::new(store, fetcher(), preparer, images))
}

async fn add(store: &SqliteStore, name: &str, url: String) -> zixun_store::Source {
    store
        .add_source(&NewSource {
            name: name.into(),
            url,
            category: Some("本地".into()),
            interval_secs: 900,
            localize_images: name.contains("图片"),
        })
        .await
        .expect("add source")
}

#[tokio::test]
async fn polls_store_credited_articles_and_record_failures() {
    let (base, state) = start_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, poller) = poller(dir.path()).await;
    let local = add(&store, "江城晚报", format!("{base}/versioned.xml")).await;
    let report = poller.poll(&local).await.expect("poll");
    let counts = report.outcome.clone().expect("ok");
    assert_eq!((counts.entries, counts.inserted, counts.updated), (3, 3, 0), "{report}");
    let list = store.list(&ListFilter::Source("江城晚报".into()), None, 10).await.expect("list");
    assert_eq!(list.len(), 3);
    let metro = store
        .article(list.iter().find(|a| a.title.contains("5号线")).expect("metro").id)
        .await
        .expect("get")
        .expect("exists");
    assert!(!metro.original, "a feed entry is syndicated, never 原创");
    assert_eq!(metro.source_url.as_deref(), Some(format!("{base}/local/2026/11/metro-5.html").as_str()));
    assert_eq!(metro.author.as_deref(), Some("记者 刘晓晨"));
    assert_eq!(metro.credits.original_author.as_deref(), Some("记者 刘晓晨"), "the entry's author wrote the original");
    assert_eq!(metro.category.as_deref(), Some("本地"));
    assert_eq!(metro.published_at, 1_795_829_400);
    assert!(!metro.body_html.contains("script") && !metro.body_html.contains("onerror"));

    // Polled again: nothing changes. The same guid with a new title is an update, not a new article.
    let local = store.source("江城晚报").await.expect("source").expect("exists");
    let again = poller.poll(&local).await.expect("poll").outcome.expect("ok");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    state.version.store(1, Ordering::SeqCst);
    let changed = poller.poll(&local).await.expect("poll").outcome.expect("ok");
    assert_eq!((changed.inserted, changed.updated, changed.unchanged), (0, 1, 2));
    let metro_now = store.article(metro.id).await.expect("get").expect("exists");
    assert!(metro_now.title.starts_with("【更新】"));
    assert_eq!(metro_now.published_at, metro.published_at);

    // The same story from another outlet is recorded as a copy of the first and not listed.
    let finance = add(&store, "华东财经网", format!("{base}/f/atom.xml")).await;
    poller.poll(&finance).await.expect("poll").outcome.expect("ok");
    let all = store.list(&ListFilter::All, None, 50).await.expect("list");
    assert_eq!(all.iter().filter(|a| a.title.contains("5号线")).count(), 1, "one story, one entry");

    // A broken source: the error is kept against it, with a backoff; nothing else is touched.
    let broken = add(&store, "坏源", format!("{base}/f/truncated.xml")).await;
    let before = store.count_published().await.expect("count");
    let report = poller.poll(&broken).await.expect("poll");
    assert!(report.outcome.is_err(), "{report}");
    assert_eq!(store.count_published().await.expect("count"), before, "nothing half-imported");
    let broken = store.source("坏源").await.expect("source").expect("exists");
    assert_eq!(broken.last_status.as_deref(), Some("error"));
    assert!(broken.last_error.as_deref().is_some_and(|e| e.contains("not a feed")), "{:?}", broken.last_error);
    assert_eq!((broken.failures, broken.errors), (1, 1));
    assert!(broken.next_fetch_at - SiteClock::now() > 900, "the first failure doubles the wait");
    let local = store.source("江城晚报").await.expect("source").expect("exists");
    assert_eq!((local.last_status.as_deref(), local.failures, local.items), (Some("ok"), 0, 4));
}

#[tokio::test]
async fn the_default_policy_refuses_loopback_in_every_spelling() {
    let (base, state) = start_server().await;
    let port = base.rsplit(':').next().expect("port");
    let guarded =
        FeedFetcher::new(FetchPolicy { timeout: Duration::from_secs(2), ..FetchPolicy::default() }).expect("fetcher");
    for host in ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "017700000001", "[::ffff:127.0.0.1]", "[::1]"] {
        let url = format!("http://{host}:{port}/feed.xml");
        let err = guarded.fetch(&url, &Validators::default()).await.expect_err(&url);
        assert!(matches!(&err, FetchError::Forbidden(m) if m.contains("non-public address")), "{url}: {err}");
        assert!(err.to_string().starts_with("refused: "), "{err}");
    }
    // A name is checked on the addresses it resolves to: the resolver's refusal is a Forbidden too.
    let url = format!("http://localhost:{port}/feed.xml");
    let err = guarded.fetch(&url, &Validators::default()).await.expect_err("localhost");
    assert_eq!(err, FetchError::Forbidden("localhost resolves only to private or loopback addresses".into()));
    assert_eq!(state.feed_hits.load(Ordering::SeqCst), 0, "nothing reached the server");

    // With allow_private_addresses the same server is fetched (the guard, not the server, refused).
    let Fetched::Body { bytes, .. } =
        fetcher().fetch(&format!("http://127.0.0.1:{port}/feed.xml"), &Validators::default()).await.expect("allowed")
    else {
        panic!("expected a body");
    };
    assert!(!bytes.is_empty());
    fetcher().fetch(&format!("http://localhost:{port}/feed.xml"), &Validators::default()).await.expect("allowed");
    assert_eq!(state.feed_hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn entry_images_are_stored_as_uploads_when_the_source_says_so() {
    let (base, state) = start_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, poller) = poller(dir.path()).await;
    let local = add(&store, "图片报", format!("{base}/images.xml")).await;
    let report = poller.poll(&local).await.expect("poll");
    assert_eq!(report.outcome.clone().expect("ok").inserted, 1, "{report}");
    let id = store.list(&ListFilter::All, None, 1).await.expect("list")[0].id;
    let a = store.article(id).await.expect("get").expect("exists");
    // The photo is ours now: a stored name that holds its size, with its variants stored first.
    let start = a.body_html.find("src=\"/uploads/").expect("localized") + 5;
    let src = &a.body_html[start..start + a.body_html[start..].find('"').expect("end")];
    let name = zixun_media::ImageName::parse(src.trim_start_matches("/uploads/")).expect("a stored name");
    assert_eq!(name.size, Some((800, 600)));
    let stored = store.upload_names().await.expect("names");
    for w in name.variant_widths() {
        assert!(stored.contains(&name.variant(w, zixun_media::Format::Webp).to_string()), "{w} px WebP");
    }
    let bytes = store.upload(&name.to_string()).await.expect("read").expect("stored");
    assert_eq!(zixun_media::Format::sniff(&bytes), Some(zixun_media::Format::Jpeg));
    assert_eq!(a.cover.as_deref(), Some(src), "the first image is the cover");
    // The page behind an image address was refused and stays remote (shown without a referrer).
    assert!(a.body_html.contains(&format!("src=\"{base}/img/fake.jpg\"")), "{}", a.body_html);
    assert!(!stored.iter().any(|n| n.ends_with(".html")));
    // Polled again: the photo is not downloaded again, and nothing changes.
    let again = poller.poll(&store.source("图片报").await.expect("s").expect("exists")).await.expect("poll");
    assert_eq!(again.outcome.expect("ok").unchanged, 1);
    assert_eq!(state.image_hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn entry_images_stay_remote_by_default() {
    let (base, state) = start_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, poller) = poller(dir.path()).await;
    let local = add(&store, "晚报", format!("{base}/images.xml")).await;
    poller.poll(&local).await.expect("poll").outcome.expect("ok");
    let id = store.list(&ListFilter::All, None, 1).await.expect("list")[0].id;
    let a = store.article(id).await.expect("get").expect("exists");
    let remote = format!("{base}/img/photo.jpg");
    assert!(a.body_html.contains(&format!("src=\"{remote}\"")), "{}", a.body_html);
    assert_eq!(a.cover.as_deref(), Some(remote.as_str()));
    assert_eq!(state.image_hits.load(Ordering::SeqCst), 0);
    assert!(store.upload_names().await.expect("names").is_empty());
}
