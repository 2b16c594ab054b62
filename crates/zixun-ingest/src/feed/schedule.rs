//! The fetcher inside `zixun serve`: each source on its own schedule, several at once, so that
//! one slow or broken source never delays the others. Due sources are claimed in the store, so
//! with several nodes each due source is polled by one of them and the work spreads; a claim
//! held by a node that died expires after `lease`.

use std::{collections::HashSet, sync::Arc, time::Duration};

use tokio::{sync::watch, task::JoinSet};
use zixun_core::SiteClock;

use super::poll::FeedPoller;

pub struct FeedScheduler {
    pub poller: Arc<FeedPoller>,
    /// Polls in flight at most.
    pub max_parallel: usize,
    /// How often the sources are checked for one that is due.
    pub tick: Duration,
    /// How long a claim on a due source holds before another node may take it (longer than
    /// a fetch can take).
    pub lease: Duration,
}

impl FeedScheduler {
    /// Runs until `shutdown` turns true; polls in flight are then abandoned (each is one
    /// transaction, so nothing is left half-written).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut running: HashSet<i64> = HashSet::new();
        let mut polls: JoinSet<i64> = JoinSet::new();
        let mut tick = tokio::time::interval(self.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                Some(done) = polls.join_next(), if !polls.is_empty() => {
                    if let Ok(id) = done {
                        running.remove(&id);
                    }
                    continue;
                }
                _ = shutdown.changed() => break,
            }
            let free = self.max_parallel.saturating_sub(running.len());
            if free == 0 {
                continue;
            }
            let now = SiteClock::now();
            let due = match self.poller.store.claim_due(now, self.lease.as_secs().max(1) as i64, free as u32).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim due sources; retrying");
                    continue;
                }
            };
            for source in due {
                // Still polling it from an earlier claim (a lease shorter than the poll).
                if !running.insert(source.id) {
                    continue;
                }
                let poller = self.poller.clone();
                polls.spawn(async move {
                    match poller.poll(&source).await {
                        Ok(report) if report.outcome.is_err() => tracing::warn!(%report, "feed poll failed"),
                        Ok(report) => tracing::info!(%report, "feed polled"),
                        Err(e) => tracing::error!(source = %source.name, error = %e, "feed poll could not be stored"),
                    }
                    source.id
                });
            }
        }
        polls.abort_all();
    }
}
