//! The last step of every write path: store prepared articles and count new documents towards
//! the site's document frequencies (the IDF behind keywords).

use std::collections::HashMap;

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

/// Upserts `prepared` in one transaction; `corpus` (the caller's copy) and the stored document
/// frequencies learn the terms of inserted articles. Returns the counts and each outcome.
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
    let mut df_delta: HashMap<String, u32> = HashMap::new();
    for (outcome, p) in outcomes.iter().zip(prepared) {
        match outcome {
            UpsertOutcome::Inserted(_) => {
                counts.inserted += 1;
                corpus.add_document(&p.terms);
                for t in &p.terms {
                    *df_delta.entry(t.clone()).or_insert(0) += 1;
                }
            }
            UpsertOutcome::Updated(_) => counts.updated += 1,
            UpsertOutcome::Unchanged(_) => counts.unchanged += 1,
        }
    }
    if counts.inserted > 0 {
        store.add_corpus_terms(counts.inserted, &df_delta).await?;
    }
    Ok((counts, outcomes))
}
