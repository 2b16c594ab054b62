//! The newsroom as a browser and the CLI meet it: accounts made with `zixun users add`, a signed-in
//! session with its CSRF token, forms posted as a browser posts them.

use std::{io::Write, process::Stdio};

use reqwest::{StatusCode, redirect::Policy};

use super::{Portal, zixun};

pub const PASSWORD: &str = "correct horse battery";

pub fn add_user(dir: &std::path::Path, name: &str, role: &str) {
    let mut child = zixun(dir)
        .args(["users", "add", name, "--role", role])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(format!("{PASSWORD}\n").as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub fn add_token(dir: &std::path::Path, user: &str) -> String {
    let out = zixun(dir).args(["tokens", "add", "--user", user]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

/// A client that shows redirects instead of following them, and keeps no cookies by itself.
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).no_proxy().build().expect("client")
}

/// A signed-in browser: its session cookie and the CSRF token of its pages.
pub struct Web<'a> {
    pub portal: &'a Portal,
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker).nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_string()
}

pub fn set_cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

pub async fn login_attempt(
    portal: &Portal,
    client: &reqwest::Client,
    name: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let form = client.get(portal.url("/admin/login")).send().await.expect("GET login");
    let cookie = set_cookie_value(&form, "zixun_login_csrf").expect("login csrf cookie");
    let csrf = hidden(&form.text().await.expect("body"), "csrf");
    let pair = cookie.split(';').next().unwrap_or_default().to_string();
    client
        .post(portal.url("/admin/login"))
        .header("cookie", pair)
        .form(&[("name", name), ("password", password), ("csrf", &csrf), ("next", next)])
        .send()
        .await
        .expect("POST login")
}

impl<'a> Web<'a> {
    pub async fn login(portal: &'a Portal, name: &str) -> Web<'a> {
        Self::login_with(portal, name, PASSWORD).await
    }

    pub async fn login_with(portal: &'a Portal, name: &str, password: &str) -> Web<'a> {
        let client = raw_client();
        let res = login_attempt(portal, &client, name, password, "/admin").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {name}");
        let set = set_cookie_value(&res, "zixun_session").expect("session cookie");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
        let cookie = set.split(';').next().unwrap_or_default().to_string();
        let mut web = Web { portal, client, cookie, csrf: String::new() };
        let (_, page) = web.get("/admin").await;
        web.csrf = hidden(&page, "csrf");
        assert_eq!(web.csrf.len(), 64);
        web
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.client.get(self.portal.url(path)).header("cookie", &self.cookie).send().await.expect("GET");
        (res.status(), res.text().await.expect("body"))
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.portal.url(path)).header("cookie", &self.cookie).form(form).send().await.expect("POST")
    }

    /// Saves the editor's form with this CSRF token; returns the response.
    pub async fn save(&self, csrf: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        self.post("/admin/save", &form).await
    }
}
