//! Document frequencies of the site's own corpus, for the IDF of keyword extraction.

use std::collections::HashMap;

/// How many documents contain each term. Built from the store at start-up and kept up to date
/// as articles come in; below [`CorpusStats::MIN_DOCS`] documents jieba's built-in IDF is used.
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    pub docs: u64,
    pub df: HashMap<String, u32>,
}

impl CorpusStats {
    /// Fewer documents than this give IDF figures too noisy to trust.
    pub const MIN_DOCS: u64 = 300;

    pub fn is_usable(&self) -> bool {
        self.docs >= Self::MIN_DOCS
    }

    /// Smoothed IDF: ln((N + 1) / (df + 1)) + 1.
    pub fn idf(&self, term: &str) -> f64 {
        let df = self.df.get(term).copied().unwrap_or(0) as f64;
        ((self.docs as f64 + 1.0) / (df + 1.0)).ln() + 1.0
    }

    pub fn add_document<'a>(&mut self, terms: impl IntoIterator<Item = &'a String>) {
        self.docs += 1;
        for t in terms {
            *self.df.entry(t.clone()).or_insert(0) += 1;
        }
    }

    /// Adds what `other` counted (documents learned elsewhere) to these statistics.
    pub fn absorb(&mut self, other: CorpusStats) {
        self.docs += other.docs;
        for (t, n) in other.df {
            *self.df.entry(t).or_insert(0) += n;
        }
    }
}
