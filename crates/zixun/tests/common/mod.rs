//! Test harness: the real `zixun` binary, a real data folder, real HTTP on a free port.
#![allow(dead_code)]

pub mod newsroom;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The binary with a data folder and fast background intervals.
pub fn zixun(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zixun"));
    c.arg("--data-dir").arg(data_dir);
    c.env("ZIXUN_VIEW_FLUSH_SECONDS", "0.3")
        .env("ZIXUN_HOT_REFRESH_SECONDS", "0.3")
        .env("ZIXUN_TRENDING_REFRESH_SECONDS", "0.3")
        .env("ZIXUN_DASHBOARD_REFRESH_SECONDS", "0.3")
        // The tests' feeds are served on 127.0.0.1: the SSRF guard would refuse them.
        .env("ZIXUN_ALLOW_PRIVATE_ADDRESSES", "true")
        .env("ZIXUN_LOG", "warn");
    c
}

pub fn import(data_dir: &Path, file: &Path) -> Output {
    zixun(data_dir).arg("import").arg(file).output().expect("run zixun import")
}

/// Serves the feed fixtures of zixun-ingest (written for the project) over real HTTP.
pub async fn feed_server() -> String {
    use axum::response::IntoResponse;
    async fn serve(axum::extract::Path(name): axum::extract::Path<String>) -> axum::response::Response {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../zixun-ingest/tests/fixtures/feeds");
        let ctype = if name.ends_with(".json") { "application/feed+json" } else { "application/xml" };
        match std::fs::read(format!("{dir}/{name}")) {
            Ok(body) => ([(axum::http::header::CONTENT_TYPE, ctype)], body).into_response(),
            Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new().route("/f/{name}", axum::routing::get(serve));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

pub struct Portal {
    pub base: String,
    pub child: Child,
    pub client: reqwest::Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Portal {
    pub async fn start(data_dir: &Path, extra: &[&str]) -> Portal {
        Self::start_with(data_dir, extra, &[]).await
    }

    /// With environment variables (`ZIXUN_DATABASE_URL` for a node on PostgreSQL).
    pub async fn start_with(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let child = zixun(data_dir)
            .envs(env.iter().copied())
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn zixun serve");
        let base = format!("http://127.0.0.1:{port}");
        // Raw bodies: the tests look at the encodings zixun serves.
        let client = reqwest::Client::builder().no_proxy().no_gzip().no_brotli().build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            // Ready: caught up with the store (`/healthz` answers before that).
            if let Ok(r) = client.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "zixun serve did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Portal { base, child, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        // minijinja escapes `/` in attributes as `&#x2f;` (browsers read both alike).
        (status, r.text().await.expect("body").replace("&#x2f;", "/"))
    }

    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    /// The id of the article imported with this external id.
    pub async fn id_of(&self, ext_id: &str) -> i64 {
        let (_, list) = self.json("/api/articles?limit=100").await;
        for item in list["items"].as_array().expect("items") {
            let id = item["id"].as_i64().expect("id");
            let (_, a) = self.json(&format!("/api/articles/{id}")).await;
            if a["ext_id"] == ext_id {
                return id;
            }
        }
        panic!("no article with ext_id {ext_id}");
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                assert!(s.success(), "zixun serve exited with {s}");
                return;
            }
            assert!(Instant::now() < deadline, "zixun serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it holds or `secs` pass.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A fresh PostgreSQL database for one test, made on the server `ZIXUN_TEST_DATABASE_URL`
/// names and dropped at the end. Fails (never skips) when the variable is unset or the server
/// does not answer.
pub struct PgDatabase {
    server: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create() -> PgDatabase {
        use sqlx::{Connection, Executor};
        let server = std::env::var("ZIXUN_TEST_DATABASE_URL").expect(
            "ZIXUN_TEST_DATABASE_URL must name a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres)",
        );
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("zixun_nodes_{}_{nanos}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&server).await.expect("PostgreSQL at ZIXUN_TEST_DATABASE_URL");
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create database");
        let _ = admin.close().await;
        let base = server.split('?').next().unwrap_or(&server);
        let cut = base.rfind('/').filter(|&i| i > base.find("://").map_or(0, |j| j + 2)).unwrap_or(base.len());
        let url = format!("{}/{name}", &base[..cut]);
        PgDatabase { server, name, url }
    }

    pub async fn connect(&self) -> sqlx::PgConnection {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&self.url).await.expect("connect")
    }

    pub async fn drop(self) {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&self.server).await.expect("PostgreSQL");
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        admin.execute(sqlx::AssertSqlSafe(sql)).await.expect("drop database");
    }
}
