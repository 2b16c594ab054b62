//! What every engine does with a batch of URLs.

use async_trait::async_trait;

/// The answer to one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The engine took the batch. `refused` are URLs it named as invalid (with why): they are
    /// not retried. `remain` is the quota left when the engine says.
    Accepted { answer: String, remain: Option<i64>, refused: Vec<(String, String)> },
    /// Not taken this time (network, quota, rate limit, a key the engine cannot read yet):
    /// try again later.
    Retry(String),
    /// Never going to be taken as sent (a malformed request): not retried.
    Refused(String),
}

#[async_trait]
pub trait Engine: Send + Sync {
    /// `baidu` or `indexnow`: the push log's `target`.
    fn name(&self) -> &'static str;
    /// The most URLs one request may carry.
    fn batch_limit(&self) -> usize;
    async fn send(&self, client: &reqwest::Client, urls: &[String]) -> Attempt;
}

/// An HTTP failure as a log line: the status and the start of the body.
pub(crate) fn http_error(status: reqwest::StatusCode, body: &str) -> String {
    let body: String = body.chars().take(200).collect();
    format!("HTTP {}: {}", status.as_u16(), body.trim())
}
