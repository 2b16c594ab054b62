//! The push log: each story's URL as it is announced to a search engine (Baidu's 普通收录,
//! IndexNow), once, with the engine's answer. Every node reads the change feed into it; one
//! node at a time claims what is due and sends it.

use async_trait::async_trait;

use crate::Result;

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the engine.
    Pushed,
    /// Refused for good (the engine called the URL invalid, or the attempts ran out).
    Failed,
}

impl PushState {
    pub fn as_str(self) -> &'static str {
        match self {
            PushState::Pending => "pending",
            PushState::Pushed => "pushed",
            PushState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<PushState> {
        [PushState::Pending, PushState::Pushed, PushState::Failed].into_iter().find(|p| p.as_str() == s)
    }
}

/// One URL for one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushEntry {
    pub id: i64,
    /// `baidu` or `indexnow`.
    pub target: String,
    pub article_id: i64,
    pub url: String,
    pub state: PushState,
    pub attempts: i64,
    pub queued_at: i64,
    /// When the next attempt is due (a claim moves it a lease ahead).
    pub next_at: i64,
    /// When the last attempt was made.
    pub tried_at: Option<i64>,
    /// The engine's answer to the last attempt, or why it failed.
    pub result: Option<String>,
    /// The daily quota left after the last attempt, when the engine says (Baidu's `remain`).
    pub remain: Option<i64>,
}

/// The outcome of one attempt, written to every entry it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    pub at: i64,
    pub state: PushState,
    /// For [`PushState::Pending`]: when to try again.
    pub next_at: i64,
    pub result: String,
    pub remain: Option<i64>,
}

#[async_trait]
pub trait PushStore: Send + Sync {
    /// How far the push log has read the change feed; `None` before it first did.
    async fn push_cursor(&self) -> Result<Option<i64>>;
    /// In one transaction: queues each `(article id, URL)` for each target unless that article
    /// was ever queued for it (a story is announced once, however often it is edited), and
    /// moves the cursor up to `seq` (never back). Returns the entries newly queued.
    async fn queue_pushes(&self, targets: &[&str], items: &[(i64, String)], seq: i64, now: i64) -> Result<u64>;
    /// Claims up to `limit` due pending entries of `target`, oldest first, for this node: their
    /// `next_at` moves a lease ahead so no other node sends them, and a claim whose node died
    /// expires by itself.
    async fn claim_pushes(&self, target: &str, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<PushEntry>>;
    /// Writes one attempt's outcome to these entries (and counts the attempt).
    async fn record_pushes(&self, ids: &[i64], record: &PushRecord) -> Result<()>;
    /// The newest entries first.
    async fn push_log(&self, limit: u32) -> Result<Vec<PushEntry>>;
}
