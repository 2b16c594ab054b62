//! [`ArticleWriter`]: records in, analysed and stored articles out, for writers that run inside
//! a long-lived process (the feed poller, the newsroom). `zixun import` batches on its own but
//! ends in the same [`write_prepared`].

use std::sync::Arc;

use tokio::sync::Mutex;
use zixun_core::text::CorpusStats;
use zixun_store::{Backend, NewAudit, StoreError, UpsertOutcome};

use crate::{
    ArticlePreparer, DraftFields, ImportRecord, PrepareError, WriteCounts,
    prepare::PreparedArticle,
    write::{audit_refusals, refusal, write_prepared},
};

/// What a write did: per record, in order, the outcome or why it was rejected.
#[derive(Debug, Default)]
pub struct Written {
    pub outcomes: Vec<Result<UpsertOutcome, PrepareError>>,
    pub counts: WriteCounts,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("analysis failed: {0}")]
    Analysis(String),
    #[error("the store answered {answered} outcomes for {sent} articles")]
    Outcomes { sent: usize, answered: usize },
}

/// The site's document frequencies as writers share them: each preparation reads a snapshot,
/// so one slow preparation holds up no other write; what writes learn waits in `pending`
/// while a snapshot is out, and is folded in by the next write that finds none out.
#[derive(Default)]
struct SharedCorpus {
    stats: Option<Arc<CorpusStats>>,
    pending: CorpusStats,
}

impl SharedCorpus {
    fn fold_pending(&mut self) {
        if let Some(stats) = self.stats.as_mut().and_then(Arc::get_mut) {
            stats.absorb(std::mem::take(&mut self.pending));
        }
    }
}

pub struct ArticleWriter {
    pub store: Arc<dyn Backend>,
    pub preparer: ArticlePreparer,
    /// Loaded on first use, then kept current by each write.
    corpus: Mutex<SharedCorpus>,
}

impl ArticleWriter {
    pub fn new(store: Arc<dyn Backend>, preparer: ArticlePreparer) -> Self {
        ArticleWriter { store, preparer, corpus: Mutex::new(SharedCorpus::default()) }
    }

    async fn corpus_snapshot(&self) -> Result<Arc<CorpusStats>, StoreError> {
        let mut shared = self.corpus.lock().await;
        shared.fold_pending();
        if let Some(stats) = &shared.stats {
            return Ok(stats.clone());
        }
        let stats = Arc::new(self.store.corpus_stats().await?);
        shared.stats = Some(stats.clone());
        Ok(stats)
    }

    /// Prepares (off the async threads, beside other writes' preparations) and stores
    /// `records` in one transaction; a record that fails preparation is rejected with its
    /// reason and the rest go on.
    pub async fn write(&self, records: Vec<(ImportRecord, DraftFields)>) -> Result<Written, WriteError> {
        let corpus = self.corpus_snapshot().await?;
        let preparer = self.preparer.clone();
        let (prepared, refusals): (Vec<Result<PreparedArticle, PrepareError>>, Vec<Option<NewAudit>>) =
            tokio::task::spawn_blocking(move || {
                records
                    .iter()
                    .map(|(r, fields)| {
                        let p = preparer.prepare(r, fields, Some(&corpus));
                        let refused = p.as_ref().err().and_then(|e| refusal(r, fields, e));
                        (p, refused)
                    })
                    .unzip()
            })
            .await
            .map_err(|e| WriteError::Analysis(e.to_string()))?;
        audit_refusals(self.store.as_ref(), &refusals.into_iter().flatten().collect::<Vec<_>>()).await?;
        let ok: Vec<PreparedArticle> = prepared.iter().filter_map(|p| p.as_ref().ok()).cloned().collect();
        // What the inserted articles add to the corpus, as the store counted it.
        let mut learned = CorpusStats::default();
        let (counts, stored) = write_prepared(self.store.as_ref(), &ok, &mut learned).await?;
        if stored.len() != ok.len() {
            return Err(WriteError::Outcomes { sent: ok.len(), answered: stored.len() });
        }
        {
            let mut shared = self.corpus.lock().await;
            shared.pending.absorb(learned);
            shared.fold_pending();
        }
        // As many stored as prepared (checked above): each prepared record takes the next.
        let mut stored = stored.into_iter();
        let outcomes = prepared
            .into_iter()
            .filter_map(|p| match p {
                Ok(_) => stored.next().map(Ok),
                Err(e) => Some(Err(e)),
            })
            .collect();
        Ok(Written { outcomes, counts })
    }
}
