//! 相关内容: the articles whose term vectors are nearest the article's (cosine, from the
//! in-memory [`TermVectorIndex`]), ranked by `zixun_core::rank::related` (category, shared
//! tags and recency as further signals, one item per story, repeated sources damped). An item
//! is skipped when it is the article itself, a recorded copy of a story (`copy_of`), within
//! `story_max_bits` of SimHash of the article or of an item already listed, or when its text
//! and theirs share 90% of their character 5-grams (a copy the SimHash missed: retitled,
//! re-paragraphed, trimmed).
//!
//! [`RelatedFinder`] reads through [`RelatedSources`] (the store, the term vectors and the
//! weights), not the web context, so that `zixun eval` runs it as the pages do.

use std::{collections::HashMap, sync::Arc, time::Duration};

use moka::sync::Cache;
use serde::Serialize;
use zixun_core::{
    Article, ArticleSummary, SiteClock,
    rank::{Facts, Pick, RelatedSettings, diversify},
    story::{Shingles, is_copy, shingles},
};
use zixun_search::TermVectorIndex;
use zixun_store::{ListFilter, Store, StoreError};

/// Candidates taken from the term-vector index before blending and diversifying.
pub const CANDIDATES: usize = 100;
/// Items ranked beyond the list's length, to replace those found to be copies by their text.
const SPARE: usize = 6;

/// Memory the lists and texts may use unless told otherwise (a quarter of the default
/// `page_cache_mb`).
pub const DEFAULT_BUDGET: u64 = 32 << 20;

/// What a related list is computed from.
#[derive(Clone, Copy)]
pub struct RelatedSources<'a> {
    pub store: &'a dyn Store,
    pub vectors: &'a TermVectorIndex,
    pub settings: &'a RelatedSettings,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedItem {
    #[serde(flatten)]
    pub article: ArticleSummary,
    pub score: f64,
    /// The words this item shares with the article, the weightiest first.
    pub shared: Vec<String>,
}

pub struct RelatedFinder {
    /// Lists live a minute: a change drops the lists it can alter at once (see
    /// [`RelatedFinder::forget`]), and the rest catch up within that.
    lists: Cache<(i64, usize), Arc<Vec<RelatedItem>>>,
    /// Shingles of bodies already compared (an article is a candidate in many lists).
    shingles: Cache<i64, Arc<Shingles>>,
}

impl Default for RelatedFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl RelatedFinder {
    /// With the default memory budget ([`DEFAULT_BUDGET`]).
    pub fn new() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }

    /// Lists and texts weighed in bytes within `budget_bytes` (a fifth for lists, the rest for
    /// the texts compared to find copies).
    pub fn with_budget(budget_bytes: u64) -> Self {
        let item_bytes = |item: &RelatedItem| {
            let a = &item.article;
            let text = a.title.len() + a.summary.len() + a.author.as_ref().map_or(0, String::len);
            let shared: usize = item.shared.iter().map(|w| w.len() + 24).sum();
            text + shared + a.source_name.as_ref().map_or(0, String::len) + 160
        };
        RelatedFinder {
            lists: Cache::builder()
                .max_capacity(budget_bytes / 5)
                .weigher(move |_, list: &Arc<Vec<RelatedItem>>| {
                    u32::try_from(list.iter().map(item_bytes).sum::<usize>() + 64).unwrap_or(u32::MAX)
                })
                .time_to_live(Duration::from_secs(60))
                .build(),
            shingles: Cache::builder()
                .max_capacity(budget_bytes - budget_bytes / 5)
                .weigher(|_, s: &Arc<Shingles>| u32::try_from(s.heap_bytes() + 64).unwrap_or(u32::MAX))
                .build(),
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
        src: RelatedSources<'_>,
        ids: &[i64],
    ) -> Result<HashMap<i64, Arc<Shingles>>, StoreError> {
        let mut out: HashMap<i64, Arc<Shingles>> =
            ids.iter().filter_map(|id| Some((*id, self.shingles.get(id)?))).collect();
        let missing: Vec<i64> = ids.iter().copied().filter(|id| !out.contains_key(id)).collect();
        for (id, body) in src.store.body_texts(&missing).await? {
            let s = Arc::new(shingles(&body));
            self.shingles.insert(id, s.clone());
            out.insert(id, s);
        }
        Ok(out)
    }

    pub async fn related(
        &self,
        src: RelatedSources<'_>,
        article: &Article,
        limit: usize,
    ) -> Result<Arc<Vec<RelatedItem>>, StoreError> {
        let key = (article.id, limit);
        if let Some(hit) = self.lists.get(&key) {
            return Ok(hit);
        }
        let list = Arc::new(self.compute(src, article, limit).await?);
        self.lists.insert(key, list.clone());
        Ok(list)
    }

    async fn compute(
        &self,
        src: RelatedSources<'_>,
        article: &Article,
        limit: usize,
    ) -> Result<Vec<RelatedItem>, StoreError> {
        let now = SiteClock::now();
        let fallback = keyword_vector(article);
        let own =
            Facts { category: article.category.as_deref(), tags: &article.tags, published_at: article.published_at };
        let picks: Vec<Pick> = src
            .vectors
            .similar(article.id, &fallback, CANDIDATES)
            .into_iter()
            .map(|c| Pick {
                score: src.settings.score(
                    c.similarity,
                    Facts { category: c.category.as_deref(), tags: &c.tags, published_at: c.published_at },
                    own,
                    now,
                ),
                id: c.id,
                simhash: c.simhash,
                source: c.source_name,
            })
            .collect();
        let mut list = self.choose(src, article, &[], picks, limit).await?;
        for item in &mut list {
            item.shared = src.vectors.shared_words(article.id, &fallback, item.article.id);
        }
        if list.len() < limit {
            let more = self.fill(src, article, &list, limit - list.len()).await?;
            list.extend(more);
        }
        Ok(list)
    }

    /// The best `n` of `picks` that are neither copies of the article nor of items already
    /// `listed` nor of each other, as list items (the store has the last word on what is a copy:
    /// an article can become one without a new `seq`).
    async fn choose(
        &self,
        src: RelatedSources<'_>,
        article: &Article,
        listed: &[RelatedItem],
        picks: Vec<Pick>,
        n: usize,
    ) -> Result<Vec<RelatedItem>, StoreError> {
        let own = (article.id, article.simhash);
        let listed_stories: Vec<u64> = listed.iter().map(|l| l.article.simhash).collect();
        let ranked = diversify(own, &listed_stories, picks, n + SPARE, src.settings.same_story_bits);
        let ids: Vec<i64> = ranked.iter().map(|p| p.id).collect();
        let mut summaries: HashMap<i64, ArticleSummary> =
            src.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
        let items: Vec<RelatedItem> = ranked
            .into_iter()
            .filter_map(|p| {
                let article = summaries.remove(&p.id).filter(|s| s.copy_of.is_none())?;
                Some(RelatedItem { article, score: p.score, shared: Vec::new() })
            })
            .collect();
        self.drop_text_copies(src, article, listed, items, n).await
    }

    /// Keeps, in order, at most `limit` of `ranked` whose text is not a copy of the article's, of an
    /// item already `listed`, or of one kept before it.
    async fn drop_text_copies(
        &self,
        src: RelatedSources<'_>,
        article: &Article,
        listed: &[RelatedItem],
        ranked: Vec<RelatedItem>,
        limit: usize,
    ) -> Result<Vec<RelatedItem>, StoreError> {
        let ids: Vec<i64> = ranked.iter().chain(listed).map(|i| i.article.id).collect();
        let known = self.shingles_of(src, &ids).await?;
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
            if kept.iter().any(|k| is_copy(k, &s)) {
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
        src: RelatedSources<'_>,
        article: &Article,
        have: &[RelatedItem],
        n: usize,
    ) -> Result<Vec<RelatedItem>, StoreError> {
        let mut filters = vec![ListFilter::All];
        if let Some(c) = &article.category {
            filters.insert(0, ListFilter::Category(c.clone()));
        }
        let mut taken: Vec<RelatedItem> = have.to_vec();
        let mut out = Vec::new();
        for filter in filters {
            let picks: Vec<Pick> = src
                .store
                .list(&filter, None, (n * 3 + have.len()) as u32)
                .await?
                .into_iter()
                .filter(|s| !taken.iter().any(|t| t.article.id == s.id))
                .map(|s| Pick { id: s.id, score: 0.0, simhash: s.simhash, source: s.source_name })
                .collect();
            let picked = self.choose(src, article, &taken, picks, n - out.len()).await?;
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
