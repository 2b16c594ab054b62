//! [`ArticleWriter`]: records in, analysed and stored articles out, for writers that run inside
//! a long-lived process (the feed poller, the newsroom). `zixun import` batches on its own but
//! ends in the same [`write_prepared`].

use std::sync::Arc;

use tokio::sync::Mutex;
use zixun_core::{ArticleDraft, AuditNote, text::CorpusStats};
use zixun_store::{Store, StoreError, UpsertOutcome};

use crate::{ArticlePreparer, ImportRecord, WriteCounts, prepare::PreparedArticle, write::write_prepared};

/// Newsroom fields a record does not carry: set on the draft after preparation. The Markdown
/// and the audit entry commit with the article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftFields {
    pub id: Option<i64>,
    pub owner_id: Option<i64>,
    pub workflow: Option<zixun_core::newsroom::Workflow>,
    pub publish_at: Option<i64>,
    pub markdown: Option<String>,
    pub audit: Option<AuditNote>,
}

impl DraftFields {
    fn apply(&self, d: &mut ArticleDraft) {
        d.id = self.id;
        d.owner_id = self.owner_id;
        d.workflow = self.workflow;
        d.publish_at = self.publish_at;
        d.body_markdown.clone_from(&self.markdown);
        d.audit.clone_from(&self.audit);
    }
}

/// What a write did: per record, in order, the outcome or why it was rejected.
#[derive(Debug, Default)]
pub struct Written {
    pub outcomes: Vec<Result<UpsertOutcome, String>>,
    pub counts: WriteCounts,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("analysis failed: {0}")]
    Analysis(String),
}

pub struct ArticleWriter {
    pub store: Arc<dyn Store>,
    pub preparer: ArticlePreparer,
    /// The site's document frequencies: loaded on first use, then kept current by each write.
    corpus: Mutex<Option<CorpusStats>>,
}

impl ArticleWriter {
    pub fn new(store: Arc<dyn Store>, preparer: ArticlePreparer) -> Self {
        ArticleWriter { store, preparer, corpus: Mutex::new(None) }
    }

    /// Prepares (off the async threads) and stores `records` in one transaction; a record that
    /// fails preparation is rejected with its reason and the rest go on.
    pub async fn write(&self, records: Vec<(ImportRecord, DraftFields)>) -> Result<Written, WriteError> {
        // One write at a time: they share the document frequencies.
        let mut slot = self.corpus.lock().await;
        let corpus = match slot.take() {
            Some(c) => c,
            None => self.store.corpus_stats().await?,
        };
        let preparer = self.preparer.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let prepared: Vec<Result<PreparedArticle, String>> = records
                .iter()
                .map(|(r, fields)| {
                    preparer.prepare(r, Some(&corpus)).map_err(|e| e.to_string()).map(|mut p| {
                        fields.apply(&mut p.draft);
                        p
                    })
                })
                .collect();
            (prepared, corpus)
        })
        .await;
        // A panic in analysis loses the loaded statistics; the next write loads them again.
        let (prepared, mut corpus) = joined.map_err(|e| WriteError::Analysis(e.to_string()))?;
        let ok: Vec<PreparedArticle> = prepared.iter().filter_map(|p| p.as_ref().ok()).cloned().collect();
        let result = write_prepared(self.store.as_ref(), &ok, &mut corpus).await;
        *slot = Some(corpus);
        let (counts, stored) = result?;
        let mut stored = stored.into_iter();
        let outcomes = prepared
            .into_iter()
            .map(|p| match p {
                Ok(_) => stored.next().ok_or_else(|| "not stored".to_string()),
                Err(reason) => Err(reason),
            })
            .collect();
        Ok(Written { outcomes, counts })
    }
}
