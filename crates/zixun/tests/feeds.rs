//! Feeds in and out through the real binary: `zixun sources …`, `zixun fetch`, the fetcher
//! inside `zixun serve`, and zixun's own feeds read back by zixun's feed parser.

mod common;

use std::time::{Duration, Instant};

use common::{Portal, feed_server, zixun};
use zixun_ingest::feed::{parse_feed, parse_opml};

async fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = zixun(dir);
    cmd.args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run zixun")).await.expect("join");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_fetch_and_pages_credit_the_outlet() {
    let feeds = feed_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();

    // add: checks the feed and takes its title when no name is given.
    let (code, out, err) = run(d, &["sources", "add", &format!("{feeds}/f/rss.xml"), "--category", "本地"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("checked: a feed with 3 entries") && out.contains("added 江城晚报·本地"), "{out}");
    let (code, _, err) = run(d, &["sources", "add", &format!("{feeds}/f/rss.xml")]).await;
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(d, &["sources", "add", &format!("{feeds}/f/gbk.xml"), "--interval", "10s"]).await;
    assert_eq!(code, 2, "clap rejects the interval");
    assert!(err.contains("under a minute"), "{err}");
    let (code, out, err) =
        run(d, &["sources", "add", &format!("{feeds}/f/gbk.xml"), "--name", "南方农业", "--interval", "2h"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(d, &["sources", "add", &format!("{feeds}/f/missing.xml"), "--name", "失效源"]).await;
    assert_eq!(code, 0, "a feed that fails now is added with a warning: {out}{err}");
    assert!(err.contains("warning: the feed could not be read now (HTTP status 404)"), "{err}");

    // fetch: every source once; a failing one makes the exit status 3 and is reported by name.
    let (code, out, err) = run(d, &["fetch"]).await;
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("江城晚报·本地: 3 entries: 3 new"), "{out}");
    assert!(out.contains("南方农业: 2 entries: 2 new"), "{out}");
    assert!(out.contains("失效源: error: HTTP status 404"), "{out}");
    let (code, out, _) = run(d, &["fetch", "--source", "南方农业"]).await;
    assert_eq!(code, 0);
    assert!(out.contains("南方农业: 2 entries: 0 new, 0 updated, 2 unchanged"), "{out}");

    let (_, list, _) = run(d, &["sources", "list"]).await;
    assert!(list.contains("南方农业") && list.contains("every 2h") && list.contains("2 entries"), "{list}");
    assert!(list.contains("last error (1 in a row): HTTP status 404"), "{list}");

    // OPML out and back in: the same sources, nothing added twice.
    let (_, opml, _) = run(d, &["sources", "export"]).await;
    let exported = parse_opml(&opml).expect("our OPML parses");
    assert_eq!(exported.len(), 3);
    assert!(exported.iter().any(|f| f.name == "江城晚报·本地" && f.category.as_deref() == Some("本地")));
    let opml_file = d.join("sources.opml");
    std::fs::write(&opml_file, &opml).expect("write");
    let (code, out, _) = run(d, &["sources", "import", opml_file.to_str().expect("path")]).await;
    assert_eq!(code, 0);
    assert!(out.contains("added 0 sources (3 already known)"), "{out}");
    let (code, out, _) = run(d, &["sources", "remove", "失效源"]).await;
    assert_eq!((code, out.trim()), (0, "removed 失效源"));
    let (code, _, err) = run(d, &["sources", "remove", "失效源"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("no source named"), "{err}");

    // The pages credit the outlet and link to the original.
    let portal = Portal::start(d, &[]).await;
    let (_, list) = portal.json("/api/articles?limit=20").await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    let metro = items.iter().find(|i| i["title"].as_str().is_some_and(|t| t.contains("5号线"))).expect("metro");
    let (status, page) = portal.text(&format!("/a/{}", metro["id"])).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("来源：<a href=\"{feeds}/local/2026/11/metro-5.html\"")), "no credit link");
    assert!(page.contains(">江城晚报·本地</a>"));
    assert!(!page.contains("<span class=\"badge\">原创</span>"), "a syndicated item is not 原创");
    assert!(!page.contains("alert(") && !page.contains("onerror"));

    // Our own feeds, read back by our own parser: the same articles, titles and links.
    for path in ["/rss.xml", "/atom.xml", "/feed.json", "/c/%E6%9C%AC%E5%9C%B0/rss.xml"] {
        let r = portal.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = r.bytes().await.expect("body");
        let feed =
            parse_feed(&body, ctype.as_deref(), Some(&portal.url(path))).unwrap_or_else(|e| panic!("{path}: {e}"));
        let expected = if path.starts_with("/c/") { 3 } else { 5 };
        assert_eq!(feed.entries.len(), expected, "{path}");
        for (e, item) in feed.entries.iter().zip(items) {
            if expected == 5 {
                assert_eq!(e.title.as_deref(), item["title"].as_str(), "{path}");
                assert_eq!(e.link.as_deref(), item["url"].as_str(), "{path}");
            }
        }
    }
    let (status, robots) = portal.text("/robots.txt").await;
    assert_eq!(status, 200);
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", portal.base)), "{robots}");
    let (_, sitemap) = portal.text("/sitemap.xml").await;
    assert_eq!(sitemap.matches("<loc>").count(), 6, "home and five articles: {sitemap}");
    let (_, page) = portal.text("/").await;
    assert!(page.contains("type=\"application/rss+xml\"") && page.contains("href=\"/atom.xml\""), "autodiscovery");
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_polls_sources_on_its_own() {
    let feeds = feed_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, err) =
        run(dir.path(), &["sources", "add", &format!("{feeds}/f/feed.json"), "--name", "西部科技报"]).await;
    assert_eq!(code, 0, "{err}");
    let portal = Portal::start(dir.path(), &[]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, list) = portal.json("/api/articles?source=%E8%A5%BF%E9%83%A8%E7%A7%91%E6%8A%80%E6%8A%A5").await;
        if list["items"].as_array().is_some_and(|i| i.len() == 2) {
            break;
        }
        assert!(Instant::now() < deadline, "serve did not poll the new source: {list}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The index follows the store within a second or so.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, results) = portal.json("/api/search?q=%E6%B5%81%E7%89%87").await;
        if results["total"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "polled articles are not searchable: {results}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    portal.terminate();
}

/// Every event of `xml`, or where it breaks: quick-xml checks that end tags match, and XML
/// 1.0's characters are checked here (quick-xml does not).
fn well_formed(xml: &str) -> Result<Vec<String>, String> {
    if let Some(c) = xml.chars().find(|&c| !zixun_core::text::clean::is_xml_char(c)) {
        return Err(format!("U+{:04X} is no XML 1.0 character", c as u32));
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    // The text of each <description>, as a reader gets it: CDATA as is, text and character
    // references unescaped.
    let mut descriptions = Vec::new();
    let mut current: Option<String> = None;
    loop {
        use quick_xml::events::Event;
        match reader.read_event().map_err(|e| format!("at {}: {e}", reader.buffer_position()))? {
            Event::Eof => return Ok(descriptions),
            Event::Start(e) if e.name().0 == "description" => current = Some(String::new()),
            Event::End(e) if e.name().0 == "description" => {
                let raw = current.take().unwrap_or_default();
                descriptions.push(quick_xml::escape::unescape(&raw).map_err(|e| e.to_string())?.into_owned());
            }
            Event::CData(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&quick_xml::escape::escape(t.into_inner().as_ref()));
                }
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(c) = current.as_mut() {
                    c.push('&');
                    c.push_str(&r.into_inner());
                    c.push(';');
                }
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_and_markup_in_text_never_break_or_enter_our_feeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let lines = dir.path().join("hostile.jsonl");
    let hostile = [
        serde_json::json!({"id": "c-1", "title": "控制\u{1}字符\u{0b}标题", "body": "正文里也有\u{7}控制字符。", "category": "本地"}),
        serde_json::json!({"id": "c-2", "title": "摘要里的标记", "body": "\"><img src=x onerror=alert(1)><svg onload=alert(2)> 这是正文。"}),
    ];
    let text: String = hostile.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(&lines, text).expect("write");
    assert!(common::import(d, &lines).status.success());
    // A title stored before writes were cleaned (an older version, a hand-edited database):
    // the XML writers still must not emit its control character.
    let mut db =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite:{}", d.join("zixun.db").display()))
            .await
            .expect("open");
    sqlx::query("UPDATE articles SET title = 'a' || char(1) || 'b' WHERE ext_id = 'c-2'")
        .execute(&mut db)
        .await
        .expect("update");
    drop(db);

    let portal = Portal::start(d, &[]).await;
    let id = portal.id_of("c-1").await;
    let (_, article) = portal.json(&format!("/api/articles/{id}")).await;
    assert_eq!(article["title"], "控制字符标题", "cleaned on the way in");
    assert!(!article["body_text"].as_str().unwrap_or_default().contains('\u{7}'), "{article}");
    for path in ["/rss.xml", "/atom.xml", "/news-sitemap.xml", "/sitemap.xml", "/c/%E6%9C%AC%E5%9C%B0/rss.xml"] {
        let (status, xml) = portal.text(path).await;
        assert_eq!(status, 200, "{path}");
        let descriptions = well_formed(&xml).unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}"));
        // What a reader renders of <description> is HTML: the summary's markup is text in it.
        for d in &descriptions {
            assert!(!d.contains("<img") && !d.contains("<svg"), "{path}: live markup in <description>: {d}");
        }
        if path == "/rss.xml" {
            assert!(
                descriptions.iter().any(|d| d.contains("&lt;img")),
                "the summary is shown as text: {descriptions:?}"
            );
        }
    }
    portal.terminate();
}
