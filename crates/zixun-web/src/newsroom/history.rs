//! Revision history of an article (`/admin/a/{id}/history`): who saved it when and how, what a
//! revision says against the current text word by word (jieba's words: Chinese has no
//! spaces), and bringing a revision back as a new save (`/admin/a/{id}/restore`), through the
//! same write path, roles and workflow as the editor's save.

use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use zixun_core::{
    newsroom::Workflow,
    revision::{DiffPart, Revision, RevisionContent, word_diff},
};
use zixun_ingest::ImportRecord;

use super::{
    EditRequest, apply_edit,
    auth::SessionActor,
    pages::{FormFields, admin_page, field},
    visible_article,
};
use crate::{AppContext, Ctx, error::PageError};

#[derive(Serialize)]
struct RevisionRow {
    id: i64,
    time: String,
    user: String,
    action: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Compared {
    id: i64,
    time: String,
    title: Vec<DiffPart>,
    body: Vec<DiffPart>,
    changed: bool,
}

/// An audit action in words.
fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "新建",
        "edit" => "修改",
        "publish" => "发布",
        "submit" => "提交审核",
        "schedule" => "定时发布",
        "unpublish" => "撤下",
        "restore" => "恢复版本",
        "delete" => "删除",
        _ => "保存",
    }
}

fn article_id(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError::not_found())
}

/// The text the article has now, as a revision keeps it.
async fn current(ctx: &AppContext, a: &zixun_core::Article) -> Result<RevisionContent, PageError> {
    let markdown = ctx.newsroom.store.markdown(a.id).await?;
    Ok(RevisionContent {
        title: a.title.clone(),
        markdown: markdown.is_some(),
        body: markdown.unwrap_or_else(|| a.body_html.clone()),
        ..RevisionContent::default()
    })
}

/// Word diffs of a revision against the current text: CPU work, on a blocking thread.
async fn compare(ctx: &AppContext, rev: &Revision, now: RevisionContent) -> Result<Compared, PageError> {
    let analyzer = ctx.analyzer.clone();
    let (old_title, old_body) = (rev.content.title.clone(), rev.content.body.clone());
    let (title, body) = tokio::task::spawn_blocking(move || {
        let diff = |a: &str, b: &str| word_diff(&analyzer.cut(a), &analyzer.cut(b));
        (diff(&old_title, &now.title), diff(&old_body, &now.body))
    })
    .await
    .map_err(PageError::internal)?;
    let changed = title.iter().chain(&body).any(|p| p.kind != zixun_core::revision::DiffKind::Same);
    Ok(Compared { id: rev.id, time: ctx.clock.format(rev.at), title, body, changed })
}

pub async fn history(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    Query(q): Query<FormFields>,
) -> Result<Response, PageError> {
    let a = visible_article(&ctx.newsroom, &user.actor, article_id(&id)?).await?;
    let revisions = ctx.store.revisions(a.id).await?;
    // Compared by default: the revision before the newest (what the last save changed).
    let chosen = match q.get("rev").and_then(|r| r.parse::<i64>().ok()) {
        Some(rev) => Some(revisions.iter().find(|r| r.id == rev).ok_or_else(PageError::not_found)?),
        None => revisions.get(1).or(revisions.first()),
    };
    let compared = match chosen {
        Some(rev) => Some(compare(&ctx, rev, current(&ctx, &a).await?).await?),
        None => None,
    };
    let rows: Vec<RevisionRow> = revisions
        .iter()
        .map(|r| RevisionRow {
            id: r.id,
            time: ctx.clock.format(r.at),
            user: r.user_name.clone(),
            action: action_label(&r.action),
            title: r.content.title.clone(),
        })
        .collect();
    let may_restore = user.actor.may_edit(a.owned()).is_ok();
    let restored = q.contains_key("restored");
    admin_page(
        &ctx,
        &user,
        "admin_history.html",
        context! { article => context! { id => a.id, title => a.title.clone() }, rows => Serde(rows),
        compared => compared.map(Serde), may_restore => may_restore, restored => restored },
        StatusCode::OK,
    )
}

pub async fn restore(
    State(ctx): State<Ctx>,
    user: SessionActor,
    Path(id): Path<String>,
    Form(f): Form<FormFields>,
) -> Result<Response, PageError> {
    user.check_csrf(f.get("csrf").map(String::as_str))?;
    let a = visible_article(&ctx.newsroom, &user.actor, article_id(&id)?).await?;
    let rev = match field(&f, "rev").parse::<i64>() {
        Ok(rev) => ctx.store.revision(rev).await?.filter(|r| r.article_id == a.id).ok_or_else(PageError::not_found)?,
        Err(_) => return Err(PageError::bad_request("版本编号无效")),
    };
    let c = rev.content;
    let record = ImportRecord {
        title: c.title,
        body_html: Some(if c.markdown { zixun_core::html::markdown_to_html(&c.body) } else { c.body.clone() }),
        author: c.author,
        source: c.source_name,
        url: c.source_url,
        original: Some(c.original),
        category: c.category,
        tags: c.tags,
        cover: c.cover,
        original_title: c.credits.original_title,
        original_author: c.credits.original_author,
        editor: c.credits.editor,
        ..ImportRecord::default()
    };
    // The article stays where it is in the workflow: a live article is corrected live.
    let req = EditRequest {
        id: Some(a.id),
        record,
        wanted: a.workflow,
        publish_at: a.publish_at.filter(|_| a.workflow == Workflow::Scheduled),
        markdown: c.markdown.then_some(c.body),
        restores: Some(rev.id),
    };
    let (id, _) = apply_edit(&ctx.newsroom, &user.actor, req).await?;
    Ok(Redirect::to(&format!("/admin/a/{id}/history?restored=1")).into_response())
}
