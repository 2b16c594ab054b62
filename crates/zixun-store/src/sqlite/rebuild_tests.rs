//! Migration 14 copies the articles table into a new column order: nothing may be lost on the
//! way, above all the rows of other tables that point at articles with `ON DELETE CASCADE`.

use std::str::FromStr;

use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::{MIGRATOR, SqliteStore};
use crate::Store;

const BODY: &str = "正文第一段。正文第二段，比一页长得多。";

#[tokio::test]
async fn reordering_the_articles_table_keeps_every_row_and_what_points_at_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(SqliteStore::FILE_NAME);
    let options = SqliteConnectOptions::from_str("sqlite://")
        .expect("options")
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("pool");
    MIGRATOR.run_to(13, &pool).await.expect("migrations up to 13");

    // Two articles, the second a copy of the first and larger than a page (overflow pages), with
    // an owner, terms, a revision, a slot and hourly views.
    sqlx::query("INSERT INTO users (id, name, role, password_hash, created_at) VALUES (1, '编辑', 'editor', 'x', 0)")
        .execute(&pool)
        .await
        .expect("user");
    let long_body = BODY.repeat(400);
    for (id, body, copy_of) in [(1_i64, BODY.to_string(), None), (2, long_body.clone(), Some(1_i64))] {
        sqlx::query(
            "INSERT INTO articles (id, ext_id, title, author, category, tags, published_at, updated_at, body_html, \
             body_text, summary, keywords, simhash, status, views, seq, copy_of, band0, owner_id, workflow, cover, \
             original_title, editor, body_markdown, term_vector) \
             VALUES (?, ?, '标题', '记者', '国内', '[\"标签\"]', 100, 200, ?, ?, '摘要', '[\"关键词\"]', 77, \
             'published', 5, ?, ?, 77, 1, 'published', '/uploads/a.webp', '原题', '责编', '**正文**', '[[\"正文\",1.0]]')",
        )
        .bind(id)
        .bind(format!("ext-{id}"))
        .bind(format!("<p>{body}</p>"))
        .bind(&body)
        .bind(id)
        .bind(copy_of)
        .execute(&pool)
        .await
        .expect("article");
    }
    for sql in [
        "INSERT INTO article_terms (term, article_id) VALUES ('关键词', 1), ('关键词', 2)",
        "INSERT INTO article_revisions (article_id, at, user_id, user_name, action, content) \
         VALUES (2, 300, 1, '编辑', 'save', '{}')",
        "INSERT INTO slot_items (slot, position, article_id, created_at, created_by) VALUES ('headline', 0, 2, 0, '编辑')",
        "INSERT INTO article_views_hourly (article_id, hour, views) VALUES (2, 10, 5)",
    ] {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }

    const INDEXES: &str = "SELECT group_concat(name || ':' || sql, '; ') FROM \
         (SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'articles' ORDER BY name)";
    let indexes_before: String = sqlx::query_scalar(INDEXES).fetch_one(&pool).await.expect("indexes");

    MIGRATOR.run(&pool).await.expect("migration 14");

    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect(sql) }
    };
    assert_eq!(count("SELECT COUNT(*) FROM articles").await, 2);
    assert_eq!(count("SELECT COUNT(*) FROM article_terms").await, 2, "terms were not cascaded away");
    assert_eq!(count("SELECT COUNT(*) FROM article_revisions").await, 1, "revisions were not cascaded away");
    assert_eq!(count("SELECT COUNT(*) FROM slot_items").await, 1, "slots were not cascaded away");
    assert_eq!(count("SELECT copy_of FROM articles WHERE id = 2").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM pragma_foreign_key_check").await, 0);
    assert_eq!(count("PRAGMA foreign_keys").await, 1, "the connection checks foreign keys again");
    let indexes_after: String = sqlx::query_scalar(INDEXES).fetch_one(&pool).await.expect("indexes");
    assert_eq!(indexes_after, indexes_before, "every index of articles is built again, the same");

    // The bodies come after everything a summary reads.
    let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('articles') ORDER BY cid")
        .fetch_all(&pool)
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get("name"))
        .collect();
    let at = |name: &str| columns.iter().position(|c| c == name).expect(name);
    for small in ["title", "summary", "cover", "views", "simhash", "copy_of", "keywords"] {
        assert!(at(small) < at("body_text"), "{small} before the bodies: {columns:?}");
    }
    assert!(at("body_text") < at("body_html") && at("body_html") < at("term_vector"), "{columns:?}");

    // Deleting an article still cascades: the foreign keys point at the new table.
    sqlx::query("DELETE FROM articles WHERE id = 1").execute(&pool).await.expect("delete");
    assert_eq!(count("SELECT COUNT(*) FROM article_terms").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM articles WHERE copy_of IS NULL").await, 1, "copy_of set to NULL");
    pool.close().await;

    // The store reads the copied article whole.
    let store = SqliteStore::open(&path).await.expect("store");
    let article = store.article(2).await.expect("read").expect("article 2");
    assert_eq!(article.body_text, long_body);
    assert_eq!(article.title, "标题");
    assert_eq!(article.views, 5);
    assert_eq!(article.cover.as_deref(), Some("/uploads/a.webp"));
}
