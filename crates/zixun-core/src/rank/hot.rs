//! 热门资讯: popularity from views that decay with a half-life.

use super::decay;

/// Hot score of one hour's views: each view decays with the hot list's half-life, so that a
/// burst this morning beats a bigger total from last week.
pub fn hot_score(views: f64, age_secs: i64, half_life_secs: i64) -> f64 {
    views * decay(age_secs, half_life_secs)
}

/// What a view in each hour bucket from `first_hour` to the hour of `now` (Unix hours) counts
/// for now: its decay from the middle of its hour. An article's hot score is the sum of its
/// hourly views times these, which the store adds up where the views are.
pub fn hour_weights(first_hour: i64, now: i64, half_life_secs: i64) -> Vec<f64> {
    (first_hour..=now.div_euclid(3600)).map(|hour| hot_score(1.0, now - (hour * 3600 + 1800), half_life_secs)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each article's hourly `(article, hour, views)` summed with the weights, best first.
    fn ranked(views: &[(i64, i64, i64)], first_hour: i64, weights: &[f64]) -> Vec<(i64, f64)> {
        let mut scores: Vec<(i64, f64)> = Vec::new();
        for &(id, hour, n) in views {
            let w = weights[(hour - first_hour) as usize];
            match scores.iter_mut().find(|s| s.0 == id) {
                Some(s) => s.1 += n as f64 * w,
                None => scores.push((id, n as f64 * w)),
            }
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        scores
    }

    #[test]
    fn a_burst_this_morning_beats_a_bigger_total_last_week() {
        let now = 1_000 * 3600; // a scripted clock: hour 1000
        let first = 1000 - 7 * 24;
        let weights = hour_weights(first, now, 6 * 3600);
        assert_eq!(weights.len(), 7 * 24 + 1, "one weight an hour, this hour's included");
        let views = [
            // Article 1: 5,000 views a week ago.
            (1, 1000 - 7 * 24, 5000),
            // Article 2: 300 views over the last three hours.
            (2, 997, 100),
            (2, 998, 100),
            (2, 999, 100),
            // Article 3: 200 views yesterday.
            (3, 1000 - 24, 200),
        ];
        let order: Vec<i64> = ranked(&views, first, &weights).iter().map(|r| r.0).collect();
        assert_eq!(order, vec![2, 3, 1]);
        // Half-life: a bucket exactly one half-life old counts half.
        let now = 999 * 3600 + 1800 + 6 * 3600;
        assert!((hour_weights(999, now, 6 * 3600)[0] - 0.5).abs() < 1e-12);
    }
}
