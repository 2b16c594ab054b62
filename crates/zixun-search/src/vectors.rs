//! 相关内容's candidates: an in-memory inverted index over the term vectors of every published
//! article (its [`TERM_VECTOR_LEN`](zixun_core::text::TERM_VECTOR_LEN) best keywords, unit
//! length), following the store by `seq` like the search index, and rebuilt from it at start-up.
//!
//! A word is posted only for the articles that rank it among their [`POSTED_TERMS`] best, so a
//! posting list holds the articles a word is central to, not every article that mentions it.
//! An article's candidates are found in two steps: its [`PROBED_TERMS`] weightiest words are
//! scored against those postings (a cosine that only counts both sides' best words), then the best
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

use indexmap::IndexSet;
use parking_lot::{Mutex, RwLock};
use zixun_core::{
    TextAnalyzer,
    text::{CorpusStats, TERM_VECTOR_LEN},
};
use zixun_store::{Store, TermVectorRow};

use crate::SearchError;

const FOLLOW_BATCH: u32 = 2000;
/// Words of an article's vector (the weightiest) under which it is posted.
pub const POSTED_TERMS: usize = 32;
/// Candidates re-scored exactly, per item asked for. 2 and 3 give the same list quality on
/// `zixun eval related` (news2018, k = 5); 2 costs a third fewer exact cosines.
const POOL_FACTOR: usize = 2;
/// Articles taken in at once (a start, a catch-up) after which spare room is given back.
const SHRINK_AFTER: usize = 10_000;
/// Scratch space kept between lists (4 MB of scores each at a million articles).
const KEPT_SCRATCH: usize = 4;
/// The query's weightiest words whose postings are read for candidates: as many as an article
/// is posted under. All 64 and 32 give the same list quality on `zixun eval related`.
pub const PROBED_TERMS: usize = 32;
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

/// An article as the index holds it: about 500 bytes at 64 words, so that a million articles
/// fit a node's memory (`docs/measurements.md`).
struct Doc {
    id: i64,
    /// The article's `seq` when it was taken in.
    seq: i64,
    published_at: i64,
    simhash: u64,
    category: Option<u32>,
    source_name: Option<u32>,
    tags: Box<[u32]>,
    /// By word id, ascending: one allocation, read in one pass when a candidate is re-scored.
    terms: Box<[Term]>,
    /// Bit `i` set: the article is posted under `terms[i]`. None for a copy of another story
    /// (it is never offered as a candidate).
    posted: u64,
}

/// A weight of a unit vector, in (0, 1], in 16 bits: fixed point in steps of 1/65535, so that an
/// error stays under 1e-5 (an f32 would double the vectors' memory for digits no list uses).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Weight(u16);

impl Weight {
    const STEP: f32 = 1.0 / 65535.0;

    /// Never zero: a posted weight of zero would make an accumulated score look untouched.
    fn new(w: f32) -> Weight {
        Weight(((w.clamp(0.0, 1.0) * 65535.0).round() as u16).max(1))
    }

    fn get(self) -> f32 {
        f32::from(self.0) * Weight::STEP
    }
}

/// One word of an article's vector: 6 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(2))]
struct Term {
    word: u32,
    weight: Weight,
}

/// One article under one word: 6 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(2))]
struct Posting {
    slot: u32,
    weight: Weight,
}

/// What [`TermVectorIndex::similar`] works in, kept between lists: a fresh score array would be
/// 4 MB to zero per list at a million articles.
#[derive(Default)]
struct Scratch {
    /// One score per slot, all zero between lists (each touched one is zeroed after use).
    scores: Vec<f32>,
    /// The slots scored by the current list.
    touched: Vec<u32>,
    /// The touched slots with their scores, other than the article's own.
    pool: Vec<(u32, f32)>,
}

#[derive(Default)]
struct Inner {
    slot_of: HashMap<i64, u32>,
    docs: Vec<Option<Doc>>,
    /// Every word seen, by id (its index); held once.
    words: IndexSet<Box<str>>,
    /// By word id: the articles posted under it.
    postings: Vec<Vec<Posting>>,
    /// Categories, sources and tags, by id: a few thousand names shared by a million articles.
    labels: IndexSet<Box<str>>,
}

pub struct TermVectorIndex {
    inner: RwLock<Inner>,
    /// Scratch space for [`TermVectorIndex::similar`], one per list being made at once (up to
    /// [`KEPT_SCRATCH`]).
    scratch: Mutex<Vec<Scratch>>,
    seq: AtomicI64,
    analyzer: Arc<TextAnalyzer>,
}

impl TermVectorIndex {
    pub fn new(analyzer: Arc<TextAnalyzer>) -> Self {
        TermVectorIndex {
            inner: RwLock::new(Inner::default()),
            scratch: Mutex::default(),
            seq: AtomicI64::new(0),
            analyzer,
        }
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
        let mut last_logged = std::time::Instant::now();
        loop {
            let mut rows = store.term_vectors_since(self.seq(), FOLLOW_BATCH).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                if changed.len() >= SHRINK_AFTER {
                    self.inner.write().shrink();
                }
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
            if last_logged.elapsed() >= std::time::Duration::from_secs(2) {
                last_logged = std::time::Instant::now();
                tracing::info!(articles = changed.len(), seq = last, "term vectors catching up");
            }
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
        let own_slot = inner.slot_of.get(&id).copied();
        let mut scratch = self.scratch.lock().pop().unwrap_or_default();
        let Scratch { scores, touched, pool } = &mut scratch;
        scores.resize(inner.docs.len(), 0.0);
        // The postings of the query's weightiest words only: a word of small weight adds little
        // to any score, and the exact cosine below counts it anyway.
        let mut probed = query.clone();
        if probed.len() > PROBED_TERMS {
            probed.select_nth_unstable_by(PROBED_TERMS, |a, b| b.1.total_cmp(&a.1));
            probed.truncate(PROBED_TERMS);
        }
        for &(word, weight) in &probed {
            for &Posting { slot, weight: w } in &inner.postings[word as usize] {
                let s = &mut scores[slot as usize];
                if *s == 0.0 {
                    touched.push(slot);
                }
                *s += weight * w.get();
            }
        }
        pool.clear();
        pool.extend(touched.drain(..).filter_map(|slot| {
            let score = std::mem::take(&mut scores[slot as usize]);
            (Some(slot) != own_slot).then_some((slot, score))
        }));
        best_first(pool, limit * POOL_FACTOR);
        let mut exact: Vec<(u32, f32)> = pool
            .drain(..)
            .filter_map(|(slot, _)| Some((slot, dot(&query, inner.docs[slot as usize].as_ref()?))))
            .collect();
        let mut kept = self.scratch.lock();
        if kept.len() < KEPT_SCRATCH {
            kept.push(scratch);
        }
        drop(kept);
        best_first(&mut exact, limit);
        exact
            .into_iter()
            .filter_map(|(slot, similarity)| {
                let doc = inner.docs[slot as usize].as_ref()?;
                Some(Candidate {
                    id: doc.id,
                    seq: doc.seq,
                    similarity,
                    published_at: doc.published_at,
                    category: doc.category.map(|l| inner.label(l)),
                    source_name: doc.source_name.map(|l| inner.label(l)),
                    tags: doc.tags.iter().map(|&l| inner.label(l)).collect(),
                    simhash: doc.simhash,
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
        let mut both = common(&inner.query(id, fallback), doc);
        both.sort_unstable_by(|x, y| y.1.total_cmp(&x.1));
        both.into_iter()
            .take(SHARED_WORDS)
            .filter_map(|(w, _)| Some(inner.words.get_index(w as usize)?.to_string()))
            .collect()
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

/// Calls `f(word, product of the two weights)` for each word a query (sorted by word id) and an
/// article share: a merge of the two sorted lists that steps without branching on which is
/// behind, as it runs for every candidate.
fn for_each_shared(a: &[(u32, f32)], doc: &Doc, mut f: impl FnMut(u32, f32)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < doc.terms.len() {
        let Term { word: y, weight } = doc.terms[j];
        let x = a[i].0;
        if x == y {
            f(x, a[i].1 * weight.get());
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
}

/// The words a query and an article share, with the product of their weights.
fn common(a: &[(u32, f32)], doc: &Doc) -> Vec<(u32, f32)> {
    let mut both = Vec::new();
    for_each_shared(a, doc, |w, x| both.push((w, x)));
    both
}

/// The cosine of a query and an article (both unit length).
fn dot(a: &[(u32, f32)], doc: &Doc) -> f32 {
    let mut sum = 0.0;
    for_each_shared(a, doc, |_, x| sum += x);
    sum
}

impl Inner {
    /// Takes an article out; returns its slot, for its next version to reuse.
    fn remove(&mut self, id: i64) -> Option<u32> {
        let slot = self.slot_of.remove(&id)?;
        if let Some(doc) = self.docs[slot as usize].take() {
            for (i, &Term { word, .. }) in doc.terms.iter().enumerate() {
                if doc.posted & (1 << i) != 0 {
                    self.postings[word as usize].retain(|p| p.slot != slot);
                }
            }
        }
        Some(slot)
    }

    fn insert(&mut self, mut row: TermVectorRow, slot: Option<u32>) {
        let slot = slot.unwrap_or_else(|| {
            self.docs.push(None);
            (self.docs.len() - 1) as u32
        });
        // The vector comes weightiest first: its head is what the article is posted under, and
        // more than 64 words (a bit each in `posted`) is more than an article is given.
        let mut vector: Vec<(u32, Weight, bool)> = Vec::with_capacity(TERM_VECTOR_LEN);
        let mut posted_words = 0;
        // Only positive weights: a zero would make an accumulated score look untouched.
        for (word, weight) in row.vector.take().unwrap_or_default().iter().filter(|(_, w)| *w > 0.0 && w.is_finite()) {
            // A known word (nearly every one, after the first articles) is looked up, not copied.
            let word_id = match self.words.get_index_of(word.as_str()) {
                Some(id) => id as u32,
                None => {
                    self.postings.push(Vec::new());
                    self.words.insert_full(word.as_str().into()).0 as u32
                }
            };
            if vector.iter().any(|v| v.0 == word_id) {
                continue;
            }
            let post = row.copy_of.is_none() && posted_words < POSTED_TERMS;
            posted_words += usize::from(post);
            vector.push((word_id, Weight::new(*weight), post));
            if vector.len() == u64::BITS as usize {
                break;
            }
        }
        vector.sort_unstable_by_key(|v| v.0);
        let mut posted = 0u64;
        for (i, &(word, weight, post)) in vector.iter().enumerate() {
            if post {
                posted |= 1 << i;
                self.postings[word as usize].push(Posting { slot, weight });
            }
        }
        let doc = Doc {
            id: row.id,
            seq: row.seq,
            published_at: row.published_at,
            simhash: row.simhash,
            category: row.category.as_deref().map(|l| self.intern(l)),
            source_name: row.source_name.as_deref().map(|l| self.intern(l)),
            tags: row.tags.iter().map(|l| self.intern(l)).collect(),
            terms: vector.iter().map(|&(word, weight, _)| Term { word, weight }).collect(),
            posted,
        };
        self.slot_of.insert(row.id, slot);
        self.docs[slot as usize] = Some(doc);
    }

    fn intern(&mut self, label: &str) -> u32 {
        match self.labels.get_index_of(label) {
            Some(id) => id as u32,
            None => self.labels.insert_full(label.into()).0 as u32,
        }
    }

    fn label(&self, id: u32) -> String {
        self.labels.get_index(id as usize).map(|l| l.to_string()).unwrap_or_default()
    }

    /// Returns the posting lists' spare room after a large catch-up (a list grown by doubling
    /// holds up to twice its articles).
    fn shrink(&mut self) {
        self.postings.iter_mut().for_each(Vec::shrink_to_fit);
        self.docs.shrink_to_fit();
    }

    fn doc(&self, id: i64) -> Option<&Doc> {
        self.slot_of.get(&id).and_then(|&s| self.docs[s as usize].as_ref())
    }

    /// The vector of `id`, or `fallback` in word ids when the index does not hold it.
    fn query(&self, id: i64, fallback: &[(String, f32)]) -> Vec<(u32, f32)> {
        match self.doc(id) {
            Some(doc) => doc.terms.iter().map(|&Term { word, weight }| (word, weight.get())).collect(),
            None => self.encode(fallback),
        }
    }

    /// `terms` in word ids, sorted; words no article is posted under are left out (they match
    /// nothing).
    fn encode(&self, terms: &[(String, f32)]) -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = terms
            .iter()
            .filter(|(_, x)| *x > 0.0 && x.is_finite())
            .filter_map(|(w, x)| Some((self.words.get_index_of(w.as_str())? as u32, *x)))
            .collect();
        v.sort_unstable_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        v
    }
}

#[cfg(test)]
mod tests {
    use zixun_core::ArticleDraft;
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
        assert!((near[0].similarity - 0.48).abs() < 1e-4, "{near:?}");
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

    #[test]
    fn an_article_is_posted_under_its_weightiest_words_and_weights_keep_five_digits() {
        let index = index();
        let words: Vec<(String, f32)> = (0..40).map(|i| (format!("词{i}"), 1.0 - i as f32 / 50.0)).collect();
        let words: Vec<(&str, f32)> = words.iter().map(|(w, x)| (w.as_str(), *x)).collect();
        index.apply(vec![row(1, 1, &words)]);
        let near = |word: &str| index.similar(99, &[(word.into(), 1.0)], 10);
        let last_posted = near(&format!("词{}", POSTED_TERMS - 1));
        assert_eq!(ids(&last_posted), vec![1]);
        assert!((last_posted[0].similarity - (1.0 - 31.0 / 50.0)).abs() < 2e-5, "{last_posted:?}");
        assert!(near(&format!("词{POSTED_TERMS}")).is_empty(), "not posted under its 33rd word");
        // The whole vector still counts in the exact cosine, and in the words it shares.
        assert_eq!(index.shared_words(99, &[("词39".into(), 1.0)], 1), vec!["词39"]);
        index.apply(vec![row(1, 2, &[("芯片", 1.0)])]);
        assert!(near("词0").is_empty(), "a new version leaves no posting behind");
        assert_eq!(ids(&near("芯片")), vec![1]);
    }

    #[test]
    fn candidates_come_from_the_weightiest_words_of_the_query() {
        let index = index();
        let query: Vec<(String, f32)> = (0..40).map(|i| (format!("词{i}"), 1.0 - i as f32 / 50.0)).collect();
        let all: Vec<(&str, f32)> = query.iter().map(|(w, x)| (w.as_str(), *x)).collect();
        index.apply(vec![
            row(1, 1, &[(format!("词{}", PROBED_TERMS - 1).as_str(), 1.0)]),
            row(2, 2, &[(format!("词{PROBED_TERMS}").as_str(), 1.0)]),
            row(3, 3, &all),
        ]);
        // Article 2 shares only the query's 33rd word: too light to look it up by.
        assert_eq!(ids(&index.similar(99, &query, 10)), vec![3, 1]);
        // The same word at the head of a short query finds it.
        assert_eq!(ids(&index.similar(99, &query[PROBED_TERMS..], 10)), vec![2]);
    }

    #[tokio::test]
    async fn articles_stored_without_a_vector_get_one_from_their_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("zixun.db")).await.expect("store");
        let body = "江州国际马拉松今天开跑，三万名跑者参赛，马拉松赛道沿江延伸。";
        let draft = ArticleDraft {
            ext_id: Some("old-1".into()),
            category: Some("体育".into()),
            keywords: vec!["马拉松".into()],
            simhash: 1,
            ..ArticleDraft::plain("江州马拉松开跑", body, 1_700_000_000)
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
