//! The newsroom over real HTTP: roles through the API and the web editor, tokens, sessions,
//! CSRF, login throttling, stored XSS, uploads, scheduled publishing and the audit log.

mod common;

use std::time::{Duration, Instant};

use common::{
    Portal,
    newsroom::{PASSWORD, Web, add_token, add_user, hidden, login_attempt, raw_client, set_cookie_value},
    zixun,
};
use reqwest::{StatusCode, redirect::Policy};
use serde_json::{Value, json};

struct Api<'a> {
    portal: &'a Portal,
    client: reqwest::Client,
}

impl Api<'_> {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.portal.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let res = req.send().await.expect("send");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_roles_tokens_validation_and_scheduling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (name, role) in [("总编", "admin"), ("王编辑", "editor"), ("作者甲", "author"), ("作者乙", "author")]
    {
        add_user(d, name, role);
    }
    let (editor, author1, author2) = (add_token(d, "王编辑"), add_token(d, "作者甲"), add_token(d, "作者乙"));
    let portal = Portal::start(d, &[]).await;
    let api = Api { portal: &portal, client: raw_client() };
    use reqwest::Method as M;
    let story = json!({"title": "城市书房上新", "body": "全市新增二十家城市书房。\n开放时间延长到晚上十点。", "category": "本地", "status": "published"}).to_string();

    // No token, a wrong token: 401, nothing written.
    assert_eq!(api.send(M::POST, "/api/articles", None, Some(&story)).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = api.send(M::POST, "/api/articles", Some("not-a-token"), Some(&story)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));

    // An author's "published" becomes "submitted": not visible to readers or to other authors.
    let (status, created) = api.send(M::POST, "/api/articles", Some(&author1), Some(&story)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["workflow"], "submitted");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(api.send(M::GET, &format!("/api/articles/{id}"), None, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(portal.get(&format!("/a/{id}")).await.status(), 404);
    assert_eq!(api.send(M::GET, &format!("/api/articles/{id}"), Some(&author1), None).await.0, StatusCode::OK);
    assert_eq!(api.send(M::GET, &format!("/api/articles/{id}"), Some(&author2), None).await.0, StatusCode::NOT_FOUND);

    // Another author cannot change or delete it by its id, nor tell it from an id no article
    // has: 404, as GET answers, and nothing changes.
    let takeover = json!({"title": "被改掉的标题", "body": "正文。"}).to_string();
    let (status, body) = api.send(M::PUT, &format!("/api/articles/{id}"), Some(&author2), Some(&takeover)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{body}");
    let (_, missing) = api.send(M::PUT, "/api/articles/999999", Some(&author2), Some(&takeover)).await;
    assert_eq!(body, missing, "another's draft answers as no article does");
    assert_eq!(
        api.send(M::DELETE, &format!("/api/articles/{id}"), Some(&author2), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, now) = api.send(M::GET, &format!("/api/articles/{id}"), Some(&author1), None).await;
    assert_eq!(now["title"], "城市书房上新");
    // Nor schedule: that is an editor's.
    let scheduled =
        json!({"title": "定时", "body": "正文。", "status": "scheduled", "publish_at": "2099-01-01 08:00"}).to_string();
    assert_eq!(api.send(M::POST, "/api/articles", Some(&author1), Some(&scheduled)).await.0, StatusCode::FORBIDDEN);

    // An editor publishes it; it is then live, and its author may no longer change it.
    let publish = json!({"title": "城市书房上新", "body": "全市新增二十家城市书房。\n开放时间延长到晚上十点。", "category": "本地", "status": "published"}).to_string();
    let (status, body) = api.send(M::PUT, &format!("/api/articles/{id}"), Some(&editor), Some(&publish)).await;
    assert_eq!((status, body["workflow"].as_str()), (StatusCode::OK, Some("published")), "{body}");
    assert_eq!(body["author"], "作者甲", "the byline stays the author's");
    assert_eq!(api.send(M::GET, &format!("/api/articles/{id}"), None, None).await.0, StatusCode::OK);
    assert_eq!(
        api.send(M::PUT, &format!("/api/articles/{id}"), Some(&author1), Some(&takeover)).await.0,
        StatusCode::FORBIDDEN
    );

    // Bad bodies: 400 for what is not JSON, 422 naming the field otherwise.
    for (body, status, field) in [
        ("这不是 JSON", StatusCode::BAD_REQUEST, "body"),
        (r#"{"body": "正文"}"#, StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (r#"{"title": "标题"}"#, StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (r#"{"title": "标题", "body": "正文", "tags": "一个字符串"}"#, StatusCode::UNPROCESSABLE_ENTITY, "tags"),
        (r#"{"title": "标题", "body": "正文", "status": "live"}"#, StatusCode::UNPROCESSABLE_ENTITY, "status"),
        (r#"{"title": "标题", "body": "正文", "status": "scheduled"}"#, StatusCode::UNPROCESSABLE_ENTITY, "publish_at"),
        (
            r#"{"title": "标题", "body": "正文", "status": "scheduled", "publish_at": "明天"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "publish_at",
        ),
        (
            r#"{"title": "标题", "body": "正文", "status": "scheduled", "publish_at": "2001-01-01 08:00"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "publish_at",
        ),
        (r#"{"title": "标题", "body": "   "}"#, StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (r#"{"title": "\u0001\u0002", "body": "正文"}"#, StatusCode::UNPROCESSABLE_ENTITY, "title"),
    ]
    .into_iter()
    .map(|(b, s, f)| (b.to_string(), s, f))
    .chain([
        // Limits, each naming its field: a headline is a line, tags are a few words.
        (json!({"title": "长".repeat(300_000), "body": "正文"}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (json!({"title": "标题", "body": "正文", "tags": (0..100_000).map(|i| format!("标签{i}")).collect::<Vec<_>>()}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "tags"),
        (json!({"title": "标题", "body": "正文", "tags": ["长".repeat(65)]}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "tags"),
        (json!({"title": "标题", "body": "正文", "author": "长".repeat(101)}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "author"),
        (json!({"title": "标题", "body": "正文", "category": "长".repeat(65)}).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "category"),
        // Markup nested past the sanitizer's limit is refused at once, not parsed for seconds.
        (
            json!({"title": "标题", "body_html": format!("{}正文{}", "<blockquote>".repeat(38_000), "</blockquote>".repeat(38_000))}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "body",
        ),
    ]) {
        let body = body.as_str();
        let (got, err) = api.send(M::POST, "/api/articles", Some(&editor), Some(body)).await;
        let shown: String = body.chars().take(200).collect();
        assert_eq!((got, err["error"]["field"].as_str()), (status, Some(field)), "{shown}: {err}");
    }

    // Scheduled by an editor: invisible until its time, then published by the server itself.
    let at = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_secs(3)).expect("time");
    let soon =
        json!({"title": "晚间新闻预告", "body": "今晚八点播出。", "status": "scheduled", "publish_at": at.to_string()})
            .to_string();
    let (status, body) = api.send(M::POST, "/api/articles", Some(&editor), Some(&soon)).await;
    assert_eq!((status, body["workflow"].as_str()), (StatusCode::CREATED, Some("scheduled")), "{body}");
    let sid = body["id"].as_i64().expect("id");
    assert_eq!(api.send(M::GET, &format!("/api/articles/{sid}"), None, None).await.0, StatusCode::NOT_FOUND);
    let deadline = Instant::now() + Duration::from_secs(20);
    while api.send(M::GET, &format!("/api/articles/{sid}"), None, None).await.0 != StatusCode::OK {
        assert!(Instant::now() < deadline, "the scheduled article was not published");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Delete: gone for readers.
    assert_eq!(
        api.send(M::DELETE, &format!("/api/articles/{id}"), Some(&editor), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(api.send(M::GET, &format!("/api/articles/{id}"), None, None).await.0, StatusCode::NOT_FOUND);

    // A revoked token stops working at once.
    let list = zixun(d).args(["tokens", "list"]).output().expect("run");
    let listing = String::from_utf8_lossy(&list.stdout).to_string();
    let author2_id =
        listing.lines().find(|l| l.contains("作者乙")).and_then(|l| l.split('\t').next()).expect("token row");
    let out = zixun(d).args(["tokens", "revoke", author2_id]).output().expect("run");
    assert!(out.status.success());
    assert_eq!(api.send(M::POST, "/api/articles", Some(&author2), Some(&story)).await.0, StatusCode::UNAUTHORIZED);

    // The audit log has each act, with who did it.
    let web = Web::login(&portal, "总编").await;
    let audit = web.get("/admin/audit").await.1;
    for needle in [
        "作者甲</td><td>submit",
        "王编辑</td><td>publish",
        "王编辑</td><td>schedule",
        "定时发布</td><td>publish",
        "王编辑</td><td>delete",
    ] {
        assert!(audit.contains(needle), "audit log lacks {needle}");
    }
    portal.terminate();
}

/// Every tag in `html` (from `<` and a letter to the next `>`), lower-cased.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            out.push(rest[..end].to_ascii_lowercase());
        }
    }
    out
}

/// A tag's name and its attributes as (name, value), quotes respected.
fn attributes(tag: &str) -> (String, Vec<(String, String)>) {
    let mut chars = tag.chars().peekable();
    let name: String = chars.by_ref().take_while(|c| !c.is_whitespace() && *c != '/').collect();
    let mut attrs = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value = std::iter::from_fn(|| chars.next_if(|c| *c != q)).collect(),
                None => value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect(),
            }
            chars.next();
        }
        attrs.push((key, value));
    }
    (name, attrs)
}

/// No element that runs script: no script tag but the JSON-LD blocks and the theme's own script, no event handler, no
/// javascript: URL, no iframe/object/embed/svg.
fn assert_inert(page: &str, what: &str) {
    for t in tags(page) {
        let (name, attrs) = attributes(&t);
        assert!(!matches!(name.as_str(), "iframe" | "object" | "embed" | "svg" | "math"), "{what}: <{t}>");
        if name == "script" {
            // JSON-LD, or the theme's own reader script (font size) from /static/.
            let own = attrs.iter().any(|(k, v)| k == "src" && v.replace("&#x2f;", "/").starts_with("/static/reader."));
            assert!(t == "script type=\"application/ld+json\"" || own, "{what}: <{t}>");
        }
        for (key, value) in attrs {
            assert!(!key.starts_with("on"), "{what}: event handler in <{t}>");
            if matches!(key.as_str(), "href" | "src" | "action" | "formaction") {
                assert!(!value.trim_start().starts_with("javascript:"), "{what}: script URL in <{t}>");
            }
        }
    }
}

const XSS: &[&str] = &[
    "<script>alert('t')</script>",
    "\"><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "<iframe src=//evil.example></iframe>",
    "<a href=\"javascript:alert(1)\" onmouseover=\"alert(1)\">x</a>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_editor_sessions_csrf_xss_and_uploads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    add_user(d, "总编", "admin");
    add_user(d, "王编辑", "editor");
    add_user(d, "作者甲", "author");
    let editor_token = add_token(d, "王编辑");
    let portal = Portal::start(d, &[]).await;
    let anon = raw_client();
    let api = Api { portal: &portal, client: raw_client() };

    // Without a session the newsroom sends you to sign in, and brings you back after.
    let res = anon.get(portal.url("/admin/new")).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/login?next=%2Fadmin%2Fnew");
    // After login only paths of the newsroom are followed: no open redirect.
    for (next, expected) in [
        ("/admin/new", "/admin/new"),
        ("https://evil.example/", "/admin"),
        ("//evil.example", "/admin"),
        ("/admin/..//evil.example", "/admin"),
        // A character a Location header cannot carry is no path either (was a 500).
        ("/admin\n", "/admin"),
        ("/admin\r\nSet-Cookie: a=b", "/admin"),
        ("/admin\0", "/admin"),
        ("/admin\x7f", "/admin"),
    ] {
        let res = login_attempt(&portal, &anon, "王编辑", PASSWORD, next).await;
        assert_eq!(res.headers()["location"], expected, "next={next}");
    }
    // A login form posted without its CSRF token is refused.
    let res = anon
        .post(portal.url("/admin/login"))
        .form(&[("name", "王编辑"), ("password", PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nor with a pair the client made up itself: the token must be one the server signed.
    for made_up in ["x", "", &"0".repeat(64), &format!("{}.{}", "0".repeat(64), "0".repeat(64))] {
        let res = anon
            .post(portal.url("/admin/login"))
            .header("cookie", format!("zixun_login_csrf={made_up}"))
            .form(&[("name", "王编辑"), ("password", PASSWORD), ("csrf", made_up)])
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "made-up pair {made_up:?}");
    }

    let editor = Web::login(&portal, "王编辑").await;
    // CSRF: missing or wrong token is 403, and nothing is written.
    let before = editor.get("/admin?filter=all").await.1.matches("<tr>").count();
    let fields = [("title", "CSRF 测试"), ("body", "正文。"), ("action", "draft")];
    assert_eq!(editor.post("/admin/save", &fields).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(editor.save(&"0".repeat(64), &fields).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(editor.post("/admin/logout", &[]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(editor.get("/admin?filter=all").await.1.matches("<tr>").count(), before);

    // Preview renders the Markdown, sanitized, and writes nothing.
    let res = editor
        .save(
            &editor.csrf,
            &[("title", "预览"), ("body", "## 小标题\n\n**加粗**<script>alert(1)</script>"), ("action", "preview")],
        )
        .await;
    let page = res.text().await.expect("body");
    assert!(page.contains("<h2>小标题</h2>") && page.contains("<strong>加粗</strong>"), "preview");
    assert_inert(&page, "preview");

    // Stored XSS: every text field of the editor, published, comes out inert. A source link that
    // is not a web address is refused (422, the form shown again, inert) rather than stored.
    for (i, payload) in XSS.iter().enumerate() {
        let body = format!("第一段 {payload}\n\n[链接]({payload}) ![图]({payload})");
        let title = format!("标题{i} {payload}");
        let mut fields = vec![
            ("title", title.as_str()),
            ("body", body.as_str()),
            ("category", payload),
            ("tags", payload),
            ("author", payload),
            ("source_name", payload),
            ("source_url", payload),
            ("action", "publish"),
        ];
        let res = editor.save(&editor.csrf, &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "payload {payload} as a source URL");
        let page = res.text().await.expect("body");
        assert!(page.contains("field &quot;url&quot; must be an http or https address"), "the form says why");
        assert_inert(&page, "editor with an error");
        fields[6] = ("source_url", "https://outlet.example/news/1.html");
        let res = editor.save(&editor.csrf, &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "payload {payload}");
        let location = res.headers()["location"].to_str().expect("ascii").to_string();
        let id: i64 = location.trim_start_matches("/admin/a/").trim_end_matches("?saved=1").parse().expect("id");
        let (_, page) = portal.text(&format!("/a/{id}")).await;
        assert_inert(&page, &format!("article page, payload {payload}"));
        assert_inert(&editor.get(&format!("/admin/a/{id}")).await.1, "editor page");
        // The same through the API.
        let json_body = json!({"title": payload, "body": format!("正文 {payload}"), "category": payload, "tags": [payload], "author": payload, "source": payload, "url": payload, "status": "published"});
        let (status, err) =
            api.send(reqwest::Method::POST, "/api/articles", Some(&editor_token), Some(&json_body.to_string())).await;
        assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("url")));
        let mut json_body = json_body;
        json_body["url"] = json!("https://outlet.example/news/2.html");
        json_body["body_html"] = json!(format!("<p>正文</p>{payload}"));
        json_body["body"] = Value::Null;
        let (status, created) =
            api.send(reqwest::Method::POST, "/api/articles", Some(&editor_token), Some(&json_body.to_string())).await;
        assert_eq!(status, StatusCode::CREATED);
        let id = created["id"].as_i64().expect("id");
        assert_inert(&portal.text(&format!("/a/{id}")).await.1, "API article page");
    }
    let (_, home) = portal.text("/").await;
    assert_inert(&home, "home page");
    assert_inert(&editor.get("/admin?filter=all").await.1, "admin list");
    for path in ["/rss.xml", "/atom.xml"] {
        let (_, feed) = portal.text(path).await;
        assert!(!feed.contains("<script>alert") && !feed.contains("onerror=alert(1)>"), "{path}");
    }

    // Headers on every kind of page.
    for path in ["/", "/admin/login", "/api/articles", "/rss.xml", "/no-such-page"] {
        let res = anon.get(portal.url(path)).send().await.expect("GET");
        let h = res.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }

    // Uploads: known by their bytes, served with their own type.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
    let upload = |csrf: String, bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .part("image", reqwest::multipart::Part::bytes(bytes).file_name(name).mime_str("image/png").expect("mime"));
        editor.client.post(portal.url("/admin/upload")).header("cookie", &editor.cookie).multipart(form).send()
    };
    let res = upload(editor.csrf.clone(), png.to_vec(), "dot.png").await.expect("upload");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body").replace("&#x2f;", "/");
    let url = page.split("<code>").nth(1).and_then(|s| s.split("</code>").next()).expect("url").to_string();
    let img = anon.get(portal.url(&url)).send().await.expect("GET");
    assert_eq!(img.headers()["content-type"], "image/png");
    assert_eq!(img.headers()["x-content-type-options"], "nosniff");
    let res =
        upload(editor.csrf.clone(), b"<html><script>alert(1)</script>".to_vec(), "evil.png").await.expect("upload");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "HTML named .png is refused");
    let res = upload("wrong".into(), png.to_vec(), "dot.png").await.expect("upload");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(anon.get(portal.url("/uploads/..%2Fzixun.db")).send().await.expect("GET").status(), 404);

    // Roles on the web: an author cannot open the audit log or an editor's article.
    let author = Web::login(&portal, "作者甲").await;
    assert_eq!(author.get("/admin/audit").await.0, StatusCode::FORBIDDEN);
    assert_eq!(editor.get("/admin/audit").await.0, StatusCode::FORBIDDEN);
    let someone_elses = editor.get("/admin?filter=all").await.1;
    let their_id =
        someone_elses.split("href=\"/admin/a/").nth(1).and_then(|s| s.split('"').next()).expect("an article");
    assert_eq!(author.get(&format!("/admin/a/{their_id}")).await.0, StatusCode::FORBIDDEN);
    let res =
        author.save(&author.csrf, &[("id", their_id), ("title", "改"), ("body", "改。"), ("action", "draft")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An author's publish button is a submission.
    let res =
        author.save(&author.csrf, &[("title", "作者的稿子"), ("body", "稿件正文。"), ("action", "publish")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(author.get("/admin").await.1.contains("待审"));

    // Logout ends the session.
    assert_eq!(editor.post("/admin/logout", &[("csrf", &editor.csrf)]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(editor.get("/admin").await.0, StatusCode::SEE_OTHER);
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_with_one_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    add_user(dir.path(), "王编辑", "editor");
    let portal = Portal::start_with(dir.path(), &[], &[("ZIXUN_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let client = raw_client();
    // A wrong password and an unknown name get the same answer.
    let wrong_password = login_attempt(&portal, &client, "王编辑", "wrong password!", "/admin").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    let a = wrong_password.text().await.expect("body");
    let unknown = login_attempt(&portal, &client, "无此人", PASSWORD, "/admin").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let b = unknown.text().await.expect("body");
    assert!(a.contains("用户名或密码错误") && b.contains("用户名或密码错误"));
    for _ in 0..4 {
        login_attempt(&portal, &client, "王编辑", "wrong password!", "/admin").await;
    }
    // Five failures for this account from this address: now even the right password is refused for a while, from this address.
    let res = login_attempt(&portal, &client, "王编辑", PASSWORD, "/admin").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.expect("body").contains("登录失败次数过多"));
    // The guesser has not locked the account for its owner elsewhere (a client behind the
    // trusted proxy, named by X-Forwarded-For): throttled per account and address.
    let elsewhere = reqwest::Client::builder()
        .redirect(Policy::none())
        .no_proxy()
        .default_headers(
            [("x-forwarded-for".parse().expect("name"), "198.51.100.9".parse().expect("value"))].into_iter().collect(),
        )
        .build()
        .expect("client");
    let res = login_attempt(&portal, &elsewhere, "王编辑", PASSWORD, "/admin").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the owner signs in from another address");
    // One address guessing over many accounts is throttled over all of them (4 × 5 failures).
    let mut refused = 0;
    for i in 0..25 {
        let res = login_attempt(&portal, &elsewhere, &format!("用户{i}"), "guess", "/admin").await;
        refused += usize::from(res.status() == StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(refused, 5, "spraying from one address is throttled after 20 failures");
    portal.terminate();
}

/// Fifty guesses released at once from one address, the right password among the last ones:
/// each attempt is counted before the slow password check, so at most `login_max_failures`
/// (5) are checked and the rest are refused with 429 — the throttle cannot be raced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_guesses_cannot_race_the_login_throttle() {
    let dir = tempfile::tempdir().expect("tempdir");
    add_user(dir.path(), "王编辑", "editor");
    let portal = Portal::start(dir.path(), &[]).await;
    let client = raw_client();
    // Forms first (each guess brings its own login CSRF pair), then every POST at once.
    let mut forms = Vec::new();
    for _ in 0..50 {
        let form = client.get(portal.url("/admin/login")).send().await.expect("GET login");
        let cookie = set_cookie_value(&form, "zixun_login_csrf").expect("cookie");
        let csrf = hidden(&form.text().await.expect("body"), "csrf");
        forms.push((cookie.split(';').next().unwrap_or_default().to_string(), csrf));
    }
    let guesses = forms.into_iter().enumerate().map(|(i, (cookie, csrf))| {
        let client = client.clone();
        let url = portal.url("/admin/login");
        let password = if i == 49 { PASSWORD.to_string() } else { format!("guess number {i}") };
        tokio::spawn(async move {
            let form =
                [("name", "王编辑"), ("password", password.as_str()), ("csrf", csrf.as_str()), ("next", "/admin")];
            client.post(url).header("cookie", cookie).form(&form).send().await.expect("POST").status()
        })
    });
    let mut statuses = Vec::new();
    for g in guesses.collect::<Vec<_>>() {
        statuses.push(g.await.expect("join"));
    }
    let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
    assert!((1..=5).contains(&checked), "{checked} of 50 simultaneous guesses were checked: {statuses:?}");
    let wrong_checked = statuses[..49].iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(wrong_checked + usize::from(statuses[49] == StatusCode::SEE_OTHER), checked, "{statuses:?}");
    // Once five were checked, even the right password waits out the window.
    if wrong_checked == 5 {
        assert_eq!(statuses[49], StatusCode::TOO_MANY_REQUESTS);
    }
    portal.terminate();
}

/// A 1600×900 JPEG drawn here.
fn photo_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1600, 900, |x, y| image::Rgb([(x / 7) as u8, (y / 4) as u8, 120]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .expect("encodes");
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_photo_gets_variants_and_leads_its_article_on_every_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    add_user(dir.path(), "王编辑", "editor");
    let portal = Portal::start(dir.path(), &[]).await;
    let editor = Web::login(&portal, "王编辑").await;
    let form = reqwest::multipart::Form::new().text("csrf", editor.csrf.clone()).part(
        "image",
        reqwest::multipart::Part::bytes(photo_jpeg()).file_name("雪景.jpg").mime_str("image/jpeg").expect("mime"),
    );
    let res = editor
        .client
        .post(portal.url("/admin/upload"))
        .header("cookie", &editor.cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body").replace("&#x2f;", "/");
    let url = page.split("<code>").nth(1).and_then(|s| s.split("</code>").next()).expect("url").to_string();
    assert!(url.starts_with("/uploads/") && url.ends_with("-1600x900.jpg"), "{url}");
    assert!(page.contains("1600×900 像素"), "the uploader is told the size");

    // Every variant is served, in its format, at its width, without metadata.
    let stem = url.trim_end_matches(".jpg");
    for (suffix, mime, width) in [
        ("-320.webp", "image/webp", 320),
        ("-640.webp", "image/webp", 640),
        ("-1280.webp", "image/webp", 1280),
        ("-1600.webp", "image/webp", 1600),
        ("-320.jpg", "image/jpeg", 320),
        ("-640.jpg", "image/jpeg", 640),
        ("-1280.jpg", "image/jpeg", 1280),
        ("", "image/jpeg", 1600),
    ] {
        let ext = if suffix.is_empty() { ".jpg" } else { "" };
        let res = portal.get(&format!("{stem}{suffix}{ext}")).await;
        assert_eq!(res.status(), 200, "{stem}{suffix}");
        assert_eq!(res.headers()["content-type"], mime, "{suffix}");
        let bytes = res.bytes().await.expect("bytes");
        let img = image::load_from_memory(&bytes).expect("decodes");
        assert_eq!(img.width(), width, "{suffix}");
        assert_eq!(img.height(), width * 9 / 16, "{suffix}");
        assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "{suffix} has no EXIF");
    }
    assert_eq!(portal.get(&format!("{stem}-500.webp")).await.status(), 404, "a width never made");

    // The cover leads the article, sized and in WebP for browsers that take it; lists show it.
    let res = editor
        .save(
            &editor.csrf,
            &[
                ("title", "江城迎来今冬第一场雪"),
                ("body", "今晨江城迎来今冬第一场雪。\n\n气象部门提醒市民注意交通安全。"),
                ("category", "本地"),
                ("cover", &url),
                ("original", "on"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = res.headers()["location"]
        .to_str()
        .expect("location")
        .trim_start_matches("/admin/a/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    let (_, article) = portal.text(&format!("/a/{id}")).await;
    let article = article.replace("&#x2f;", "/");
    assert!(
        article.contains(&format!(
            r#"<figure class="lead"><picture><source type="image/webp" srcset="{stem}-320.webp 320w"#
        )),
        "{article}"
    );
    assert!(article.contains(r#"width="1600" height="900" fetchpriority="high""#), "{article}");
    assert!(article.contains(&format!(r#"<meta property="og:image" content="{}{url}">"#, portal.base)), "og:image");
    assert!(article.contains(r#""image": ["#) || article.contains(r#""image":["#), "JSON-LD image");
    let (_, api) = portal.json(&format!("/api/articles/{id}")).await;
    assert_eq!(api["cover"], format!("{}{url}", portal.base));
    let (_, home) = portal.text("/").await;
    assert!(
        home.replace("&#x2f;", "/").contains(&format!(r#"<img src="{url}" alt="江城迎来今冬第一场雪" class="thumb""#)),
        "{home}"
    );
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_syndicated_article_credits_its_original_and_its_responsible_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    add_user(dir.path(), "王宁", "editor");
    add_user(dir.path(), "作者甲", "author");
    let (editor, author) = (add_token(dir.path(), "王宁"), add_token(dir.path(), "作者甲"));
    let portal = Portal::start(dir.path(), &[]).await;
    let api = Api { portal: &portal, client: raw_client() };
    use reqwest::Method as M;
    // 转载 with its credits, published by an editor who names no 责任编辑: the editor answers.
    let story = json!({
        "title": "能源局：今冬明春电力供应总体有保障",
        "body": "国家能源局今天表示，今冬明春全国电力供应总体有保障。\n\n各地正加快推进重点电源项目建设。",
        "source": "中国能源网", "url": "https://energy.example/2025/10/10/1.html", "original": false,
        "original_title": "国家能源局：今冬明春电力供应有保障", "original_author": "李明",
        "published_at": "2025-10-10 13:17:41", "status": "published"
    })
    .to_string();
    let (status, created) = api.send(M::POST, "/api/articles", Some(&editor), Some(&story)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["original_title"], "国家能源局：今冬明春电力供应有保障");
    assert_eq!(created["original_author"], "李明");
    assert_eq!(created["editor"], "王宁", "the publishing account is the 责任编辑");
    let (_, page) = portal.text(&format!("/a/{id}")).await;
    assert!(page.contains("<time datetime=\"2025-10-10T13:17:41+08:00\">2025-10-10 13:17:41</time>"), "{page}");
    for credit in ["来源：<a href=", "原标题：国家能源局：今冬明春电力供应有保障", "原作者：李明", "责任编辑：王宁"]
    {
        assert!(page.contains(credit), "{credit} missing:\n{page}");
    }
    let ld: Value = serde_json::from_str(
        page.split(r#"<script type="application/ld+json">"#)
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .expect("ld"),
    )
    .expect("JSON-LD");
    assert_eq!(ld["isBasedOn"]["headline"], "国家能源局：今冬明春电力供应有保障");
    assert_eq!(ld["isBasedOn"]["author"]["name"], "李明");
    assert_eq!(ld["isBasedOn"]["publisher"]["name"], "中国能源网");
    assert_eq!(ld["editor"]["name"], "王宁");
    // A correction by the same editor keeps the credits; a named 责任编辑 replaces the default.
    let renamed = json!({"title": "能源局：今冬明春电力供应总体有保障", "body": "国家能源局今天表示，今冬明春全国电力供应总体有保障。",
        "source": "中国能源网", "original": false, "original_title": "国家能源局：今冬明春电力供应有保障",
        "editor": "张华", "status": "published"})
    .to_string();
    let (status, updated) = api.send(M::PUT, &format!("/api/articles/{id}"), Some(&editor), Some(&renamed)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["editor"], "张华");
    // An author's submission has no 责任编辑 until someone publishes it.
    let draft = json!({"title": "作者的稿子", "body": "稿件正文。", "status": "published"}).to_string();
    let (_, submitted) = api.send(M::POST, "/api/articles", Some(&author), Some(&draft)).await;
    assert_eq!(submitted["workflow"], "submitted");
    assert_eq!(submitted["editor"], Value::Null);
    // Over-long credits are refused, naming the field.
    let long = json!({"title": "标题", "body": "正文。", "original_author": "名".repeat(101)}).to_string();
    let (status, err) = api.send(M::POST, "/api/articles", Some(&editor), Some(&long)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "original_author");
    portal.terminate();
}

/// A server of outside images on 127.0.0.1: `/p.jpg` a photo, `/wall.jpg` a page posing as one.
async fn image_server() -> String {
    let photo = photo_jpeg();
    let app = axum::Router::new()
        .route("/p.jpg", axum::routing::get(move || async move { ([("content-type", "image/jpeg")], photo) }))
        .route("/wall.jpg", axum::routing::get(|| async { ([("content-type", "image/jpeg")], "<html>请登录</html>") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn with_localize_images_outside_images_of_imports_and_the_api_become_uploads() {
    let outside = image_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    add_user(dir.path(), "王编辑", "editor");
    let token = add_token(dir.path(), "王编辑");
    let line = json!({"id": "loc-1", "title": "导入的图文", "body_html": format!(
        r#"<p>导入的正文。</p><img src="{outside}/p.jpg" alt="照片"><img src="{outside}/wall.jpg" alt="墙">"#)});
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{line}\n")).expect("write");
    let out = zixun(dir.path()).env("ZIXUN_LOCALIZE_IMAGES", "true").arg("import").arg(&file).output().expect("import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let portal = Portal::start_with(dir.path(), &[], &[("ZIXUN_LOCALIZE_IMAGES", "true")]).await;
    let id = portal.id_of("loc-1").await;
    let (_, a) = portal.json(&format!("/api/articles/{id}")).await;
    let body = a["body_html"].as_str().expect("body");
    assert!(body.contains(r#"src="/uploads/"#) && body.contains("-1600x900.jpg"), "stored: {body}");
    assert!(body.contains(&format!(r#"src="{outside}/wall.jpg""#)), "the page posing as an image stays remote: {body}");
    assert!(a["cover"].as_str().expect("cover").contains("/uploads/"), "the stored photo is the cover");

    // Through the API: the same photo is the same upload.
    let api = Api { portal: &portal, client: raw_client() };
    let story =
        json!({"title": "接口的图文", "body_html": format!(r#"<p>接口正文。</p><img src="{outside}/p.jpg" alt="">"#),
        "status": "published"})
        .to_string();
    let (status, created) = api.send(reqwest::Method::POST, "/api/articles", Some(&token), Some(&story)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["cover"], a["cover"], "content-addressed: one upload for one photo");
    let (_, page) = portal.text(&format!("/a/{}", created["id"])).await;
    assert!(page.contains(r#"<source type="image/webp""#), "{page}");
    portal.terminate();
}
