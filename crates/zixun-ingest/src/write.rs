//! The last step of every write path: store prepared articles. The store counts new articles'
//! terms towards the site's document frequencies (the IDF behind keywords) in the same
//! transaction; the writer's copy of those frequencies learns them here.

use zixun_core::text::CorpusStats;
use zixun_store::{Store, StoreError, UpsertOutcome};

use crate::prepare::PreparedArticle;

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
    let drafts: Vec<_> = prepared.iter().map(|p| p.draft.clone()).collect();
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
