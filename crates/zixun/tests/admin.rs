//! The newsroom's administration over real HTTP, with sessions and CSRF: sources, people and
//! editorial slots (推荐位), each action by the role that may, refused (403, nothing changed)
//! for the role that may not and without a CSRF token.

mod common;

use common::{
    Portal, feed_server, fixture, import,
    newsroom::{PASSWORD, Web, add_token, add_user, login_attempt, raw_client},
};
use reqwest::StatusCode;
use serde_json::Value;

/// `(id, name)` of each source in the order the list shows them.
fn source_rows(page: &str) -> Vec<(i64, String)> {
    let page = page.replace("&#x2f;", "/");
    page.split("<td><a href=\"/admin/sources/")
        .skip(1)
        .filter_map(|s| {
            let (id, rest) = s.split_once("\">")?;
            Some((id.parse().ok()?, rest.split("</a>").next()?.to_string()))
        })
        .collect()
}

/// A page's text, with `/` as minijinja's `&#x2f;` read back.
async fn text(res: reqwest::Response) -> String {
    res.text().await.expect("body").replace("&#x2f;", "/")
}

/// Whether the API takes `token`: 404 for an id no article has when it does, 401 when not.
async fn api_status(portal: &Portal, token: &str) -> StatusCode {
    raw_client().get(portal.url("/api/articles/999999")).bearer_auth(token).send().await.expect("GET").status()
}

async fn article_count(portal: &Portal) -> usize {
    portal.json("/api/articles?limit=100").await.1["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_are_run_from_the_browser() {
    let feeds = feed_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    add_user(d, "总编", "admin");
    add_user(d, "王编辑", "editor");
    add_user(d, "作者甲", "author");
    let portal = Portal::start(d, &[]).await;
    let editor = Web::login(&portal, "王编辑").await;
    let author = Web::login(&portal, "作者甲").await;
    let rss = format!("{feeds}/f/rss.xml");

    // An author may not see or change sources; nobody may without the CSRF token.
    assert_eq!(author.get("/admin/sources").await.0, StatusCode::FORBIDDEN);
    let add = [("url", rss.as_str()), ("category", "本地"), ("interval_minutes", "30")];
    let mut with_csrf = vec![("csrf", author.csrf.as_str())];
    with_csrf.extend_from_slice(&add);
    assert_eq!(author.post("/admin/sources", &with_csrf).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(editor.post("/admin/sources", &add).await.status(), StatusCode::FORBIDDEN);
    assert!(source_rows(&editor.get("/admin/sources").await.1).is_empty(), "nothing was added");

    // Added with the feed's title for a name, after one try of the feed.
    let mut form = vec![("csrf", editor.csrf.as_str())];
    form.extend_from_slice(&add);
    let res = editor.post("/admin/sources", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/sources?done=added");
    let (_, page) = editor.get("/admin/sources?done=added").await;
    assert!(page.contains("已添加订阅源"), "{page}");
    let rows = source_rows(&page);
    assert_eq!(rows.len(), 1);
    let (rss_id, ref rss_name) = rows[0];
    assert_eq!(rss_name, "江城晚报·本地");

    // The same address again, an address that is no web address, a zero interval: 422 in words.
    for (fields, says) in [
        (vec![("url", rss.as_str()), ("interval_minutes", "30")], "已有"),
        (vec![("url", "ftp://example.com/feed"), ("interval_minutes", "30")], "http://"),
        (vec![("url", "不是网址"), ("interval_minutes", "30")], "不是有效的网址"),
        (vec![("url", "https://example.com/feed"), ("interval_minutes", "0")], "抓取间隔"),
    ] {
        let mut form = vec![("csrf", editor.csrf.as_str())];
        form.extend_from_slice(&fields);
        let res = editor.post("/admin/sources", &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let body = text(res).await;
        assert!(body.contains(says), "{fields:?}: {body}");
    }
    assert_eq!(source_rows(&editor.get("/admin/sources").await.1).len(), 1);

    // A feed that cannot be read now is added all the same, with the reason in words.
    let missing = format!("{feeds}/f/missing.xml");
    let res = editor
        .post(
            "/admin/sources",
            &[("csrf", &editor.csrf), ("url", &missing), ("name", "失效源"), ("interval_minutes", "60")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = text(res).await;
    assert!(body.contains("现在无法读取") && body.contains("系统会按计划重试"), "{body}");

    // Fetch now shows what it did.
    let (_, page) = editor.get("/admin/sources").await;
    let missing_id = source_rows(&page).iter().find(|(_, n)| n == "失效源").expect("失效源").0;
    let res = editor.post(&format!("/admin/sources/{rss_id}/fetch"), &[("csrf", &editor.csrf)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = text(res).await;
    assert!(body.contains("抓取完成") && body.contains("新增 3"), "{body}");
    assert_eq!(article_count(&portal).await, 3, "the feed's three entries are articles");
    let res = editor.post(&format!("/admin/sources/{missing_id}/fetch"), &[("csrf", &editor.csrf)]).await;
    let body = text(res).await;
    assert!(body.contains("抓取失败"), "{body}");

    // The failing source leads the list, its error in words.
    let (_, page) = editor.get("/admin/sources").await;
    let rows = source_rows(&page);
    assert_eq!(rows[0].1, "失效源", "failing first: {rows:?}");
    assert!(page.contains("class=\"failing\"") && page.contains("其中 <strong>1</strong> 个抓取失败"), "{page}");

    // And on the dashboard, in words.
    let (_, dash) = editor.get("/admin").await;
    let failing = dash.split("id=\"d-failing\"").nth(1).and_then(|s| s.split("</section>").next()).unwrap_or_default();
    assert!(failing.contains("失效源") && failing.contains("连续失败 1 次"), "{failing}");

    // Pause and resume; a paused source says so and offers 恢复.
    let pause = |paused: &'static str| {
        let csrf = editor.csrf.clone();
        let editor = &editor;
        async move { editor.post(&format!("/admin/sources/{rss_id}/pause"), &[("csrf", &csrf), ("paused", paused)]).await }
    };
    assert_eq!(
        author
            .post(&format!("/admin/sources/{rss_id}/pause"), &[("csrf", &author.csrf), ("paused", "1")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(pause("1").await.headers()["location"], "/admin/sources?done=paused");
    let (_, page) = editor.get(&format!("/admin/sources/{rss_id}")).await;
    assert!(page.contains("恢复抓取"), "{page}");
    assert_eq!(pause("0").await.headers()["location"], "/admin/sources?done=resumed");
    let (_, page) = editor.get(&format!("/admin/sources/{rss_id}")).await;
    assert!(page.contains("暂停抓取"), "{page}");

    // Edit: a new name and interval; a blank name is refused.
    let path = format!("/admin/sources/{rss_id}");
    let res = editor
        .post(
            &path,
            &[("csrf", &editor.csrf), ("url", &rss), ("name", ""), ("category", "本地"), ("interval_minutes", "30")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = editor
        .post(
            &path,
            &[
                ("csrf", &editor.csrf),
                ("url", &rss),
                ("name", "江城晚报"),
                ("category", "本地"),
                ("interval_minutes", "90"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = editor.get(&path).await;
    assert!(page.contains("value=\"江城晚报\"") && page.contains("value=\"90\""), "{page}");

    // OPML out, with both sources.
    let res = editor
        .client
        .get(portal.url("/admin/sources.opml"))
        .header("cookie", &editor.cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/x-opml"));
    let opml = res.text().await.expect("body");
    assert!(opml.contains("江城晚报") && opml.contains(&rss) && opml.contains(&missing), "{opml}");
    assert_eq!(author.get("/admin/sources.opml").await.0, StatusCode::FORBIDDEN);

    // Remove: the source goes, its articles stay.
    assert_eq!(
        author.post(&format!("/admin/sources/{rss_id}/remove"), &[("csrf", &author.csrf)]).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = editor.post(&format!("/admin/sources/{rss_id}/remove"), &[("csrf", &editor.csrf)]).await;
    assert_eq!(res.headers()["location"], "/admin/sources?done=removed");
    let rows = source_rows(&editor.get("/admin/sources").await.1);
    assert_eq!(rows.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["失效源"]);
    assert_eq!(article_count(&portal).await, 3, "a removed source's articles stay");

    // OPML in: the removed source comes back, the one still there is skipped.
    let import = |csrf: String, body: Vec<u8>| {
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "opml",
            reqwest::multipart::Part::bytes(body).file_name("sources.opml").mime_str("text/x-opml").expect("mime"),
        );
        editor.client.post(portal.url("/admin/sources/import")).header("cookie", &editor.cookie).multipart(form).send()
    };
    let res = import(String::new(), opml.clone().into_bytes()).await.expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let res = import(editor.csrf.clone(), b"<opml><body><outline".to_vec()).await.expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = import(editor.csrf.clone(), opml.into_bytes()).await.expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().expect("location").to_string();
    let (_, page) = editor.get(&location).await;
    assert!(page.contains("新增 1 个，已有 1 个"), "{page}");
    assert_eq!(source_rows(&page).len(), 2);

    // Everything is in the audit log, under the editor's name.
    let admin = Web::login(&portal, "总编").await;
    let (_, audit) = admin.get("/admin/audit").await;
    for action in
        ["source_add", "source_fetch", "source_pause", "source_resume", "source_edit", "source_remove", "source_import"]
    {
        assert!(audit.contains(action), "audit log lacks {action}");
    }
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_run_from_the_browser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    add_user(d, "总编", "admin");
    add_user(d, "王编辑", "editor");
    let token = add_token(d, "王编辑");
    let portal = Portal::start(d, &[]).await;
    let admin = Web::login(&portal, "总编").await;
    let editor = Web::login(&portal, "王编辑").await;
    let new_user = [("name", "记者小李"), ("role", "author"), ("password", PASSWORD)];

    // Only admins: an editor is refused, and nobody without the CSRF token.
    assert_eq!(editor.get("/admin/users").await.0, StatusCode::FORBIDDEN);
    let mut form = vec![("csrf", editor.csrf.as_str())];
    form.extend_from_slice(&new_user);
    assert_eq!(editor.post("/admin/users", &form).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        editor
            .post("/admin/users/role", &[("csrf", &editor.csrf), ("name", "王编辑"), ("role", "admin")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(admin.post("/admin/users", &new_user).await.status(), StatusCode::FORBIDDEN);
    assert!(!admin.get("/admin/users").await.1.contains("记者小李"), "nothing was created");

    // Create; a short password, a taken name and an unknown role are refused in words.
    let mut form = vec![("csrf", admin.csrf.as_str())];
    form.extend_from_slice(&new_user);
    let res = admin.post("/admin/users", &form).await;
    assert_eq!(res.headers()["location"], "/admin/users?done=added");
    for (fields, says) in [
        ([("name", "记者小王"), ("role", "author"), ("password", "short")], "10"),
        ([("name", "记者小李"), ("role", "author"), ("password", PASSWORD)], "已被使用"),
        ([("name", "记者小王"), ("role", "boss"), ("password", PASSWORD)], "角色须为"),
        ([("name", "  "), ("role", "author"), ("password", PASSWORD)], "用户名"),
    ] {
        let mut form = vec![("csrf", admin.csrf.as_str())];
        form.extend_from_slice(&fields);
        let res = admin.post("/admin/users", &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let body = text(res).await;
        assert!(body.contains(says), "{fields:?}: {body}");
    }
    let li = Web::login(&portal, "记者小李").await;
    assert_eq!(li.get("/admin/slots").await.0, StatusCode::FORBIDDEN, "an author places no slots");

    // A new role takes effect on the session the user has.
    let res = admin.post("/admin/users/role", &[("csrf", &admin.csrf), ("name", "记者小李"), ("role", "editor")]).await;
    assert_eq!(res.headers()["location"], "/admin/users?done=role");
    assert_eq!(li.get("/admin/slots").await.0, StatusCode::OK);

    // Reset a password: the user's sessions end; the new password signs in, the old does not.
    let new_password = "a new password for li";
    let res = admin
        .post("/admin/users/password", &[("csrf", &admin.csrf), ("name", "记者小李"), ("password", "short")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = admin
        .post("/admin/users/password", &[("csrf", &admin.csrf), ("name", "记者小李"), ("password", new_password)])
        .await;
    assert_eq!(res.headers()["location"], "/admin/users?done=password");
    assert_eq!(li.get("/admin").await.0, StatusCode::SEE_OTHER, "the session ended");
    let client = raw_client();
    assert_eq!(
        login_attempt(&portal, &client, "记者小李", PASSWORD, "/admin").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_attempt(&portal, &client, "记者小李", new_password, "/admin").await.status(),
        StatusCode::SEE_OTHER
    );

    // Disable: sessions end and the token stops; enabled again, the token works.
    assert_eq!(api_status(&portal, &token).await, StatusCode::NOT_FOUND);
    let res = admin.post("/admin/users/disable", &[("csrf", &admin.csrf), ("name", "王编辑"), ("disabled", "1")]).await;
    assert_eq!(res.headers()["location"], "/admin/users?done=disabled");
    assert_eq!(editor.get("/admin").await.0, StatusCode::SEE_OTHER, "the session ended");
    assert_eq!(api_status(&portal, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login_attempt(&portal, &client, "王编辑", PASSWORD, "/admin").await.status(),
        StatusCode::UNAUTHORIZED,
        "no login"
    );
    let (_, page) = admin.get("/admin/users").await;
    assert!(page.contains("已停用"), "{page}");
    admin.post("/admin/users/disable", &[("csrf", &admin.csrf), ("name", "王编辑"), ("disabled", "0")]).await;
    assert_eq!(api_status(&portal, &token).await, StatusCode::NOT_FOUND);

    // The editor's token is listed; revoked, it stops for good.
    let (_, page) = admin.get("/admin/users").await;
    let token_id = page
        .split("name=\"id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a token listed")
        .to_string();
    assert_eq!(
        editor.post("/admin/tokens/revoke", &[("csrf", &editor.csrf), ("id", &token_id)]).await.status(),
        StatusCode::SEE_OTHER,
        "the editor's session ended: sent to sign in"
    );
    assert_eq!(api_status(&portal, &token).await, StatusCode::NOT_FOUND, "nothing was revoked");
    let res = admin.post("/admin/tokens/revoke", &[("csrf", &admin.csrf), ("id", &token_id)]).await;
    assert_eq!(res.headers()["location"], "/admin/users?done=revoked");
    assert_eq!(api_status(&portal, &token).await, StatusCode::UNAUTHORIZED);
    let res = admin.post("/admin/tokens/revoke", &[("csrf", &admin.csrf), ("id", &token_id)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "revoked once");

    // The last admin can neither step down nor be disabled.
    for (path, fields) in [
        ("/admin/users/role", [("name", "总编"), ("role", "editor")]),
        ("/admin/users/disable", [("name", "总编"), ("disabled", "1")]),
    ] {
        let mut form = vec![("csrf", admin.csrf.as_str())];
        form.extend_from_slice(&fields);
        let res = admin.post(path, &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(res.text().await.expect("body").contains("最后一位"), "{path}");
    }
    assert_eq!(admin.get("/admin/users").await.0, StatusCode::OK, "still an admin");
    // With a second admin, the first may step down.
    admin.post("/admin/users/role", &[("csrf", &admin.csrf), ("name", "记者小李"), ("role", "admin")]).await;
    let res = admin.post("/admin/users/role", &[("csrf", &admin.csrf), ("name", "总编"), ("role", "editor")]).await;
    assert_eq!(res.headers()["location"], "/admin/users?done=role");
    assert_eq!(admin.get("/admin/users").await.0, StatusCode::FORBIDDEN, "an editor now");

    let li = Web::login_with(&portal, "记者小李", new_password).await;
    let (_, audit) = li.get("/admin/audit").await;
    for action in ["user_add", "user_role", "user_password", "user_disable", "user_enable", "token_revoke"] {
        assert!(audit.contains(action), "audit log lacks {action}");
    }
    portal.terminate();
}

async fn slot_ids(portal: &Portal, path: &str) -> Vec<Value> {
    let (status, body) = portal.json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| if i["kind"] == "article" { i["article"]["id"].clone() } else { i["url"].clone() })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_place_articles_and_links_in_slots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    assert!(import(d, &fixture("articles.jsonl")).status.success());
    add_user(d, "王编辑", "editor");
    add_user(d, "作者甲", "author");
    let portal = Portal::start(d, &[]).await;
    let editor = Web::login(&portal, "王编辑").await;
    let author = Web::login(&portal, "作者甲").await;
    let place = |web: &Web, fields: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![("csrf", web.csrf.clone())];
        form.extend(fields);
        let client = web.client.clone();
        let (url, cookie) = (portal.url("/admin/slots"), web.cookie.clone());
        async move { client.post(url).header("cookie", cookie).form(&form).send().await.expect("POST") }
    };
    let article = |slot: &str, id: &str| {
        vec![("slot", slot.to_string()), ("kind", "article".into()), ("article_id", id.to_string())]
    };

    // Nothing placed: the home page has no slots, the API an empty list.
    assert!(!portal.text("/").await.1.contains("class=\"slots\""));
    assert_eq!(slot_ids(&portal, "/api/slots/headline").await, Vec::<Value>::new());

    // An author may not place; nobody may without the CSRF token.
    assert_eq!(author.get("/admin/slots").await.0, StatusCode::FORBIDDEN);
    assert_eq!(place(&author, article("headline", "3")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        editor.post("/admin/slots", &[("slot", "headline"), ("kind", "article"), ("article_id", "3")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(slot_ids(&portal, "/api/slots/headline").await, Vec::<Value>::new());

    // 头条: the home page leads with it, above the newest list.
    let res = place(&editor, article("headline", "/a/3")).await;
    assert_eq!(res.headers()["location"], "/admin/slots?done=added");
    assert_eq!(slot_ids(&portal, "/api/slots/头条").await, [Value::from(3)]);
    let (_, home) = portal.text("/").await;
    let lead = home.find("class=\"headline\"").expect("a headline");
    assert!(lead < home.find("class=\"heading\"").expect("the list"), "the lead is above the newest list");
    assert!(home[lead..].split("</article>").next().unwrap_or_default().contains("href=\"/a/3\""), "{home}");

    // A recorded copy of a story, a draft-less id, no id, an unknown slot: refused in words.
    for (fields, says) in [
        (article("headline", "9"), "转载副本"),
        (article("headline", "999"), "转载副本"),
        (article("headline", "abc"), "文章编号"),
        (article("轮播", "3"), "请选择推荐位"),
        (
            vec![
                ("slot", "recommended".into()),
                ("kind", "link".into()),
                ("url", "javascript:alert(1)".into()),
                ("title", "坏链接".into()),
            ],
            "http",
        ),
        (
            vec![
                ("slot", "recommended".into()),
                ("kind", "article".into()),
                ("article_id", "1".into()),
                ("ends_at", "明天".into()),
            ],
            "时间",
        ),
    ] {
        let res = place(&editor, fields.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let body = text(res).await;
        assert!(body.contains(says), "{fields:?}: {body}");
    }
    assert_eq!(slot_ids(&portal, "/api/slots/headline").await, [Value::from(3)]);

    // 推荐: newest placed first; a link (跳转); one that ended, one that has not begun.
    for id in ["1", "2"] {
        place(&editor, article("recommended", id)).await;
    }
    let link = |url: &str, window: (&str, &str)| {
        vec![
            ("slot", "推荐".to_string()),
            ("kind", "link".into()),
            ("url", url.to_string()),
            ("title", "专题：江州马拉松".into()),
            ("starts_at", window.0.to_string()),
            ("ends_at", window.1.to_string()),
        ]
    };
    place(&editor, link("https://example.com/ended", ("", "2020-01-01T08:00"))).await;
    place(&editor, link("https://example.com/later", ("2099-01-01T08:00", ""))).await;
    place(&editor, link("https://example.com/now", ("2020-01-01T08:00", "2099-01-01T08:00"))).await;
    let now = Value::from("https://example.com/now");
    assert_eq!(slot_ids(&portal, "/api/slots/recommended").await, [now.clone(), Value::from(2), Value::from(1)]);
    let (_, admin_page) = editor.get("/admin/slots").await;
    assert!(admin_page.contains("已过期") && admin_page.contains("未开始"), "{admin_page}");

    // Move: the item ids as the admin page gives them, in the slot's order.
    let (_, api) = portal.json("/api/slots/recommended").await;
    assert_eq!(api["items"][0]["kind"], "link");
    assert_eq!(api["items"][0]["title"], "专题：江州马拉松");
    let item_of = |page: &str, title: &str| {
        let page = page.replace("&#x2f;", "/");
        let at = page.find(&format!("aria-label=\"移出 {title}\"")).expect(title);
        page[..at].rsplit("name=\"id\" value=\"").next().and_then(|s| s.split('"').next()).expect("id").to_string()
    };
    let first_title = portal.json("/api/articles/1").await.1["title"].as_str().expect("title").to_string();
    let item1 = item_of(&admin_page, &first_title);
    let res = editor.post("/admin/slots/move", &[("csrf", &editor.csrf), ("id", &item1), ("direction", "up")]).await;
    assert_eq!(res.headers()["location"], "/admin/slots?done=moved");
    assert_eq!(slot_ids(&portal, "/api/slots/recommended").await, [now.clone(), Value::from(1), Value::from(2)]);
    assert_eq!(
        author.post("/admin/slots/move", &[("csrf", &author.csrf), ("id", &item1), ("direction", "up")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(slot_ids(&portal, "/api/slots/recommended").await, [now, Value::from(1), Value::from(2)]);
    let (_, home) = portal.text("/").await;
    assert!(home.contains("class=\"recommended\"") && home.contains("href=\"https://example.com/now\""), "{home}");
    assert!(!home.contains("example.com/ended") && !home.contains("example.com/later"));

    // A category's own 推荐 shows on its page, not on the home page's.
    let mut fields = article("recommended", "4");
    fields.push(("category", "汽车".into()));
    place(&editor, fields).await;
    assert_eq!(slot_ids(&portal, "/api/slots/recommended?category=汽车").await, [Value::from(4)]);
    assert!(!slot_ids(&portal, "/api/slots/recommended").await.contains(&Value::from(4)));
    let (_, page) = portal.text("/c/汽车").await;
    assert!(page.contains("class=\"recommended\"") && page.contains("href=\"/a/4\""), "{page}");

    // Remove: it leaves the page at once (the page cache is cleared).
    let (_, admin_page) = editor.get("/admin/slots").await;
    let headline_title = portal.json("/api/articles/3").await.1["title"].as_str().expect("title").to_string();
    let item3 = item_of(&admin_page, &headline_title);
    assert_eq!(
        author.post("/admin/slots/remove", &[("csrf", &author.csrf), ("id", &item3)]).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = editor.post("/admin/slots/remove", &[("csrf", &editor.csrf), ("id", &item3)]).await;
    assert_eq!(res.headers()["location"], "/admin/slots?done=removed");
    assert_eq!(slot_ids(&portal, "/api/slots/headline").await, Vec::<Value>::new());
    assert!(!portal.text("/").await.1.contains("class=\"headline\""));

    // The dashboard leads /admin for an editor: the day's reads, what waits for review.
    for _ in 0..3 {
        assert_eq!(portal.get("/a/2").await.status(), 200);
    }
    assert_eq!(portal.get("/a/1").await.status(), 200);
    let res = author.save(&author.csrf, &[("title", "待审的稿子"), ("body", "稿件正文。"), ("action", "submit")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, mine) = author.get("/admin").await;
    assert!(!mine.contains("class=\"dash\""), "an author's /admin is their articles");
    assert!(!editor.get("/admin?filter=all").await.1.contains("class=\"dash\""), "a filter shows the list alone");
    let counted = common::eventually(10, || async {
        let (_, dash) = editor.get("/admin").await;
        let today =
            dash.split("id=\"d-today\"").nth(1).and_then(|s| s.split("</ol>").next()).unwrap_or_default().to_string();
        today.find("/a/2").zip(today.find("/a/1")).is_some_and(|(two, one)| two < one)
            && today.contains("3 次")
            && dash.contains("今日 <strong>4</strong> 次")
    })
    .await;
    assert!(counted, "today's 4 reads, most read /a/2 (3 reads) above /a/1");
    let (_, dash) = editor.get("/admin").await;
    assert!(dash.contains("<svg class=\"chart\""), "{dash}");
    let waiting = dash.split("id=\"d-review\"").nth(1).and_then(|s| s.split("</section>").next()).unwrap_or_default();
    assert!(waiting.contains("待审的稿子") && waiting.contains("作者甲"), "{waiting}");
    assert!(dash.contains("订阅源都正常"));

    // An unknown slot is a 404 that says which there are.
    let (status, body) = portal.json("/api/slots/banner").await;
    assert_eq!(status, 404);
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("headline"), "{body}");
    portal.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revisions_are_kept_compared_and_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    add_user(d, "王编辑", "editor");
    add_user(d, "作者甲", "author");
    let portal = Portal::start(d, &[]).await;
    let editor = Web::login(&portal, "王编辑").await;
    let author = Web::login(&portal, "作者甲").await;

    let res = editor
        .save(&editor.csrf, &[("title", "城市书房上新"), ("body", "全市新增二十家城市书房。"), ("action", "draft")])
        .await;
    let location = res.headers()["location"].to_str().expect("location").to_string();
    let id: i64 = location.trim_start_matches("/admin/a/").split('?').next().and_then(|s| s.parse().ok()).expect("id");
    let id_s = id.to_string();
    let fields = [
        ("id", id_s.as_str()),
        ("title", "城市书房全面上新"),
        ("body", "全市新增三十家城市书房，晚上十点关门。"),
        ("action", "publish"),
    ];
    assert_eq!(editor.save(&editor.csrf, &fields).await.status(), StatusCode::SEE_OTHER);
    // Saving the same again is no change, and no revision.
    editor.save(&editor.csrf, &fields).await;

    // The history: newest first, in words; the revision before compared with the text now.
    let path = format!("/admin/a/{id}/history");
    let (status, page) = editor.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("<td>王编辑</td>").count(), 2, "{page}");
    assert!(page.find("<td>发布</td>") < page.find("<td>新建</td>"), "newest first: {page}");
    assert!(page.contains("<del>二十家</del>") && page.contains("<ins>三十家</ins>"), "a word diff: {page}");
    assert!(page.contains("<ins>，晚上十点关门</ins>") && page.contains("<ins>全面</ins>"), "{page}");
    let first_rev = page
        .split("name=\"rev\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a restore form for the older revision")
        .to_string();
    assert_eq!(editor.get(&format!("{path}?rev=999999")).await.0, StatusCode::NOT_FOUND);

    // An author may read a live article's history but not restore it; nobody without CSRF.
    let (status, page) = author.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("恢复此版本"), "no restore for who may not edit");
    let restore = format!("/admin/a/{id}/restore");
    assert_eq!(
        author.post(&restore, &[("csrf", &author.csrf), ("rev", &first_rev)]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(editor.post(&restore, &[("rev", first_rev.as_str())]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(portal.json(&format!("/api/articles/{id}")).await.1["title"], "城市书房全面上新", "nothing changed");

    // Restored: the old text is back as a new revision, and the article stays live.
    let res = editor.post(&restore, &[("csrf", &editor.csrf), ("rev", &first_rev)]).await;
    assert_eq!(res.headers()["location"].to_str().expect("location"), format!("{path}?restored=1"));
    let (status, article) = portal.json(&format!("/api/articles/{id}")).await;
    assert_eq!(status, 200, "still published");
    assert_eq!(article["title"], "城市书房上新");
    assert!(article["body_html"].as_str().unwrap_or_default().contains("二十家"), "{article}");
    let (_, page) = editor.get(&format!("{path}?restored=1")).await;
    assert!(page.contains("已恢复") && page.contains("<td>恢复版本</td>"), "{page}");
    assert_eq!(page.matches("<td>王编辑</td>").count(), 3);
    // A revision of another article is not this one's.
    assert_eq!(
        editor.post("/admin/a/999999/restore", &[("csrf", &editor.csrf), ("rev", &first_rev)]).await.status(),
        StatusCode::NOT_FOUND
    );
    portal.terminate();
}
