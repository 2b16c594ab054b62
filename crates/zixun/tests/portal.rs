//! The foundation, end to end: import, pages, API, views, caching, bad input.

mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use common::{Portal, eventually, fixture, import, zixun};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_article_page_shows_everything_the_reference_page_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = import(dir.path(), &fixture("articles.jsonl"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("imported 12 (updated 0, unchanged 0, rejected 0)"), "{}", stderr(&out));
    let portal = Portal::start(dir.path(), &[]).await;

    // Give the hot list some views: read every article once (syndicated ones twice).
    let (_, list) = portal.json("/api/articles?limit=100").await;
    let items = list["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 11, "fx-09 is a copy of fx-08's story and is not listed");
    for item in &items {
        let id = item["id"].as_i64().expect("id");
        let times = if item["original"] == false { 2 } else { 1 };
        for _ in 0..times {
            assert_eq!(portal.get(&format!("/a/{id}")).await.status(), 200);
        }
    }
    // Views are flushed and the hot list refreshed every 0.3 s in tests; pages cache for 5 s.
    tokio::time::sleep(Duration::from_millis(5500)).await;

    let original = portal.id_of("fx-01").await;
    let (status, page) = portal.text(&format!("/a/{original}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(
        page.contains("<span class=\"badge\">原创</span>中国农业发展银行发放秋粮收购贷款"),
        "original badge and title"
    );
    assert!(page.contains("本站记者 周宁"), "author");
    assert!(page.contains(">2026-11-20 09:00:00</time>"), "publish time in the site's zone");
    assert!(page.contains("阅读 1<") || page.contains("阅读 2<"), "view count");
    assert!(page.contains("<p>中国农业发展银行今天表示"), "paragraphs");
    assert!(page.contains("<h2>资金投向：重点支持主产区</h2>") && page.contains("<h2>小结：</h2>"), "section heads");
    assert!(
        page.contains("<link rel=\"canonical\" href=\"") && page.contains("property=\"og:title\""),
        "canonical + Open Graph"
    );
    assert!(page.contains("相关内容") && page.contains("热门资讯"));
    assert!(page.contains("href=\"/tag/"), "keywords as tag links");
    let related =
        page.split("id=\"related-h\"").nth(1).and_then(|s| s.split("</section>").next()).expect("related section");
    assert_eq!(related.matches("<li>").count(), 7, "7 related items");
    assert!(related.contains("...") && related.contains("<time>2026-"), "cut titles/excerpts and timestamps");
    let hot = page.split("id=\"hot-h\"").nth(1).and_then(|s| s.split("</section>").next()).expect("hot section");
    assert_eq!(hot.matches("<li>").count(), 10, "10 hot items");
    assert!(hot.contains("来源："), "syndicated hot items are credited");

    let syndicated = portal.id_of("fx-03").await;
    let (_, page) = portal.text(&format!("/a/{syndicated}")).await;
    assert!(!page.contains("<span class=\"badge\">原创</span>英伟达"), "no badge on syndicated items");
    assert!(
        page.contains("来源：<a href=\"https://example.com/tech/2026/11/nvidia-chip.html\""),
        "source credited and linked"
    );

    // Lists, the API and the home page.
    for path in ["/", "/c/科技", "/source/南方科技报", "/author/本站记者 林晓", "/tag/马拉松", "/search?q=马拉松"]
    {
        let (status, body) = portal.text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("</html>"), "{path}");
    }
    let (_, a) = portal.json(&format!("/api/articles/{syndicated}")).await;
    assert_eq!(a["source"], "南方科技报");
    assert_eq!(a["original"], false);
    assert_eq!(a["published_at"], "2026-11-21T15:00:00+08:00");
    assert_eq!(a["tags"], serde_json::json!(["芯片", "英伟达"]));
    assert!(a["views"].as_i64().expect("views") >= 2);
    let (status, rel) = portal.json(&format!("/api/articles/{original}/related?limit=3")).await;
    assert_eq!(status, 200);
    assert_eq!(rel["items"].as_array().map(Vec::len), Some(3));
    let (_, hot) = portal.json("/api/hot?limit=5").await;
    assert_eq!(hot["items"].as_array().map(Vec::len), Some(5));
    let (_, hot) = portal.json("/api/hot?category=汽车").await;
    assert!(hot["items"].as_array().expect("items").iter().all(|i| i["category"] == "汽车"));

    // Cursor pagination walks every article once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = portal.json(&format!("/api/articles?limit=5&cursor={cursor}")).await;
        seen.extend(page["items"].as_array().expect("items").iter().map(|i| i["id"].as_i64().expect("id")));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 11);

    // Operations.
    let (status, metrics) = portal.text("/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("zixun_http_requests_total{route=\"/a/{id}\",status=\"200\"}"));
    assert!(metrics.contains("zixun_page_cache_hits_total") && metrics.contains("zixun_articles 12"));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_bad_import_line_is_reported_and_the_rest_goes_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = zixun(dir.path())
        .env("ZIXUN_MAX_BODY_BYTES", "1000")
        .arg("import")
        .arg(fixture("bad-lines.jsonl"))
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "some lines rejected: {err}");
    for expected in [
        "line 2: not valid JSON",
        "line 3: missing required field \"title\"",
        "line 4: missing required field \"body\"",
        "line 5: field \"title\" must be a string, got a number",
        "line 6: field \"published_at\": unparseable date \"昨天下午\"",
        "line 7: body is 1200 bytes, over the limit of 1000",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(err.contains("imported 2 (updated 0, unchanged 0, rejected 6)"), "{err}");

    // Idempotent: the same file again changes nothing, never duplicates.
    let again = zixun(dir.path())
        .env("ZIXUN_MAX_BODY_BYTES", "1000")
        .arg("import")
        .arg(fixture("bad-lines.jsonl"))
        .output()
        .expect("run");
    assert!(stderr(&again).contains("imported 2 (updated 0, unchanged 2, rejected 6)"), "{}", stderr(&again));
    // A line longer than the body limit allows is reported by its number and read past, never
    // held whole (50 MB lines took 247 MB); the lines around it go in.
    let long_dir = tempfile::tempdir().expect("tempdir");
    let long = long_dir.path().join("long-line.jsonl");
    let body = "长".repeat(2_000_000);
    std::fs::write(
        &long,
        format!(
            "{}\n{}\n{}\n",
            r#"{"id":"long-1","title":"长文之前","body":"第一篇。"}"#,
            serde_json::json!({"id": "long-2", "title": "过长的一行", "body": body}),
            r#"{"id":"long-3","title":"长文之后","body":"第三篇。"}"#,
        ),
    )
    .expect("write");
    let out = import(long_dir.path(), &long);
    let err = stderr(&out);
    assert!(err.contains("line 2: line is 6000052 bytes, over the limit of 2162688"), "{err}");
    assert!(err.contains("imported 2 (updated 0, unchanged 0, rejected 1)"), "{err}");

    // Without an id, the same url is the same article.
    let no_id = dir.path().join("by-url.jsonl");
    std::fs::write(
        &no_id,
        "{\"title\":\"按链接去重\",\"body\":\"正文。\",\"url\":\"https://example.com/x\",\"source\":\"某报\"}\n",
    )
    .expect("write");
    assert!(stderr(&import(dir.path(), &no_id)).contains("imported 1 (updated 0, unchanged 0, rejected 0)"));
    assert!(stderr(&import(dir.path(), &no_id)).contains("imported 1 (updated 0, unchanged 1, rejected 0)"));
    std::fs::write(
        &no_id,
        "{\"title\":\"按链接去重（更正）\",\"body\":\"正文。\",\"url\":\"https://example.com/x\",\"source\":\"某报\"}\n",
    )
    .expect("write");
    assert!(stderr(&import(dir.path(), &no_id)).contains("imported 1 (updated 1, unchanged 0, rejected 0)"));

    let portal = Portal::start(dir.path(), &[]).await;
    let (_, list) = portal.json("/api/articles").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    let html_id = portal.id_of("ok-2").await;
    let (_, a) = portal.json(&format!("/api/articles/{html_id}")).await;
    let body = a["body_html"].as_str().expect("body_html");
    assert!(body.contains("HTML 正文") && !body.contains("script") && !body.contains("onclick"), "{body}");

    // Nothing could be done: exit 1.
    let missing = zixun(dir.path()).arg("import").arg(dir.path().join("nope.jsonl")).output().expect("run");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot open"));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_views_are_all_counted_and_flushed_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let id = portal.id_of("fx-02").await;
    let views = |v: &serde_json::Value| v["views"].as_i64().expect("views");
    let (_, before) = portal.json(&format!("/api/articles/{id}")).await;

    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let client = portal.client.clone();
        let url = portal.url(&format!("/a/{id}"));
        tasks.push(tokio::spawn(async move { client.get(url).send().await.map(|r| r.status().as_u16()) }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("request"), 200);
    }
    // HEAD and crawlers do not count.
    assert_eq!(portal.client.head(portal.url(&format!("/a/{id}"))).send().await.expect("HEAD").status(), 200);
    let bot = portal
        .client
        .get(portal.url(&format!("/a/{id}")))
        .header("user-agent", "Mozilla/5.0 (compatible; Baiduspider/2.0)");
    assert_eq!(bot.send().await.expect("bot").status(), 200);
    let want = views(&before) + 1000;
    let flushed =
        eventually(10, || async { views(&portal.json(&format!("/api/articles/{id}")).await.1) == want }).await;
    assert!(flushed, "expected exactly {want} views");

    // Views still in memory at SIGTERM are written before exit.
    for _ in 0..25 {
        assert_eq!(portal.get(&format!("/a/{id}")).await.status(), 200);
    }
    portal.terminate();
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, after) = portal.json(&format!("/api/articles/{id}")).await;
    assert_eq!(views(&after), want + 25);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_404_and_etags_give_304() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    for path in ["/a/999999", "/a/abc", "/a/-1", "/no/such/page", "/c/不存在的栏目"] {
        let (status, body) = portal.text(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("页面不存在"), "themed 404 for {path}");
    }
    // An id that is not even UTF-8 gets the API's JSON 404 too (was axum's text/plain 400).
    for path in [
        "/api/articles/999999",
        "/api/articles/abc",
        "/api/articles/%FF",
        "/api/articles/%FF/related",
        "/api/articles/5/related/x",
        "/api/nothing",
    ] {
        let (status, body) = portal.json(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    for path in [
        "/api/articles?limit=0",
        "/api/articles?limit=abc",
        "/api/articles?limit=100000",
        "/api/articles?cursor=zzz",
        "/api/hot?limit=-3",
        "/api/articles/1/related?limit=x",
    ] {
        let (status, body) = portal.json(path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{path}");
    }

    let id = portal.id_of("fx-06").await;
    let first = portal.get(&format!("/a/{id}")).await;
    let etag = first.headers().get("etag").expect("etag").to_str().expect("ascii").to_string();
    let again =
        portal.client.get(portal.url(&format!("/a/{id}"))).header("if-none-match", &etag).send().await.expect("GET");
    assert_eq!(again.status(), 304);
    // Compressed variants of the cached page.
    for enc in ["br", "gzip"] {
        let r = portal
            .client
            .get(portal.url(&format!("/a/{id}")))
            .header("accept-encoding", enc)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some(enc));
    }
    // Static assets have hashed names and long lifetimes.
    let (_, home) = portal.text("/").await;
    let css = home.split("href=\"/static/").nth(1).and_then(|s| s.split('"').next()).expect("css link");
    let r = portal.get(&format!("/static/{css}")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["cache-control"].to_str().expect("ascii").contains("immutable"));
}

#[tokio::test(flavor = "multi_thread")]
async fn import_while_serving_shows_up_within_seconds() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, home) = portal.text("/").await;
    assert!(!home.contains("定时任务导入的快讯"));
    let mut child =
        zixun(dir.path()).args(["import", "-"]).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            "{\"id\":\"cron-1\",\"title\":\"定时任务导入的快讯\",\"body\":\"一条由定时任务导入的快讯正文。\"}\n"
                .as_bytes(),
        )
        .expect("write");
    assert!(child.wait().expect("wait").success());
    let shown = eventually(3, || async {
        portal.text("/").await.1.contains("定时任务导入的快讯")
            && portal.json("/api/search?q=定时任务").await.1["total"] == 1
    })
    .await;
    assert!(shown, "an import into a running site shows on the home page and in search within 3 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn import_killed_half_way_leaves_whole_articles_and_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("many.jsonl");
    let mut lines = String::new();
    for i in 0..4000 {
        lines.push_str(&format!(
            "{{\"id\":\"bulk-{i}\",\"title\":\"批量导入测试第{i}篇\",\"body\":\"第{i}篇的第一段正文，介绍测试内容。\\n\\n第二段正文，补充更多细节。\",\"category\":\"测试\"}}\n"
        ));
    }
    std::fs::write(&file, lines).expect("write");
    let mut child = zixun(dir.path()).arg("import").arg(&file).stderr(Stdio::null()).spawn().expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    let out = import(dir.path(), &file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, c) = portal.json("/api/articles?category=测试&limit=1").await;
    assert_eq!(c["items"].as_array().map(Vec::len), Some(1));
    let (_, metrics) = portal.text("/metrics").await;
    assert!(metrics.contains("zixun_articles 4000"), "every article once, none twice");
    // Every stored article is whole: its page renders with its body.
    let (_, page) = portal.text(&format!("/a/{}", c["items"][0]["id"])).await;
    assert!(page.contains("第二段正文，补充更多细节。"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_theme_folder_overrides_templates_file_by_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let theme = dir.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).expect("mkdir");
    std::fs::write(
        theme.join("templates/error.html"),
        "{% extends \"base.html\" %}{% block main %}<p class=custom>自定义的错误页：{{ message }}</p>{% endblock %}",
    )
    .expect("write");
    let portal = Portal::start(dir.path(), &["--theme", theme.to_str().expect("utf-8 path")]).await;
    let (status, body) = portal.text("/a/424242").await;
    assert_eq!(status, 404);
    assert!(body.contains("自定义的错误页：页面不存在"), "{body}");
    // Templates not in the folder stay the built-in ones; values are escaped.
    let (status, body) = portal.text("/search?q=<script>alert(1)</script>").await;
    assert_eq!(status, 200);
    assert!(!body.contains("<script>alert(1)</script>") && body.contains("&lt;script&gt;"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_of_a_story_is_linked_to_it_and_hidden() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let original = portal.id_of("fx-08").await;
    // fx-09 is fx-08 syndicated by another outlet under another title; ids follow import order.
    let (status, copy) = portal.json("/api/articles/9").await;
    assert_eq!(status, 200);
    assert_eq!(copy["ext_id"], "fx-09");
    assert_eq!(copy["copy_of"], original);
    let (_, page) = portal.text("/a/9").await;
    assert!(
        page.contains(&format!("<link rel=\"canonical\" href=\"{}/a/{original}\">", portal.base)),
        "canonical is the head"
    );
    for path in ["/", "/c/健康", "/source/健康周刊", "/tag/流感"] {
        let (_, body) = portal.text(path).await;
        assert!(!body.contains("/a/9\""), "{path} lists the copy");
    }
    let (_, rel) = portal.json(&format!("/api/articles/{original}/related?limit=20")).await;
    assert!(rel["items"].as_array().expect("items").iter().all(|i| i["id"] != 9), "{rel}");
    let (_, head) = portal.json(&format!("/api/articles/{original}")).await;
    assert_eq!(head["copy_of"], serde_json::Value::Null);
}

/// Four different stories published now, all tagged 量子通信, which the older fixtures never use.
fn quantum_burst(dir: &Path) -> PathBuf {
    let burst = dir.join("burst.jsonl");
    let bodies = [
        "国内首条城际量子通信干线今天开通，全长三百公里，连接两座城市的政务网络。",
        "一家初创公司发布量子密钥分发设备，体积只有家用路由器大小，售价大幅下降。",
        "高校研究团队在卫星与地面站之间完成量子通信实验，刷新传输距离纪录。",
        "多家银行开始试点量子加密专线，用于跨行清算数据的传输，安全性显著提升。",
    ];
    let lines: Vec<String> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| serde_json::json!({"id": format!("q-{i}"), "title": format!("量子通信进展{i}"), "body": b, "tags": ["量子通信"], "category": "科技"}).to_string())
        .collect();
    std::fs::write(&burst, lines.join("\n")).expect("write");
    burst
}

async fn trends(portal: &Portal, word: &str, count: u64) -> bool {
    let (_, t) = portal.json("/api/trending").await;
    t["items"].as_array().is_some_and(|items| items.iter().any(|w| w["word"] == word && w["count_24h"] == count))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_stories_makes_a_trending_word() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    assert!(import(dir.path(), &quantum_burst(dir.path())).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let trending = eventually(5, || trends(&portal, "量子通信", 4)).await;
    assert!(trending, "{}", portal.json("/api/trending").await.1);
    let (_, t) = portal.json("/api/trending").await;
    assert!(t["items"].as_array().expect("items").iter().all(|w| w["word"] != "流感"), "old words do not trend");
    let (_, home) = portal.text("/").await;
    assert!(home.contains("热词") && home.contains("href=\"/tag/%E9%87%8F%E5%AD%90%E9%80%9A%E4%BF%A1\""), "{home}");
}

/// 热词 is refreshed while the node runs (`trending_refresh_seconds`), not computed once at start.
#[tokio::test(flavor = "multi_thread")]
async fn trending_words_follow_stories_published_after_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start_with(dir.path(), &[], &[("ZIXUN_TRENDING_REFRESH_SECONDS", "0.5")]).await;
    assert!(!trends(&portal, "量子通信", 4).await);
    assert!(import(dir.path(), &quantum_burst(dir.path())).status.success());
    let trending = eventually(10, || trends(&portal, "量子通信", 4)).await;
    assert!(trending, "{}", portal.json("/api/trending").await.1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_article_reaches_older_related_lists_and_lists_explain_themselves() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let older = portal.id_of("fx-06").await;
    let (_, before) = portal.json(&format!("/api/articles/{older}/related?limit=3")).await;
    let first = &before["items"][0];
    assert_eq!(first["title"], "江州马拉松冠军出炉", "{before}");
    assert!(first["shared_keywords"].as_array().expect("shared").iter().any(|w| w == "马拉松"), "{before}");
    assert!(before["items"].as_array().expect("items").iter().all(|i| i["id"] != older), "never itself");

    let newer = dir.path().join("newer.jsonl");
    std::fs::write(
        &newer,
        "{\"id\":\"fx-new\",\"title\":\"江州马拉松赛后：跑者恢复指南\",\"body\":\"江州国际马拉松结束后，跑者应如何恢复？专家建议赛后一周以慢跑和拉伸为主。\\n\\n马拉松赛道上的补给经验也值得总结，跑者可以记录配速和补给时间。\",\"category\":\"体育\",\"tags\":[\"马拉松\"]}\n",
    )
    .expect("write");
    assert!(import(dir.path(), &newer).status.success());
    let reached = eventually(5, || async {
        let (_, after) = portal.json(&format!("/api/articles/{older}/related?limit=3")).await;
        after["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["title"] == "江州马拉松赛后：跑者恢复指南"))
    })
    .await;
    assert!(reached, "a new related article shows in an older article's list within seconds");
}

/// An unchanged re-import (the common case of a feed polled again) is not a change: the index
/// stays caught up and the page cache keeps its pages. A site without categories caches too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_reimport_moves_nothing_and_the_cache_keeps_its_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plain.jsonl");
    let mut lines = String::new();
    for i in 0..12 {
        lines.push_str(&format!(
            "{{\"id\":\"plain-{i}\",\"title\":\"没有栏目的第{i}篇稿件\",\"body\":\"第{i}篇稿件没有栏目，正文讲述第{i}件事。\",\"published_at\":\"2026-11-20 08:{i:02}:00\"}}\n"
        ));
    }
    std::fs::write(&file, lines).expect("write");
    assert!(import(dir.path(), &file).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, health) = portal.json("/healthz").await;
    let seq = health["store_seq"].as_i64().expect("seq");
    assert_eq!(health["index_lag"], 0);
    let again = import(dir.path(), &file);
    assert!(stderr(&again).contains("unchanged 12"), "{}", stderr(&again));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, health) = portal.json("/healthz").await;
    assert_eq!((health["store_seq"].as_i64(), health["index_lag"].as_i64()), (Some(seq), Some(0)), "{health}");
    let id = portal.json("/api/articles?limit=1").await.1["items"][0]["id"].as_i64().expect("id");
    let path = format!("/a/{id}");
    portal.get(&path).await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let res = portal.get(&path).await;
        assert_eq!(res.headers()["x-cache"], "hit", "the follower must not empty the cache");
    }
}

/// The ids of the articles a page links to.
fn linked_ids(html: &str) -> std::collections::BTreeSet<i64> {
    html.split("/a/")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect()
}

/// An edit drops the cached pages that show the article, the lists it is on and the pages of
/// its nearest articles (none here); every other article page stays cached (a crawler walking the site keeps its hits through a news day).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_drops_only_the_pages_that_show_the_article() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Sixteen stories that share no words: no article is another's neighbour.
    let stories = [
        ("江州马拉松", "三万名跑者清晨起跑，沿江赛道风景秀丽。"),
        ("芯片工厂", "晶圆产线投产，月产能达到五万片。"),
        ("稻米丰收", "南方早稻亩产创下新高，农户喜笑颜开。"),
        ("地铁新线", "地铁五号线开通运营，串联东西城区。"),
        ("博物馆展览", "青铜器特展开幕，百余件文物首次亮相。"),
        ("台风预警", "气象台发布橙色警报，沿海渔船回港避风。"),
        ("围棋比赛", "九段棋手执白中盘胜，卫冕冠军头衔。"),
        ("新能源汽车", "电池续航突破八百公里，订单排到明年。"),
        ("高考改革", "选科组合增多，招生录取规则调整。"),
        ("冬奥冰雪", "滑雪场迎来开板，冰雪旅游持续升温。"),
        ("航天发射", "运载火箭成功发射，卫星顺利进入轨道。"),
        ("油价调整", "成品油零售价格下调，每吨降低两百元。"),
        ("古镇客栈", "石板小巷游人如织，民宿预订火爆。"),
        ("医保目录", "谈判药品纳入报销，患者负担明显减轻。"),
        ("足球联赛", "主队补时绝杀客队，球迷彻夜狂欢。"),
        ("房贷利率", "首套住房贷款利率下行，购房者观望情绪缓解。"),
    ];
    let line = |i: usize, title: &str| {
        let (topic, body) = stories[i];
        let category = if i.is_multiple_of(2) { "体育" } else { "科技" };
        format!(
            "{{\"id\":\"edit-{i}\",\"title\":\"{title}\",\"body\":\"{topic}：{body}\",\"category\":\"{category}\",\"published_at\":\"2026-11-20 08:{i:02}:00\"}}\n"
        )
    };
    let file = dir.path().join("site.jsonl");
    let all: String = (0..16).map(|i| line(i, &format!("原题{i}·{}", stories[i].0))).collect();
    std::fs::write(&file, all).expect("write");
    assert!(import(dir.path(), &file).status.success());
    let portal = Portal::start_with(dir.path(), &[], &[("ZIXUN_PAGE_CACHE_SECONDS", "600")]).await;
    let mut ext_of = std::collections::HashMap::new();
    for i in 0..16 {
        ext_of.insert(portal.id_of(&format!("edit-{i}")).await, i);
    }
    // Every article page, cached, and what each links to.
    let mut shows = std::collections::BTreeMap::new();
    for &id in ext_of.keys() {
        let (status, html) = portal.text(&format!("/a/{id}")).await;
        assert_eq!(status, 200);
        shows.insert(id, linked_ids(&html));
    }
    // Edit the article the fewest other pages link to.
    let edited = *ext_of.keys().min_by_key(|&&id| shows.values().filter(|s| s.contains(&id)).count()).expect("one");
    let others: Vec<i64> =
        shows.iter().filter(|(id, s)| **id != edited && !s.contains(&edited)).map(|(id, _)| *id).collect();
    assert!(others.len() >= 4, "{others:?}: too few pages leave the edited article out for the test to mean much");
    let i = ext_of[&edited];
    std::fs::write(&file, line(i, "改过的标题：进展更新")).expect("write");
    assert!(import(dir.path(), &file).status.success());
    let edited_path = format!("/a/{edited}");
    assert!(
        eventually(5, || async { portal.text(&edited_path).await.1.contains("改过的标题") }).await,
        "the edited page shows the new title"
    );
    assert!(portal.text("/").await.1.contains("改过的标题"), "the home page lists the new title");
    for id in &others {
        let res = portal.get(&format!("/a/{id}")).await;
        assert_eq!(res.headers()["x-cache"], "hit", "/a/{id} does not show the edited article and stays cached");
    }
    for (id, s) in &shows {
        if s.contains(&edited) {
            let (_, html) = portal.text(&format!("/a/{id}")).await;
            assert!(!html.contains(&format!("原题{i}·")), "/a/{id} shows the old title");
        }
    }
    let (_, metrics) = portal.text("/metrics").await;
    assert!(metrics.contains("zixun_page_cache_bytes "), "{metrics}");
}

/// Reads from `s` until the server closes it (`Some(seconds it took)`) or `within` passes.
async fn closed_within(s: &mut tokio::net::TcpStream, within: Duration) -> Option<f64> {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed().as_secs_f64()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_trickling_and_idle_connections_are_closed_and_capped() {
    use tokio::{io::AsyncWriteExt, net::TcpStream};
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let env =
        [("ZIXUN_HEADER_TIMEOUT_SECONDS", "1"), ("ZIXUN_IDLE_TIMEOUT_SECONDS", "3"), ("ZIXUN_MAX_CONNECTIONS", "20")];
    let portal = Portal::start_with(dir.path(), &[], &env).await;
    let addr = portal.base.trim_start_matches("http://").to_string();

    // Sockets that send nothing hold no slot for long: closed after the header timeout.
    let mut silent = Vec::new();
    for _ in 0..30 {
        silent.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // Thirty silent sockets against twenty slots: a reader still gets the page, once the
    // silent ones time out (they wait in the backlog, never use up descriptors).
    let started = std::time::Instant::now();
    let res = portal.client.get(portal.url("/")).timeout(Duration::from_secs(10)).send().await.expect("served");
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(6), "waited {:?}", started.elapsed());
    for s in &mut silent {
        let took = closed_within(s, Duration::from_secs(5)).await.expect("a silent socket is closed");
        assert!(took < 4.0, "closed after {took} s");
    }

    // Headers trickled a byte at a time are cut off at the header timeout, not held open.
    let mut trickle = TcpStream::connect(&addr).await.expect("connect");
    let started = std::time::Instant::now();
    let mut cut_off = false;
    for b in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter() {
        if trickle.write_all(&[*b]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    let took = if cut_off {
        Some(started.elapsed().as_secs_f64())
    } else {
        closed_within(&mut trickle, Duration::from_secs(3)).await
    };
    assert!(took.is_some_and(|t| t < 3.0), "a trickling client was cut off after {took:?} s");

    // A keep-alive connection outlives the header timeout between requests, up to the idle one.
    let mut kept = TcpStream::connect(&addr).await.expect("connect");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("write");
    let mut head = vec![0u8; 4096];
    let n = {
        use tokio::io::AsyncReadExt;
        kept.read(&mut head).await.expect("answer")
    };
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&head[..n]));
    let took = closed_within(&mut kept, Duration::from_secs(6)).await.expect("an idle connection is closed");
    assert!((2.0..5.0).contains(&took), "idle for {took} s (header timeout 1 s, idle timeout 3 s)");
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_lists_filter_by_source_author_and_tag() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let (_, all) = portal.json("/api/articles?limit=100").await;
    let total = all["items"].as_array().map_or(0, Vec::len);
    let list = |query: &'static str| {
        let portal = &portal;
        async move {
            let (status, v) = portal.json(&format!("/api/articles?limit=100&{query}")).await;
            assert_eq!(status, 200, "{query}: {v}");
            v["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let by_source = list("source=南方科技报").await;
    assert!(!by_source.is_empty() && by_source.len() < total, "{by_source:?}");
    assert!(by_source.iter().all(|i| i["source"] == "南方科技报"), "{by_source:?}");
    let by_author = list("author=本站记者 林晓").await;
    assert_eq!(by_author.len(), 1, "{by_author:?}");
    assert_eq!(by_author[0]["title"], "马斯克旗下xAI发布新一代大模型");
    let by_tag = list("tag=马拉松").await;
    assert!(!by_tag.is_empty() && by_tag.len() < total, "{by_tag:?}");
    assert!(by_tag.iter().all(|i| i["category"] == "体育"), "{by_tag:?}");
    assert!(list("source=没有这家媒体").await.is_empty());
    let (status, body) = portal.json("/api/articles?source=南方科技报&tag=芯片").await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_parameter")), "{body}");
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_publishes_its_openapi_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(import(dir.path(), &fixture("articles.jsonl")).status.success());
    let portal = Portal::start(dir.path(), &[]).await;
    let (status, doc) = portal.json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    // Every operation of the JSON API, and what each answers with.
    for (path, method, schema) in [
        ("/api/articles", "get", "ArticleList"),
        ("/api/articles", "post", "ApiArticle"),
        ("/api/articles/{id}", "get", "ApiArticle"),
        ("/api/articles/{id}", "put", "ApiArticle"),
        ("/api/articles/{id}", "delete", ""),
        ("/api/articles/{id}/related", "get", "RelatedList"),
        ("/api/hot", "get", "HotResponse"),
        ("/api/search", "get", "SearchResponse"),
        ("/api/trending", "get", "TrendingResponse"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        if !schema.is_empty() {
            let ok =
                op["responses"].as_object().and_then(|r| r.iter().find(|(k, _)| k.starts_with('2')).map(|(_, v)| v));
            let reference =
                ok.map(|r| r["content"]["application/json"]["schema"]["$ref"].to_string()).unwrap_or_default();
            assert!(reference.ends_with(&format!("/{schema}\"")), "{method} {path}: {reference}");
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
    }
    // The document describes what the server really answers: a list item has every field the
    // schema requires.
    let (_, list) = portal.json("/api/articles?limit=1").await;
    let required = doc["components"]["schemas"]["ApiSummary"]["required"].as_array().cloned().unwrap_or_default();
    assert!(!required.is_empty());
    for field in required {
        let field = field.as_str().unwrap_or_default();
        assert!(list["items"][0].get(field).is_some(), "{field} missing in {list}");
    }
    portal.terminate();
}
