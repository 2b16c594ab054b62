//! 相关内容: more-like-this over the article's keywords in the search index, blended with
//! recency, then diversified.
//!
//! `score = similarity / best_similarity × (0.7 + 0.3 × 0.5^(age / 14 days))`, and each further
//! item from a source already listed is multiplied by 0.85 per earlier item from it. An item is
//! skipped when it is the article itself, a recorded copy of a story (`copy_of`), within 3 bits
//! of SimHash of the article or of an item already listed, or when its text and theirs share 90%
//! of their character 5-grams (a copy the SimHash missed: retitled, re-paragraphed, trimmed).

use std::{collections::HashMap, sync::Arc, time::Duration};

use moka::sync::Cache;
use serde::Serialize;
use zixun_core::{
    Article, ArticleSummary, SiteClock, rank,
    story::{COPY_CONTAINMENT, Shingles, containment, shingles},
    text::hamming,
};
use zixun_store::ListFilter;

use crate::AppContext;

pub const SAME_STORY_BITS: u32 = 3;
const RECENCY_HALF_LIFE: i64 = 14 * 24 * 3600;
const RECENCY_WEIGHT: f64 = 0.3;
const SOURCE_REPEAT_FACTOR: f64 = 0.85;
/// Candidates read from the index before blending and diversifying.
const CANDIDATES: usize = 40;
/// Items ranked beyond the list's length, to replace those found to be copies by their text.
const SPARE: usize = 6;

#[derive(Debug, Clone, Serialize)]
pub struct RelatedItem {
    #[serde(flatten)]
    pub article: ArticleSummary,
    pub score: f64,
    /// The words this item shares with the article.
    pub shared: Vec<String>,
}

pub struct RelatedFinder {
    /// Lists live a minute, so that new articles reach older articles' lists within one.
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

    pub fn invalidate_all(&self) {
        self.lists.invalidate_all();
        self.shingles.invalidate_all();
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
        // Title words weigh most, then the keywords in their order.
        let mut words: Vec<(String, f32)> = ctx
            .analyzer
            .query_terms(&article.title)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .map(|w| (w, 1.5))
            .collect();
        for (i, k) in article.keywords.iter().enumerate() {
            words.push((k.clone(), (1.2 - 0.08 * i as f32).max(0.4)));
        }
        for t in &article.tags {
            words.push((t.clone(), 1.0));
        }
        let hits = ctx.search.similar(&words, article.id, CANDIDATES)?;
        let mut list = if hits.is_empty() {
            Vec::new()
        } else {
            let best = hits.iter().map(|h| h.score).fold(f32::MIN, f32::max).max(f32::EPSILON) as f64;
            let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
            let summaries: HashMap<i64, ArticleSummary> =
                ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
            let now = SiteClock::now();
            let mut candidates: Vec<RelatedItem> = hits
                .into_iter()
                .filter_map(|h| {
                    // Copies of a story are never listed: their head may be.
                    let s = summaries.get(&h.id).filter(|s| s.copy_of.is_none())?.clone();
                    let recency = rank::decay(now - s.published_at, RECENCY_HALF_LIFE);
                    let score = h.score as f64 / best * (1.0 - RECENCY_WEIGHT + RECENCY_WEIGHT * recency);
                    Some(RelatedItem { article: s, score, shared: Vec::new() })
                })
                .collect();
            let ranked = diversify(article, &[], &mut candidates, limit + SPARE);
            let mut chosen = self.drop_text_copies(ctx, article, &[], ranked, limit).await?;
            for item in &mut chosen {
                item.shared = ctx.search.shared_words(item.article.id, &words)?;
            }
            chosen
        };
        if list.len() < limit {
            let more = self.fill(ctx, article, &list, limit - list.len()).await?;
            list.extend(more);
        }
        Ok(list)
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
            let mut candidates: Vec<RelatedItem> = ctx
                .store
                .list(&filter, None, (n * 3 + have.len()) as u32)
                .await?
                .into_iter()
                .filter(|s| !taken.iter().any(|t| t.article.id == s.id))
                .map(|s| RelatedItem { article: s, score: 0.0, shared: Vec::new() })
                .collect();
            let ranked = diversify(article, &taken, &mut candidates, n - out.len() + SPARE);
            let picked = self.drop_text_copies(ctx, article, &taken, ranked, n - out.len()).await?;
            taken.extend(picked.iter().cloned());
            out.extend(picked);
            if out.len() >= n {
                break;
            }
        }
        Ok(out)
    }
}

/// Greedy pick by score, skipping copies of one story and damping repeated sources.
/// `listed` are items already on the list (their stories are not repeated).
fn diversify(
    article: &Article,
    listed: &[RelatedItem],
    candidates: &mut Vec<RelatedItem>,
    limit: usize,
) -> Vec<RelatedItem> {
    let mut chosen: Vec<RelatedItem> = Vec::with_capacity(limit);
    let mut per_source: HashMap<String, i32> = HashMap::new();
    let same_story = |a: u64, b: u64| hamming(a, b) <= SAME_STORY_BITS;
    candidates.retain(|c| {
        c.article.id != article.id
            && !same_story(c.article.simhash, article.simhash)
            && !listed.iter().any(|l| same_story(l.article.simhash, c.article.simhash))
    });
    while chosen.len() < limit && !candidates.is_empty() {
        let source_key = |c: &RelatedItem| c.article.source_name.clone().unwrap_or_default();
        let adjusted =
            |c: &RelatedItem| c.score * SOURCE_REPEAT_FACTOR.powi(per_source.get(&source_key(c)).copied().unwrap_or(0));
        let Some(best) = (0..candidates.len())
            .max_by(|&a, &b| adjusted(&candidates[a]).total_cmp(&adjusted(&candidates[b])).then(b.cmp(&a)))
        else {
            break;
        };
        let item = candidates.swap_remove(best);
        candidates.retain(|c| hamming(c.article.simhash, item.article.simhash) > SAME_STORY_BITS);
        *per_source.entry(source_key(&item)).or_insert(0) += 1;
        chosen.push(item);
    }
    chosen
}
