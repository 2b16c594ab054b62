//! zixun-store: the traits every backend implements, one per aggregate ([`Store`] for articles,
//! stories, the change feed, views and corpus statistics; [`SourceStore`]; [`NewsroomStore`];
//! [`UploadStore`]; [`PushStore`]; [`SlotStore`]; [`StatsStore`] for the dashboard; [`RevisionStore`]), the [`Backend`] handle that joins them, and two backends: SQLite (the
//! embedded default) and PostgreSQL (several web nodes on one database).

mod backend;
pub mod copy;
mod error;
mod list;
mod newsroom;
mod postgres;
mod push;
mod revisions;
mod rows;
mod slots;
mod sources;
mod sqlite;
mod stats;
mod story;
mod uploads;

use std::{collections::HashMap, time::Duration};

use async_trait::async_trait;
use zixun_core::{Article, ArticleDraft, ArticleSummary, newsroom::Workflow, text::CorpusStats};

pub use backend::{Backend, BackendKind, OpenOptions, open};
pub use error::StoreError;
pub use newsroom::{AdminArticle, AdminFilter, ApiToken, AuditEntry, NewAudit, NewsroomStore, User};
pub use postgres::PgStore;
pub use push::{PushEntry, PushRecord, PushState, PushStore};
pub use revisions::RevisionStore;
pub use slots::SlotStore;
pub use sources::{FetchRecord, FetchStatus, NewSource, Source, SourceStore};
pub use sqlite::SqliteStore;
pub use stats::StatsStore;
pub use uploads::UploadStore;

pub type Result<T> = std::result::Result<T, StoreError>;

/// What an upsert did to one draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted(i64),
    Updated(i64),
    /// The draft matched the stored article field for field; nothing was written.
    Unchanged(i64),
}

impl UpsertOutcome {
    pub fn id(self) -> i64 {
        match self {
            UpsertOutcome::Inserted(id) | UpsertOutcome::Updated(id) | UpsertOutcome::Unchanged(id) => id,
        }
    }
}

/// Which published articles a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    All,
    Category(String),
    Source(String),
    Author(String),
    /// A keyword or a tag.
    Term(String),
}

impl ListFilter {
    /// Whether the list holds `article` (status aside: lists show published articles).
    pub fn shows(&self, article: &Article) -> bool {
        match self {
            ListFilter::All => true,
            ListFilter::Category(c) => article.category.as_deref() == Some(c.as_str()),
            ListFilter::Source(s) => article.source_name.as_deref() == Some(s.as_str()),
            ListFilter::Author(a) => article.author.as_deref() == Some(a.as_str()),
            ListFilter::Term(t) => article.keywords.iter().chain(&article.tags).any(|k| k == t),
        }
    }
}

/// A position in a newest-first list: the last item's (published_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub published_at: i64,
    pub id: i64,
}

/// An article's nearest neighbours in a list (see [`Store::neighbours`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Neighbours {
    /// The next older article (上一篇).
    pub older: Option<ArticleSummary>,
    /// The next newer article (下一篇).
    pub newer: Option<ArticleSummary>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.published_at, self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (p, i) = s.split_once('_')?;
        Some(Cursor { published_at: p.parse().ok()?, id: i.parse().ok()? })
    }
}

/// An article as 相关内容 sees it: its term vector and what ranking and dedup need.
#[derive(Debug, Clone, PartialEq)]
pub struct TermVectorRow {
    pub id: i64,
    pub seq: i64,
    pub published: bool,
    /// A recorded copy of another story (never listed; its own page still gets a list).
    pub copy_of: Option<i64>,
    pub published_at: i64,
    pub category: Option<String>,
    pub source_name: Option<String>,
    pub tags: Vec<String>,
    pub simhash: u64,
    /// `None` for an article written before term vectors were kept.
    pub vector: Option<Vec<(String, f32)>>,
}

/// Articles and their stories, the change feed, views and corpus statistics. The store is the
/// truth: the search index, the term vectors and every cache are rebuilt from it, following
/// the change feed.
///
/// # The change feed
///
/// Every article row carries the `seq` of the last change to it, and [`Store::max_seq`] is the
/// highest `seq` handed out. The invariant every backend keeps, with any number of writers in
/// any number of processes: **once a reader has seen a row with `seq = s`, every change with a
/// `seq` below `s` is committed and visible to it.** Writers take the feed's lock (a row lock
/// on the `seq` counter, held to commit) before they number anything, so `seq`s are handed out
/// in commit order and a follower reading `seq > last` can never skip a change that commits
/// late. Only a write that changes something takes a `seq`: an unchanged upsert, a view or a
/// term vector computed after the fact does not move the feed.
#[async_trait]
pub trait Store: Send + Sync {
    /// Inserts or updates drafts in one transaction. A draft with the `id` or `ext_id` of a
    /// stored article (else its `source_url`) updates it, unless it would change nothing. In the
    /// same transaction: each changed article takes the next `seq`; it is linked to its story
    /// (an original taking over syndicated heads gives each adopted row a new `seq` too); a new
    /// article's `doc_terms` count towards the corpus statistics; each draft's audit note is
    /// written.
    async fn upsert(&self, drafts: &[ArticleDraft]) -> Result<Vec<UpsertOutcome>>;
    async fn article(&self, id: i64) -> Result<Option<Article>>;
    /// These articles whole, in the order of `ids` (unknown ids skipped), in one query.
    async fn articles(&self, ids: &[i64]) -> Result<Vec<Article>>;

    /// Published articles, newest first, after `cursor`.
    async fn list(&self, filter: &ListFilter, cursor: Option<Cursor>, limit: u32) -> Result<Vec<ArticleSummary>>;
    /// The published articles of `filter` just before and just after `at` (上一篇/下一篇), in one
    /// query.
    async fn neighbours(&self, filter: &ListFilter, at: Cursor) -> Result<Neighbours>;
    /// The published ones of these articles, in the order of `ids` (unknown ids skipped).
    async fn summaries(&self, ids: &[i64]) -> Result<Vec<ArticleSummary>> {
        Ok(self.summaries_with_texts(ids, &[]).await?.0)
    }
    /// [`Store::summaries`] of `ids`, and the plain-text bodies of those of them also in `texts`,
    /// in one query (a related list's candidates and the texts it compares first for copies).
    async fn summaries_with_texts(
        &self,
        ids: &[i64],
        texts: &[i64],
    ) -> Result<(Vec<ArticleSummary>, HashMap<i64, String>)>;
    /// Plain-text bodies of these articles (for telling copies of one story apart).
    async fn body_texts(&self, ids: &[i64]) -> Result<HashMap<i64, String>>;
    /// Published articles with the most views of all time (the hot list's fallback).
    async fn most_viewed(&self, limit: u32) -> Result<Vec<ArticleSummary>>;
    async fn count_published(&self) -> Result<i64>;
    /// Published stories (copies not counted) by month of publication (UTC), newest first:
    /// the month as `YYYY-MM`, how many, and the latest `updated_at` among them.
    async fn published_months(&self) -> Result<Vec<(String, i64, i64)>>;
    /// `(id, updated_at)` of published stories published in `[from, to)`, newest first.
    async fn published_between(&self, from: i64, to: i64, limit: u32) -> Result<Vec<(i64, i64)>>;
    /// Categories with their published article counts, biggest first.
    async fn categories(&self) -> Result<Vec<(String, i64)>>;
    /// The highest `seq` written so far.
    async fn max_seq(&self) -> Result<i64>;
    /// Articles written after `seq` (any status), in `seq` order.
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Article>>;
    /// Term vectors of articles written after `seq` (any status), in `seq` order.
    async fn term_vectors_since(&self, seq: i64, limit: u32) -> Result<Vec<TermVectorRow>>;
    /// Stores term vectors computed after the fact (articles from before they were kept).
    /// Not a change a reader sees: `seq` stays.
    async fn set_term_vectors(&self, vectors: &[(i64, Vec<(String, f32)>)]) -> Result<()>;
    /// Adds buffered views: the running totals (`views = views + n`) and the hourly buckets,
    /// in one transaction, in id order (two nodes flushing at once cannot deadlock).
    async fn add_views(&self, hour: i64, views: &HashMap<i64, i64>) -> Result<()>;
    /// The `limit` articles with the most views since `first_hour`, each hour's views counted
    /// `weights[hour - first_hour]` times (hours past the weights not at all); best first, ties
    /// the newer id first. Summed in the database: a busy site has an hourly row for most of
    /// its articles.
    async fn decayed_views(&self, first_hour: i64, weights: &[f64], limit: u32) -> Result<Vec<(i64, f64)>>;
    /// How many published stories (copies not counted) carry each keyword or tag, among those
    /// published in `[from, to)`.
    async fn term_counts(&self, from: i64, to: i64) -> Result<HashMap<String, u32>>;
    async fn corpus_stats(&self) -> Result<CorpusStats>;
    /// The newsroom state of the article a draft with these keys would update (`ext_id`, else
    /// `source_url`); `None` when there is none or it follows its status (imports, feeds).
    async fn stored_workflow(&self, ext_id: Option<&str>, source_url: Option<&str>) -> Result<Option<Workflow>>;
    /// Returns when a change may have been committed by any process, or after `timeout`. A
    /// backend without notifications just waits: followers poll either way, because a
    /// notification can be lost (while a listener reconnects).
    async fn wait_for_change(&self, timeout: Duration) {
        tokio::time::sleep(timeout).await;
    }
}
