//! `/admin/sources`: the outlets whose feeds are polled, kept by editors and admins in the
//! browser — each source's state and last error in words, failing ones first; add (the feed is
//! tried once), edit, pause and resume, remove (its articles stay), fetch now, OPML in and out.

use axum::{
    extract::{Multipart, Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use zixun_core::SiteClock;
use zixun_ingest::feed::{export_opml, import_opml};
use zixun_store::{NewSource, Source, SourceStore, StoreError};

use super::{
    audit,
    auth::SessionActor,
    pages::{FormFields, admin_page, field, non_empty},
};
use crate::{AppContext, Ctx, error::PageError};

/// The poll interval a new source gets, in minutes (as `zixun sources add`).
const DEFAULT_INTERVAL_MINUTES: i64 = 15;
/// Longest interval the form takes: a week.
const MAX_INTERVAL_MINUTES: i64 = 7 * 24 * 60;

/// A failure's code (`FetchError::code`, `FeedError::code`) in words.
pub(super) fn failure_in_words(code: Option<&str>) -> &'static str {
    match code {
        Some("url") => "订阅地址无效",
        Some("timeout") => "连接超时，对方服务器没有及时响应",
        Some("connect") => "无法连接对方服务器（域名无法解析或连接被拒绝）",
        Some("redirect") => "重定向出错（次数过多或目标无效）",
        Some("http_status") => "对方服务器返回了错误状态码",
        Some("too_large") => "内容超过大小上限",
        Some("transfer") => "传输中断",
        Some("refused") => "地址被拒绝：不是公网地址",
        Some("empty") => "对方返回了空内容",
        Some("html_page") => "对方返回的是网页，不是 RSS/Atom 订阅源",
        Some("not_feed") => "内容无法解析为 RSS、Atom 或 JSON Feed",
        Some("parser") => "解析订阅源时出错",
        Some("write") => "保存文章时出错",
        _ => "抓取失败",
    }
}

fn interval_text(secs: i64) -> String {
    match secs {
        s if s % 86400 == 0 => format!("{} 天", s / 86400),
        s if s % 3600 == 0 => format!("{} 小时", s / 3600),
        s => format!("{} 分钟", (s / 60).max(1)),
    }
}

/// A source as the list and its page show it.
#[derive(Serialize)]
struct SourceView {
    id: i64,
    name: String,
    url: String,
    category: Option<String>,
    interval: String,
    interval_minutes: i64,
    localize_images: bool,
    paused: bool,
    /// Failing now (its last fetch failed).
    failing: bool,
    state: String,
    last_fetch: Option<String>,
    last_status: Option<&'static str>,
    error_words: Option<&'static str>,
    error_detail: Option<String>,
    failures: i64,
    items: i64,
    errors: i64,
    next_fetch: String,
}

impl SourceView {
    fn new(ctx: &AppContext, s: Source, now: i64) -> Self {
        let failing = s.failures > 0;
        let state = if s.paused {
            "已暂停".to_string()
        } else if failing {
            format!("连续失败 {} 次", s.failures)
        } else if s.last_fetch_at.is_none() {
            "等待首次抓取".to_string()
        } else {
            "正常".to_string()
        };
        let next_fetch = if s.paused {
            "暂停中".to_string()
        } else if s.next_fetch_at <= now {
            "即将抓取".to_string()
        } else {
            ctx.clock.format(s.next_fetch_at)
        };
        SourceView {
            id: s.id,
            interval: interval_text(s.interval_secs),
            interval_minutes: (s.interval_secs / 60).max(1),
            localize_images: s.localize_images,
            paused: s.paused,
            failing,
            state,
            last_fetch: s.last_fetch_at.map(|t| ctx.clock.format(t)),
            last_status: s.last_status.as_deref().map(|st| match st {
                "ok" => "成功",
                "not modified" => "无更新",
                _ => "失败",
            }),
            error_words: failing.then(|| failure_in_words(s.last_error_code.as_deref())),
            error_detail: s.last_error.filter(|_| failing),
            failures: s.failures,
            items: s.items,
            errors: s.errors,
            next_fetch,
            name: s.name,
            url: s.url,
            category: s.category,
        }
    }
}

/// What the add and edit forms hold.
#[derive(Serialize, Default)]
struct SourceForm {
    name: String,
    url: String,
    category: String,
    interval_minutes: i64,
    localize_images: bool,
}

impl SourceForm {
    fn from_fields(f: &FormFields) -> Self {
        SourceForm {
            name: field(f, "name"),
            url: field(f, "url"),
            category: field(f, "category"),
            interval_minutes: field(f, "interval_minutes").parse().unwrap_or(0),
            localize_images: f.contains_key("localize_images"),
        }
    }

    /// The source it asks for (`name` may still be empty on add), or why not.
    fn source(&self) -> Result<NewSource, String> {
        let url = url::Url::parse(&self.url).map_err(|_| format!("订阅地址 {:?} 不是有效的网址", self.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("订阅地址须以 http:// 或 https:// 开头".into());
        }
        if !(1..=MAX_INTERVAL_MINUTES).contains(&self.interval_minutes) {
            return Err(format!("抓取间隔须为 1 到 {MAX_INTERVAL_MINUTES} 分钟"));
        }
        if self.name.chars().count() > 100 || self.category.chars().count() > 40 {
            return Err("名称不超过 100 字，栏目不超过 40 字".into());
        }
        Ok(NewSource {
            name: self.name.clone(),
            url: url.to_string(),
            category: non_empty(self.category.clone()),
            interval_secs: self.interval_minutes * 60,
            localize_images: self.localize_images,
        })
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "已添加订阅源",
        "saved" => "已保存",
        "paused" => "已暂停抓取",
        "resumed" => "已恢复抓取，稍后开始",
        "removed" => "已删除订阅源（已抓取的文章保留）",
        _ => return None,
    })
}

async fn render_list(
    ctx: &AppContext,
    user: &SessionActor,
    notice: Option<String>,
    error: Option<String>,
    form: &SourceForm,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = SiteClock::now();
    let mut sources: Vec<Source> = ctx.store.sources().await?;
    // Failing sources first, the longest-failing on top; then by name.
    sources.sort_by(|a, b| b.failures.min(1).cmp(&a.failures.min(1)).then(b.failures.cmp(&a.failures)));
    let failing = sources.iter().filter(|s| s.failures > 0).count();
    let rows: Vec<SourceView> = sources.into_iter().map(|s| SourceView::new(ctx, s, now)).collect();
    admin_page(
        ctx,
        user,
        "admin_sources.html",
        context! { rows => Serde(rows), failing => failing, notice => notice, error => error, form => Serde(form) },
        status,
    )
}

pub async fn list(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    user.actor.require_editor()?;
    let notice = match q.get("done").map(String::as_str) {
        Some("imported") => Some(format!(
            "OPML 导入完成：新增 {} 个，已有 {} 个",
            q.get("added").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0),
            q.get("known").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0)
        )),
        Some(d) => done_message(d).map(String::from),
        None => None,
    };
    let form = SourceForm { interval_minutes: DEFAULT_INTERVAL_MINUTES, ..SourceForm::default() };
    render_list(&ctx, &user, notice, None, &form, StatusCode::OK).await
}

pub async fn add(
    State(ctx): State<Ctx>,
    user: SessionActor,
    axum::Form(f): axum::Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_editor()?;
    let form = SourceForm::from_fields(&f);
    let reject =
        |message: String| render_list(&ctx, &user, None, Some(message), &form, StatusCode::UNPROCESSABLE_ENTITY);
    let mut new = match form.source() {
        Ok(s) => s,
        Err(message) => return reject(message).await,
    };
    // The feed is tried once: its title names the source when no name is given, and a typo
    // shows now rather than as a string of failures.
    let probe = ctx.newsroom.poller.fetcher.probe(&new.url).await;
    if new.name.is_empty() {
        new.name = match &probe {
            Ok(p) => p.title.clone(),
            Err(_) => None,
        }
        .or_else(|| url::Url::parse(&new.url).ok().and_then(|u| u.host_str().map(String::from)))
        .unwrap_or_else(|| "订阅源".into());
    }
    let source = match ctx.store.add_source(&new).await {
        Ok(s) => s,
        Err(StoreError::Conflict(_)) => return reject(format!("已有名为 {:?} 或地址相同的订阅源", new.name)).await,
        Err(e) => return Err(e.into()),
    };
    let detail = match &probe {
        Ok(p) => format!("{} <{}>: {} entries", source.name, source.url, p.entries),
        Err(e) => format!("{} <{}>: not readable now ({e})", source.name, source.url),
    };
    audit(&ctx.newsroom, &user.actor, "source_add", None, &detail).await?;
    match probe {
        Ok(_) => Ok(Redirect::to("/admin/sources?done=added").into_response()),
        // Added all the same (it will be retried), with the reason in words.
        Err(e) => {
            let notice = format!(
                "已添加“{}”，但现在无法读取：{}（{}）。系统会按计划重试。",
                source.name,
                failure_in_words(Some(e.code)),
                e.message
            );
            render_source(&ctx, &user, &source, Some(notice), None, StatusCode::OK)
        }
    }
}

/// The source a form posts to, once its CSRF token and the editor's role are checked.
async fn posted_source(ctx: &AppContext, user: &SessionActor, f: &FormFields, id: &str) -> Result<Source, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_editor()?;
    source_or_404(ctx, id).await
}

async fn source_or_404(ctx: &AppContext, id: &str) -> Result<Source, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    ctx.store.source_by_id(id).await?.ok_or_else(PageError::not_found)
}

fn render_source(
    ctx: &AppContext,
    user: &SessionActor,
    source: &Source,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let view = SourceView::new(ctx, source.clone(), SiteClock::now());
    admin_page(ctx, user, "admin_source.html", context! { s => Serde(view), notice => notice, error => error }, status)
}

pub async fn show(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    user.actor.require_editor()?;
    let source = source_or_404(&ctx, &id).await?;
    let notice = q.get("done").and_then(|d| done_message(d)).map(String::from);
    render_source(&ctx, &user, &source, notice, None, StatusCode::OK)
}

pub async fn save(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormFields>,
) -> Result<Response, PageError> {
    let source = posted_source(&ctx, &user, &f, &id).await?;
    let form = SourceForm::from_fields(&f);
    let reject =
        |message: String| render_source(&ctx, &user, &source, None, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
    let new = match form.source() {
        Ok(s) if s.name.is_empty() => return reject("名称不能为空".into()),
        Ok(s) => s,
        Err(message) => return reject(message),
    };
    let unchanged = new.name == source.name
        && new.url == source.url
        && new.category == source.category
        && new.interval_secs == source.interval_secs
        && new.localize_images == source.localize_images;
    if unchanged {
        return Ok(Redirect::to(&format!("/admin/sources/{}?done=saved", source.id)).into_response());
    }
    match ctx.store.update_source(source.id, &new).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(PageError::not_found()),
        Err(StoreError::Conflict(_)) => return reject(format!("已有名为 {:?} 或地址相同的订阅源", new.name)),
        Err(e) => return Err(e.into()),
    }
    let detail = format!("{} <{}> → {} <{}>", source.name, source.url, new.name, new.url);
    audit(&ctx.newsroom, &user.actor, "source_edit", None, &detail).await?;
    Ok(Redirect::to("/admin/sources?done=saved").into_response())
}

pub async fn pause(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormFields>,
) -> Result<Response, PageError> {
    let source = posted_source(&ctx, &user, &f, &id).await?;
    let paused = field(&f, "paused") != "0";
    if paused != source.paused {
        ctx.store.set_paused(source.id, paused, SiteClock::now()).await?;
        let action = if paused { "source_pause" } else { "source_resume" };
        audit(&ctx.newsroom, &user.actor, action, None, &source.name).await?;
    }
    Ok(Redirect::to(if paused { "/admin/sources?done=paused" } else { "/admin/sources?done=resumed" }).into_response())
}

pub async fn remove(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormFields>,
) -> Result<Response, PageError> {
    let source = posted_source(&ctx, &user, &f, &id).await?;
    if ctx.store.remove_source(&source.name).await? {
        audit(&ctx.newsroom, &user.actor, "source_remove", None, &format!("{} <{}>", source.name, source.url)).await?;
    }
    Ok(Redirect::to("/admin/sources?done=removed").into_response())
}

pub async fn fetch_now(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<FormFields>,
) -> Result<Response, PageError> {
    let source = posted_source(&ctx, &user, &f, &id).await?;
    let report = ctx.newsroom.poller.poll(&source).await?;
    audit(&ctx.newsroom, &user.actor, "source_fetch", None, &report.to_string()).await?;
    let notice = match &report.outcome {
        Ok(c) if c.not_modified => format!("抓取完成（{} 毫秒）：订阅源没有更新", report.elapsed_ms),
        Ok(c) => format!(
            "抓取完成（{} 毫秒）：共 {} 条，新增 {}，更新 {}，未变 {}，跳过 {}",
            report.elapsed_ms,
            c.entries,
            c.inserted,
            c.updated,
            c.unchanged,
            c.skipped.len()
        ),
        Err(_) => format!("抓取失败（{} 毫秒），原因见下", report.elapsed_ms),
    };
    // The source as the poll left it: its status, counters and error in words.
    let after = ctx.store.source_by_id(source.id).await?.unwrap_or(source);
    render_source(&ctx, &user, &after, Some(notice), None, StatusCode::OK)
}

pub async fn export(State(ctx): State<Ctx>, user: SessionActor) -> Result<Response, PageError> {
    user.actor.require_editor()?;
    let opml = export_opml(&format!("{} 订阅源", ctx.config.site_name), ctx.store.sources().await?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/x-opml; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"zixun-sources.opml\""),
        ],
        opml,
    )
        .into_response())
}

/// Largest OPML file taken.
const MAX_OPML_BYTES: usize = 2 * 1024 * 1024;

pub async fn import(State(ctx): State<Ctx>, user: SessionActor, mut form: Multipart) -> Result<Response, PageError> {
    let (mut csrf, mut file) = (None, None);
    while let Some(part) = form.next_field().await.map_err(|e| PageError::bad_request(format!("上传失败：{e}")))? {
        match part.name() {
            Some("csrf") => csrf = part.text().await.ok(),
            Some("opml") => file = Some(part.bytes().await.map_err(|_| PageError::bad_request("OPML 文件读取失败"))?),
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())?;
    user.actor.require_editor()?;
    let form = SourceForm { interval_minutes: DEFAULT_INTERVAL_MINUTES, ..SourceForm::default() };
    let reject =
        |message: String| render_list(&ctx, &user, None, Some(message), &form, StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = match file.filter(|b| !b.is_empty()) {
        Some(b) if b.len() <= MAX_OPML_BYTES => b,
        Some(_) => return reject("OPML 文件不能超过 2 MB".into()).await,
        None => return reject("没有选择 OPML 文件".into()).await,
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return reject("OPML 文件须为 UTF-8 编码".into()).await;
    };
    let store: &dyn SourceStore = ctx.store.as_ref();
    let done = match import_opml(store, text, DEFAULT_INTERVAL_MINUTES * 60).await {
        Ok(d) => d,
        Err(zixun_ingest::feed::OpmlImportError::Opml(e)) => return reject(format!("OPML 文件无法解析：{e}")).await,
        Err(zixun_ingest::feed::OpmlImportError::Store(e)) => return Err(e.into()),
    };
    let detail = format!("{} added, {} already known", done.added, done.known.len());
    audit(&ctx.newsroom, &user.actor, "source_import", None, &detail).await?;
    Ok(Redirect::to(&format!("/admin/sources?done=imported&added={}&known={}", done.added, done.known.len()))
        .into_response())
}
