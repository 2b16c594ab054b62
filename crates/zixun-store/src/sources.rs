//! Outlets whose feeds are polled: what the fetcher needs and what `zixun sources list` shows.

use async_trait::async_trait;

use crate::Result;

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
    pub created_at: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<i64>,
    /// `ok`, `not modified` or `error`.
    pub last_status: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
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
    Error(String),
}

impl FetchStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            FetchStatus::Ok => "ok",
            FetchStatus::NotModified => "not modified",
            FetchStatus::Error(_) => "error",
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
    /// Removes the source with this name, else this URL (its articles stay). False if none.
    async fn remove_source(&self, name_or_url: &str) -> Result<bool>;
    /// Claims up to `limit` due sources (`next_fetch_at <= now`), soonest first, for this node:
    /// their `next_fetch_at` moves to `now + lease_secs`, so no other node takes them, and a
    /// claim whose node died expires by itself. [`SourceStore::record_fetch`] then sets the real
    /// next time. Sources locked by another claim in flight are skipped, not waited for.
    async fn claim_due(&self, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<Source>>;
    /// Writes back one fetch: status, validators, counters and the next due time. A failure
    /// bumps `failures` and `errors`; a success resets `failures`.
    async fn record_fetch(&self, id: i64, record: &FetchRecord) -> Result<()>;
}
