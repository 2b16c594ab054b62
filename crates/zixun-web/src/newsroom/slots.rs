//! `/admin/slots`: the editors arrange the slots (推荐位) — 头条, 幻灯 and 推荐, site-wide or per
//! category — with forms: place an article or an outside link (跳转) with an optional start and
//! end, move it up or down, take it out. The node's cached pages are dropped at once; other
//! nodes show the change when their cached pages expire (`page_cache_seconds`).

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use zixun_core::{
    ArticleSummary, SiteClock,
    slot::{NewSlotItem, Slot, SlotError, SlotItem, SlotTarget, showable},
};
use zixun_store::SlotStore;

use super::{
    audit,
    auth::SessionActor,
    pages::{FormFields, admin_page, field},
};
use crate::{AppContext, Ctx, error::PageError};

#[derive(Serialize)]
struct ItemView {
    id: i64,
    title: String,
    href: String,
    outside: bool,
    article_id: Option<i64>,
    state: &'static str,
    live: bool,
    window: String,
    by: String,
    /// A recorded copy or an article readers cannot see: placed, but shown nowhere.
    hidden: bool,
}

#[derive(Serialize)]
struct GroupView {
    slot: &'static str,
    label: &'static str,
    category: String,
    items: Vec<ItemView>,
}

#[derive(Serialize, Default)]
struct SlotForm {
    slot: String,
    category: String,
    kind: String,
    article_id: String,
    url: String,
    title: String,
    starts_at: String,
    ends_at: String,
}

async fn render(
    ctx: &AppContext,
    user: &SessionActor,
    notice: Option<&str>,
    error: Option<String>,
    form: &SlotForm,
    status: StatusCode,
) -> Result<Response, PageError> {
    let now = SiteClock::now();
    let items = ctx.store.slot_items().await?;
    let ids: Vec<i64> = items.iter().filter_map(article_of).collect();
    let summaries: HashMap<i64, ArticleSummary> =
        ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    // The site-wide slots always, then each category's that holds items.
    let mut groups: Vec<GroupView> = Vec::new();
    for item in &items {
        let at = groups.iter().position(|g| g.slot == item.slot.as_str() && g.category == item.category);
        let view = item_view(ctx, item, &summaries, now);
        match at {
            Some(i) => groups[i].items.push(view),
            None => groups.push(GroupView {
                slot: item.slot.as_str(),
                label: item.slot.label(),
                category: item.category.clone(),
                items: vec![view],
            }),
        }
    }
    for slot in Slot::ALL.into_iter().rev() {
        if !groups.iter().any(|g| g.slot == slot.as_str() && g.category.is_empty()) {
            groups.insert(
                0,
                GroupView { slot: slot.as_str(), label: slot.label(), category: String::new(), items: vec![] },
            );
        }
    }
    groups.sort_by(|a, b| (!a.category.is_empty(), &a.category).cmp(&(!b.category.is_empty(), &b.category)));
    let slots: Vec<_> = Slot::ALL.iter().map(|s| context! { value => s.as_str(), label => s.label() }).collect();
    let categories: Vec<String> = ctx.categories.read().iter().map(|(c, _)| c.clone()).collect();
    admin_page(
        ctx,
        user,
        "admin_slots.html",
        context! { groups => Serde(groups), slots => slots, categories => categories, notice => notice,
        error => error, form => Serde(form) },
        status,
    )
}

fn article_of(item: &SlotItem) -> Option<i64> {
    match item.target {
        SlotTarget::Article { article_id } => Some(article_id),
        SlotTarget::Link { .. } => None,
    }
}

fn item_view(ctx: &AppContext, item: &SlotItem, summaries: &HashMap<i64, ArticleSummary>, now: i64) -> ItemView {
    let state = item.state(now);
    let (title, href, hidden) = match &item.target {
        SlotTarget::Article { article_id } => {
            let summary = summaries.get(article_id);
            let title = summary.map_or_else(|| format!("文章 {article_id}（未发布或已删除）"), |s| s.title.clone());
            (title, format!("/a/{article_id}"), !showable(summary))
        }
        SlotTarget::Link { url, title } => (title.clone(), url.clone(), false),
    };
    let when = |t: Option<i64>| t.map(|t| ctx.clock.format(t)).unwrap_or_default();
    let window = match (item.starts_at, item.ends_at) {
        (None, None) => "长期".to_string(),
        (s, e) => format!("{} 至 {}", when(s).get(..16).unwrap_or("现在"), when(e).get(..16).unwrap_or("长期")),
    };
    ItemView {
        id: item.id,
        title,
        href,
        outside: matches!(item.target, SlotTarget::Link { .. }),
        article_id: article_of(item),
        state: state.label(),
        live: state == zixun_core::slot::SlotState::Live,
        window,
        by: item.created_by.clone(),
        hidden,
    }
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "已加入推荐位",
        "moved" => "已调整顺序",
        "removed" => "已移出推荐位",
        _ => return None,
    })
}

pub async fn list(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    user.actor.require_editor()?;
    let notice = q.get("done").and_then(|d| done_message(d));
    // `?article=12` (from the article list) fills in the form.
    let form = SlotForm {
        slot: "headline".into(),
        kind: "article".into(),
        article_id: q.get("article").filter(|a| a.parse::<i64>().is_ok()).cloned().unwrap_or_default(),
        ..SlotForm::default()
    };
    render(&ctx, &user, notice, None, &form, StatusCode::OK).await
}

/// The site's time of a `datetime-local` field; `None` when empty.
fn time_field(ctx: &AppContext, f: &FormFields, name: &str) -> Result<Option<i64>, String> {
    match field(f, name) {
        s if s.is_empty() => Ok(None),
        s => ctx.clock.parse(&s).map(Some).map_err(|e| format!("时间 {s:?} 无效：{e}")),
    }
}

pub async fn add(State(ctx): State<Ctx>, user: SessionActor, Form(f): Form<FormFields>) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_editor()?;
    let form = SlotForm {
        slot: field(&f, "slot"),
        category: field(&f, "category"),
        kind: field(&f, "kind"),
        article_id: field(&f, "article_id"),
        url: field(&f, "url"),
        title: field(&f, "title"),
        starts_at: field(&f, "starts_at"),
        ends_at: field(&f, "ends_at"),
    };
    let reject = |message: String| render(&ctx, &user, None, Some(message), &form, StatusCode::UNPROCESSABLE_ENTITY);
    let Some(slot) = Slot::parse(&form.slot) else {
        return reject("请选择推荐位".into()).await;
    };
    let (starts_at, ends_at) = match (time_field(&ctx, &f, "starts_at"), time_field(&ctx, &f, "ends_at")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(m), _) | (_, Err(m)) => return reject(m).await,
    };
    let target = if form.kind == "link" {
        SlotTarget::Link { url: form.url.clone(), title: form.title.clone() }
    } else {
        let Ok(article_id) = form.article_id.trim_start_matches("/a/").parse::<i64>() else {
            return reject("请填写文章编号（文章地址 /a/ 后的数字）".into()).await;
        };
        // Published and not a recorded copy of a story another article tells.
        let summary = ctx.store.summaries(&[article_id]).await?.into_iter().next();
        if !showable(summary.as_ref()) {
            return reject(SlotError::NotShowable.to_string()).await;
        }
        SlotTarget::Article { article_id }
    };
    let new = NewSlotItem {
        slot,
        category: form.category.clone(),
        target,
        starts_at,
        ends_at,
        created_by: user.actor.name.clone(),
    };
    if let Err(e) = new.check() {
        return reject(e.to_string()).await;
    }
    let store: &dyn SlotStore = ctx.store.as_ref();
    let item = store.add_slot_item(&new, SiteClock::now()).await?;
    ctx.cache.invalidate_all();
    let place =
        if new.category.is_empty() { slot.label().to_string() } else { format!("{}·{}", new.category, slot.label()) };
    audit(&ctx.newsroom, &user.actor, "slot_add", article_of(&item), &format!("{place}: item {}", item.id)).await?;
    Ok(Redirect::to("/admin/slots?done=added").into_response())
}

fn item_id(f: &FormFields) -> Result<i64, PageError> {
    field(f, "id").parse().map_err(|_| PageError::bad_request("推荐位条目编号无效"))
}

pub async fn move_item(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_editor()?;
    let id = item_id(&f)?;
    let up = field(&f, "direction") != "down";
    let store: &dyn SlotStore = ctx.store.as_ref();
    if store.move_slot_item(id, up).await? {
        ctx.cache.invalidate_all();
        audit(&ctx.newsroom, &user.actor, "slot_move", None, &format!("item {id} {}", if up { "up" } else { "down" }))
            .await?;
    }
    Ok(Redirect::to("/admin/slots?done=moved").into_response())
}

pub async fn remove(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    user.actor.require_editor()?;
    let id = item_id(&f)?;
    let store: &dyn SlotStore = ctx.store.as_ref();
    if let Some(item) = store.remove_slot_item(id).await? {
        ctx.cache.invalidate_all();
        audit(
            &ctx.newsroom,
            &user.actor,
            "slot_remove",
            article_of(&item),
            &format!("{}: item {id}", item.slot.label()),
        )
        .await?;
    }
    Ok(Redirect::to("/admin/slots?done=removed").into_response())
}
