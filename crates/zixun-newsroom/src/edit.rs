//! One way to change an article from the newsroom, for the editor's form and the JSON API:
//! permissions, workflow, the same preparation as import, the write, the audit entry.

use zixun_core::{
    Article, ArticleStatus, AuditNote, SiteClock,
    newsroom::{Actor, Forbidden, Workflow},
};
use zixun_ingest::{DraftFields, ImportRecord, PrepareError, WriteError};
use zixun_store::StoreError;

use crate::{Newsroom, secrets::new_token};

/// A requested change: the fields in the import format, the state asked for, and for a
/// schedule the time.
pub struct EditRequest {
    /// The article to change; `None` writes a new one.
    pub id: Option<i64>,
    pub record: ImportRecord,
    pub wanted: Workflow,
    pub publish_at: Option<i64>,
    /// The Markdown the body was written in, kept for the next edit.
    pub markdown: Option<String>,
    /// The revision this save brings back (the audit says `restore`).
    pub restores: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Forbidden(#[from] Forbidden),
    #[error("文章不存在")]
    NotFound,
    /// A field that does not pass (422), named.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// Words the site does not publish (422), named with the field that holds them.
    #[error("{message}")]
    Blocked { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Write(String),
}

impl From<WriteError> for EditError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Store(s) => EditError::Store(s),
            other => EditError::Write(other.to_string()),
        }
    }
}

/// An article the actor may see (else `NotFound`: drafts of others do not exist for an author).
pub async fn visible_article(nr: &Newsroom, actor: &Actor, id: i64) -> Result<Article, EditError> {
    match nr.store.article(id).await? {
        Some(a) if a.workflow == Workflow::Published || actor.may_see(a.owned()) => Ok(a),
        _ => Err(EditError::NotFound),
    }
}

/// An article the actor may change: 404 if there is none or they may not see it (as GET
/// answers, so that ids of others' drafts cannot be told apart), 403 if they see it but it is
/// not theirs to change.
async fn editable_article(nr: &Newsroom, actor: &Actor, id: i64) -> Result<Article, EditError> {
    match nr.store.article(id).await? {
        Some(a)
            if a.workflow != Workflow::Deleted && (a.workflow == Workflow::Published || actor.may_see(a.owned())) =>
        {
            actor.may_edit(a.owned())?;
            Ok(a)
        }
        _ => Err(EditError::NotFound),
    }
}

/// Applies `req` as `actor`; returns the article's id and the state it ended in.
pub async fn apply_edit(nr: &Newsroom, actor: &Actor, mut req: EditRequest) -> Result<(i64, Workflow), EditError> {
    let existing = match req.id {
        Some(id) => Some(editable_article(nr, actor, id).await?),
        None => None,
    };
    let workflow = actor.resulting_workflow(req.wanted)?;
    let now = SiteClock::now();
    let publish_at = match workflow {
        Workflow::Scheduled => match req.publish_at {
            Some(t) if t > now => Some(t),
            Some(_) => return Err(invalid("publish_at", "定时发布的时间须晚于现在")),
            None => return Err(invalid("publish_at", "定时发布需要填写发布时间")),
        },
        _ => None,
    };
    let record = &mut req.record;
    record.status = Some(
        if workflow == Workflow::Published { ArticleStatus::Published } else { ArticleStatus::Draft }.as_str().into(),
    );
    // Dated when it goes out: a draft published today is today's news; a live article keeps
    // its date through corrections.
    let was_live = existing.as_ref().is_some_and(|a| a.workflow == Workflow::Published);
    if workflow == Workflow::Published && !was_live && record.published_at.is_none() {
        record.published_at = Some(jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default());
    }
    if workflow == Workflow::Scheduled {
        record.published_at = publish_at.and_then(|t| jiff::Timestamp::from_second(t).ok()).map(|t| t.to_string());
    }
    if record.author.is_none() {
        record.author = existing.as_ref().and_then(|a| a.author.clone()).or_else(|| Some(actor.name.clone()));
    }
    record.editor = actor.responsible_editor(
        record.editor.take(),
        existing.as_ref().and_then(|a| a.credits.editor.clone()),
        workflow,
    );
    // With `localize_images`, pasted outside images become the site's own uploads.
    if let Some(images) = nr.images.as_ref().filter(|_| workflow != Workflow::Deleted) {
        images.localize_record(record, &format!("newsroom: {}", actor.name)).await?;
    }
    // A newsroom article has an id of its own, so that a source URL never makes it overwrite
    // an imported article with the same link.
    record.id =
        existing.as_ref().and_then(|a| a.ext_id.clone()).or_else(|| Some(format!("newsroom:{}", &new_token()[..16])));
    let detail = match &existing {
        Some(a) if a.title != record.title => format!("《{}》（原《{}》）", record.title, a.title),
        _ => format!("《{}》", record.title),
    };
    let detail = match req.restores {
        Some(rev) => format!("{detail}：恢复为版本 #{rev}"),
        None => detail,
    };
    let action = match (existing.as_ref().map(|a| a.workflow), workflow) {
        _ if req.restores.is_some() => "restore",
        (_, Workflow::Deleted) => "delete",
        (prev, Workflow::Published) if prev != Some(Workflow::Published) => "publish",
        (_, Workflow::Scheduled) => "schedule",
        (_, Workflow::Unpublished) => "unpublish",
        (_, Workflow::Submitted) => "submit",
        (None, _) => "create",
        (Some(_), _) => "edit",
    };
    // The article, its Markdown and its audit entry commit together.
    let fields = DraftFields {
        id: req.id,
        owner_id: Some(actor.user_id),
        workflow: Some(workflow),
        publish_at,
        markdown: req.markdown.take(),
        audit: Some(AuditNote {
            user_id: Some(actor.user_id),
            user_name: actor.name.clone(),
            action: action.into(),
            detail,
        }),
        by_editor: actor.role.publishes(),
    };
    let written = nr.writer.write(vec![(req.record, fields)]).await?;
    let id = match written.outcomes.into_iter().next() {
        Some(Ok(outcome)) => outcome.id(),
        Some(Err(reason @ PrepareError::Blocked { .. })) => {
            return Err(EditError::Blocked { field: reason.field(), message: reason.to_string() });
        }
        Some(Err(reason)) => return Err(EditError::Invalid { field: reason.field(), message: reason.to_string() }),
        None => return Err(EditError::Write("nothing was written".into())),
    };
    Ok((id, workflow))
}

/// Deletes (keeps it for the audit trail, shows it to no one).
pub async fn delete(nr: &Newsroom, actor: &Actor, id: i64) -> Result<(), EditError> {
    let a = editable_article(nr, actor, id).await?;
    let record = ImportRecord {
        id: a.ext_id.clone(),
        title: a.title.clone(),
        body_html: Some(a.body_html.clone()),
        author: a.author.clone(),
        source: a.source_name.clone(),
        url: a.source_url.clone(),
        original: Some(a.original),
        category: a.category.clone(),
        tags: a.tags.clone(),
        published_at: jiff::Timestamp::from_second(a.published_at).ok().map(|t| t.to_string()),
        cover: a.cover.clone(),
        original_title: a.credits.original_title.clone(),
        original_author: a.credits.original_author.clone(),
        editor: a.credits.editor.clone(),
        ..ImportRecord::default()
    };
    let req = EditRequest {
        id: Some(id),
        record,
        wanted: Workflow::Deleted,
        publish_at: None,
        markdown: None,
        restores: None,
    };
    apply_edit(nr, actor, req).await.map(|_| ())
}

pub async fn audit(
    nr: &Newsroom,
    actor: &Actor,
    action: &str,
    article_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    nr.record(Some(actor.user_id), &actor.name, action, article_id, detail).await
}

fn invalid(field: &'static str, message: &str) -> EditError {
    EditError::Invalid { field, message: message.into() }
}
