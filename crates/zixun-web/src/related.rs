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

    /// Shingles of these articles' bodies, from the cache, the `texts` already read, or the store.
    async fn shingles_of(
        &self,
        src: RelatedSources<'_>,
        ids: &[i64],
        texts: &mut HashMap<i64, String>,
    ) -> Result<HashMap<i64, Arc<Shingles>>, StoreError> {
        let mut out: HashMap<i64, Arc<Shingles>> =
            ids.iter().filter_map(|id| Some((*id, self.shingles.get(id)?))).collect();
        let missing: Vec<i64> =
            ids.iter().copied().filter(|id| !out.contains_key(id) && !texts.contains_key(id)).collect();
        texts.extend(src.store.body_texts(&missing).await?);
        for id in ids {
            if let Some(body) = texts.remove(id) {
                let s = Arc::new(shingles(&body));
                self.shingles.insert(*id, s.clone());
                out.insert(*id, s);
            }
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
        // The texts of the first `n` come with the summaries (those not compared before).
        let first: Vec<i64> = ids.iter().copied().take(n).filter(|id| !self.shingles.contains_key(id)).collect();
        let (summaries, mut texts) = src.store.summaries_with_texts(&ids, &first).await?;
        let mut summaries: HashMap<i64, ArticleSummary> = summaries.into_iter().map(|s| (s.id, s)).collect();
        let items: Vec<RelatedItem> = ranked
            .into_iter()
            .filter_map(|p| {
                let article = summaries.remove(&p.id).filter(|s| s.copy_of.is_none())?;
                Some(RelatedItem { article, score: p.score, shared: Vec::new() })
            })
            .collect();
        self.drop_text_copies(src, article, listed, items, n, &mut texts).await
    }

    /// Keeps, in order, at most `limit` of `ranked` whose text is not a copy of the article's, of an
    /// item already `listed`, or of one kept before it. Texts not in `texts` (read with the
    /// summaries) are read a batch at a time, as many as still wanted: most lists need only
    /// their first `limit`.
    async fn drop_text_copies(
        &self,
        src: RelatedSources<'_>,
        article: &Article,
        listed: &[RelatedItem],
        ranked: Vec<RelatedItem>,
        limit: usize,
        texts: &mut HashMap<i64, String>,
    ) -> Result<Vec<RelatedItem>, StoreError> {
        let own = self.shingles.get_with(article.id, || Arc::new(shingles(&article.body_text)));
        let listed_ids: Vec<i64> = listed.iter().map(|l| l.article.id).collect();
        let mut kept: Vec<Arc<Shingles>> =
            std::iter::once(own).chain(self.shingles_of(src, &listed_ids, texts).await?.into_values()).collect();
        let mut out = Vec::with_capacity(limit);
        let mut ranked = ranked.into_iter().peekable();
        while out.len() < limit && ranked.peek().is_some() {
            let batch: Vec<RelatedItem> = ranked.by_ref().take(limit - out.len()).collect();
            let ids: Vec<i64> = batch.iter().map(|i| i.article.id).collect();
            let known = self.shingles_of(src, &ids, texts).await?;
            for item in batch {
                // An article without a stored text (gone since it was ranked) is no copy.
                let s = known.get(&item.article.id).cloned().unwrap_or_default();
                if kept.iter().any(|k| is_copy(k, &s)) {
                    continue;
                }
                kept.push(s);
                out.push(item);
            }
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

#[cfg(test)]
mod tests {
    use zixun_core::{ArticleDraft, TextAnalyzer};
    use zixun_store::SqliteStore;

    use super::*;

    const RACE: &str = "江州国际马拉松今天清晨在滨江公园鸣枪开跑，三万名跑者沿江岸奔跑，赛道经过老城区和新建的跨江大桥。\
        组委会说，今年新增了半程马拉松和迷你跑两个项目，沿途设置二十个补给站，志愿者超过两千人。\
        男子组冠军由本地选手获得，他在最后五公里加速甩开对手，打破了赛会纪录。";

    /// A published article with its own SimHash (far from the others', so that only the text
    /// tells copies apart).
    fn draft(title: &str, body: &str, simhash: u64, day: i64) -> ArticleDraft {
        ArticleDraft { simhash, ..ArticleDraft::plain(title, body, 1_700_000_000 + day * 86_400) }
    }

    #[tokio::test]
    async fn a_copy_found_by_its_text_is_replaced_by_the_next_item() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("zixun.db")).await.expect("store");
        let copy = format!("{RACE}（转载请注明出处）");
        let drafts = [
            draft("江州马拉松开跑", RACE, 0, 0),
            draft("三万跑者奔跑在江州", &copy, u64::MAX, 10),
            draft(
                "江州马拉松新增半程项目",
                "江州国际马拉松组委会宣布，今年新增半程马拉松项目，报名人数创下新高，跑者将经过跨江大桥。",
                0x0F0F_0F0F_0F0F_0F0F,
                1,
            ),
            draft(
                "马拉松冠军打破赛会纪录",
                "本地选手在江州国际马拉松男子组夺冠，最后五公里加速，打破赛会纪录，跑者和观众在终点欢呼。",
                0x3333_3333_3333_3333,
                2,
            ),
        ];
        let ids: Vec<i64> = store.upsert(&drafts).await.expect("upsert").iter().map(|o| o.id()).collect();
        let vectors = TermVectorIndex::new(Arc::new(TextAnalyzer::new(None).expect("analyzer")));
        vectors.follow(&store).await.expect("follow");
        let settings = RelatedSettings::default();
        let src = RelatedSources { store: &store, vectors: &vectors, settings: &settings };
        let article = store.article(ids[0]).await.expect("read").expect("article");
        assert_eq!(vectors.similar(ids[0], &[], 3)[0].id, ids[1], "the copy is the nearest by its words");
        let list = RelatedFinder::new().related(src, &article, 2).await.expect("related");
        let listed: Vec<i64> = list.iter().map(|i| i.article.id).collect();
        assert!(!listed.contains(&ids[1]), "the copy is not listed: {listed:?}");
        assert_eq!(listed.len(), 2, "the next item takes its place: {listed:?}");
        // And the article's list reads the same for the copy's own page: the original is left out.
        let copy_page = store.article(ids[1]).await.expect("read").expect("copy");
        let list = RelatedFinder::new().related(src, &copy_page, 2).await.expect("related");
        assert!(list.iter().all(|i| i.article.id != ids[0]), "{list:?}");
    }
}
