//! Chinese full-text search over HTTP: recall across segmentation, folding, filters, bad queries,
//! and an index that follows (and is rebuilt from) the store.

mod common;

use std::time::Duration;

use common::{Portal, eventually, fixture, import};

async fn portal_with_fixtures() -> (tempfile::TempDir, Portal) {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    (dir, portal)
}

/// Titles of the results of an API search.
async fn titles(portal: &Portal, query: &str) -> Vec<String> {
    let (status, body) = portal.json(&format!("/api/search?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["items"].as_array().expect("items").iter().map(|i| i["title"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn finds_what_the_reader_means() {
    let (_dir, portal) = portal_with_fixtures().await;
    // A word inside a longer dictionary word (segmentation granularity).
    assert!(titles(&portal, "q=农业").await.iter().any(|t| t.contains("中国农业发展银行")));
    assert!(titles(&portal, "q=银行").await.iter().any(|t| t.contains("中国农业发展银行")));
    assert!(titles(&portal, "q=简单").await.iter().any(|t| t.contains("安装简单")));
    // Traditional script, full width and case fold to what the articles say.
    assert!(titles(&portal, "q=馬斯克").await.iter().any(|t| t.contains("马斯克")));
    assert!(titles(&portal, "q=ＸＡＩ").await.iter().any(|t| t.contains("xAI")));
    assert!(titles(&portal, "q=XAI%20大模型").await.iter().any(|t| t.contains("xAI")));
    // Every word must match.
    assert!(titles(&portal, "q=马拉松%20芯片").await.is_empty());
    // A quoted phrase.
    assert!(titles(&portal, "q=%22价格战%22").await.len() >= 2);

    // Highlighting, count and filters.
    let (_, body) = portal.json("/api/search?q=芯片").await;
    assert!(body["total"].as_u64().expect("total") >= 1);
    assert!(body["items"][0]["title_html"].as_str().expect("html").contains("<b>芯片</b>"), "{body}");
    assert!(titles(&portal, "q=价格战&source=东方财讯").await.iter().all(|t| t.contains("比亚迪")));
    assert_eq!(titles(&portal, "q=价格战&category=体育").await.len(), 0);
    assert_eq!(
        titles(&portal, "q=价格战&from=2026-11-23&to=2026-11-23").await,
        vec!["车企年末冲量 新能源汽车价格战延续"]
    );
    let newest = titles(&portal, "q=马拉松&sort=newest").await;
    assert_eq!(newest, vec!["江州马拉松冠军出炉", "江州马拉松今晨开跑"]);

    // The reader's page: highlighted results, a count, pagination and a clear empty page.
    let (status, page) = portal.text("/search?q=马拉松").await;
    assert_eq!(status, 200);
    assert!(page.contains("找到约 2 条结果") && page.contains("<b>马拉松</b>"), "{page}");
    let (_, page) = portal.text("/search?q=火星移民").await;
    assert!(page.contains("没有找到与“火星移民”相关的结果"));
    let (_, page) = portal.text("/search?q=").await;
    assert!(page.contains("请输入要搜索的文字"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_queries_get_a_page_or_a_clear_400_never_a_500() {
    let (_dir, portal) = portal_with_fixtures().await;
    // About 10 KB of UTF-8.
    let long = "新闻".repeat(1700);
    let queries = [
        String::new(),
        long.clone(),
        "\"unbalanced".into(),
        "\"\"\"".into(),
        "AND OR NOT".into(),
        "title:马斯克 body:(xAI OR 芯片)".into(),
        "😀🚀 马拉松 🎉".into(),
        "\u{0}\u{7}\u{1b}[31m马拉松".into(),
        "*?~^[]{}()\\/:!-+".into(),
        "%ZZ%".into(),
        "' OR 1=1 --".into(),
    ];
    for q in &queries {
        for path in ["/search", "/api/search"] {
            let r = portal.client.get(format!("{}?q={}", portal.url(path), encode(q))).send().await.expect("GET");
            let status = r.status().as_u16();
            assert!(status == 200 || status == 400, "{path} q={q:?} gave {status}");
            if path == "/api/search" && status == 400 {
                let body: serde_json::Value = r.json().await.expect("json");
                assert_eq!(body["error"]["code"], "empty_query", "{q:?}");
            }
        }
    }
    // Raw invalid percent-encoding and broken parameters, straight in the URL.
    for path in [
        "/search?q=%E4%B8",
        "/search?q=%ZZ",
        "/api/search?q=%E4%B8%AD%",
        "/search?q=a&page=x",
        "/api/search?q=a&limit=0",
        "/api/search?q=马&from=昨天",
        "/api/search?q=马&sort=random",
    ] {
        let status = portal.get(path).await.status().as_u16();
        assert!(status == 200 || status == 400, "{path} gave {status}");
    }
    let (status, body) = portal.json("/api/search?q=马&from=昨天").await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().expect("message").contains("YYYY-MM-DD"));
    // Over the limit: cut, and said so.
    let (_, body) = portal.json(&format!("/api/search?q={long}")).await;
    assert_eq!(body["truncated"], true);
    let (_, page) = portal.text(&format!("/search?q={long}")).await;
    assert!(page.contains("搜索词过长"));
}

#[tokio::test(flavor = "multi_thread")]
async fn index_follows_the_store_and_is_rebuilt_when_lost_or_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let extra = dir.path().join("extra.jsonl");
    std::fs::write(
        &extra,
        "{\"id\":\"new-1\",\"title\":\"量子计算机实现新突破\",\"body\":\"研究团队宣布量子计算机取得新突破。\"}\n",
    )
    .expect("write");
    assert!(import(dir.path(), &extra).status.success());
    let searchable = eventually(2, || async { titles(&portal, "q=量子计算机").await.len() == 1 }).await;
    assert!(searchable, "a committed change is searchable within a second or two");
    portal.terminate();

    // Deleted index: rebuilt from the store at start-up.
    std::fs::remove_dir_all(dir.path().join("index")).expect("rm index");
    let portal = Portal::start(dir.path(), &[]).await;
    assert_eq!(titles(&portal, "q=量子计算机").await.len(), 1);
    assert!(titles(&portal, "q=马拉松").await.len() == 2);
    portal.terminate();

    // Corrupt index: rebuilt too.
    std::fs::write(dir.path().join("index/meta.json"), b"{ not json").expect("corrupt");
    let portal = Portal::start(dir.path(), &[]).await;
    assert_eq!(titles(&portal, "q=量子计算机").await.len(), 1);
    tokio::time::sleep(Duration::from_millis(10)).await;
    portal.terminate();

    // `zixun reindex` rebuilds on demand.
    let out = common::zixun(dir.path()).arg("reindex").output().expect("reindex");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("indexed 13 articles"));
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
