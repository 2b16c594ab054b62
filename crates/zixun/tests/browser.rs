//! The newsroom in a real browser (Debian's chromium, driven through chromedriver): an admin
//! adds and fetches a source and creates accounts, an author writes and submits an article with
//! an uploaded cover, an editor publishes it and puts it in 头条, the home page shows it first at
//! a phone's and a desktop's width, and an earlier revision is restored.
//!
//! Needs `chromedriver` and `chromium` (apt: chromium-driver, chromium); `.ci/run` installs
//! them. Screenshots go to `target/browser/`.

mod common;

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{
    Portal, feed_server,
    newsroom::{PASSWORD, add_user},
};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::json;

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let program = std::env::var("ZIXUN_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program} (apt install chromium-driver): {e}"));
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{url}/status")).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { child, url }
}

async fn browser(driver: &Driver) -> Client {
    let mut options = json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1366,900", "--lang=zh-CN"]});
    if Path::new("/usr/bin/chromium").exists() {
        options["binary"] = json!("/usr/bin/chromium");
    }
    let caps = json!({"goog:chromeOptions": options});
    let caps = caps.as_object().expect("object").clone();
    ClientBuilder::rustls().expect("tls").capabilities(caps).connect(&driver.url).await.expect("a chromium session")
}

/// Clicks `button` and waits for the page it loads (the old page's root gone stale).
async fn click_and_wait(c: &Client, button: Element) {
    let old = c.find(Locator::Css("html")).await.expect("page");
    button.click().await.expect("click");
    let deadline = Instant::now() + Duration::from_secs(30);
    while old.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "no new page after the click");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait().for_element(Locator::Css("footer")).await.expect("the next page");
}

/// Fills the named fields of the form at `form` and clicks its button `button`.
async fn submit(c: &Client, form: &str, fields: &[(&str, &str)], button: &str) {
    let f = c.find(Locator::Css(form)).await.expect(form);
    for (name, value) in fields {
        let field = f.find(Locator::Css(&format!("[name=\"{name}\"]"))).await.expect(name);
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }
    click_and_wait(c, f.find(Locator::Css(button)).await.expect(button)).await;
}

async fn page_text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.expect("body").text().await.expect("text")
}

async fn login(c: &Client, portal: &Portal, name: &str) {
    c.delete_all_cookies().await.expect("sign out");
    c.goto(&portal.url("/admin/login")).await.expect("login page");
    submit(c, "form[action=\"/admin/login\"]", &[("name", name), ("password", PASSWORD)], "button").await;
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/admin", "{name} is signed in");
}

async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(name), c.screenshot().await.expect("screenshot")).expect("write screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver (apt: chromium chromium-driver); .ci/run installs them"]
async fn a_story_from_the_newsroom_to_the_home_page_in_a_browser() {
    let feeds = feed_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    add_user(d, "总编", "admin");
    let portal = Portal::start_with(d, &[], &[("ZIXUN_FETCH_FEEDS", "false"), ("ZIXUN_PAGE_CACHE_SECONDS", "1")]).await;
    let driver = driver().await;
    let c = browser(&driver).await;

    // The admin adds a source served by the local feed server and fetches it.
    login(&c, &portal, "总编").await;
    c.goto(&portal.url("/admin/sources")).await.expect("sources");
    let feed = format!("{feeds}/f/rss.xml");
    let fields = [("url", feed.as_str()), ("category", "本地")];
    submit(&c, "form[action=\"/admin/sources\"]", &fields, "button[type=submit]").await;
    let added = page_text(&c).await;
    assert!(added.contains("江城晚报·本地"), "the feed's title names the source: {added}");
    c.goto(&portal.url("/admin/sources")).await.expect("sources");
    click_and_wait(&c, c.find(Locator::XPath("//button[text()='立即抓取']")).await.expect("fetch now")).await;
    let fetched = page_text(&c).await;
    assert!(fetched.contains("抓取完成") && fetched.contains("共 3 条"), "the fetch's result is shown: {fetched}");
    assert!(
        common::eventually(10, || async { portal.text("/").await.1.contains("江城地铁5号线今日全线贯通") }).await,
        "the fetched entries are on the site"
    );

    // ... and creates an author and an editor.
    for (name, role) in [("作者乙", "author"), ("编辑甲", "editor")] {
        c.goto(&portal.url("/admin/users")).await.expect("users");
        let form = "form[action=\"/admin/users\"]";
        let select = c.find(Locator::Css(&format!("{form} select[name=role]"))).await.expect("role");
        select.select_by_value(role).await.expect("choose the role");
        submit(&c, form, &[("name", name), ("password", PASSWORD)], "button[type=submit]").await;
        assert!(page_text(&c).await.contains(name), "{name} is listed");
    }

    // The author uploads a cover, writes a draft, rewrites it and submits it.
    login(&c, &portal, "作者乙").await;
    let png = d.join("cover.png");
    std::fs::write(
        &png,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82",
    )
    .expect("png");
    c.goto(&portal.url("/admin/new")).await.expect("editor");
    let file = c.find(Locator::Css("input[type=file][name=image]")).await.expect("file input");
    file.send_keys(png.to_str().expect("path")).await.expect("choose file");
    click_and_wait(&c, c.find(Locator::XPath("//button[text()='上传']")).await.expect("upload")).await;
    let cover = c.find(Locator::Css("main code")).await.expect("uploaded").text().await.expect("address");
    assert!(cover.starts_with("/uploads/"), "{cover}");
    let title = "江城新建三座口袋公园";
    let first = "今年江城将新建三座口袋公园，方便居民就近休闲。";
    c.goto(&portal.url("/admin/new")).await.expect("editor");
    let editor = "form[action=\"/admin/save\"]";
    let fields = [("title", title), ("body", first), ("category", "本地"), ("cover", cover.as_str())];
    submit(&c, editor, &fields, "button[value=draft]").await;
    let url = c.current_url().await.expect("url");
    let id: i64 = url.path().trim_start_matches("/admin/a/").parse().expect("the draft's id");
    let second = "今年江城将新建五座口袋公园，首座十月开放。";
    submit(&c, editor, &[("body", second)], "button[value=submit]").await;
    assert!(page_text(&c).await.contains("待审"), "submitted");

    // The editor publishes it and puts it in 头条.
    login(&c, &portal, "编辑甲").await;
    c.goto(&portal.url(&format!("/admin/a/{id}"))).await.expect("the submitted article");
    submit(&c, editor, &[], "button[value=publish]").await;
    c.goto(&portal.url("/admin/slots")).await.expect("slots");
    let slots = "form[action=\"/admin/slots\"]";
    let select = c.find(Locator::Css(&format!("{slots} select[name=slot]"))).await.expect("slot");
    select.select_by_value("headline").await.expect("头条");
    submit(&c, slots, &[("article_id", &id.to_string())], "button[type=submit]").await;
    assert!(page_text(&c).await.contains(title), "placed");

    // The home page shows it first, on a phone and on a desktop, with nothing wider than the screen.
    for (width, height) in [(390u32, 844u32), (1366, 900)] {
        c.set_window_size(width, height).await.expect("resize");
        // The first headline (h2) of the page is the lead, and no story's link comes before it.
        let deadline = Instant::now() + Duration::from_secs(15);
        let lead = loop {
            c.goto(&portal.url("/")).await.expect("home");
            let lead = c.find(Locator::Css("main h2 a[href^=\"/a/\"]")).await.expect("a headline");
            if lead.text().await.expect("text") == title || Instant::now() > deadline {
                break lead;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        assert_eq!(lead.text().await.expect("text"), title, "the lead at {width} px");
        assert!(lead.is_displayed().await.expect("shown"), "at {width} px");
        let href = lead.attr("href").await.expect("href");
        let first = c.find(Locator::Css("main a[href^=\"/a/\"]")).await.expect("the first story link");
        assert_eq!(first.attr("href").await.expect("href"), href, "nothing comes before the lead at {width} px");
        let (_, lead_top, _, _) = lead.rectangle().await.expect("where");
        for other in c.find_all(Locator::Css(".stream li a[href^=\"/a/\"]")).await.expect("the newest list") {
            let (_, top, _, _) = other.rectangle().await.expect("where");
            assert!(top > lead_top, "the newest list is below the lead at {width} px");
        }
        let overflow = c
            .execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![])
            .await
            .expect("measure");
        assert!(overflow.as_i64().is_some_and(|o| o <= 0), "nothing wider than {width} px: {overflow}");
        let picture = c.find(Locator::Css(".slots img")).await.expect("the lead's picture");
        assert!(picture.attr("src").await.expect("src").is_some_and(|s| s.contains("/uploads/")), "the cover");
        screenshot(&c, &format!("home-{width}.png")).await;
    }

    // An earlier revision (the first draft) is restored by the editor.
    c.goto(&portal.url(&format!("/admin/a/{id}/history"))).await.expect("history");
    let restore = c.find_all(Locator::XPath("//button[text()='恢复此版本']")).await.expect("restore buttons");
    assert!(restore.len() >= 2, "the submission and the first draft can be restored");
    click_and_wait(&c, restore.last().expect("the oldest").clone()).await;
    assert!(
        common::eventually(10, || async { portal.text(&format!("/a/{id}")).await.1.contains(first) }).await,
        "the first draft's text is live again"
    );
    c.goto(&portal.url(&format!("/a/{id}"))).await.expect("article");
    screenshot(&c, "article-restored.png").await;
    c.close().await.expect("close the browser");
    portal.terminate();
}
