//! Ranking formulas, in one place so that pages, API, `zixun eval` and benchmarks agree:
//! search relevance and 热词 here, 相关内容 in [`related`], 热门资讯 in [`hot`].

pub mod hot;
pub mod related;

pub use hot::{hot_score, hour_weights};
pub use related::{Facts, Pick, RelatedSettings, diversify};

/// `0.5^(age / half_life)`: 1 now, 0.5 one half-life ago. Future times count as now.
pub fn decay(age_secs: i64, half_life_secs: i64) -> f64 {
    if half_life_secs <= 0 {
        return 1.0;
    }
    0.5f64.powf(age_secs.max(0) as f64 / half_life_secs as f64)
}

/// Search relevance: BM25 blended with freshness.
///
/// `score = bm25 × (1 + FRESHNESS_BOOST × 0.5^(age / FRESHNESS_HALF_LIFE))`
///
/// With a boost of 1 and a half-life of 3 days, an article from today counts double, one from a
/// week ago ×1.2, one from last year ×1.0: a week-old exact match (BM25 10 → 12) loses to
/// today's good match (BM25 7 → 14), and a strong old match still beats a weak new one.
pub fn search_score(bm25: f32, age_secs: i64) -> f32 {
    (bm25 as f64 * (1.0 + FRESHNESS_BOOST * decay(age_secs, FRESHNESS_HALF_LIFE_SECS))) as f32
}

pub const FRESHNESS_BOOST: f64 = 1.0;
pub const FRESHNESS_HALF_LIFE_SECS: i64 = 3 * 24 * 3600;

/// How far a word's last-24-hours count rises above its usual daily rate:
/// `(recent + 1) / (baseline / baseline_days + 1)`. Words seen fewer than
/// [`TREND_MIN_RECENT`] times in the last day are not trending, however new.
pub fn trend_score(recent: u32, baseline: u32, baseline_days: f64) -> Option<f64> {
    if recent < TREND_MIN_RECENT {
        return None;
    }
    let usual = baseline as f64 / baseline_days.max(1.0);
    Some((recent as f64 + 1.0) / (usual + 1.0))
}

pub const TREND_MIN_RECENT: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_trends_and_a_steady_word_does_not() {
        // 量子 appeared 6 times today after 2 in the last month; 经济 12 times today, as every day.
        let burst = trend_score(6, 2, 29.0).expect("enough");
        let steady = trend_score(12, 12 * 29, 29.0).expect("enough");
        assert!(burst > 5.0 && steady < 1.1, "{burst} {steady}");
        assert_eq!(trend_score(2, 0, 29.0), None);
    }

    #[test]
    fn fresh_good_match_beats_week_old_exact_match() {
        let day = 24 * 3600;
        assert!(search_score(7.0, 3600) > search_score(10.0, 7 * day));
        assert!(search_score(10.0, 365 * day) > search_score(4.0, 0));
        assert!((decay(6 * 3600, 6 * 3600) - 0.5).abs() < 1e-9);
        assert_eq!(decay(-5, 10), 1.0);
    }
}
