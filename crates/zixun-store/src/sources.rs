//! Outlets whose feeds are polled: what the fetcher needs and what `zixun sources list` shows.

use async_trait::async_trait;

use crate::{Result, StoreError};

/// A source as the operator adds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub name: String,
    pub url: String,
    pub category: Option<String>,
    pub interval_secs: i64,
    /// Download its entries' images and serve them as the site's own uploads (else they stay
    /// on the outlet's server, shown without a referrer).
    pub localize_images: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub category: Option<String>,
    pub interval_secs: i64,
    pub localize_images: bool,
    /// Paused by an editor: not fetched until resumed.
    pub paused: bool,
    pub created_at: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<i64>,
    /// `ok`, `not modified` or `error`.
    pub last_status: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What kind of failure that was ([`FetchStatus::Error`]'s code).
    pub last_error_code: Option<String>,
    /// Entries stored (new or changed) over the source's life.
    pub items: i64,
    /// Failed fetches over the source's life.
    pub errors: i64,
    /// Failed fetches in a row (drives the backoff).
    pub failures: i64,
    pub next_fetch_at: i64,
}

/// The outcome of one fetch, written back to the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRecord {
    pub at: i64,
    pub status: FetchStatus,
    /// New validators; `None` keeps the stored ones.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Entries stored by this fetch.
    pub stored: i64,
    pub next_fetch_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchStatus {
    Ok,
    NotModified,
    /// `code` is stable (`timeout`, `http_status`, `not_feed`…: the newsroom words it in
    /// Chinese), `message` the detail.
    Error {
        code: &'static str,
        message: String,
    },
}

impl FetchStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            FetchStatus::Ok => "ok",
            FetchStatus::NotModified => "not modified",
            FetchStatus::Error { .. } => "error",
        }
    }
}

#[async_trait]
pub trait SourceStore: Send + Sync {
    /// Fails with [`crate::StoreError::Conflict`] when the name or the URL is taken.
    async fn add_source(&self, source: &NewSource) -> Result<Source>;
    /// All sources, by name.
    async fn sources(&self) -> Result<Vec<Source>>;
    /// The source with this name, else this URL.
    async fn source(&self, name_or_url: &str) -> Result<Option<Source>>;
    async fn source_by_id(&self, id: i64) -> Result<Option<Source>>;
    /// Changes what the operator set (name, URL, category, interval, localizing); the fetch
    /// history stays. `None` if there is no such source; [`crate::StoreError::Conflict`] when
    /// the name or the URL is another source's.
    async fn update_source(&self, id: i64, source: &NewSource) -> Result<Option<Source>>;
    /// Pauses (or resumes) a source; a resumed source is due at once. False if none.
    async fn set_paused(&self, id: i64, paused: bool, now: i64) -> Result<bool>;
    /// Removes the source with this name, else this URL (its articles stay). False if none.
    async fn remove_source(&self, name_or_url: &str) -> Result<bool>;
    /// Claims up to `limit` due sources (`next_fetch_at <= now`, not paused), soonest first, for this node:
    /// their `next_fetch_at` moves to `now + lease_secs`, so no other node takes them, and a
    /// claim whose node died expires by itself. [`SourceStore::record_fetch`] then sets the real
    /// next time. Sources locked by another claim in flight are skipped, not waited for.
    async fn claim_due(&self, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<Source>>;
    /// Writes back one fetch: status, validators, counters and the next due time. A failure
    /// bumps `failures` and `errors`; a success resets `failures`.
    async fn record_fetch(&self, id: i64, record: &FetchRecord) -> Result<()>;
}

/// A taken name or URL, in words (both backends report a unique violation alike).
pub(crate) fn source_conflict(e: sqlx::Error, s: &NewSource) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("a source named {:?} or with the URL {} already exists", s.name, s.url))
        }
        _ => e.into(),
    }
}
