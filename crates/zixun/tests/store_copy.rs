//! `zixun store copy`: the demo site moved from SQLite into PostgreSQL answers every API
//! request the same on both backends; a second copy is refused without --force; a copy
//! killed half-way is completed by running it again.
//!
//! Needs PostgreSQL: `#[ignore]`d for `cargo test --workspace` (see `.ci/run`).

mod common;

use common::{PgDatabase, Portal, eventually, zixun};
use serde_json::Value;

/// The first place where two answers differ, as a JSON path with both values, or `None`.
/// What differs by nature is not a difference: each node's own address in links, timings, and
/// scores that decay with the clock (the two nodes are asked a few milliseconds apart, which
/// can fall either side of a second) within a millionth of each other, hot scores within what
/// one hot-list refresh interval decays.
fn difference(a: &Value, b: &Value, base_a: &str, base_b: &str, at: &str) -> Option<String> {
    let differs = || Some(format!("{at}: {a} ≠ {b}"));
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().filter(|k| *k != "took_ms").find_map(|k| {
                let (p, q) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                difference(p, q, base_a, base_b, &format!("{at}.{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| difference(p, q, base_a, base_b, &format!("{at}[{i}]")))
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            // Each node computes its hot list at its own refresh (every 5 s): 5 s of a 6-hour
            // half-life's decay, 1.6e-4, may lie between the two nodes' scores.
            let tolerance = if at.ends_with(".hot_score") { 2e-4 } else { 1e-6 };
            if (x - y).abs() <= tolerance * x.abs().max(y.abs()) { None } else { differs() }
        }
        (Value::String(x), Value::String(y)) => {
            if x.replace(base_a, "BASE") == y.replace(base_b, "BASE") {
                None
            } else {
                differs()
            }
        }
        _ => (a != b).then(differs).flatten(),
    }
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
    // The demo's editorial slots, site-wide and a category's.
    paths.extend(
        ["/api/slots/headline", "/api/slots/carousel", "/api/slots/recommended", "/api/slots/推荐?category=科技"]
            .map(String::from),
    );
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
        if let Some(d) = difference(&a, &b, &sqlite.base, &pg.base, "") {
            panic!("{path} differs between SQLite and PostgreSQL at {d}");
        }
    }
    sqlite.terminate();
    pg.terminate();
    db.drop().await;
}
