//! Opening, rebuilding and following the index.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
};

use parking_lot::Mutex;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, directory::MmapDirectory};
use zixun_core::{Article, ArticleStatus, TextAnalyzer};
use zixun_store::{Store, StoreError};

use crate::{
    SearchRequest, SearchResults,
    schema::{self, Fields},
    tokenizer::{JiebaTokenizer, TOKENIZER_NAME},
};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot use the index folder {path}: {reason}")]
    Folder { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("text analysis task failed: {0}")]
    Analysis(String),
}

/// Changes read from the store per round while following it.
const FOLLOW_BATCH: u32 = 1000;
/// Changes indexed between two commits while catching up.
const CATCH_UP_COMMIT: usize = 20_000;
const WRITER_MEMORY: usize = 200_000_000;

pub struct SearchIndex {
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    pub(crate) analyzer: Arc<TextAnalyzer>,
    indexed_seq: AtomicI64,
    /// Answers of the last seconds, by request and the `seq` they were computed at (a change
    /// makes every older answer unreachable; they age out).
    pub(crate) answers: moka::sync::Cache<(SearchRequest, i64), Arc<SearchResults>>,
}

/// How long a repeated query is answered from memory.
const ANSWER_TTL: std::time::Duration = std::time::Duration::from_secs(10);
/// Bytes the remembered answers may hold (their highlighted titles and snippets, weighed).
const ANSWERS_BYTES: u64 = 8 << 20;

impl SearchIndex {
    /// Opens the index in `dir`, or creates it empty when it is missing, from another schema,
    /// or unreadable (the store is the truth: [`SearchIndex::follow`] then fills it).
    pub fn open(dir: &Path, analyzer: Arc<TextAnalyzer>) -> Result<Self, SearchError> {
        match Self::try_open(dir, analyzer.clone()) {
            Ok(index) => Ok(index),
            Err(e) => {
                if dir.exists() {
                    tracing::warn!(dir = %dir.display(), error = %e, "search index unusable; rebuilding it from the store");
                    std::fs::remove_dir_all(dir).map_err(|e| folder_err(dir, e))?;
                }
                Self::try_open(dir, analyzer)
            }
        }
    }

    /// Drops every document; the next [`SearchIndex::follow`] re-reads the whole store.
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut w = self.writer.lock();
        w.delete_all_documents()?;
        let mut commit = w.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        self.indexed_seq.store(0, Ordering::SeqCst);
        self.reader.reload()?;
        Ok(())
    }

    fn try_open(dir: &Path, analyzer: Arc<TextAnalyzer>) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| folder_err(dir, e))?;
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir)
            .map_err(|e| SearchError::Folder { path: dir.display().to_string(), reason: e.to_string() })?;
        let index = Index::open_or_create(directory, schema)?;
        index.tokenizers().register(TOKENIZER_NAME, JiebaTokenizer { analyzer: analyzer.clone() });
        let payload = index.load_metas()?.payload;
        let indexed_seq = payload.as_deref().and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
        let writer = index.writer_with_num_threads(2, WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // A cheap read proves the segments are readable.
        reader.searcher().num_docs();
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer,
            indexed_seq: AtomicI64::new(indexed_seq),
            answers: moka::sync::Cache::builder()
                .max_capacity(ANSWERS_BYTES)
                .weigher(|(req, _): &(SearchRequest, i64), r: &Arc<SearchResults>| {
                    let hits: usize = r.hits.iter().map(|h| h.title_html.len() + h.snippet_html.len() + 64).sum();
                    let terms: usize = r.terms.iter().map(|t| t.len() + 24).sum();
                    u32::try_from(req.q.len() + hits + terms + 128).unwrap_or(u32::MAX)
                })
                .time_to_live(ANSWER_TTL)
                .build(),
        })
    }

    /// The last store `seq` that is searchable.
    pub fn indexed_seq(&self) -> i64 {
        self.indexed_seq.load(Ordering::SeqCst)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Indexes every change the store has after [`SearchIndex::indexed_seq`]; `on_batch(indexed,
    /// seq)` hears of progress. Returns how many changes it took. A node that is current
    /// commits each batch at once; one catching up (a new node, the first start after an
    /// import) commits every [`CATCH_UP_COMMIT`] changes or so, and when it has caught up, so
    /// that it does not write and merge a hundred small segments. Segmentation and commits
    /// run on a blocking thread, never on the async ones.
    pub async fn follow(
        self: &Arc<Self>,
        store: &dyn Store,
        mut on_batch: impl FnMut(u64, i64),
    ) -> Result<u64, SearchError> {
        let mut done = 0u64;
        let mut since = self.indexed_seq();
        let mut uncommitted = 0usize;
        loop {
            let changes = store.changes_since(since, FOLLOW_BATCH).await?;
            let Some(last) = changes.last().map(|a| a.seq) else {
                if uncommitted > 0 {
                    self.apply_blocking(Vec::new(), since, true).await?;
                }
                return Ok(done);
            };
            let n = changes.len();
            uncommitted += n;
            let commit = n < FOLLOW_BATCH as usize || uncommitted >= CATCH_UP_COMMIT;
            self.apply_blocking(changes, last, commit).await?;
            if commit {
                uncommitted = 0;
            }
            since = last;
            done += n as u64;
            on_batch(done, last);
        }
    }

    /// [`SearchIndex::apply`] on a blocking thread.
    async fn apply_blocking(
        self: &Arc<Self>,
        changes: Vec<Article>,
        last_seq: i64,
        commit: bool,
    ) -> Result<(), SearchError> {
        let index = self.clone();
        tokio::task::spawn_blocking(move || index.apply(&changes, last_seq, commit))
            .await
            .map_err(|e| SearchError::Analysis(e.to_string()))?
    }

    /// Adds and removes the documents of `changes`; with `commit`, makes them (and any added
    /// before) searchable and durable at `last_seq`.
    fn apply(&self, changes: &[Article], last_seq: i64, commit: bool) -> Result<(), SearchError> {
        let f = self.fields;
        let mut w = self.writer.lock();
        for a in changes {
            w.delete_term(Term::from_field_i64(f.id, a.id));
            if a.status == ArticleStatus::Published {
                w.add_document(self.document(a))?;
            }
        }
        if !commit {
            return Ok(());
        }
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&last_seq.to_string());
        prepared.commit()?;
        drop(w);
        self.reader.reload()?;
        self.indexed_seq.store(last_seq, Ordering::SeqCst);
        Ok(())
    }

    fn document(&self, a: &Article) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, a.id);
        doc.add_text(f.title, &a.title);
        doc.add_text(f.body, &a.body_text);
        doc.add_text(f.body_lead, crate::highlight::lead(&a.body_text));
        if let Some(author) = &a.author {
            doc.add_text(f.author, author);
        }
        if let Some(source) = &a.source_name {
            doc.add_text(f.source, source);
            doc.add_text(f.source_key, source);
        }
        if let Some(category) = &a.category {
            doc.add_text(f.category, category);
            doc.add_text(f.category_key, category);
        }
        let terms: Vec<&str> = a.keywords.iter().chain(a.tags.iter()).map(String::as_str).collect();
        doc.add_text(f.keywords, terms.join(" "));
        doc.add_i64(f.published_at, a.published_at);
        doc
    }
}

fn folder_err(dir: &Path, e: std::io::Error) -> SearchError {
    SearchError::Folder { path: dir.display().to_string(), reason: e.to_string() }
}
