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
