//! Reach: what a Chinese portal's pages carry besides the story — 备案 numbers, the engines'
//! tags, publish-time markup, breadcrumbs, 上一篇/下一篇, reading time, favicon, descriptions.

mod common;

use common::{Portal, fixture, import};

fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = import(dir.path(), &fixture("articles.jsonl"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_shows_both_beian_numbers_and_the_engines_tags() {
    let dir = imported();
    let env = [
        ("ZIXUN_ICP_BEIAN", "京ICP备12345678号-1"),
        ("ZIXUN_POLICE_BEIAN", "京公网安备11010502030143号"),
        ("ZIXUN_VERIFICATION_BAIDU", "codeva-abc123"),
        ("ZIXUN_VERIFICATION_BING", "B1NG"),
        ("ZIXUN_ANALYTICS_SCRIPT", "https://hm.example.com/hm.js?site=1"),
    ];
    let portal = Portal::start_with(dir.path(), &[], &env).await;
    let article = portal.id_of("fx-03").await;
    for path in ["/".to_string(), format!("/a/{article}"), "/c/科技".into(), "/search?q=芯片".into(), "/no-such".into()]
    {
        let (_, page) = portal.text(&path).await;
        assert!(
            page.contains(r#"<a href="https://beian.miit.gov.cn/" rel="nofollow noopener" target="_blank">京ICP备12345678号-1</a>"#),
            "{path}: no ICP link:\n{page}"
        );
        assert!(
            page.contains(r#"<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143" rel="nofollow noopener" target="_blank"><img src="/static/police."#),
            "{path}: no 公安 link with its icon:\n{page}"
        );
        assert!(page.contains("京公网安备11010502030143号</a>"), "{path}");
        assert!(page.contains(r#"<meta name="baidu-site-verification" content="codeva-abc123">"#), "{path}");
        assert!(page.contains(r#"<meta name="msvalidate.01" content="B1NG">"#), "{path}");
        assert!(!page.contains("google-site-verification"), "{path}: unset engines get no tag");
        assert!(page.contains(r#"<script src="https://hm.example.com/hm.js?site=1" async></script>"#), "{path}");
    }
    // The configured analytics origin, and only it, is let through by the CSP.
    let r = portal.get("/").await;
    let csp = r.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("script-src 'self' https://hm.example.com"), "{csp}");
    assert!(csp.contains("connect-src 'self' https://hm.example.com"), "{csp}");
    // The icon the footer links is served.
    let (_, home) = portal.text("/").await;
    let icon = home.split(r#"<img src=""#).nth(1).and_then(|s| s.split('"').next()).expect("icon src");
    let r = portal.get(icon).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_has_breadcrumbs_neighbours_reading_time_and_publish_times() {
    let dir = imported();
    let portal = Portal::start(dir.path(), &[]).await;
    // 科技, oldest first: fx-02, fx-03, fx-12.
    let (older, this, newer) = (portal.id_of("fx-02").await, portal.id_of("fx-03").await, portal.id_of("fx-12").await);
    let (status, page) = portal.text(&format!("/a/{this}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<nav class="crumbs" aria-label="位置"><ol><li><a href="/">首页</a></li><li><a href="/c/%E7%A7%91%E6%8A%80">科技</a></li><li><span aria-current="page">英伟达发布新款数据中心芯片</span></li></ol></nav>"#),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            r#"<a class="prev" href="/a/{older}" rel="prev"><span>上一篇</span>马斯克旗下xAI发布新一代大模型</a>"#
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            r#"<a class="next" href="/a/{newer}" rel="next"><span>下一篇</span>安装简单的家用储能设备走俏</a>"#
        )),
        "{page}"
    );
    assert!(page.contains(r#"<span class="reading">约 1 分钟读完</span>"#), "{page}");
    // Publish times for Baidu and 头条 (site-local, +08:00 in the fixture's zone).
    assert!(page.contains(r#"<meta property="og:release_date" content="2026-11-21T15:00:00+08:00">"#), "{page}");
    assert!(
        page.contains(r#"<meta property="bytedance:published_time" content="2026-11-21T15:00:00+08:00">"#),
        "{page}"
    );
    assert!(page.contains(r#"<meta property="bytedance:updated_time""#), "{page}");
    let ld: Vec<serde_json::Value> = page
        .split(r#"<script type="application/ld+json">"#)
        .skip(1)
        .map(|s| serde_json::from_str(s.split("</script>").next().expect("script")).expect("JSON-LD"))
        .collect();
    let crumbs = ld.iter().find(|v| v["@type"] == "BreadcrumbList").expect("BreadcrumbList");
    assert_eq!(crumbs["itemListElement"][1]["name"], "科技");
    assert_eq!(crumbs["itemListElement"][1]["position"], 2);
    assert!(crumbs["itemListElement"][1]["item"].as_str().expect("item").ends_with("/c/%E7%A7%91%E6%8A%80"));
    let cambrian = ld.iter().find(|v| v.get("pubDate").is_some()).expect("cambrian JSON-LD");
    assert_eq!(cambrian["pubDate"], "2026-11-21T15:00:00");
    assert!(cambrian["upDate"].is_string());
    assert!(cambrian["@id"].as_str().expect("@id").ends_with(&format!("/a/{this}")));
    // The oldest of its category has no 上一篇; the newest no 下一篇.
    let (_, first) = portal.text(&format!("/a/{older}")).await;
    assert!(!first.contains(r#"rel="prev""#) && first.contains(&format!(r#"href="/a/{this}" rel="next""#)));
    let (_, last) = portal.text(&format!("/a/{newer}")).await;
    assert!(!last.contains(r#"rel="next""#) && last.contains(&format!(r#"href="/a/{this}" rel="prev""#)));
    // No 备案 configured: no empty footer line, no verification tags, no outside script.
    assert!(!page.contains("class=\"beian\"") && !page.contains("-verification"));
    let csp = portal.get("/").await.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("script-src 'self';"), "{csp}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_describe_themselves_and_the_favicon_and_font_switch_are_served() {
    let dir = imported();
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, home) = portal.text("/").await;
    let description = home.split(r#"<meta name="description" content=""#).nth(1).expect("home description");
    assert!(description.starts_with("资讯"), "{description}");
    assert!(description.contains("安装简单的家用储能设备走俏"), "the newest title: {description}");
    let (_, cat) = portal.text("/c/汽车").await;
    assert!(
        cat.contains(r#"<meta name="description" content="资讯汽车：最新报道。车企年末冲量 新能源汽车价格战延续；"#),
        "{cat}"
    );
    assert!(cat.contains(r#"<link rel="canonical" href=""#), "the first page is canonical");
    for path in ["/tag/芯片", "/author/本站记者 江帆", "/source/南方科技报"] {
        let (status, page) = portal.text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(r#"<meta name="description" content=""#), "{path}: no description");
    }
    // The favicon: linked from every page, and /favicon.ico for those that ask without looking.
    assert!(home.contains(r#"<link rel="icon" href="/static/favicon."#));
    let r = portal.get("/favicon.ico").await; // follows the redirect
    assert!(r.url().path().starts_with("/static/favicon."), "{}", r.url());
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.expect("svg").starts_with("<svg"));
    // The font-size switch: hidden without JavaScript, shown and remembered by the same-origin script.
    assert!(home.contains(r#"<div class="fontsize" role="group" aria-label="字号" hidden>"#));
    let js = home.split(r#"<script src=""#).nth(1).and_then(|s| s.split('"').next()).expect("reader script");
    let r = portal.get(js).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(r.text().await.expect("js").contains("localStorage"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_text_sitemap_lists_exactly_the_published_stories() {
    let dir = imported();
    let draft = dir.path().join("draft.jsonl");
    std::fs::write(
        &draft,
        r#"{"id": "fx-draft", "title": "尚未发布的稿件", "body": "这是一篇草稿，还没有发布。", "status": "draft", "published_at": "2026-11-26 09:00:00"}"#,
    )
    .expect("write");
    let out = import(dir.path(), &draft);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let portal = Portal::start(dir.path(), &[]).await;

    let r = portal.get("/sitemap.txt").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let text = r.text().await.expect("body");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], portal.url("/"), "the home page first");
    // Every published story once, newest first; not the draft, not fx-09 (a copy of fx-08's story).
    let (_, list) = portal.json("/api/articles?limit=100").await;
    let expected: Vec<String> =
        list["items"].as_array().expect("items").iter().map(|a| portal.url(&format!("/a/{}", a["id"]))).collect();
    assert_eq!(expected.len(), 11);
    assert_eq!(lines[1..].to_vec(), expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(portal.get("/sitemaps/2.txt").await.status(), 404, "eleven stories fit one file");
    let (_, robots) = portal.text("/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: {}\n", portal.url("/sitemap.txt"))), "{robots}");
    assert!(!robots.contains("/sitemaps/2.txt"), "{robots}");
}

/// What the stand-in for Baidu and IndexNow received.
#[derive(Default)]
struct Engines {
    /// Baidu: (query, content type, body) of every request, answered or failed.
    baidu: Vec<(String, String, String)>,
    /// Baidu requests answered with success.
    baidu_taken: Vec<Vec<String>>,
    indexnow: Vec<serde_json::Value>,
    /// Baidu requests still to fail (HTTP 503).
    fail_next: usize,
}

type Shared = std::sync::Arc<std::sync::Mutex<Engines>>;

/// A local server standing in for Baidu's 普通收录 API (`/urls`) and IndexNow (`/indexnow`).
async fn engines(fail_first: usize) -> (String, Shared) {
    use axum::{
        Json, Router,
        extract::{RawQuery, State},
        http::{HeaderMap, StatusCode},
        routing::post,
    };
    let shared: Shared =
        std::sync::Arc::new(std::sync::Mutex::new(Engines { fail_next: fail_first, ..Default::default() }));
    async fn baidu(
        State(s): State<Shared>,
        RawQuery(q): RawQuery,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let mut s = s.lock().expect("lock");
        let kind = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        s.baidu.push((q.unwrap_or_default(), kind, body.clone()));
        if s.fail_next > 0 {
            s.fail_next -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, r#"{"error":503,"message":"service unavailable"}"#.into());
        }
        let urls: Vec<String> = body.lines().map(String::from).collect();
        let n = urls.len();
        s.baidu_taken.push(urls);
        (StatusCode::OK, format!(r#"{{"remain":{},"success":{n},"not_same_site":[],"not_valid":[]}}"#, 3000 - n))
    }
    async fn indexnow(State(s): State<Shared>, Json(v): Json<serde_json::Value>) -> StatusCode {
        s.lock().expect("lock").indexnow.push(v);
        StatusCode::ACCEPTED
    }
    let app = Router::new().route("/urls", post(baidu)).route("/indexnow", post(indexnow)).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, shared)
}

#[tokio::test(flavor = "multi_thread")]
async fn new_stories_are_pushed_once_in_batches_retried_and_edits_are_not_pushed() {
    use common::eventually;
    let (server, seen) = engines(2).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (baidu, indexnow) = (format!("{server}/urls"), format!("{server}/indexnow"));
    let env = [
        ("ZIXUN_BASE_URL", "https://news.example.test"),
        ("ZIXUN_BAIDU_PUSH_TOKEN", "t0ken"),
        ("ZIXUN_BAIDU_PUSH_ENDPOINT", baidu.as_str()),
        ("ZIXUN_INDEXNOW_KEY", "0123456789abcdef"),
        ("ZIXUN_INDEXNOW_ENDPOINT", indexnow.as_str()),
        ("ZIXUN_PUSH_RETRY_SECONDS", "1"),
    ];
    let portal = Portal::start_with(dir.path(), &[], &env).await;
    // Published while Baidu fails: the import is not held up, the stories are readable at once.
    let out = import(dir.path(), &fixture("articles.jsonl"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, list) = portal.json("/api/articles?limit=100").await;
    let ids: Vec<i64> =
        list["items"].as_array().expect("items").iter().map(|a| a["id"].as_i64().expect("id")).collect();
    assert_eq!(ids.len(), 11);
    let mut expected: Vec<String> = ids.iter().map(|id| format!("https://news.example.test/a/{id}")).collect();
    expected.sort();

    let taken = |s: &Engines| {
        let mut urls: Vec<String> = s.baidu_taken.iter().flatten().cloned().collect();
        urls.sort();
        urls
    };
    assert!(
        eventually(20, || async { taken(&seen.lock().expect("lock")) == expected }).await,
        "Baidu should get each story once after two failures: {:?}",
        seen.lock().expect("lock").baidu
    );
    let indexnow_urls = |s: &Engines| {
        let mut urls: Vec<String> = s
            .indexnow
            .iter()
            .flat_map(|v| v["urlList"].as_array().cloned().unwrap_or_default())
            .map(|u| u.as_str().unwrap_or_default().to_string())
            .collect();
        urls.sort();
        urls
    };
    assert!(eventually(10, || async { indexnow_urls(&seen.lock().expect("lock")) == expected }).await);
    {
        let s = seen.lock().expect("lock");
        assert!(s.baidu.len() >= 3 && s.baidu.len() <= 6, "two failures, then few batches: {}", s.baidu.len());
        assert!(s.baidu_taken.len() < 11, "batched, not one request a story");
        for (query, kind, body) in &s.baidu {
            assert_eq!(query, "site=https%3A%2F%2Fnews.example.test&token=t0ken");
            assert_eq!(kind, "text/plain");
            assert!(body.lines().count() <= 2000);
        }
        let first = &s.indexnow[0];
        assert_eq!(first["host"], "news.example.test");
        assert_eq!(first["key"], "0123456789abcdef");
        assert_eq!(first["keyLocation"], "https://news.example.test/0123456789abcdef.txt");
    }

    // An edit is not a new story: nothing more goes out.
    let edit = dir.path().join("edit.jsonl");
    let line = std::fs::read_to_string(fixture("articles.jsonl"))
        .expect("fixture")
        .lines()
        .next()
        .expect("line")
        .replace("中国农业发展银行发放秋粮收购贷款", "农发行秋粮收购贷款超千亿元");
    std::fs::write(&edit, line).expect("write");
    let out = import(dir.path(), &edit);
    assert!(String::from_utf8_lossy(&out.stderr).contains("updated 1"), "{}", String::from_utf8_lossy(&out.stderr));
    let id = portal.id_of("fx-01").await;
    assert!(
        eventually(10, || async {
            portal.text(&format!("/a/{id}")).await.1.contains("农发行秋粮收购贷款超千亿元")
        })
        .await
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    {
        let s = seen.lock().expect("lock");
        assert_eq!(taken(&s), expected, "the edit was pushed again");
        assert_eq!(indexnow_urls(&s), expected, "the edit was submitted again");
    }

    // The key file the engines check, and nothing else at the root.
    let r = portal.get("/0123456789abcdef.txt").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("key"), "0123456789abcdef");
    assert_eq!(portal.get("/fedcba9876543210.txt").await.status(), 404);

    // The push log shows every entry and the quota Baidu last named.
    let out = common::zixun(dir.path()).args(["push", "log"]).output().expect("push log");
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(log.lines().filter(|l| l.contains("\tbaidu\tpushed\t")).count(), 11, "{log}");
    assert_eq!(log.lines().filter(|l| l.contains("\tindexnow\tpushed\t")).count(), 11, "{log}");
    assert!(log.contains("\t3 attempts\t"), "two failed attempts, then the push: {log}");
    assert!(log.contains(" left today (as last answered); 0 of these waiting"), "the quota Baidu named: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reader_page_has_a_traditional_view_and_each_view_names_the_other() {
    let dir = imported();
    let portal = Portal::start(dir.path(), &[]).await;
    let id = portal.id_of("fx-03").await;
    let (status, hant) = portal.text(&format!("/zh-hant/a/{id}")).await;
    assert_eq!(status, 200);
    let hant = hant.replace("&#x2f;", "/");
    assert!(hant.contains(r#"<html lang="zh-Hant">"#));
    assert!(hant.contains("英偉達發佈新款數據中心芯片") || hant.contains("英偉達發布新款數據中心芯片"), "{hant}");
    assert!(!hant.contains("英伟达"), "no Simplified text left");
    // Links into reader pages stay in the view; assets, uploads and feeds do not move.
    assert!(hant.contains(r#"<a class="logo" href="/zh-hant/">"#), "{hant}");
    assert!(hant.contains(r#"<a href="/zh-hant/c/%E7%A7%91%E6%8A%80">"#), "{hant}");
    assert!(hant.contains(r#"action="/zh-hant/search""#));
    assert!(hant.contains(r#"href="/rss.xml""#) && hant.contains(r#"href="/static/"#));
    // Each view names both, and switches to the other.
    let base = &portal.base;
    for page in [&hant, &portal.text(&format!("/a/{id}")).await.1.replace("&#x2f;", "/")] {
        assert!(page.contains(&format!(r#"<link rel="alternate" hreflang="zh-Hans" href="{base}/a/{id}">"#)), "{page}");
        assert!(page.contains(&format!(r#"<link rel="alternate" hreflang="zh-Hant" href="{base}/zh-hant/a/{id}">"#)));
    }
    assert!(
        hant.contains(&format!(
            r#"<a class="script" href="/a/{id}" hreflang="zh-Hans" lang="zh-CN">&#x7B80;&#x4F53;</a>"#
        )),
        "{hant}"
    );
    let (_, hans) = portal.text(&format!("/a/{id}")).await;
    assert!(
        hans.replace("&#x2f;", "/").contains(&format!(
            r#"<a class="script" href="/zh-hant/a/{id}" hreflang="zh-Hant" lang="zh-Hant">繁體</a>"#
        ))
    );
    assert!(hans.contains("英伟达发布新款数据中心芯片"), "the Simplified page is untouched by the other view's cache");
    // Every kind of reader page, and search in Traditional characters finds Simplified text.
    for path in ["/zh-hant", "/zh-hant/", "/zh-hant/c/%E7%A7%91%E6%8A%80", "/zh-hant/tag/%E8%8A%AF%E7%89%87"] {
        let (status, page) = portal.text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(r#"<html lang="zh-Hant">"#), "{path}");
    }
    let (status, found) = portal.text("/zh-hant/search?q=%E8%8B%B1%E5%81%89%E9%81%94").await;
    assert_eq!(status, 200);
    assert!(
        found.contains(&format!(r#"href="/zh-hant/a/{id}""#)),
        "英偉達 finds the article, linked in the view: {found}"
    );
    assert!(found.contains("第 1 / 1 頁"), "the search page's own `page` is its number: {found}");
    assert_eq!(portal.text("/zh-hant/admin").await.0, 404, "the newsroom has no Traditional view");
}
