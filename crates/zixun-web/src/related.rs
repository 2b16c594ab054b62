//! 相关内容: the articles whose term vectors are nearest the article's (cosine, from the
//! in-memory [`TermVectorIndex`]), with category, shared tags and recency as further signals,
//! then diversified.
//!
//! ```text
//! score = cosine × (1 + category_bonus  if the category is the article's)
//!                × (1 + tag_bonus × shared tags, at most 3)
//!                × (1 − recency_weight + recency_weight × 0.5^(age / recency_half_life))
//! ```
//!
//! with the defaults of [`RelatedSettings`]; each further item from a source already listed is
//! multiplied by 0.85 per earlier item from it. An item is skipped when it is the article itself,
//! a recorded copy of a story (`copy_of`), within `story_max_bits` of SimHash of the article or of an item
//! already listed, or when its text and theirs share 90% of their character 5-grams (a copy the
//! SimHash missed: retitled, re-paragraphed, trimmed).

use std::{collections::HashMap, sync::Arc, time::Duration};

use moka::sync::Cache;
use serde::Serialize;
use zixun_core::{
    Article, ArticleSummary, SiteClock, rank,
    story::{COPY_CONTAINMENT, Shingles, containment, shingles},
    text::hamming,
};
use zixun_search::Candidate;
use zixun_store::ListFilter;

use crate::AppContext;

const SOURCE_REPEAT_FACTOR: f64 = 0.85;
/// Candidates taken from the term-vector index before blending and diversifying.
pub const CANDIDATES: usize = 100;
/// Items ranked beyond the list's length, to replace those found to be copies by their text.
const SPARE: usize = 6;
/// Shared tags that count towards the tag bonus.
const MAX_SHARED_TAGS: usize = 3;

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
            same_story_bits: zixun_core::story::StoryPolicy::MAX_BITS,
        }
    }
}

impl RelatedSettings {
    /// The score of candidate `c` in the list of an article of `category` with `tags`.
    fn score(&self, c: &Candidate, category: &Option<String>, tags: &[String], now: i64) -> f64 {
        let same_category = c.category.is_some() && c.category == *category;
        let shared_tags = c.tags.iter().filter(|t| tags.contains(t)).count().min(MAX_SHARED_TAGS);
        let recency = rank::decay(now - c.published_at, self.recency_half_life.as_secs() as i64);
        f64::from(c.similarity)
            * (1.0 + if same_category { self.category_bonus } else { 0.0 })
            * (1.0 + self.tag_bonus * shared_tags as f64)
            * (1.0 - self.recency_weight + self.recency_weight * recency)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedItem {
    #[serde(flatten)]
    pub article: ArticleSummary,
    pub score: f64,
    /// The words this item shares with the article, the weightiest first.
    pub shared: Vec<String>,
}

/// A candidate on its way to the list.
struct Pick {
    id: i64,
    score: f64,
    simhash: u64,
    source: Option<String>,
}

pub struct RelatedFinder {
    /// Lists live a minute: a change drops the lists it can alter at once (see
    /// [`RelatedFinder::forget`]), and the rest catch up within that.
    lists: Cache<(i64, usize), Arc<Vec<RelatedItem>>>,
    /// Shingles of bodies already compared (an article is a candidate in many lists).
    shingles: Cache<i64, Arc<Shingles>>,
}

impl RelatedFinder {
    pub fn new() -> Self {
        RelatedFinder {
            lists: Cache::builder().max_capacity(50_000).time_to_live(Duration::from_secs(60)).build(),
            shingles: Cache::builder().max_capacity(100_000).build(),
        }
    }

    /// Drops the lists of the `changed` articles, of their `neighbours` (the articles nearest
    /// them, whose lists they may enter), and those that show a changed article; and the
    /// changed articles' texts.
    pub fn forget(&self, changed: &[i64], neighbours: &[i64]) {
        let changed: std::collections::HashSet<i64> = changed.iter().copied().collect();
        let neighbours: std::collections::HashSet<i64> = neighbours.iter().copied().collect();
        for (key, list) in self.lists.iter() {
            if changed.contains(&key.0)
                || neighbours.contains(&key.0)
                || list.iter().any(|item| changed.contains(&item.article.id))
            {
                self.lists.invalidate(&*key);
            }
        }
        for id in &changed {
            self.shingles.invalidate(id);
        }
    }

    /// Drops every list, and the texts of the `changed` articles (a bulk change).
    pub fn forget_all(&self, changed: &[i64]) {
        self.lists.invalidate_all();
        for id in changed {
            self.shingles.invalidate(id);
        }
    }

    /// Shingles of these articles' bodies, from the cache or the store.
    async fn shingles_of(
        &self,
        ctx: &AppContext,
        ids: &[i64],
    ) -> Result<HashMap<i64, Arc<Shingles>>, crate::error::BackgroundError> {
        let mut out: HashMap<i64, Arc<Shingles>> =
            ids.iter().filter_map(|id| Some((*id, self.shingles.get(id)?))).collect();
        let missing: Vec<i64> = ids.iter().copied().filter(|id| !out.contains_key(id)).collect();
        for (id, body) in ctx.store.body_texts(&missing).await? {
            let s = Arc::new(shingles(&body));
            self.shingles.insert(id, s.clone());
            out.insert(id, s);
        }
        Ok(out)
    }

    pub async fn related(
        &self,
        ctx: &AppContext,
        article: &Article,
        limit: usize,
    ) -> Result<Arc<Vec<RelatedItem>>, crate::error::BackgroundError> {
        let key = (article.id, limit);
        if let Some(hit) = self.lists.get(&key) {
            return Ok(hit);
        }
        let list = Arc::new(self.compute(ctx, article, limit).await?);
        self.lists.insert(key, list.clone());
        Ok(list)
    }

    async fn compute(
        &self,
        ctx: &AppContext,
        article: &Article,
        limit: usize,
    ) -> Result<Vec<RelatedItem>, crate::error::BackgroundError> {
        let now = SiteClock::now();
        let settings = &ctx.config.related;
        let fallback = keyword_vector(article);
        let picks: Vec<Pick> = ctx
            .vectors
            .similar(article.id, &fallback, CANDIDATES)
            .into_iter()
            .map(|c| Pick {
                score: settings.score(&c, &article.category, &article.tags, now),
                id: c.id,
                simhash: c.simhash,
                source: c.source_name,
            })
            .collect();
        let mut list = self.choose(ctx, article, &[], picks, limit).await?;
        for item in &mut list {
            item.shared = ctx.vectors.shared_words(article.id, &fallback, item.article.id);
        }
        if list.len() < limit {
            let more = self.fill(ctx, article, &list, limit - list.len()).await?;
            list.extend(more);
        }
        Ok(list)
    }

    /// The best `n` of `picks` that are neither copies of the article nor of items already
    /// `listed` nor of each other, as list items (the store has the last word on what is a copy:
    /// an article can become one without a new `seq`).
    async fn choose(
        &self,
        ctx: &AppContext,
        article: &Article,
        listed: &[RelatedItem],
        picks: Vec<Pick>,
        n: usize,
    ) -> Result<Vec<RelatedItem>, crate::error::BackgroundError> {
        let own = (article.id, article.simhash);
        let ranked = diversify(own, listed, picks, n + SPARE, ctx.config.related.same_story_bits);
        let ids: Vec<i64> = ranked.iter().map(|p| p.id).collect();
        let mut summaries: HashMap<i64, ArticleSummary> =
            ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
        let items: Vec<RelatedItem> = ranked
            .into_iter()
            .filter_map(|p| {
                let article = summaries.remove(&p.id).filter(|s| s.copy_of.is_none())?;
                Some(RelatedItem { article, score: p.score, shared: Vec::new() })
            })
            .collect();
        self.drop_text_copies(ctx, article, listed, items, n).await
    }

    /// Keeps, in order, at most `limit` of `ranked` whose text is not a copy of the article's, of an
    /// item already `listed`, or of one kept before it.
    async fn drop_text_copies(
        &self,
        ctx: &AppContext,
        article: &Article,
        listed: &[RelatedItem],
        ranked: Vec<RelatedItem>,
        limit: usize,
    ) -> Result<Vec<RelatedItem>, crate::error::BackgroundError> {
        let ids: Vec<i64> = ranked.iter().chain(listed).map(|i| i.article.id).collect();
        let known = self.shingles_of(ctx, &ids).await?;
        let empty = Arc::new(shingles(""));
        let text = |id: i64| known.get(&id).unwrap_or(&empty).clone();
        let mut kept: Vec<Arc<Shingles>> = std::iter::once(Arc::new(shingles(&article.body_text)))
            .chain(listed.iter().map(|l| text(l.article.id)))
            .collect();
        let mut out = Vec::with_capacity(limit);
        for item in ranked {
            if out.len() == limit {
                break;
            }
            let s = text(item.article.id);
            if kept.iter().any(|k| containment(k, &s) >= COPY_CONTAINMENT) {
                continue;
            }
            kept.push(s);
            out.push(item);
        }
        Ok(out)
    }

    /// Too few articles share words with this one (a small site, an unusual story): the list
    /// is filled with the newest of its category, then the newest of all, marked by an empty
    /// `shared` and a zero score, so the page keeps its shape without pretending.
    async fn fill(
        &self,
        ctx: &AppContext,
        article: &Article,
        have: &[RelatedItem],
        n: usize,
    ) -> Result<Vec<RelatedItem>, crate::error::BackgroundError> {
        let mut filters = vec![ListFilter::All];
        if let Some(c) = &article.category {
            filters.insert(0, ListFilter::Category(c.clone()));
        }
        let mut taken: Vec<RelatedItem> = have.to_vec();
        let mut out = Vec::new();
        for filter in filters {
            let picks: Vec<Pick> = ctx
                .store
                .list(&filter, None, (n * 3 + have.len()) as u32)
                .await?
                .into_iter()
                .filter(|s| !taken.iter().any(|t| t.article.id == s.id))
                .map(|s| Pick { id: s.id, score: 0.0, simhash: s.simhash, source: s.source_name })
                .collect();
            let picked = self.choose(ctx, article, &taken, picks, n - out.len()).await?;
            taken.extend(picked.iter().cloned());
            out.extend(picked);
            if out.len() >= n {
                break;
            }
        }
        Ok(out)
    }
}

/// The article's keywords and tags as a term vector, for an article the term-vector index does
/// not hold yet (a draft's preview, a page asked for before the index caught up).
fn keyword_vector(article: &Article) -> Vec<(String, f32)> {
    let words: Vec<&String> = article.keywords.iter().chain(&article.tags).collect();
    let weight = 1.0 / (words.len().max(1) as f32).sqrt();
    words.into_iter().map(|w| (w.clone(), weight)).collect()
}

/// Greedy pick by score, skipping copies of one story and damping repeated sources.
/// `own` is the article's id and SimHash; `listed` are items already on the list (their
/// stories are not repeated).
fn diversify(
    own: (i64, u64),
    listed: &[RelatedItem],
    mut candidates: Vec<Pick>,
    limit: usize,
    same_story_bits: u32,
) -> Vec<Pick> {
    let mut chosen: Vec<Pick> = Vec::with_capacity(limit);
    let mut per_source: HashMap<String, i32> = HashMap::new();
    let same_story = |a: u64, b: u64| hamming(a, b) <= same_story_bits;
    candidates.retain(|c| {
        c.id != own.0
            && !same_story(c.simhash, own.1)
            && !listed.iter().any(|l| same_story(l.article.simhash, c.simhash))
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

    fn candidate(similarity: f32, category: &str, tags: &[&str], age_days: i64) -> Candidate {
        Candidate {
            id: 1,
            seq: 1,
            similarity,
            published_at: 1_000 * DAY - age_days * DAY,
            category: Some(category.into()),
            source_name: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            simhash: 0,
        }
    }

    #[test]
    fn one_story_is_as_far_as_story_max_bits_says() {
        let pick = |id: i64, simhash: u64| Pick { id, score: 1.0 / id as f64, simhash, source: None };
        // Item 2 is 3 bits from the article; item 4 is 1 bit from item 3.
        let picks = || vec![pick(2, 0b111), pick(3, u64::MAX), pick(4, u64::MAX ^ 1)];
        let ids = |bits: u32| -> Vec<i64> { diversify((1, 0), &[], picks(), 5, bits).iter().map(|p| p.id).collect() };
        assert_eq!(ids(3), vec![3], "item 2 is the article's story, item 4 item 3's");
        assert_eq!(ids(2), vec![2, 3], "within 2 bits item 2 is a story of its own");
        assert_eq!(ids(0), vec![2, 3, 4], "only equal hashes are one story");
    }

    #[test]
    fn category_tags_and_recency_weigh_as_documented() {
        let s = RelatedSettings::default();
        let (now, sport) = (1_000 * DAY, Some("体育".to_string()));
        let tags = vec!["马拉松".to_string(), "江州".to_string()];
        let score = |c: &Candidate| s.score(c, &sport, &tags, now);
        let plain = score(&candidate(0.5, "科技", &[], 0));
        assert!((plain - 0.5).abs() < 1e-9, "today, other category, no tags: the cosine itself");
        assert!((score(&candidate(0.5, "体育", &[], 0)) - 0.55).abs() < 1e-9, "same category: ×1.1");
        let tagged = score(&candidate(0.5, "科技", &["马拉松", "江州", "马拉松", "x"], 0));
        assert!((tagged - 0.5 * 1.3).abs() < 1e-9, "shared tags count, at most 3: {tagged}");
        let old = score(&candidate(0.5, "科技", &[], 14));
        assert!((old - 0.5 * 0.85).abs() < 1e-9, "one half-life old: 0.7 + 0.3 × 0.5");
        // A related article from yesterday beats an equally related one from last year.
        assert!(score(&candidate(0.5, "体育", &[], 1)) > score(&candidate(0.5, "体育", &[], 365)));
        // Recency is a tie-breaker, not a topic: a much closer article from last year still wins.
        assert!(score(&candidate(0.8, "体育", &[], 365)) > score(&candidate(0.5, "体育", &[], 0)));
    }
}
