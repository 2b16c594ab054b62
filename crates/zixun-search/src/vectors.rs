//! 相关内容's candidates: an in-memory inverted index over the term vectors of every published
//! article (its [`TERM_VECTOR_LEN`](zixun_core::text::TERM_VECTOR_LEN) best keywords, unit
//! length), following the store by `seq` like the search index, and rebuilt from it at start-up.
//!
//! A word is posted only for the articles that rank it among their [`POSTED_TERMS`] best, so a
//! posting list holds the articles a word is central to, not every article that mentions it.
//! An article's candidates are found in two steps: its whole vector is scored against those
//! postings (a cosine that only counts the other articles' best words), then the best
//! [`POOL_FACTOR`] × `limit` are re-scored by the exact cosine of the two whole vectors. That
//! keeps a list under a millisecond at 100,000 articles, where more-like-this over the
//! search index's full postings took 15 ms (`docs/measurements.md`).

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
};

use parking_lot::RwLock;
use zixun_core::{TextAnalyzer, text::CorpusStats};
use zixun_store::{Store, TermVectorRow};

use crate::SearchError;

const FOLLOW_BATCH: u32 = 2000;
/// Words of an article's vector (the weightiest) under which it is posted.
pub const POSTED_TERMS: usize = 32;
/// Candidates re-scored exactly, per item asked for.
const POOL_FACTOR: usize = 3;
/// Most shared words an explanation names.
const SHARED_WORDS: usize = 6;

/// An article like the one asked about, with what ranking and dedup need.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    /// The article's `seq` when it was taken in.
    pub seq: i64,
    /// Cosine of the two term vectors, in (0, 1].
    pub similarity: f32,
    pub published_at: i64,
    pub category: Option<String>,
    pub source_name: Option<String>,
    pub tags: Vec<String>,
    pub simhash: u64,
}

struct Doc {
    /// The article's row, without its vector (held as `vector`).
    row: TermVectorRow,
    /// (word id, weight), sorted by word id.
    vector: Vec<(u32, f32)>,
    /// The words it is posted under; none when it is not offered as a candidate (a copy of
    /// another story).
    posted: Vec<u32>,
}

#[derive(Default)]
struct Inner {
    slot_of: HashMap<i64, u32>,
    docs: Vec<Option<Doc>>,
    word_id: HashMap<String, u32>,
    words: Vec<String>,
    /// By word id: (slot, weight).
    postings: Vec<Vec<(u32, f32)>>,
}

pub struct TermVectorIndex {
    inner: RwLock<Inner>,
    seq: AtomicI64,
    analyzer: Arc<TextAnalyzer>,
}

impl TermVectorIndex {
    pub fn new(analyzer: Arc<TextAnalyzer>) -> Self {
        TermVectorIndex { inner: RwLock::new(Inner::default()), seq: AtomicI64::new(0), analyzer }
    }

    /// The last store `seq` taken in.
    pub fn seq(&self) -> i64 {
        self.seq.load(Ordering::SeqCst)
    }

    pub fn len(&self) -> usize {
        self.inner.read().slot_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes in every change the store has after [`TermVectorIndex::seq`]; returns the ids of the
    /// articles that changed. Articles stored before term vectors were kept get theirs computed
    /// from their text now, and written back.
    pub async fn follow(&self, store: &dyn Store) -> Result<Vec<i64>, SearchError> {
        let mut changed = Vec::new();
        let mut corpus: Option<CorpusStats> = None;
        loop {
            let mut rows = store.term_vectors_since(self.seq(), FOLLOW_BATCH).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                return Ok(changed);
            };
            let missing: Vec<i64> = rows.iter().filter(|r| r.published && r.vector.is_none()).map(|r| r.id).collect();
            if !missing.is_empty() {
                if corpus.is_none() {
                    corpus = Some(store.corpus_stats().await?);
                }
                let computed = self.compute_vectors(store, &missing, corpus.as_ref()).await?;
                tracing::info!(articles = computed.len(), "term vectors computed for articles stored without one");
                store.set_term_vectors(&computed).await?;
                let by_id: HashMap<i64, Vec<(String, f32)>> = computed.into_iter().collect();
                for r in &mut rows {
                    if r.vector.is_none() {
                        r.vector = by_id.get(&r.id).cloned();
                    }
                }
            }
            changed.extend(rows.iter().map(|r| r.id));
            self.apply(rows);
            self.seq.store(last, Ordering::SeqCst);
        }
    }

    async fn compute_vectors(
        &self,
        store: &dyn Store,
        ids: &[i64],
        corpus: Option<&CorpusStats>,
    ) -> Result<Vec<(i64, Vec<(String, f32)>)>, SearchError> {
        let articles = store.articles(ids).await?;
        let analyzer = self.analyzer.clone();
        let corpus = corpus.cloned();
        // Segmentation is CPU work: off the async threads.
        let computed = tokio::task::spawn_blocking(move || {
            articles
                .iter()
                .map(|a| (a.id, analyzer.analyze(&a.title, &a.body_text, corpus.as_ref()).vector))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| SearchError::Analysis(e.to_string()))?;
        Ok(computed)
    }

    fn apply(&self, rows: Vec<TermVectorRow>) {
        let mut inner = self.inner.write();
        for row in rows {
            let slot = inner.remove(row.id);
            if row.published {
                inner.insert(row, slot);
            }
        }
    }

    /// The `limit` listed articles most like `id` (never `id` itself), best first. An article the
    /// index does not hold (not published yet, a preview) is represented by `fallback`.
    pub fn similar(&self, id: i64, fallback: &[(String, f32)], limit: usize) -> Vec<Candidate> {
        let inner = self.inner.read();
        let query = inner.query(id, fallback);
        let mut scores = vec![0f32; inner.docs.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(word, weight) in &query {
            for &(slot, w) in &inner.postings[word as usize] {
                let s = &mut scores[slot as usize];
                if *s == 0.0 {
                    touched.push(slot);
                }
                *s += weight * w;
            }
        }
        let own_slot = inner.slot_of.get(&id).copied();
        let mut pool: Vec<(u32, f32)> =
            touched.into_iter().filter(|&s| Some(s) != own_slot).map(|s| (s, scores[s as usize])).collect();
        best_first(&mut pool, limit * POOL_FACTOR);
        let mut exact: Vec<(u32, f32)> = pool
            .into_iter()
            .filter_map(|(slot, _)| Some((slot, dot(&query, &inner.docs[slot as usize].as_ref()?.vector))))
            .collect();
        best_first(&mut exact, limit);
        exact
            .into_iter()
            .filter_map(|(slot, similarity)| {
                let doc = inner.docs[slot as usize].as_ref()?;
                let r = &doc.row;
                Some(Candidate {
                    id: r.id,
                    seq: r.seq,
                    similarity,
                    published_at: r.published_at,
                    category: r.category.clone(),
                    source_name: r.source_name.clone(),
                    tags: r.tags.clone(),
                    simhash: r.simhash,
                })
            })
            .collect()
    }

    /// The words `id` (or `fallback`, as in [`TermVectorIndex::similar`]) and `other` both weigh
    /// most, by their share of the cosine: why `other` is listed. Asked only for the few items a
    /// list keeps.
    pub fn shared_words(&self, id: i64, fallback: &[(String, f32)], other: i64) -> Vec<String> {
        let inner = self.inner.read();
        let Some(doc) = inner.doc(other) else { return Vec::new() };
        let mut both = common(&inner.query(id, fallback), &doc.vector);
        both.sort_unstable_by(|x, y| y.1.total_cmp(&x.1));
        both.into_iter().take(SHARED_WORDS).map(|(w, _)| inner.words[w as usize].clone()).collect()
    }
}

/// Keeps the `n` best of `(slot, score)`, best first (ties by slot, for stable lists).
fn best_first(scored: &mut Vec<(u32, f32)>, n: usize) {
    let by_score = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if scored.len() > n {
        scored.select_nth_unstable_by(n, by_score);
        scored.truncate(n);
    }
    scored.sort_unstable_by(by_score);
}

/// The pairs of words two sorted vectors share, with the product of their weights.
fn common(a: &[(u32, f32)], b: &[(u32, f32)]) -> Vec<(u32, f32)> {
    let (mut i, mut j) = (0, 0);
    let mut both = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both.push((a[i].0, a[i].1 * b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    both
}

fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    common(a, b).iter().map(|p| p.1).sum()
}

impl Inner {
    /// Takes an article out; returns its slot, for its next version to reuse.
    fn remove(&mut self, id: i64) -> Option<u32> {
        let slot = self.slot_of.remove(&id)?;
        if let Some(doc) = self.docs[slot as usize].take() {
            for word in &doc.posted {
                self.postings[*word as usize].retain(|p| p.0 != slot);
            }
        }
        Some(slot)
    }

    fn insert(&mut self, mut row: TermVectorRow, slot: Option<u32>) {
        let slot = slot.unwrap_or_else(|| {
            self.docs.push(None);
            (self.docs.len() - 1) as u32
        });
        // Held as word ids only: the words as strings would take eight times the memory.
        let words = row.vector.take().unwrap_or_default();
        let mut vector: Vec<(u32, f32)> = Vec::with_capacity(words.len());
        // Only positive weights: a zero would make an accumulated score look untouched.
        for (word, weight) in words.iter().filter(|(_, w)| *w > 0.0 && w.is_finite()) {
            let next = self.words.len() as u32;
            let word_id = *self.word_id.entry(word.clone()).or_insert(next);
            if word_id == next {
                self.words.push(word.clone());
                self.postings.push(Vec::new());
            }
            vector.push((word_id, *weight));
        }
        // The vector comes weightiest first: its head is what the article is posted under.
        let posted: Vec<u32> = if row.copy_of.is_none() {
            let mut seen = std::collections::HashSet::new();
            vector.iter().filter(|p| seen.insert(p.0)).take(POSTED_TERMS).map(|p| p.0).collect()
        } else {
            Vec::new()
        };
        vector.sort_unstable_by_key(|p| p.0);
        vector.dedup_by_key(|p| p.0);
        for &word in &posted {
            if let Ok(i) = vector.binary_search_by_key(&word, |p| p.0) {
                self.postings[word as usize].push((slot, vector[i].1));
            }
        }
        self.slot_of.insert(row.id, slot);
        self.docs[slot as usize] = Some(Doc { row, vector, posted });
    }

    fn doc(&self, id: i64) -> Option<&Doc> {
        self.slot_of.get(&id).and_then(|&s| self.docs[s as usize].as_ref())
    }

    /// The vector of `id`, or `fallback` in word ids when the index does not hold it.
    fn query(&self, id: i64, fallback: &[(String, f32)]) -> Vec<(u32, f32)> {
        match self.doc(id) {
            Some(doc) => doc.vector.clone(),
            None => self.encode(fallback),
        }
    }

    /// `terms` in word ids, sorted; words no article is posted under are left out (they match
    /// nothing).
    fn encode(&self, terms: &[(String, f32)]) -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = terms
            .iter()
            .filter(|(_, x)| *x > 0.0 && x.is_finite())
            .filter_map(|(w, x)| Some((*self.word_id.get(w)?, *x)))
            .collect();
        v.sort_unstable_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        v
    }
}

#[cfg(test)]
mod tests {
    use zixun_core::{ArticleDraft, ArticleStatus};
    use zixun_store::SqliteStore;

    use super::*;

    fn row(id: i64, seq: i64, words: &[(&str, f32)]) -> TermVectorRow {
        TermVectorRow {
            id,
            seq,
            published: true,
            copy_of: None,
            published_at: 1_700_000_000 + id,
            category: Some("体育".into()),
            source_name: None,
            tags: Vec::new(),
            simhash: id as u64,
            vector: Some(words.iter().map(|(w, x)| (w.to_string(), *x)).collect()),
        }
    }

    fn index() -> TermVectorIndex {
        TermVectorIndex::new(Arc::new(TextAnalyzer::new(None).expect("analyzer")))
    }

    fn ids(c: &[Candidate]) -> Vec<i64> {
        c.iter().map(|c| c.id).collect()
    }

    #[test]
    fn nearest_by_cosine_never_itself_nor_a_copy_nor_unpublished() {
        let index = index();
        let mut copy = row(4, 4, &[("马拉松", 0.8), ("江州", 0.6)]);
        copy.copy_of = Some(2);
        let mut draft = row(5, 5, &[("马拉松", 0.8), ("江州", 0.6)]);
        draft.published = false;
        index.apply(vec![
            row(1, 1, &[("马拉松", 0.8), ("江州", 0.6)]),
            row(2, 2, &[("马拉松", 0.6), ("冠军", 0.8)]),
            row(3, 3, &[("芯片", 1.0)]),
            copy,
            draft,
        ]);
        assert_eq!(index.len(), 4, "the unpublished draft is not held");
        let near = index.similar(1, &[], 10);
        assert_eq!(ids(&near), vec![2], "no self, no copy, no draft, nothing unrelated");
        assert!((near[0].similarity - 0.48).abs() < 1e-6, "{near:?}");
        assert_eq!(index.shared_words(1, &[], near[0].id), vec!["马拉松"]);
        // A copy still gets a list of its own: its vector is held.
        assert_eq!(ids(&index.similar(4, &[], 10)), vec![1, 2]);
        // An article the index lacks is represented by the fallback words.
        assert_eq!(ids(&index.similar(99, &[("芯片".into(), 1.0)], 10)), vec![3]);
    }

    #[test]
    fn an_update_replaces_the_old_words_and_unpublishing_removes() {
        let index = index();
        index.apply(vec![row(1, 1, &[("马拉松", 1.0)]), row(2, 2, &[("马拉松", 1.0)])]);
        assert_eq!(ids(&index.similar(1, &[], 10)), vec![2]);
        index.apply(vec![row(2, 3, &[("芯片", 1.0)])]);
        assert!(index.similar(1, &[], 10).is_empty(), "its old words are gone");
        assert_eq!(index.similar(99, &[("芯片".into(), 1.0)], 10)[0].seq, 3);
        let mut gone = row(2, 4, &[("芯片", 1.0)]);
        gone.published = false;
        index.apply(vec![gone]);
        assert!(index.similar(99, &[("芯片".into(), 1.0)], 10).is_empty());
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn the_best_come_first_and_the_limit_holds() {
        let index = index();
        let rows: Vec<TermVectorRow> =
            (1..=20).map(|i| row(i, i, &[("马拉松", i as f32 / 20.0), ("冠军", 1.0 - i as f32 / 20.0)])).collect();
        index.apply(rows);
        let near = index.similar(99, &[("马拉松".into(), 1.0)], 3);
        assert_eq!(ids(&near), vec![20, 19, 18]);
    }

    #[tokio::test]
    async fn articles_stored_without_a_vector_get_one_from_their_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("zixun.db")).await.expect("store");
        let body = "江州国际马拉松今天开跑，三万名跑者参赛，马拉松赛道沿江延伸。";
        let draft = ArticleDraft {
            id: None,
            ext_id: Some("old-1".into()),
            title: "江州马拉松开跑".into(),
            author: None,
            source_name: None,
            source_url: None,
            original: true,
            category: Some("体育".into()),
            tags: Vec::new(),
            published_at: 1_700_000_000,
            published_at_given: true,
            body_html: format!("<p>{body}</p>"),
            body_text: body.into(),
            summary: body.into(),
            cover: None,
            credits: zixun_core::Credits::default(),
            keywords: vec!["马拉松".into()],
            term_vector: Vec::new(),
            simhash: 1,
            status: ArticleStatus::Published,
            owner_id: None,
            workflow: None,
            publish_at: None,
            body_markdown: None,
            doc_terms: Vec::new(),
            audit: None,
            word_note: None,
        };
        store.upsert(&[draft]).await.expect("upsert");
        assert_eq!(store.term_vectors_since(0, 10).await.expect("rows")[0].vector, None);
        let index = index();
        index.follow(&store).await.expect("follow");
        let near = index.similar(99, &[("马拉松".into(), 1.0)], 3);
        assert_eq!(near.len(), 1, "computed from the text");
        let stored = store.term_vectors_since(0, 10).await.expect("rows")[0].vector.clone().expect("written back");
        assert!(stored.iter().any(|(w, _)| w == "马拉松"), "{stored:?}");
        let norm: f32 = stored.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4, "unit length: {norm}");
    }
}
