//! `zixun store copy`: the demo site moved from SQLite into PostgreSQL answers every API
//! request the same on both backends; a second copy is refused without --force; a copy
//! killed half-way is completed by running it again.
//!
//! Needs PostgreSQL: `#[ignore]`d for `cargo test --workspace` (see `.ci/run`).

mod common;

use common::{PgDatabase, Portal, eventually, zixun};
use serde_json::Value;

/// An answer as text, with what differs by nature taken out: the node's own address in links,
/// and timings.
fn comparable(mut v: Value, base: &str) -> String {
    if let Some(o) = v.as_object_mut() {
        o.remove("took_ms");
    }
    v.to_string().replace(base, "BASE")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn the_demo_site_answers_the_same_after_a_copy() {
    let db = PgDatabase::create().await;
    let site = tempfile::tempdir().expect("t");
    // The demo content, on the default SQLite backend.
    let demo = Portal::start(site.path(), &["--demo"]).await;
    assert!(eventually(30, || async { demo.get("/readyz").await.status() == 200 }).await);
    demo.terminate();

    let copy = || zixun(site.path()).args(["store", "copy", "--to", &db.url]).output().expect("copy");
    let out = copy();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("articles") && !stdout.contains("differs"), "{stdout}");
    // Now the target holds a site: refused without --force.
    let again = copy();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    // A copy killed half-way: each batch is a transaction, so the target holds a prefix of the
    // tables and the mark of an unfinished copy. Made here exactly (a kill's timing is not).
    let mut conn = db.connect().await;
    for sql in [
        "INSERT INTO meta (key, value) VALUES ('copy_in_progress', 1)",
        "DELETE FROM article_views_hourly",
        "DELETE FROM article_terms WHERE article_id > 20",
        "DELETE FROM articles WHERE id > 20",
        "DELETE FROM term_df WHERE term > '中'",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect(sql);
    }
    let out = copy();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("completing an interrupted copy") && !stdout.contains("differs"), "{stdout}");

    // One node on each backend (each with its own index folder).
    let pg_dir = tempfile::tempdir().expect("t");
    let sqlite = Portal::start(site.path(), &[]).await;
    let pg = Portal::start_with(pg_dir.path(), &[], &[("ZIXUN_DATABASE_URL", db.url.as_str())]).await;
    for n in [&sqlite, &pg] {
        assert!(eventually(30, || async { n.get("/readyz").await.status() == 200 }).await);
    }
    let (_, list) = sqlite.json("/api/articles?limit=100").await;
    let ids: Vec<i64> = list["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_i64()).collect();
    assert!(ids.len() >= 40, "the demo site's articles");
    let mut paths = vec!["/api/articles?limit=100".to_string(), "/api/hot".into(), "/api/trending".into()];
    for q in ["芯片", "新能源汽车", "马斯克", "足球"] {
        paths.push(format!("/api/search?q={q}"));
    }
    for id in &ids {
        paths.push(format!("/api/articles/{id}"));
        paths.push(format!("/api/articles/{id}/related"));
    }
    for path in &paths {
        let (sa, a) = sqlite.json(path).await;
        let (sb, b) = pg.json(path).await;
        assert_eq!(sa, sb, "{path}");
        let (a, b) = (comparable(a, &sqlite.base), comparable(b, &pg.base));
        if a != b {
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(120);
            let around = |s: &str| s.get(from..(at + 120).min(s.len())).unwrap_or("").to_string();
            panic!("{path} differs between SQLite and PostgreSQL:\n{}\n{}", around(&a), around(&b));
        }
    }
    sqlite.terminate();
    pg.terminate();
    db.drop().await;
}
