//! 相关内容's ranking: the score that blends a candidate's similarity with category, shared
//! tags and recency, and the greedy pick that keeps one item per story and damps repeated
//! sources.
//!
//! ```text
//! score = cosine × (1 + category_bonus  if the category is the article's)
//!                × (1 + tag_bonus × shared tags, at most 3)
//!                × (1 − recency_weight + recency_weight × 0.5^(age / recency_half_life))
//! ```
//!
//! with the defaults of [`RelatedSettings`]; each further item from a source already listed is
//! multiplied by 0.85 per earlier item from it.

use std::{collections::HashMap, time::Duration};

use super::decay;
use crate::{story::StoryPolicy, text::hamming};

/// A source's score factor per item of it already listed.
pub const SOURCE_REPEAT_FACTOR: f64 = 0.85;
/// Shared tags that count towards the tag bonus.
pub const MAX_SHARED_TAGS: usize = 3;

/// The weights of the ranking formula (config keys `related_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedSettings {
    /// Added to the factor of an item of the article's category.
    pub category_bonus: f64,
    /// Added to the factor per tag the item shares with the article (at most 3).
    pub tag_bonus: f64,
    /// How much of the score depends on the item's age: 0 ignores it, 1 halves a score per half-life.
    pub recency_weight: f64,
    pub recency_half_life: Duration,
    /// SimHash distance within which two items are one story (`story_max_bits`).
    pub same_story_bits: u32,
}

impl Default for RelatedSettings {
    fn default() -> Self {
        RelatedSettings {
            category_bonus: 0.1,
            tag_bonus: 0.1,
            recency_weight: 0.3,
            recency_half_life: Duration::from_secs(14 * 24 * 3600),
            same_story_bits: StoryPolicy::MAX_BITS,
        }
    }
}

/// What the score knows of an article or a candidate besides their similarity.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub category: Option<&'a str>,
    pub tags: &'a [String],
    pub published_at: i64,
}

impl RelatedSettings {
    /// The score of `candidate`, `similarity` (cosine) away from `article`, at `now`.
    pub fn score(&self, similarity: f32, candidate: Facts<'_>, article: Facts<'_>, now: i64) -> f64 {
        let same_category = candidate.category.is_some() && candidate.category == article.category;
        let shared_tags = candidate.tags.iter().filter(|t| article.tags.contains(t)).count().min(MAX_SHARED_TAGS);
        let recency = decay(now - candidate.published_at, self.recency_half_life.as_secs() as i64);
        f64::from(similarity)
            * (1.0 + if same_category { self.category_bonus } else { 0.0 })
            * (1.0 + self.tag_bonus * shared_tags as f64)
            * (1.0 - self.recency_weight + self.recency_weight * recency)
    }
}

/// A candidate on its way to the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub id: i64,
    pub score: f64,
    pub simhash: u64,
    pub source: Option<String>,
}

/// Greedy pick by score, skipping copies of one story and damping repeated sources: at most
/// `limit` of `candidates`, best first. `own` is the article's id and SimHash; `listed` are the
/// SimHashes of items already on the list (their stories are not repeated). Two items are one
/// story within `same_story_bits` of SimHash.
pub fn diversify(
    own: (i64, u64),
    listed: &[u64],
    mut candidates: Vec<Pick>,
    limit: usize,
    same_story_bits: u32,
) -> Vec<Pick> {
    let mut chosen: Vec<Pick> = Vec::with_capacity(limit);
    let mut per_source: HashMap<String, i32> = HashMap::new();
    let same_story = |a: u64, b: u64| hamming(a, b) <= same_story_bits;
    candidates.retain(|c| {
        c.id != own.0 && !same_story(c.simhash, own.1) && !listed.iter().any(|&l| same_story(l, c.simhash))
    });
    while chosen.len() < limit && !candidates.is_empty() {
        let source_key = |c: &Pick| c.source.clone().unwrap_or_default();
        let adjusted =
            |c: &Pick| c.score * SOURCE_REPEAT_FACTOR.powi(per_source.get(&source_key(c)).copied().unwrap_or(0));
        let Some(best) = (0..candidates.len())
            .max_by(|&a, &b| adjusted(&candidates[a]).total_cmp(&adjusted(&candidates[b])).then(b.cmp(&a)))
        else {
            break;
        };
        let item = candidates.swap_remove(best);
        candidates.retain(|c| !same_story(c.simhash, item.simhash));
        *per_source.entry(source_key(&item)).or_insert(0) += 1;
        chosen.push(item);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600;

    #[test]
    fn one_story_is_as_far_as_story_max_bits_says() {
        let pick = |id: i64, simhash: u64| Pick { id, score: 1.0 / id as f64, simhash, source: None };
        // Item 2 is 3 bits from the article; item 4 is 1 bit from item 3.
        let picks = || vec![pick(2, 0b111), pick(3, u64::MAX), pick(4, u64::MAX ^ 1)];
        let ids = |bits: u32| -> Vec<i64> { diversify((1, 0), &[], picks(), 5, bits).iter().map(|p| p.id).collect() };
        assert_eq!(ids(3), vec![3], "item 2 is the article's story, item 4 item 3's");
        assert_eq!(ids(2), vec![2, 3], "within 2 bits item 2 is a story of its own");
        assert_eq!(ids(0), vec![2, 3, 4], "only equal hashes are one story");
        let listed = diversify((1, 0), &[u64::MAX], picks(), 5, 0);
        assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![2, 4], "item 3's story is listed already");
    }

    #[test]
    fn a_repeated_source_is_damped() {
        let pick = |id: i64, score: f64, source: &str| Pick {
            id,
            score,
            simhash: id as u64 * 0xFFFF,
            source: Some(source.into()),
        };
        // Two items of 新华社 score 1.0 and 0.9; 中新网's 0.8 beats the second (0.9 × 0.85 = 0.765).
        let chosen =
            diversify((0, 0), &[], vec![pick(1, 1.0, "新华社"), pick(2, 0.9, "新华社"), pick(3, 0.8, "中新网")], 3, 0);
        assert_eq!(chosen.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 3, 2]);
    }

    #[test]
    fn category_tags_and_recency_weigh_as_documented() {
        let s = RelatedSettings::default();
        let now = 1_000 * DAY;
        let tags = vec!["马拉松".to_string(), "江州".to_string()];
        let article = Facts { category: Some("体育"), tags: &tags, published_at: now };
        let score = |similarity: f32, category: &str, tags: &[&str], age_days: i64| {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            let candidate = Facts { category: Some(category), tags: &tags, published_at: now - age_days * DAY };
            s.score(similarity, candidate, article, now)
        };
        assert!((score(0.5, "科技", &[], 0) - 0.5).abs() < 1e-9, "today, other category, no tags: the cosine itself");
        assert!((score(0.5, "体育", &[], 0) - 0.55).abs() < 1e-9, "same category: ×1.1");
        let tagged = score(0.5, "科技", &["马拉松", "江州", "马拉松", "x"], 0);
        assert!((tagged - 0.5 * 1.3).abs() < 1e-9, "shared tags count, at most 3: {tagged}");
        let old = score(0.5, "科技", &[], 14);
        assert!((old - 0.5 * 0.85).abs() < 1e-9, "one half-life old: 0.7 + 0.3 × 0.5");
        // A related article from yesterday beats an equally related one from last year.
        assert!(score(0.5, "体育", &[], 1) > score(0.5, "体育", &[], 365));
        // Recency is a tie-breaker, not a topic: a much closer article from last year still wins.
        assert!(score(0.8, "体育", &[], 365) > score(0.5, "体育", &[], 0));
    }
}
