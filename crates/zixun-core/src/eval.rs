//! Quality measures for related lists, and the plain baseline they are compared with.

use std::collections::{HashMap, HashSet};

use crate::TextAnalyzer;

/// Brute-force TF-IDF cosine over jieba words: strong on topic, far too slow to serve (every
/// query touches the postings of every word of the article). Evaluation only.
pub struct TfIdfBaseline {
    /// Per document: (term id, normalised weight).
    docs: Vec<Vec<(u32, f32)>>,
    postings: HashMap<u32, Vec<(u32, f32)>>,
}

impl TfIdfBaseline {
    pub fn new(analyzer: &TextAnalyzer, docs: &[(&str, &str)]) -> Self {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut df: HashMap<u32, u32> = HashMap::new();
        let counted: Vec<HashMap<u32, f64>> = docs
            .iter()
            .map(|(title, body)| {
                let mut tf: HashMap<u32, f64> = HashMap::new();
                for (w, n) in analyzer.bag_of_words(title, body) {
                    let next = vocab.len() as u32;
                    *tf.entry(*vocab.entry(w).or_insert(next)).or_insert(0.0) += n;
                }
                for t in tf.keys() {
                    *df.entry(*t).or_insert(0) += 1;
                }
                tf
            })
            .collect();
        let n = docs.len() as f64;
        let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        let mut vectors = Vec::with_capacity(counted.len());
        for (d, tf) in counted.into_iter().enumerate() {
            let mut v: Vec<(u32, f32)> =
                tf.into_iter().map(|(t, c)| (t, (c * ((n + 1.0) / (f64::from(df[&t]) + 1.0)).ln()) as f32)).collect();
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(f32::EPSILON);
            for (t, w) in &mut v {
                *w /= norm;
                postings.entry(*t).or_default().push((d as u32, *w));
            }
            vectors.push(v);
        }
        TfIdfBaseline { docs: vectors, postings }
    }

    /// The `k` documents most similar to `doc` (by index), never `doc` itself.
    pub fn top_k(&self, doc: usize, k: usize) -> Vec<usize> {
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (t, w) in &self.docs[doc] {
            for (other, w2) in &self.postings[t] {
                *scores.entry(*other).or_insert(0.0) += w * w2;
            }
        }
        scores.remove(&(doc as u32));
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(k).map(|(d, _)| d as usize).collect()
    }
}

/// Pairs of documents known to be one story: copies must never share a list (nor be listed for
/// each other), rewrites should be listed for each other.
#[derive(Default)]
pub struct StoryPairs {
    pub copies: HashSet<(usize, usize)>,
    pub rewrites: Vec<(usize, usize)>,
}

impl StoryPairs {
    pub fn is_copy(&self, a: usize, b: usize) -> bool {
        self.copies.contains(&(a, b)) || self.copies.contains(&(b, a))
    }
}

/// Figures over many related lists.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ListQuality {
    pub lists: usize,
    /// Mean share of the k places holding an article of the same category.
    pub precision_at_k: f64,
    /// Share of lists with all k places filled.
    pub full: f64,
    /// Share of lists holding a copy of the article or two copies of one story.
    pub copy_leakage: f64,
    /// Share of rewrite pairs (with the first in the sample) whose partner is listed.
    pub rewrite_recall: Option<f64>,
}

/// Scores `lists` (article index → listed indices) against the categories and story pairs.
pub fn list_quality(
    lists: &HashMap<usize, Vec<usize>>,
    category: &[Option<String>],
    pairs: &StoryPairs,
    k: usize,
) -> ListQuality {
    let (mut same, mut full, mut leaking) = (0usize, 0usize, 0usize);
    for (&doc, list) in lists {
        same += list.iter().filter(|&&o| category[o].is_some() && category[o] == category[doc]).count();
        full += usize::from(list.len() >= k);
        let leaks = list.iter().any(|&o| pairs.is_copy(doc, o))
            || list.iter().enumerate().any(|(i, &a)| list[i + 1..].iter().any(|&b| pairs.is_copy(a, b)));
        leaking += usize::from(leaks);
    }
    let n = lists.len().max(1) as f64;
    let considered: Vec<bool> = pairs
        .rewrites
        .iter()
        .filter_map(|(a, b)| {
            let la = lists.get(a).map(|l| l.contains(b));
            let lb = lists.get(b).map(|l| l.contains(a));
            la.or(lb).map(|_| la.unwrap_or(false) || lb.unwrap_or(false))
        })
        .collect();
    ListQuality {
        lists: lists.len(),
        precision_at_k: same as f64 / (n * k as f64),
        full: full as f64 / n,
        copy_leakage: leaking as f64 / n,
        rewrite_recall: (!considered.is_empty())
            .then(|| considered.iter().filter(|&&x| x).count() as f64 / considered.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_finds_the_topic_and_quality_counts_leaks() {
        let a = TextAnalyzer::new(None).expect("analyzer");
        let docs = [
            ("马拉松开跑", "江州马拉松今天开跑，三万名跑者参赛，赛道沿江延伸。"),
            ("马拉松冠军", "江州马拉松冠军出炉，跑者刷新赛会纪录，赛道平坦。"),
            ("芯片发布", "芯片公司发布新一代推理芯片，算力提升一倍。"),
        ];
        let b = TfIdfBaseline::new(&a, &docs);
        assert_eq!(b.top_k(0, 1), vec![1]);
        let cats = vec![Some("体育".into()), Some("体育".into()), Some("科技".into())];
        let pairs = StoryPairs { copies: [(0, 1)].into_iter().collect(), rewrites: vec![(1, 2)] };
        let lists = HashMap::from([(0, vec![1, 2]), (2, vec![1])]);
        let q = list_quality(&lists, &cats, &pairs, 2);
        assert_eq!(q.lists, 2);
        assert!((q.precision_at_k - 0.25).abs() < 1e-9, "{q:?}");
        assert!((q.copy_leakage - 0.5).abs() < 1e-9);
        assert!((q.full - 0.5).abs() < 1e-9);
        assert_eq!(q.rewrite_recall, Some(1.0));
    }
}
