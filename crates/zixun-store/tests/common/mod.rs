//! A backend to test on: a SQLite file in a temporary folder, or a fresh PostgreSQL database
//! (created from `ZIXUN_TEST_DATABASE_URL`, dropped afterwards).

use std::{path::PathBuf, sync::Arc};

use sqlx::{Connection, Executor};
use zixun_core::ArticleDraft;
use zixun_store::{Backend, OpenOptions};

pub struct TestDb {
    pub backend: Arc<dyn Backend>,
    place: Place,
}

enum Place {
    Sqlite(tempfile::TempDir),
    Postgres { server: String, name: String },
}

/// The server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = zixun_store::open(None, dir.path(), &OpenOptions::default()).await.expect("open sqlite");
        TestDb { backend, place: Place::Sqlite(dir) }
    }

    /// Fails (never skips) when the variable is unset or the server unreachable.
    pub async fn postgres() -> Self {
        let server = std::env::var("ZIXUN_TEST_DATABASE_URL").expect(
            "ZIXUN_TEST_DATABASE_URL must name a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres)",
        );
        let name = EmptyDatabase::create(&server).await.name;
        let backend =
            zixun_store::open(Some(&with_database(&server, &name)), &PathBuf::from("."), &OpenOptions::default())
                .await
                .expect("open postgres");
        TestDb { backend, place: Place::Postgres { server, name } }
    }

    /// Another handle on the same database, with its own pool (as another node would have).
    pub async fn second(&self) -> Arc<dyn Backend> {
        match &self.place {
            Place::Sqlite(dir) => zixun_store::open(None, dir.path(), &OpenOptions::default()).await.expect("open"),
            Place::Postgres { server, name } => {
                zixun_store::open(Some(&with_database(server, name)), &PathBuf::from("."), &OpenOptions::default())
                    .await
                    .expect("open")
            }
        }
    }

    pub async fn drop(self) {
        self.backend.close().await;
        if let Place::Postgres { server, name } = self.place {
            EmptyDatabase { server, name }.drop().await;
        }
    }
}

/// A fresh PostgreSQL database with nothing in it (no migrations applied yet).
pub struct EmptyDatabase {
    server: String,
    name: String,
}

impl EmptyDatabase {
    pub async fn create(server: &str) -> Self {
        let name = format!("zixun_test_{}_{}", std::process::id(), unique_suffix());
        let mut admin = sqlx::PgConnection::connect(server).await.expect("PostgreSQL at ZIXUN_TEST_DATABASE_URL");
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create database");
        admin.close().await.expect("close");
        EmptyDatabase { server: server.to_string(), name }
    }

    /// On the server `ZIXUN_TEST_DATABASE_URL` names (which must be set).
    pub async fn on_test_server() -> Self {
        let server = std::env::var("ZIXUN_TEST_DATABASE_URL").expect(
            "ZIXUN_TEST_DATABASE_URL must name a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres)",
        );
        Self::create(&server).await
    }

    pub fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }

    pub async fn scalar(&self, sql: &'static str) -> i64 {
        let mut conn = sqlx::PgConnection::connect(&self.url()).await.expect("connect");
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect(sql)
    }

    pub async fn drop(self) {
        let mut admin = sqlx::PgConnection::connect(&self.server).await.expect("PostgreSQL");
        admin
            .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
            .await
            .expect("drop database");
    }
}

/// A name part unique enough for databases made by concurrent tests of one process.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    format!("{:x}{}", t & 0xffff_ffff, N.fetch_add(1, Ordering::SeqCst))
}

pub fn draft(ext: Option<&str>, url: Option<&str>, title: &str, at: i64) -> ArticleDraft {
    ArticleDraft {
        ext_id: ext.map(String::from),
        author: Some("作者".into()),
        source_name: url.map(|_| "某报".into()),
        source_url: url.map(String::from),
        original: url.is_none(),
        category: Some("科技".into()),
        tags: vec!["芯片".into()],
        keywords: vec!["芯片".into(), "算力".into()],
        term_vector: vec![("芯片".into(), 0.8), ("算力".into(), 0.6)],
        simhash: u64::MAX - 1,
        ..ArticleDraft::plain(title, "正文", at)
    }
}
