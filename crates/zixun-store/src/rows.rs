//! Rows to domain values, written once for both backends: the columns these read have the same
//! types in SQLite and PostgreSQL (the backends differ in the columns that do not: word lists and
//! term vectors, read in each backend).

use std::collections::HashMap;

use sqlx::{ColumnIndex, Decode, Row, Type};
use zixun_core::{
    Article, ArticleStatus, ArticleSummary, Credits,
    newsroom::{Role, Workflow},
    story::StoryCandidate,
};

use crate::{AdminArticle, ApiToken, AuditEntry, Neighbours, PushEntry, PushState, Result, Source, StoreError, User};

/// Typed reads of one row's columns by name.
pub(crate) trait Columns {
    fn int(&self, column: &str) -> Result<i64>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
    fn text(&self, column: &str) -> Result<String>;
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    fn flag(&self, column: &str) -> Result<bool>;
    fn real(&self, column: &str) -> Result<f64>;
}

impl<R: Row> Columns for R
where
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
{
    fn int(&self, column: &str) -> Result<i64> {
        Ok(self.try_get(column)?)
    }

    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }

    fn text(&self, column: &str) -> Result<String> {
        Ok(self.try_get(column)?)
    }

    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get(column)?)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.try_get(column)?)
    }

    fn real(&self, column: &str) -> Result<f64> {
        Ok(self.try_get(column)?)
    }
}

/// An article's newsroom state: its `workflow`, or for imports and feeds (none) its status.
pub(crate) fn workflow_of(status: &str, workflow: Option<String>) -> Result<Workflow> {
    match workflow {
        Some(w) => Workflow::parse(&w).ok_or(StoreError::Corrupt { field: "workflow", reason: w.clone() }),
        None if status == "published" => Ok(Workflow::Published),
        None => Ok(Workflow::Draft),
    }
}

pub(crate) fn user(row: &impl Columns) -> Result<User> {
    let role = row.text("role")?;
    Ok(User {
        id: row.int("id")?,
        name: row.text("name")?,
        role: Role::parse(&role).ok_or(StoreError::Corrupt { field: "role", reason: role.clone() })?,
        password_hash: row.text("password_hash")?,
        disabled: row.flag("disabled")?,
        created_at: row.int("created_at")?,
    })
}

pub(crate) fn source(row: &impl Columns) -> Result<Source> {
    Ok(Source {
        id: row.int("id")?,
        name: row.text("name")?,
        url: row.text("url")?,
        category: row.opt_text("category")?,
        interval_secs: row.int("interval_secs")?,
        localize_images: row.flag("localize_images")?,
        paused: row.flag("paused")?,
        created_at: row.int("created_at")?,
        etag: row.opt_text("etag")?,
        last_modified: row.opt_text("last_modified")?,
        last_fetch_at: row.opt_int("last_fetch_at")?,
        last_status: row.opt_text("last_status")?,
        last_error: row.opt_text("last_error")?,
        last_error_code: row.opt_text("last_error_code")?,
        items: row.int("items")?,
        errors: row.int("errors")?,
        failures: row.int("failures")?,
        next_fetch_at: row.int("next_fetch_at")?,
    })
}

pub(crate) fn api_token(row: &impl Columns) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.int("id")?,
        user_name: row.text("user_name")?,
        label: row.opt_text("label")?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
        last_used_at: row.opt_int("last_used_at")?,
    })
}

pub(crate) fn audit_entry(row: &impl Columns) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.int("id")?,
        at: row.int("at")?,
        user_name: row.text("user_name")?,
        action: row.text("action")?,
        article_id: row.opt_int("article_id")?,
        detail: row.text("detail")?,
    })
}

pub(crate) fn admin_article(row: &impl Columns) -> Result<AdminArticle> {
    Ok(AdminArticle {
        id: row.int("id")?,
        title: row.text("title")?,
        owner_id: row.opt_int("owner_id")?,
        owner_name: row.opt_text("owner_name")?,
        workflow: workflow_of(&row.text("status")?, row.opt_text("workflow")?)?,
        category: row.opt_text("category")?,
        updated_at: row.int("updated_at")?,
        published_at: row.int("published_at")?,
        publish_at: row.opt_int("publish_at")?,
    })
}

pub(crate) fn decayed_views(row: &impl Columns) -> Result<(i64, f64)> {
    Ok((row.int("article_id")?, row.real("score")?))
}

pub(crate) fn summary(row: &impl Columns) -> Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: row.int("id")?,
        title: row.text("title")?,
        author: row.opt_text("author")?,
        source_name: row.opt_text("source_name")?,
        original: row.flag("original")?,
        category: row.opt_text("category")?,
        published_at: row.int("published_at")?,
        summary: row.text("summary")?,
        cover: row.opt_text("cover")?,
        views: row.int("views")?,
        // The 64-bit SimHash is kept in a signed 64-bit column.
        simhash: row.int("simhash")? as u64,
        copy_of: row.opt_int("copy_of")?,
    })
}

pub(crate) fn story_candidate(row: &impl Columns) -> Result<StoryCandidate> {
    Ok(StoryCandidate { id: row.int("id")?, simhash: row.int("simhash")? as u64, original: row.flag("original")? })
}

/// An article, with its word lists as the backend keeps them (JSON text in SQLite, arrays in
/// PostgreSQL), read by the backend.
pub(crate) fn article(row: &impl Columns, tags: Vec<String>, keywords: Vec<String>) -> Result<Article> {
    let status = row.text("status")?;
    Ok(Article {
        id: row.int("id")?,
        ext_id: row.opt_text("ext_id")?,
        title: row.text("title")?,
        author: row.opt_text("author")?,
        source_name: row.opt_text("source_name")?,
        source_url: row.opt_text("source_url")?,
        original: row.flag("original")?,
        category: row.opt_text("category")?,
        tags,
        published_at: row.int("published_at")?,
        updated_at: row.int("updated_at")?,
        body_html: row.text("body_html")?,
        body_text: row.text("body_text")?,
        summary: row.text("summary")?,
        cover: row.opt_text("cover")?,
        credits: Credits {
            original_title: row.opt_text("original_title")?,
            original_author: row.opt_text("original_author")?,
            editor: row.opt_text("editor")?,
        },
        keywords,
        simhash: row.int("simhash")? as u64,
        workflow: workflow_of(&status, row.opt_text("workflow")?)?,
        status: ArticleStatus::parse(&status).ok_or(StoreError::Corrupt { field: "status", reason: status.clone() })?,
        views: row.int("views")?,
        seq: row.int("seq")?,
        copy_of: row.opt_int("copy_of")?,
        owner_id: row.opt_int("owner_id")?,
        publish_at: row.opt_int("publish_at")?,
    })
}

/// An article's neighbours from the rows of [`crate::list::neighbours_sql`].
pub(crate) fn neighbours(rows: &[impl Columns]) -> Result<Neighbours> {
    let mut out = Neighbours::default();
    for row in rows {
        let side = if row.int("newer")? == 1 { &mut out.newer } else { &mut out.older };
        *side = Some(summary(row)?);
    }
    Ok(out)
}

/// Summaries in the order of `ids`, and the `text` column where it is not null, by id.
pub(crate) fn summaries_with_texts(
    ids: &[i64],
    rows: &[impl Columns],
) -> Result<(Vec<ArticleSummary>, HashMap<i64, String>)> {
    let mut texts = HashMap::new();
    let mut summaries = Vec::with_capacity(rows.len());
    for row in rows {
        let s = summary(row)?;
        if let Some(text) = row.opt_text("text")? {
            texts.insert(s.id, text);
        }
        summaries.push((s.id, s));
    }
    Ok((in_order(ids, summaries), texts))
}

/// Values keyed by id, handed back in the order of `ids` (unknown ids skipped).
pub(crate) fn in_order<T>(ids: &[i64], rows: Vec<(i64, T)>) -> Vec<T> {
    let mut by_id: HashMap<i64, T> = rows.into_iter().collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

pub(crate) fn push_entry(row: &impl Columns) -> Result<PushEntry> {
    let state = row.text("state")?;
    Ok(PushEntry {
        id: row.int("id")?,
        target: row.text("target")?,
        article_id: row.int("article_id")?,
        url: row.text("url")?,
        state: PushState::parse(&state).ok_or(StoreError::Corrupt { field: "state", reason: state.clone() })?,
        attempts: row.int("attempts")?,
        queued_at: row.int("queued_at")?,
        next_at: row.int("next_at")?,
        tried_at: row.opt_int("tried_at")?,
        result: row.opt_text("result")?,
        remain: row.opt_int("remain")?,
    })
}

pub(crate) fn slot_item(row: &impl Columns) -> Result<zixun_core::slot::SlotItem> {
    use zixun_core::slot::{Slot, SlotItem, SlotTarget};
    let slot = row.text("slot")?;
    let target = match (row.opt_int("article_id")?, row.opt_text("link_url")?) {
        (Some(article_id), _) => SlotTarget::Article { article_id },
        (None, Some(url)) => SlotTarget::Link { url, title: row.opt_text("link_title")?.unwrap_or_default() },
        (None, None) => {
            return Err(StoreError::Corrupt { field: "slot_items", reason: "neither article nor link".into() });
        }
    };
    Ok(SlotItem {
        id: row.int("id")?,
        slot: Slot::parse(&slot).ok_or(StoreError::Corrupt { field: "slot", reason: slot.clone() })?,
        category: row.text("category")?,
        position: row.int("position")?,
        target,
        starts_at: row.opt_int("starts_at")?,
        ends_at: row.opt_int("ends_at")?,
        created_at: row.int("created_at")?,
        created_by: row.text("created_by")?,
    })
}

pub(crate) fn revision(row: &impl Columns) -> Result<zixun_core::revision::Revision> {
    let content = row.text("content")?;
    Ok(zixun_core::revision::Revision {
        id: row.int("id")?,
        article_id: row.int("article_id")?,
        at: row.int("at")?,
        user_name: row.text("user_name")?,
        action: row.text("action")?,
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::Corrupt { field: "article_revisions.content", reason: e.to_string() })?,
    })
}
