//! TF-IDF keywords, with the IDF of the site's own corpus when it is big enough.

use std::collections::{HashMap, HashSet};

use jieba_rs::KeywordExtract;

use super::{CorpusStats, TextAnalyzer};

/// A title word counts as this many body occurrences.
const TITLE_WEIGHT: f64 = 3.0;

/// Keyword candidates of one article, counted once and shared by keywords, SimHash and
/// document frequencies.
pub(super) struct TermCounts<'a> {
    pub title: HashMap<&'a str, f64>,
    pub body: HashMap<&'a str, f64>,
}

impl TermCounts<'_> {
    /// Distinct terms, for document frequencies.
    pub fn terms(&self) -> HashSet<String> {
        self.title.keys().chain(self.body.keys()).map(|w| w.to_string()).collect()
    }
}

impl TextAnalyzer {
    pub(super) fn term_counts<'a>(&self, title: &'a str, body: &'a str) -> TermCounts<'a> {
        let count = |text: &'a str| {
            let mut tf: HashMap<&'a str, f64> = HashMap::new();
            for w in self.cut(text) {
                if self.is_keyword_candidate(w) {
                    *tf.entry(w).or_insert(0.0) += 1.0;
                }
            }
            tf
        };
        TermCounts { title: count(title), body: count(body) }
    }

    /// Counts of the keyword candidates of title and body together.
    pub fn bag_of_words(&self, title: &str, body: &str) -> HashMap<String, f64> {
        let counts = self.term_counts(title, body);
        let mut bag: HashMap<String, f64> = counts.body.iter().map(|(w, n)| (w.to_string(), *n)).collect();
        for (w, n) in counts.title {
            *bag.entry(w.to_string()).or_insert(0.0) += n;
        }
        bag
    }

    /// The top `k` keywords of an article with their weights, best first.
    pub fn keywords(&self, title: &str, body: &str, corpus: Option<&CorpusStats>, k: usize) -> Vec<(String, f64)> {
        self.keywords_of(&self.term_counts(title, body), title, body, corpus, k)
    }

    pub(super) fn keywords_of(
        &self,
        counts: &TermCounts<'_>,
        title: &str,
        body: &str,
        corpus: Option<&CorpusStats>,
        k: usize,
    ) -> Vec<(String, f64)> {
        match corpus.filter(|c| c.is_usable()) {
            Some(corpus) => Self::site_keywords(counts, corpus, k),
            None => self.builtin_keywords(title, body, k),
        }
    }

    fn site_keywords(counts: &TermCounts<'_>, corpus: &CorpusStats, k: usize) -> Vec<(String, f64)> {
        let mut tf: HashMap<&str, f64> = counts.body.clone();
        for (w, n) in &counts.title {
            *tf.entry(w).or_insert(0.0) += n * TITLE_WEIGHT;
        }
        let total: f64 = tf.values().sum::<f64>().max(1.0);
        let mut scored: Vec<(String, f64)> =
            tf.into_iter().map(|(w, n)| (w.to_string(), n / total * corpus.idf(w))).collect();
        sort_and_cut(&mut scored, k);
        scored
    }

    fn builtin_keywords(&self, title: &str, body: &str, k: usize) -> Vec<(String, f64)> {
        let text = format!("{title}\n{title}\n{title}\n{body}");
        let mut scored: Vec<(String, f64)> = self
            .builtin_tfidf
            .extract_keywords(&self.jieba, &text, k * 2, vec![])
            .into_iter()
            .filter(|kw| self.is_keyword_candidate(&kw.keyword))
            .map(|kw| (kw.keyword, kw.weight))
            .collect();
        sort_and_cut(&mut scored, k);
        scored
    }

    /// At least two characters, not a stop word, not a number or a code like `00`, `18`, `5G`...
    /// digits mixed with letters stay (`H100`), bare numbers and units do not.
    pub(super) fn is_keyword_candidate(&self, w: &str) -> bool {
        let chars = w.chars().count();
        if !(2..=20).contains(&chars) {
            return false;
        }
        if !w.chars().any(|c| c.is_alphabetic()) {
            return false;
        }
        let lower = w.to_lowercase();
        if self.is_stop_word(&lower) {
            return false;
        }
        // 10月, 3日, 20亿, 第三: numbers with a Chinese unit are not topics.
        let first = w.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() && w.chars().filter(|c| super::super::html::is_cjk(*c)).count() <= 2 {
            return false;
        }
        true
    }
}

fn sort_and_cut(scored: &mut Vec<(String, f64)>, k: usize) {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(k);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: &str = "新能源汽车价格战升级 比亚迪特斯拉同日降价";
    const BODY: &str = "11月20日，比亚迪宣布旗下多款新能源汽车降价，最高降幅达2万元。当天下午，特斯拉也下调了Model 3的售价。\n\
        业内人士认为，新能源汽车价格战仍将持续，电池成本下降给了车企降价空间。\n\
        比亚迪表示，降价是为了回馈用户；特斯拉则未作回应。分析师指出，价格战将加速行业洗牌。";

    #[test]
    fn keywords_of_a_fixture_article() {
        let a = TextAnalyzer::new(Some("特斯拉 1000 nz\n")).expect("analyzer");
        let kws = a.keywords(TITLE, BODY, None, 5);
        let words: Vec<&str> = kws.iter().map(|k| k.0.as_str()).collect();
        assert!(words.contains(&"比亚迪"), "{words:?}");
        assert!(words.contains(&"特斯拉"), "{words:?}");
        assert!(words.contains(&"降价"), "{words:?}");
        assert!(words.iter().all(|w| !w.chars().all(|c| c.is_ascii_digit())), "{words:?}");
        assert!(kws.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn site_idf_takes_over_on_a_big_corpus() {
        let a = TextAnalyzer::new(None).expect("analyzer");
        let mut corpus = CorpusStats::default();
        // A corpus where 降价 is in every document: it must sink below the rarer names.
        let common: HashSet<String> = ["降价".to_string()].into_iter().collect();
        for _ in 0..CorpusStats::MIN_DOCS {
            corpus.add_document(&common);
        }
        let kws = a.keywords(TITLE, BODY, Some(&corpus), 10);
        let pos = |w: &str| kws.iter().position(|k| k.0 == w);
        let byd = pos("比亚迪").expect("比亚迪 is a keyword");
        assert!(pos("降价").is_none_or(|p| p > byd), "{kws:?}");
    }
}
