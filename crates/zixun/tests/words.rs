//! 敏感词 over the real binary: each mode (block, review, replace) on each write path (the
//! editor's form, the API, `zixun import`, feeds), a held feed entry kept from lists, search
//! and feeds until an editor releases it, the audit log, and a list edited while serving.

mod common;

use common::{
    Portal, feed_server,
    newsroom::{Web, add_token, add_user, raw_client},
    zixun,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WORDS: &str = "# 站点词表（测试）\n禁发词 block\n待审词 review\n替换词 replace\n这行没有模式\n";

async fn api(
    portal: &Portal,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = raw_client().request(method, portal.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("send");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Runs the binary with the word list, off the async threads.
async fn run(dir: &std::path::Path, words: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = zixun(dir);
    cmd.env("ZIXUN_SENSITIVE_WORDS", words).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run zixun")).await.expect("join");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The newsroom id of the article titled `title` in the 待审 list.
fn held_id(list_page: &str, title: &str) -> Option<i64> {
    let at = list_page.find(&format!(">{title}<"))?;
    let link = list_page[..at].rfind("/admin/a/")?;
    list_page[link + "/admin/a/".len()..at].trim_end_matches('"').parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_mode_on_each_write_path() {
    let feeds = feed_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let words = d.join("words.txt");
    std::fs::write(&words, WORDS).expect("write words");

    // The list is checked from the command line: the bad line is named, the rest counted.
    let (code, out, err) = run(d, &words, &["words", "check"]).await;
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("line 5") && err.contains("no mode"), "{err}");
    assert!(out.contains("3 words — 1 block, 1 review, 1 replace; 1 bad lines skipped"), "{out}");

    for (name, role) in [("总编", "admin"), ("编辑甲", "editor"), ("作者乙", "author")] {
        add_user(d, name, role);
    }
    let (editor, author) = (add_token(d, "编辑甲"), add_token(d, "作者乙"));
    let env = [("ZIXUN_SENSITIVE_WORDS", words.to_str().expect("path")), ("ZIXUN_FETCH_FEEDS", "false")];
    let portal = Portal::start_with(d, &[], &env).await;
    let p = &portal;

    // API, block: refused with the field and the word (folded: 禁發詞 is 禁发词), nothing stored.
    let night = json!({"title": "夜市开张", "body": "正文里有禁發詞。", "category": "本地", "status": "published"});
    let (status, err) = api(p, Method::POST, "/api/articles", Some(&editor), Some(night.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["code"], "sensitive_words", "{err}");
    assert_eq!(err["error"]["field"], "body", "{err}");
    assert!(err["error"]["message"].as_str().is_some_and(|m| m.contains("禁发词")), "{err}");
    let (_, list) = p.json("/api/articles?limit=50").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing was stored: {list}");
    // A draft may hold the word while it is written; publishing or submitting it may not.
    let mut draft = night.clone();
    draft["status"] = json!("draft");
    let (status, saved) = api(p, Method::POST, "/api/articles", Some(&editor), Some(draft)).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let draft_id = saved["id"].as_i64().expect("id");
    let (status, err) =
        api(p, Method::PUT, &format!("/api/articles/{draft_id}"), Some(&editor), Some(night.clone())).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sensitive_words")));
    let in_title = json!({"title": "禁发词进了标题", "body": "正文。", "status": "submitted"});
    let (status, err) = api(p, Method::POST, "/api/articles", Some(&author), Some(in_title)).await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("title")));

    // API, replace: ＊ of the word's length in the title, the body, the page; search cannot find it.
    let flowers = json!({"title": "公园替换词菊展", "body": "游客说替換詞，菊展照常。", "status": "published"});
    let (status, saved) = api(p, Method::POST, "/api/articles", Some(&editor), Some(flowers)).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["title"], "公园＊＊＊菊展");
    let flowers_id = saved["id"].as_i64().expect("id");
    let (_, page) = p.text(&format!("/a/{flowers_id}")).await;
    assert!(page.contains("游客说＊＊＊，菊展照常") && !page.contains("替换词") && !page.contains("替換詞"));
    let (_, found) = p.json("/api/search?q=替换词").await;
    assert_eq!(found["total"], 0, "{found}");

    // API, review: an author's publishing is a submission anyway; an editor's is the review.
    let bridge = json!({"title": "大桥检修", "body": "通告提到待审词。", "status": "published"});
    let (_, by_author) = api(p, Method::POST, "/api/articles", Some(&author), Some(bridge.clone())).await;
    assert_eq!(by_author["workflow"], "submitted", "{by_author}");
    let (_, by_editor) = api(p, Method::POST, "/api/articles", Some(&editor), Some(bridge)).await;
    assert_eq!(by_editor["workflow"], "published", "{by_editor}");

    // The editor's form: refused with the word named, and what was written is shown again.
    let web = Web::login(p, "编辑甲").await;
    let res =
        web.save(&web.csrf, &[("title", "桥梁夜检"), ("body", "检修通告写了禁发词。"), ("action", "publish")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = res.text().await.expect("body");
    assert!(form.contains("含有禁止发布的敏感词") && form.contains("禁发词"), "the form says which word");
    assert!(form.contains("检修通告写了禁发词。"), "the text is kept");

    // Import: the block line is rejected by number, the review line held, the replace line masked.
    let lines = [
        json!({"id": "imp-block", "title": "导入一", "body": "正文含禁发词。"}),
        json!({"id": "imp-review", "title": "导入二之待审", "body": "正文含待审词。"}),
        json!({"id": "imp-replace", "title": "导入三", "body": "正文含替换词。"}),
    ];
    let file = d.join("import.jsonl");
    std::fs::write(&file, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("write");
    let (code, out, err) = run(d, &words, &["import", file.to_str().expect("path")]).await;
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("line 1") && err.contains("\"body\"") && err.contains("禁发词"), "{err}");
    let replaced = p.id_of("imp-replace").await;
    let (_, a) = p.json(&format!("/api/articles/{replaced}")).await;
    assert!(a["body_html"].as_str().is_some_and(|b| b.contains("正文含＊＊＊")), "{a}");

    // Feeds: the block entry is skipped, the review entry held, the replace entry masked.
    let source = format!("{feeds}/f/words.xml");
    let (code, out, err) = run(d, &words, &["sources", "add", &source]).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(d, &words, &["fetch"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("江城快讯: 3 entries: 2 new"), "{out}");
    assert!(err.contains("skipped https://jckx.example/2026/12/market.html") && err.contains("禁发词"), "{err}");
    let held_title = "江城大桥夜间封闭检修";
    assert!(
        common::eventually(10, || async { p.text("/").await.1.contains("江城公园菊展开幕") }).await,
        "the masked entry is out"
    );
    let (_, flowers_page) = p.text("/").await;
    assert!(!flowers_page.contains(held_title), "held: not on the home page");
    let (_, search) = p.json("/api/search?q=江城大桥").await;
    assert_eq!(search["total"], 0, "held: not in search: {search}");
    let (_, feed) = p.text("/feed.xml").await;
    assert!(!feed.contains(held_title) && !feed.contains("导入二之待审"), "held: not in the site's feed");
    let (_, waiting) = web.get("/admin?filter=submitted").await;
    assert!(waiting.contains("导入二之待审"), "the held import waits for an editor");
    let held = held_id(&waiting, held_title).expect("the held feed entry waits for an editor");
    let (_, dashboard) = web.get("/admin").await;
    assert!(dashboard.contains(held_title), "the dashboard lists it with the waiting articles");

    // An editor releases it; polling the feed again does not hold it a second time.
    let (_, stored) = api(p, Method::GET, &format!("/api/articles/{held}"), Some(&editor), None).await;
    assert_eq!(stored["workflow"], "submitted", "{stored}");
    let release = json!({"title": stored["title"], "body_html": stored["body_html"], "source": stored["source"],
        "url": stored["source_url"], "status": "published"});
    let (status, released) = api(p, Method::PUT, &format!("/api/articles/{held}"), Some(&editor), Some(release)).await;
    assert_eq!((status, released["workflow"].as_str()), (StatusCode::OK, Some("published")), "{released}");
    let (code, out, err) = run(d, &words, &["fetch"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("skipped https://jckx.example/2026/12/market.html"), "refused again: {err}");
    let (status, after) = p.json(&format!("/api/articles/{held}")).await;
    assert_eq!((status, after["workflow"].as_str()), (200, Some("published")), "still out after a poll: {after}");
    assert!(
        common::eventually(10, || async { p.json("/api/search?q=江城大桥").await.1["total"] == 1 }).await,
        "released: searchable"
    );

    // The list is edited while the server runs: the next write reads it (no restart).
    std::fs::write(&words, "禁发词 block\n待审词 block\n").expect("rewrite words");
    let later = json!({"title": "再谈检修", "body": "又提到待审词。", "status": "published"});
    let (status, err) = api(p, Method::POST, "/api/articles", Some(&editor), Some(later)).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sensitive_words")));

    // Every hit is in the audit log: refusals, holds, releases and masked words.
    let admin = Web::login(p, "总编").await;
    let (_, audit) = admin.get("/admin/audit").await;
    assert_eq!(
        audit.matches("《江城夜市今晚开张》：禁止「禁发词」（正文），未发布").count(),
        1,
        "a feed entry refused at every poll is in the audit log once"
    );
    for expected in [
        "《夜市开张》：禁止「禁发词」（正文），未发布",
        "《禁发词进了标题》：禁止「禁发词」（标题），未发布",
        "《导入一》：禁止「禁发词」（正文），未发布",
        "《江城夜市今晚开张》：禁止「禁发词」（正文），未发布",
        "《江城大桥夜间封闭检修》：审核「待审词」（正文），待编辑审核",
        "《导入二之待审》：审核「待审词」（正文），待编辑审核",
        "审核「待审词」（正文），编辑已放行，保持发布",
        "《公园＊＊＊菊展》：替换「替换词」（标题）；替换「替换词」（正文）",
        "《再谈检修》：禁止「待审词」（正文），未发布",
    ] {
        assert!(audit.contains(expected), "audit log lacks {expected}");
    }
    portal.terminate();
}
