//! Several `zixun serve` nodes on one PostgreSQL, over real HTTP: what one node writes every
//! node serves; views, the hot list, scheduled publishing, feed polls and login throttling are
//! shared; concurrent imports and a node killed with -9 lose nothing.
//!
//! Needs PostgreSQL: `#[ignore]`d for `cargo test --workspace`; `.ci/run` runs these with
//! `ZIXUN_TEST_DATABASE_URL` set and `--ignored`, each test in a database it creates and drops.

mod common;

use std::{
    io::Write,
    path::Path,
    process::Stdio,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use common::{PgDatabase, Portal, eventually, zixun};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

fn on(db: &PgDatabase) -> [(&'static str, &str); 1] {
    [("ZIXUN_DATABASE_URL", db.url.as_str())]
}

fn cli(dir: &Path, db: &PgDatabase, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = zixun(dir)
        .envs(on(db))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zixun");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "zixun {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

async fn start_nodes(db: &PgDatabase, dirs: &[&Path]) -> Vec<Portal> {
    let mut nodes = Vec::new();
    for d in dirs {
        nodes.push(Portal::start_with(d, &[], &on(db)).await);
    }
    for n in &nodes {
        assert!(eventually(30, || async { n.get("/readyz").await.status() == StatusCode::OK }).await, "node ready");
    }
    nodes
}

/// Articles on distinct subjects (so that none is a copy of another).
fn articles_file(dir: &Path, name: &str, prefix: &str, n: usize) -> std::path::PathBuf {
    const TOPICS: [&str; 8] = ["芯片", "高铁", "油价", "疫苗", "足球", "粮食", "汇率", "航天"];
    const PLACES: [&str; 8] = ["深圳", "成都", "西安", "杭州", "武汉", "青岛", "昆明", "沈阳"];
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).expect("create");
    for i in 0..n {
        let (t, p) = (TOPICS[i % 8], PLACES[(i / 8) % 8]);
        let body = format!(
            "{p}第{i}号{prefix}报道：{t}产业在{p}迎来第{i}个新项目，投资{}亿元。\n当地部门表示，{t}项目编号{prefix}{i}将在{}月开工，带动就业{}人。",
            i * 7 + 3,
            i % 12 + 1,
            i * 13 + 100
        );
        let line = json!({"id": format!("{prefix}-{i}"), "title": format!("{p}{t}项目{prefix}{i}启动"), "body": body,
            "category": t, "published_at": format!("2026-11-{:02} 08:00:00", i % 28 + 1)});
        writeln!(f, "{line}").expect("write");
    }
    path
}

async fn api_post(node: &Portal, token: &str, body: Value) -> Value {
    let res = node.client.post(node.url("/api/articles")).bearer_auth(token).json(&body).send().await.expect("POST");
    let status = res.status();
    let v: Value = res.json().await.expect("JSON");
    assert!(status.is_success(), "POST /api/articles: {status} {v}");
    v
}

async fn login(node: &Portal, name: &str, password: &str, xff: Option<&str>) -> StatusCode {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().expect("c");
    let form = client.get(node.url("/admin/login")).send().await.expect("GET login");
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zixun_login_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("login csrf cookie")
        .to_string();
    let csrf = cookie.trim_start_matches("zixun_login_csrf=").to_string();
    let mut req = client.post(node.url("/admin/login")).header("cookie", cookie).form(&[
        ("name", name),
        ("password", password),
        ("csrf", &csrf),
        ("next", "/admin"),
    ]);
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    req.send().await.expect("POST login").status()
}

/// A local feed server that counts the requests it answers.
async fn feed_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/feed.xml",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                (
                    [("content-type", "application/rss+xml; charset=utf-8")],
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>本地报</title>\
                     <link>http://127.0.0.1/</link><item><title>本地报的一条消息</title><link>http://127.0.0.1/1</link>\
                     <guid>local-1</guid><description>本地报今天发布了一条关于城市交通的消息，地铁新线开通。</description>\
                     </item></channel></rss>",
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/feed.xml"), hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn three_nodes_share_writes_views_schedules_feeds_and_logins() {
    let db = PgDatabase::create().await;
    let (a_dir, b_dir, c_dir) =
        (tempfile::tempdir().expect("t"), tempfile::tempdir().expect("t"), tempfile::tempdir().expect("t"));
    let (a_dir, b_dir, c_dir) = (a_dir.path(), b_dir.path(), c_dir.path());
    cli(a_dir, &db, &["users", "add", "王编辑", "--role", "editor"], Some(&format!("{PASSWORD}\n")));
    let token = String::from_utf8(cli(a_dir, &db, &["tokens", "add", "--user", "王编辑"], None).stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    let seed = articles_file(a_dir, "seed.jsonl", "seed", 40);
    cli(a_dir, &db, &["import", seed.to_str().expect("path")], None);
    let (feed_url, feed_hits) = feed_server().await;
    cli(a_dir, &db, &["sources", "add", &feed_url, "--name", "本地报", "--interval", "1m"], None);
    // The CLI allows a minute at least; a test cannot wait minutes.
    let mut conn = db.connect().await;
    sqlx::query("UPDATE sources SET interval_secs = 3, next_fetch_at = 0").execute(&mut conn).await.expect("interval");
    let nodes = start_nodes(&db, &[a_dir, b_dir, c_dir]).await;
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);

    // Written through A: on B's page, lists, search and feeds, and in C's related lists, in 2 s.
    let created = api_post(
        a,
        &token,
        json!({"title": "深圳芯片产业园第二期开工", "body": "深圳芯片产业迎来新项目，芯片产业园第二期今天开工，投资三百亿元。\n芯片项目将带动就业。",
               "category": "芯片", "status": "published"}),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let seen_on_b = eventually(2, || async {
        let page = b.text(&format!("/a/{id}")).await;
        let list = b.json("/api/articles?limit=5").await.1;
        let found = b.json(&format!("/api/search?q={}", "芯片产业园")).await.1;
        let rss = b.text("/rss.xml").await.1;
        page.0 == 200
            && list["items"].as_array().is_some_and(|i| i.iter().any(|x| x["id"] == id))
            && found["items"].as_array().is_some_and(|i| i.iter().any(|x| x["id"] == id))
            && rss.contains("深圳芯片产业园第二期开工")
    })
    .await;
    assert!(seen_on_b, "node B serves what node A wrote within 2 s");
    let related_on_c = eventually(2, || async {
        let (_, list) = c.json("/api/articles?category=芯片&limit=20").await;
        let others: Vec<i64> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["id"].as_i64())
            .filter(|&x| x != id)
            .collect();
        for other in others {
            let (_, rel) = c.json(&format!("/api/articles/{other}/related")).await;
            if rel["items"].as_array().is_some_and(|i| i.iter().any(|x| x["id"] == id)) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(related_on_c, "the new article is in related lists on node C");

    // 300 views spread over the three nodes add exactly 300; the hot list is the same on all.
    // (The page checks above counted views too: let them be flushed first.)
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = a.json(&format!("/api/articles/{id}")).await.1["views"].as_i64().expect("views");
    for i in 0..300 {
        let res = nodes[i % 3].get(&format!("/a/{id}")).await;
        assert_eq!(res.status(), 200);
    }
    let counted =
        eventually(10, || async { a.json(&format!("/api/articles/{id}")).await.1["views"] == before + 300 }).await;
    assert!(counted, "views: {}", a.json(&format!("/api/articles/{id}")).await.1["views"]);
    // The same articles in the same order (each node computes the decayed scores at its own
    // instant, so the scores themselves differ in their last digits).
    let hot_ids = || async {
        let mut lists = Vec::new();
        for n in &nodes {
            let (_, hot) = n.json("/api/hot").await;
            let ids: Vec<i64> =
                hot["items"].as_array().into_iter().flatten().filter_map(|x| x["id"].as_i64()).collect();
            lists.push(ids);
        }
        lists
    };
    let same_hot = eventually(10, || async {
        let lists = hot_ids().await;
        lists[0].first() == Some(&id) && lists.iter().all(|l| *l == lists[0])
    })
    .await;
    assert!(same_hot, "every node shows the same 热门资讯: {:?}", hot_ids().await);

    // A scheduled article goes out once, with one audit entry, whichever nodes are running.
    let at = jiff::Timestamp::now().as_second() + 2;
    let scheduled = api_post(
        b,
        &token,
        json!({"title": "定时发布的稿件", "body": "这是一篇定时发布的稿件，两秒后发出。", "status": "scheduled",
               "publish_at": jiff::Timestamp::from_second(at).expect("t").to_string()}),
    )
    .await["id"]
        .as_i64()
        .expect("id");
    let out = eventually(10, || async { c.get(&format!("/a/{scheduled}")).await.status() == 200 }).await;
    assert!(out, "the scheduled article went out");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let publishes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'publish' AND article_id = $1")
            .bind(scheduled)
            .fetch_one(&mut conn)
            .await
            .expect("count");
    assert_eq!(publishes, 1, "published once, by one node");

    // The due source is fetched once per interval (3 s) by the three nodes together.
    let before = feed_hits.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let polls = feed_hits.load(Ordering::SeqCst) - before;
    assert!((2..=5).contains(&polls), "{polls} polls in 10 s of a 3 s interval across 3 nodes");

    // Login failures on A and B count together; a forged X-Forwarded-For from an untrusted peer
    // (every test client is one) is ignored.
    for (node, xff) in [(a, "1.1.1.1"), (b, "2.2.2.2"), (a, "3.3.3.3"), (b, "4.4.4.4"), (a, "5.5.5.5")] {
        assert_eq!(login(node, "王编辑", "wrong password!", Some(xff)).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(c, "王编辑", PASSWORD, None).await, StatusCode::TOO_MANY_REQUESTS, "five failures on A and B");
    // Were the header believed, this would be a new address for the account, and let in.
    assert_eq!(
        login(b, "王编辑", PASSWORD, Some("9.9.9.9")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is the socket's, not the forged header's"
    );

    for n in nodes {
        n.terminate();
    }
    db.drop().await;
}

fn import(dir: &Path, db: &PgDatabase, file: &Path) -> std::process::Child {
    zixun(dir)
        .envs(on(db))
        .arg("import")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import")
}

async fn indexed_docs(node: &Portal) -> u64 {
    node.json("/healthz").await.1["indexed_docs"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn concurrent_imports_and_a_killed_node_lose_nothing() {
    let db = PgDatabase::create().await;
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("t")).collect();
    let paths: Vec<&Path> = dirs.iter().map(|d| d.path()).collect();
    let files = tempfile::tempdir().expect("t");
    let one = articles_file(files.path(), "one.jsonl", "甲", 2000);
    let two = articles_file(files.path(), "two.jsonl", "乙", 2000);
    let mut nodes = start_nodes(&db, &paths).await;

    // Two imports at once, from two processes; node B is killed -9 half-way.
    let (i1, mut i2) = (import(paths[0], &db, &one), import(paths[1], &db, &two));
    let b = &nodes[1];
    assert!(eventually(120, || async { indexed_docs(b).await >= 500 }).await, "node B indexes while imports run");
    nodes[1].child.kill().expect("kill -9 node B");
    let _ = nodes[1].child.wait();
    // A and C keep serving meanwhile.
    for n in [&nodes[0], &nodes[2]] {
        assert_eq!(n.get("/").await.status(), 200);
        assert_eq!(n.get("/readyz").await.status(), 200);
    }
    // The second import is killed -9 too; run again, it completes with nothing twice.
    i2.kill().expect("kill import");
    let _ = i2.wait();
    let first = i1.wait_with_output().expect("import");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let again = zixun(paths[1]).envs(on(&db)).arg("import").arg(&two).output().expect("import again");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));

    // Node B restarted catches up and turns ready; every node's index holds all 4,000.
    let restarted = Portal::start_with(paths[1], &[], &on(&db)).await;
    assert!(eventually(120, || async { restarted.get("/readyz").await.status() == StatusCode::OK }).await);
    nodes[1] = restarted;
    for n in &nodes {
        assert!(eventually(120, || async { indexed_docs(n).await == 4000 }).await, "index: {}", indexed_docs(n).await);
    }
    let mut conn = db.connect().await;
    let (rows, distinct): (i64, i64) = sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT ext_id) FROM articles")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!((rows, distinct), (4000, 4000), "nothing twice");
    let corpus: i64 =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'corpus_docs'").fetch_one(&mut conn).await.expect("c");
    assert_eq!(corpus, 4000, "each article counted once in the corpus, in its own transaction");
    for n in nodes {
        n.terminate();
    }
    db.drop().await;
}

/// `/healthz` and `/readyz` say only "unavailable" when the database is gone: its error (which
/// names the database) goes to the log, not to whoever asks.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn a_lost_database_is_unavailable_without_its_error_text() {
    let db = PgDatabase::create().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let node = start_nodes(&db, &[dir.path()]).await.remove(0);
    assert_eq!(node.json("/healthz").await.0, 200);
    db.drop().await;
    for path in ["/healthz", "/readyz"] {
        let gone = eventually(30, || async { node.get(path).await.status() == StatusCode::SERVICE_UNAVAILABLE }).await;
        assert!(gone, "{path} notices the database is gone");
        let (status, body) = node.json(path).await;
        assert_eq!((status, body), (503, json!({"status": "unavailable"})), "{path}");
    }
}
