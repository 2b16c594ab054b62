//! 热门资讯: popularity from views that decay with a half-life.

use std::collections::HashMap;

use super::decay;

/// Views of one article in one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourlyViews {
    pub article_id: i64,
    /// Unix hour (seconds / 3600).
    pub hour: i64,
    pub views: i64,
}

/// Hot score of one hour's views: each view decays with the hot list's half-life, so that a
/// burst this morning beats a bigger total from last week.
pub fn hot_score(views: f64, age_secs: i64, half_life_secs: i64) -> f64 {
    views * decay(age_secs, half_life_secs)
}

/// Each article's views, every hour's bucket decayed from the middle of its hour to `now`;
/// best first (ties: the newer id first).
pub fn hot_ranking(views: &[HourlyViews], now: i64, half_life_secs: i64) -> Vec<(i64, f64)> {
    let mut scores: HashMap<i64, f64> = HashMap::new();
    for v in views {
        let age = now - (v.hour * 3600 + 1800);
        *scores.entry(v.article_id).or_insert(0.0) += hot_score(v.views as f64, age, half_life_secs);
    }
    let mut ranked: Vec<(i64, f64)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_this_morning_beats_a_bigger_total_last_week() {
        let now = 1_000 * 3600; // a scripted clock: hour 1000
        let h = |article_id, hour, views| HourlyViews { article_id, hour, views };
        let views = [
            // Article 1: 5,000 views a week ago.
            h(1, 1000 - 7 * 24, 5000),
            // Article 2: 300 views over the last three hours.
            h(2, 997, 100),
            h(2, 998, 100),
            h(2, 999, 100),
            // Article 3: 200 views yesterday.
            h(3, 1000 - 24, 200),
        ];
        let ranked = hot_ranking(&views, now, 6 * 3600);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3, 1]);
        // Half-life: one bucket exactly one half-life old counts half.
        let one = hot_ranking(&[h(9, 999, 100)], 999 * 3600 + 1800 + 6 * 3600, 6 * 3600);
        assert!((one[0].1 - 50.0).abs() < 1e-9);
    }
}
