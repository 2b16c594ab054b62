//! The last step of every write path: store prepared articles. The store counts new articles'
//! terms towards the site's document frequencies (the IDF behind keywords) in the same
//! transaction; the writer's copy of those frequencies learns them here.

use zixun_core::{ArticleStatus, SiteClock, newsroom::Workflow, text::CorpusStats, words::field_label};
use zixun_store::{NewAudit, NewsroomStore, Store, StoreError, UpsertOutcome};

use crate::{
    DraftFields, ImportRecord, PrepareError,
    prepare::{PreparedArticle, word_note},
};

/// How many drafts a write inserted, updated or left as they were.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Upserts `prepared` in one transaction; `corpus` (the caller's copy) learns the terms of
/// inserted articles, as the store did. Returns the counts and each outcome.
pub async fn write_prepared(
    store: &dyn Store,
    prepared: &[PreparedArticle],
    corpus: &mut CorpusStats,
) -> Result<(WriteCounts, Vec<UpsertOutcome>), StoreError> {
    let mut counts = WriteCounts::default();
    if prepared.is_empty() {
        return Ok((counts, Vec::new()));
    }
    let mut drafts = Vec::with_capacity(prepared.len());
    for p in prepared {
        let mut d = p.draft.clone();
        if p.held
            && store.stored_workflow(d.ext_id.as_deref(), d.source_url.as_deref()).await? == Some(Workflow::Published)
        {
            // An editor released this article: the same words in a later poll or import of it
            // are noted, not held again (the article would vanish at every poll).
            d.status = ArticleStatus::Published;
            d.workflow = Some(Workflow::Published);
            if let Some(note) = d.word_note.take() {
                let by = (note.user_id, note.user_name);
                d.word_note = Some(word_note(&d.title, &p.screening, by, "sensitive", Some("编辑已放行，保持发布")));
            }
        }
        drafts.push(d);
    }
    let outcomes = store.upsert(&drafts).await?;
    for (outcome, d) in outcomes.iter().zip(&drafts) {
        match outcome {
            UpsertOutcome::Inserted(_) => {
                counts.inserted += 1;
                corpus.add_document(&d.doc_terms);
            }
            UpsertOutcome::Updated(_) => counts.updated += 1,
            UpsertOutcome::Unchanged(_) => counts.unchanged += 1,
        }
    }
    Ok((counts, outcomes))
}

/// A write the word list refused: nothing is stored, so its line in the audit log is all that
/// is left of it. `None` for any other reason.
pub(crate) fn refusal(r: &ImportRecord, fields: &DraftFields, e: &PrepareError) -> Option<NewAudit> {
    let PrepareError::Blocked { field, words } = e else { return None };
    let (user_id, user_name) = fields.audited_as(r.source.as_deref());
    let words: Vec<String> = words.iter().map(|w| format!("「{w}」")).collect();
    Some(NewAudit {
        at: SiteClock::now(),
        user_id,
        user_name,
        action: "block".into(),
        article_id: fields.id,
        detail: format!("《{}》：禁止{}（{}），未发布", r.title, words.join(""), field_label(field)),
    })
}

/// A refusal the audit log already holds from this many days back is not written again: a
/// feed entry is refused at every poll while the outlet keeps it.
const REFUSAL_LOGGED_DAYS: i64 = 30;

/// Writes the audit lines of refused writes (each once, see [`REFUSAL_LOGGED_DAYS`]).
pub(crate) async fn audit_refusals(store: &dyn NewsroomStore, refusals: &[NewAudit]) -> Result<(), StoreError> {
    for entry in refusals {
        if store.audit_once(entry, entry.at - REFUSAL_LOGGED_DAYS * 86_400).await? {
            tracing::warn!(by = %entry.user_name, detail = %entry.detail, "write refused for sensitive words");
        }
    }
    Ok(())
}
