//! The editors' pages: sign-in and out, the article list, the editor (Markdown with a
//! preview), saving through the one edit path, and the audit log for admins.

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{Value, context, value::Serde};
use serde::Serialize;
use zixun_core::{SiteClock, html::sanitize, newsroom::Workflow};
use zixun_ingest::ImportRecord;
use zixun_store::AdminFilter;

use super::{
    EditError, EditRequest, apply_edit, audit,
    auth::{ClientAddr, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SessionActor, actor, cookie, set_cookie},
    visible_article,
};
use crate::{AppContext, Ctx, error::PageError};
use zixun_newsroom::{dummy_hash, is_signed_token, new_token, same_secret, signed_token, token_hash, verify_password};

pub(super) type FormFields = HashMap<String, String>;

pub(super) fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Where to go after signing in: only a clean path of the newsroom itself (never another site,
/// never a character a `Location` header cannot carry).
fn safe_next(next: Option<&str>) -> String {
    let ours = |n: &str| n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?");
    match next {
        Some(n)
            if ours(n)
                && n.bytes().all(|b| b.is_ascii_graphic())
                && !n.contains("//")
                && !n.contains('\\')
                && !n.starts_with("/admin/login") =>
        {
            n.to_string()
        }
        _ => "/admin".to_string(),
    }
}

pub async fn login_form(State(ctx): State<Ctx>, Query(q): Query<FormFields>) -> Result<Response, PageError> {
    render_login(&ctx, &safe_next(q.get("next").map(String::as_str)), None, StatusCode::OK).await
}

async fn render_login(
    ctx: &AppContext,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    // Login CSRF: the form carries a token the server signed, which must match a cookie set
    // with it (a pair the client makes up itself, `x`/`x`, is refused).
    let csrf = signed_token(&ctx.newsroom.login_key().await?);
    let body = ctx.theme.render(
        "admin_login.html",
        context! { site => ctx.site_globals(), csrf => csrf.clone(), next => next, error => error },
    )?;
    let mut res = html(status, body);
    let c =
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, "/admin/login", "Strict", ctx.newsroom.config.secure_cookies, Some(3600));
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn login(
    State(ctx): State<Ctx>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    let next = safe_next(f.get("next").map(String::as_str));
    let sent = f.get("csrf").map(String::as_str).unwrap_or("");
    let key = ctx.newsroom.login_key().await?;
    if !cookie(&headers, LOGIN_CSRF_COOKIE).is_some_and(|c| same_secret(c, sent) && is_signed_token(&key, c)) {
        return Err(PageError {
            status: StatusCode::FORBIDDEN, message: "登录表单已过期，请刷新页面后重试".into()
        });
    }
    let name = f.get("name").map(|s| s.trim()).unwrap_or("");
    let password = f.get("password").map(String::as_str).unwrap_or("");
    let nr = &ctx.newsroom;
    if !nr.throttle.admit(nr.store.as_ref(), name, &addr).await? {
        let minutes = nr.config.login_window.as_secs().div_ceil(60);
        let msg = format!("登录失败次数过多，请 {minutes} 分钟后再试");
        return render_login(&ctx, &next, Some(&msg), StatusCode::TOO_MANY_REQUESTS).await;
    }
    let user = nr.store.user_by_name(name).await?;
    // The same work and the same answer for a wrong name, a wrong password and a disabled account.
    let hash = user.as_ref().map_or(dummy_hash(), |u| u.password_hash.as_str()).to_string();
    let pw = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
    let user = match user {
        Some(u) if matches && !u.disabled => u,
        _ => {
            let tried: String = name.chars().take(64).collect();
            nr.record(None, &tried, "login_failed", None, &format!("from {addr}")).await?;
            return render_login(&ctx, &next, Some("用户名或密码错误"), StatusCode::UNAUTHORIZED).await;
        }
    };
    nr.throttle.succeeded(nr.store.as_ref(), name, &addr).await?;
    // A new session at every sign-in (a token planted before login is worth nothing after).
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        nr.store.delete_session(&token_hash(old)).await?;
    }
    let token = new_token();
    nr.store.create_session(&token_hash(&token), user.id, &new_token(), SiteClock::now()).await?;
    audit(&ctx.newsroom, &actor(&user), "login", None, &format!("from {addr}")).await?;
    let mut res = Redirect::to(&next).into_response();
    let secure = nr.config.secure_cookies;
    for c in [
        set_cookie(SESSION_COOKIE, &token, "/", "Lax", secure, None),
        set_cookie(LOGIN_CSRF_COOKIE, "", "/admin/login", "Strict", secure, Some(0)),
    ] {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

pub async fn logout(
    State(ctx): State<Ctx>,
    user: SessionActor,
    headers: HeaderMap,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        ctx.newsroom.store.delete_session(&token_hash(token)).await?;
    }
    audit(&ctx.newsroom, &user.actor, "logout", None, "").await?;
    let mut res = Redirect::to("/admin/login").into_response();
    let c = set_cookie(SESSION_COOKIE, "", "/", "Lax", ctx.newsroom.config.secure_cookies, Some(0));
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Serialize)]
struct Row {
    id: i64,
    title: String,
    owner: Option<String>,
    workflow: &'static str,
    state: &'static str,
    category: Option<String>,
    updated: String,
    publish_at: Option<String>,
    editable: bool,
}

pub async fn article_list(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    let filter_name =
        q.get("filter").map(String::as_str).unwrap_or(if user.actor.role.publishes() { "all" } else { "mine" });
    let workflow = Workflow::parse(filter_name);
    // An author sees only their own work, whatever the filter says.
    let mine = filter_name == "mine" || !user.actor.role.publishes();
    let filter = AdminFilter { owner_id: mine.then_some(user.actor.user_id), workflow };
    let rows: Vec<Row> = ctx
        .newsroom
        .store
        .admin_articles(filter, 200)
        .await?
        .into_iter()
        .map(|a| Row {
            id: a.id,
            title: a.title,
            owner: a.owner_name,
            workflow: a.workflow.as_str(),
            state: a.workflow.label(),
            category: a.category,
            updated: ctx.clock.format(a.updated_at),
            publish_at: a.publish_at.map(|t| ctx.clock.format(t)),
            editable: user
                .actor
                .may_edit(zixun_core::newsroom::Owned { owner_id: a.owner_id, workflow: a.workflow })
                .is_ok(),
        })
        .collect();
    // The dashboard leads the newsroom's front page for those who run the site.
    let dash = match q.get("filter") {
        None if user.actor.role.publishes() => Some(super::dashboard::dashboard(&ctx).await?),
        _ => None,
    };
    let body = ctx.theme.render(
        "admin_list.html",
        context! { site => ctx.site_globals(), user => Serde(&user.actor), csrf => user.csrf.clone(), rows => Serde(rows), filter => filter_name, dash => dash.map(Serde) },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// What the editor form shows.
#[derive(Serialize, Default)]
struct EditorForm {
    id: Option<i64>,
    title: String,
    body: String,
    category: String,
    tags: String,
    author: String,
    original: bool,
    source_name: String,
    source_url: String,
    cover: String,
    original_title: String,
    original_author: String,
    editor: String,
    publish_at: String,
    state: &'static str,
    workflow: &'static str,
    suggested_tags: Vec<String>,
}

fn datetime_local(clock: &SiteClock, unix: i64) -> String {
    clock.format(unix).get(..16).unwrap_or_default().replacen(' ', "T", 1)
}

pub async fn new_article(State(ctx): State<Ctx>, user: SessionActor) -> Result<Response, PageError> {
    let form =
        EditorForm { original: true, author: user.actor.name.clone(), state: "新文章", ..EditorForm::default() };
    render_editor(&ctx, &user, &form, None, None, StatusCode::OK)
}

pub async fn edit_article(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    let a = visible_article(&ctx.newsroom, &user.actor, id).await?;
    user.actor.may_edit(a.owned()).map_err(EditError::from)?;
    let markdown = ctx.newsroom.store.markdown(id).await?.unwrap_or_else(|| a.body_text.replace('\n', "\n\n"));
    let form = EditorForm {
        id: Some(a.id),
        suggested_tags: a.keywords.iter().filter(|k| !a.tags.contains(k)).take(8).cloned().collect(),
        title: a.title,
        body: markdown,
        category: a.category.unwrap_or_default(),
        tags: a.tags.join(", "),
        author: a.author.unwrap_or_default(),
        original: a.original,
        source_name: a.source_name.unwrap_or_default(),
        source_url: a.source_url.unwrap_or_default(),
        // A cover that is the body's first image was taken from it: the form leaves it to be
        // taken again (an image removed from the body is then no longer the cover).
        cover: a
            .cover
            .filter(|c| Some(c.as_str()) != zixun_core::html::first_image(&a.body_html).as_deref())
            .unwrap_or_default(),
        original_title: a.credits.original_title.unwrap_or_default(),
        original_author: a.credits.original_author.unwrap_or_default(),
        editor: a.credits.editor.unwrap_or_default(),
        publish_at: a.publish_at.map(|t| datetime_local(&ctx.clock, t)).unwrap_or_default(),
        state: a.workflow.label(),
        workflow: a.workflow.as_str(),
    };
    render_editor(&ctx, &user, &form, None, None, StatusCode::OK)
}

fn render_editor(
    ctx: &AppContext,
    user: &SessionActor,
    form: &EditorForm,
    preview: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let body = ctx.theme.render(
        "admin_edit.html",
        context! {
            site => ctx.site_globals(),
            user => Serde(&user.actor),
            csrf => user.csrf.clone(),
            form => Serde(form),
            preview => preview.map(Value::from_safe_string),
            error => error,
            publishes => user.actor.role.publishes(),
        },
    )?;
    Ok(html(status, body))
}

pub(super) fn field(f: &FormFields, name: &str) -> String {
    f.get(name).map(|s| s.trim().to_string()).unwrap_or_default()
}

pub(super) fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

pub async fn save(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    let id = match f.get("id").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<i64>().map_err(|_| PageError::bad_request("文章编号无效"))?),
        None => None,
    };
    let form = EditorForm {
        id,
        title: field(&f, "title"),
        body: f.get("body").cloned().unwrap_or_default(),
        category: field(&f, "category"),
        tags: field(&f, "tags"),
        author: field(&f, "author"),
        original: f.contains_key("original"),
        source_name: field(&f, "source_name"),
        source_url: field(&f, "source_url"),
        cover: field(&f, "cover"),
        original_title: field(&f, "original_title"),
        original_author: field(&f, "original_author"),
        editor: field(&f, "editor"),
        publish_at: field(&f, "publish_at"),
        state: "",
        workflow: "",
        suggested_tags: Vec::new(),
    };
    let reject =
        |message: String| render_editor(&ctx, &user, &form, None, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
    if !(form.cover.is_empty()
        || form.cover.starts_with("/uploads/")
        || form.cover.starts_with("https://")
        || form.cover.starts_with("http://"))
    {
        return reject("封面图须是上传后得到的 /uploads/ 地址或 http(s) 网址".into());
    }
    let body_html = zixun_core::html::markdown_to_html(&form.body);
    let action = f.get("action").map(String::as_str).unwrap_or("draft");
    if action == "preview" {
        let preview = sanitize(&body_html);
        return render_editor(&ctx, &user, &form, Some(preview), None, StatusCode::OK);
    }
    let wanted = match action {
        "submit" => Workflow::Submitted,
        "publish" => Workflow::Published,
        "schedule" => Workflow::Scheduled,
        "unpublish" => Workflow::Unpublished,
        _ => Workflow::Draft,
    };
    if form.title.is_empty() {
        return reject("标题不能为空".into());
    }
    let publish_at = match non_empty(form.publish_at.clone()) {
        Some(s) if wanted == Workflow::Scheduled => match ctx.clock.parse(&s) {
            Ok(t) => Some(t),
            Err(e) => return reject(format!("发布时间：{e}")),
        },
        _ => None,
    };
    let record = ImportRecord {
        title: form.title.clone(),
        body_html: Some(body_html),
        author: non_empty(form.author.clone()),
        source: if form.original { None } else { non_empty(form.source_name.clone()) },
        url: if form.original { None } else { non_empty(form.source_url.clone()) },
        original: Some(form.original),
        category: non_empty(form.category.clone()),
        tags: form.tags.split([',', '，', '、']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect(),
        cover: non_empty(form.cover.clone()),
        original_title: if form.original { None } else { non_empty(form.original_title.clone()) },
        original_author: if form.original { None } else { non_empty(form.original_author.clone()) },
        editor: non_empty(form.editor.clone()),
        ..ImportRecord::default()
    };
    let req = EditRequest { id, record, wanted, publish_at, markdown: Some(form.body.clone()), restores: None };
    match apply_edit(&ctx.newsroom, &user.actor, req).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/admin/a/{id}?saved=1")).into_response()),
        Err(EditError::Invalid { message, .. } | EditError::Blocked { message, .. }) => reject(message),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct AuditRow {
    time: String,
    user: String,
    action: String,
    article_id: Option<i64>,
    detail: String,
}

pub async fn audit_log(State(ctx): State<Ctx>, user: SessionActor) -> Result<Response, PageError> {
    user.actor.require_admin()?;
    let rows: Vec<AuditRow> = ctx
        .newsroom
        .store
        .audit_log(500)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            time: ctx.clock.format(e.at),
            user: e.user_name,
            action: e.action,
            article_id: e.article_id,
            detail: e.detail,
        })
        .collect();
    let users: Vec<Value> = ctx
        .newsroom
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| context! { name => u.name, role => u.role.label(), disabled => u.disabled, created => ctx.clock.format(u.created_at) })
        .collect();
    let body = ctx.theme.render(
        "admin_audit.html",
        context! { site => ctx.site_globals(), user => Serde(&user.actor), csrf => user.csrf.clone(), rows => Serde(rows), users => users },
    )?;
    Ok(html(StatusCode::OK, body))
}

/// Renders a newsroom page: the site, the signed-in user and their CSRF token, and `extra`.
pub(super) fn admin_page(
    ctx: &AppContext,
    user: &SessionActor,
    template: &str,
    extra: Value,
    status: StatusCode,
) -> Result<Response, PageError> {
    let body = ctx.theme.render(
        template,
        context! { site => ctx.site_globals(), user => Serde(&user.actor), csrf => user.csrf.clone(), ..extra },
    )?;
    Ok(html(status, body))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_clean_newsroom_path_or_the_dashboard() {
        for good in ["/admin", "/admin/articles/5", "/admin?page=2", "/admin/articles?q=%E8%8A%AF"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "/admin\n",
            "/admin\r\nSet-Cookie: x=1",
            "/admin\0",
            "/admin\x7f",
            "/admin/芯片",
            "/admin x",
            "/administrator",
            "//evil.example/admin",
            "/admin//evil.example",
            "/admin\\evil",
            "/admin/login?next=/admin",
            "https://evil.example/admin",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/admin");
    }
}
