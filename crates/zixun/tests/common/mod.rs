//! Test harness: the real `zixun` binary, a real data folder, real HTTP on a free port.
#![allow(dead_code)]

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
        .env("ZIXUN_LOG", "warn");
    c
}

pub fn import(data_dir: &Path, file: &Path) -> Output {
    zixun(data_dir).arg("import").arg(file).output().expect("run zixun import")
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
        let port = free_port();
        let child = zixun(data_dir)
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
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
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
