//! The push loop: the change feed into the push log, then what is due out to each engine.

use std::{sync::Arc, time::Duration};

use tokio::sync::watch;
use zixun_core::{ArticleStatus, SiteClock};
use zixun_store::{Backend, PushEntry, PushRecord, PushState, Result};

use crate::engine::{Attempt, Engine};

/// The longest wait between two attempts (Baidu's quota refills daily).
const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 3600);
/// How long a node holds the entries it claimed before another may take them.
const LEASE_SECS: i64 = 120;
/// Changes read from the feed at a time.
const FEED_PAGE: u32 = 500;
/// How long the loop sleeps when nothing wakes it (a retry may come due).
const IDLE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct PusherSettings {
    /// The first retry's delay; each next one doubles, up to six hours.
    pub retry_base: Duration,
    /// Attempts before an entry is given up (marked failed).
    pub max_attempts: i64,
}

impl Default for PusherSettings {
    fn default() -> Self {
        PusherSettings { retry_base: Duration::from_secs(60), max_attempts: 10 }
    }
}

/// The wait before the attempt after `attempts` failed ones: `base`, doubling, at most six hours.
pub fn retry_delay(base: Duration, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(2u32.saturating_pow(doublings)).min(MAX_RETRY_DELAY)
}

pub struct Pusher {
    store: Arc<dyn Backend>,
    engines: Vec<Arc<dyn Engine>>,
    /// Story URLs are `{base_url}/a/{id}`, the address readers and crawlers use.
    base_url: String,
    client: reqwest::Client,
    settings: PusherSettings,
}

impl Pusher {
    pub fn new(
        store: Arc<dyn Backend>,
        engines: Vec<Arc<dyn Engine>>,
        base_url: &str,
        settings: PusherSettings,
    ) -> reqwest::Result<Pusher> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("zixun/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Pusher { store, engines, base_url: base_url.trim_end_matches('/').to_string(), client, settings })
    }

    /// Runs until `shutdown` turns true. A failed round (the database away) is logged and the
    /// next one tries again: publishing never waits for any of this.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(engines = ?self.targets(), "pushing new stories to search engines");
        loop {
            if let Err(e) = self.round().await {
                tracing::warn!(error = %e, "push round failed; trying again shortly");
            }
            tokio::select! {
                _ = self.store.wait_for_change(IDLE) => {}
                _ = shutdown.changed() => break,
            }
        }
    }

    /// One round: queue what was first published since the last, then send what is due.
    pub async fn round(&self) -> Result<()> {
        self.queue_new().await?;
        for engine in &self.engines {
            while self.send_due(engine.as_ref()).await? == engine.batch_limit() {}
        }
        Ok(())
    }

    /// Starts the push log at the change feed's end the first time pushing is on: a site that
    /// turns it on does not spend its quota on its archive (the sitemaps carry that). Later
    /// starts go on from where the log stopped.
    pub async fn begin(&self) -> Result<()> {
        if self.store.push_cursor().await?.is_none() {
            let head = self.store.max_seq().await?;
            self.store.queue_pushes(&self.targets(), &[], head, SiteClock::now()).await?;
            tracing::info!(from_change = head, "push log started: stories published from now on are pushed");
        }
        Ok(())
    }

    fn targets(&self) -> Vec<&'static str> {
        self.engines.iter().map(|e| e.name()).collect()
    }

    /// Reads the change feed from the push cursor and queues each published story for every
    /// engine (the log keeps one entry per story and engine, so an edit queues nothing).
    async fn queue_new(&self) -> Result<u64> {
        let targets = self.targets();
        let now = SiteClock::now();
        let Some(mut cursor) = self.store.push_cursor().await? else { return self.begin().await.map(|_| 0) };
        let mut queued = 0;
        loop {
            let changes = self.store.changes_since(cursor, FEED_PAGE).await?;
            let Some(last) = changes.last().map(|a| a.seq) else { break };
            let stories: Vec<(i64, String)> = changes
                .iter()
                .filter(|a| a.status == ArticleStatus::Published && a.copy_of.is_none())
                .map(|a| (a.id, format!("{}/a/{}", self.base_url, a.id)))
                .collect();
            queued += self.store.queue_pushes(&targets, &stories, last, now).await?;
            cursor = last;
        }
        if queued > 0 {
            tracing::debug!(queued, "new stories queued for pushing");
        }
        Ok(queued)
    }

    /// Sends one batch of `engine`'s due entries and records the answer; returns how many
    /// were sent.
    async fn send_due(&self, engine: &dyn Engine) -> Result<usize> {
        let now = SiteClock::now();
        let limit = u32::try_from(engine.batch_limit()).unwrap_or(u32::MAX);
        let batch = self.store.claim_pushes(engine.name(), now, LEASE_SECS, limit).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let urls: Vec<String> = batch.iter().map(|p| p.url.clone()).collect();
        let attempt = engine.send(&self.client, &urls).await;
        let at = SiteClock::now();
        match attempt {
            Attempt::Accepted { answer, remain, refused } => {
                let (bad, good): (Vec<&PushEntry>, Vec<&PushEntry>) =
                    batch.iter().partition(|p| refused.iter().any(|(u, _)| *u == p.url));
                let pushed = PushRecord { at, state: PushState::Pushed, next_at: at, result: answer.clone(), remain };
                self.store.record_pushes(&ids(&good), &pushed).await?;
                for p in &bad {
                    let why = refused.iter().find(|(u, _)| *u == p.url).map_or("refused", |(_, w)| w.as_str());
                    let failed =
                        PushRecord { at, state: PushState::Failed, next_at: at, result: why.to_string(), remain };
                    self.store.record_pushes(&[p.id], &failed).await?;
                }
                tracing::info!(engine = engine.name(), sent = urls.len(), refused = bad.len(), remain, %answer, "pushed");
            }
            Attempt::Refused(why) => {
                let failed =
                    PushRecord { at, state: PushState::Failed, next_at: at, result: why.clone(), remain: None };
                self.store.record_pushes(&ids(&batch.iter().collect::<Vec<_>>()), &failed).await?;
                tracing::warn!(engine = engine.name(), urls = urls.len(), error = %why, "push refused; not retried");
            }
            Attempt::Retry(why) => self.retry_later(engine, &batch, at, &why).await?,
        }
        Ok(batch.len())
    }

    /// Puts a failed batch back with its backoff, or gives up on entries out of attempts.
    async fn retry_later(&self, engine: &dyn Engine, batch: &[PushEntry], at: i64, why: &str) -> Result<()> {
        let mut by_attempts: Vec<(i64, Vec<i64>)> = Vec::new();
        for p in batch {
            match by_attempts.iter_mut().find(|(n, _)| *n == p.attempts) {
                Some((_, ids)) => ids.push(p.id),
                None => by_attempts.push((p.attempts, vec![p.id])),
            }
        }
        for (attempts, ids) in by_attempts {
            let record = if attempts + 1 >= self.settings.max_attempts {
                tracing::warn!(engine = engine.name(), urls = ids.len(), attempts = attempts + 1, error = %why, "push given up");
                PushRecord {
                    at,
                    state: PushState::Failed,
                    next_at: at,
                    result: format!("gave up: {why}"),
                    remain: None,
                }
            } else {
                let delay = retry_delay(self.settings.retry_base, attempts);
                let next_at = at + i64::try_from(delay.as_secs()).unwrap_or(i64::MAX / 2).max(1);
                tracing::warn!(engine = engine.name(), urls = ids.len(), retry_in_secs = next_at - at, error = %why, "push failed");
                PushRecord { at, state: PushState::Pending, next_at, result: why.to_string(), remain: None }
            };
            self.store.record_pushes(&ids, &record).await?;
        }
        Ok(())
    }
}

fn ids(entries: &[&PushEntry]) -> Vec<i64> {
    entries.iter().map(|p| p.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_six_hours() {
        let base = Duration::from_secs(60);
        assert_eq!(retry_delay(base, 0), Duration::from_secs(60));
        assert_eq!(retry_delay(base, 3), Duration::from_secs(480));
        assert_eq!(retry_delay(base, 9), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(base, i64::MAX), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(base, -1), base);
    }
}
