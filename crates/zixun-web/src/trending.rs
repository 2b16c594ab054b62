//! 热词: keywords whose count in the last 24 hours rises far above their usual daily rate
//! (`rank::trend_score`), recomputed every minute.

use std::sync::Arc;

use parking_lot::RwLock;
use serde::Serialize;
use zixun_core::{SiteClock, rank};

use crate::{AppContext, error::BackgroundError};

const DAY: i64 = 24 * 3600;
/// The usual rate is read over this many days before the last one.
const BASELINE_DAYS: i64 = 29;
const KEPT: usize = 30;

#[derive(Debug, Clone, Serialize)]
pub struct TrendingWord {
    pub word: String,
    /// Stories carrying the word in the last 24 hours.
    pub count_24h: u32,
    /// Stories a day carrying it over the 29 days before.
    pub usual_per_day: f64,
    pub score: f64,
}

#[derive(Default)]
pub struct TrendingList {
    words: RwLock<Arc<Vec<TrendingWord>>>,
}

impl TrendingList {
    pub fn top(&self, limit: usize) -> Vec<TrendingWord> {
        self.words.read().iter().take(limit).cloned().collect()
    }

    pub async fn refresh(&self, ctx: &AppContext) -> Result<(), BackgroundError> {
        let now = SiteClock::now();
        let recent = ctx.store.term_counts(now - DAY, now + 60).await?;
        let baseline = ctx.store.term_counts(now - (BASELINE_DAYS + 1) * DAY, now - DAY).await?;
        let mut words: Vec<TrendingWord> = recent
            .into_iter()
            .filter_map(|(word, n)| {
                let before = baseline.get(&word).copied().unwrap_or(0);
                let score = rank::trend_score(n, before, BASELINE_DAYS as f64)?;
                Some(TrendingWord { usual_per_day: before as f64 / BASELINE_DAYS as f64, count_24h: n, score, word })
            })
            .collect();
        words.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.count_24h.cmp(&a.count_24h)).then(a.word.cmp(&b.word)));
        words.truncate(KEPT);
        *self.words.write() = Arc::new(words);
        Ok(())
    }
}
