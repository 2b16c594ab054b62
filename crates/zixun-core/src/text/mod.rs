//! Chinese text analysis: segmentation (jieba plus a site dictionary), index and query tokens,
//! keywords, extractive summaries and SimHash. Pure functions over text; no I/O.

pub mod clean;
mod corpus;
mod keywords;
mod normalize;
mod reading;
mod simhash;
mod summary;

use std::collections::HashSet;

use jieba_rs::{Jieba, KeywordExtractConfig, TfIdf};

pub use corpus::CorpusStats;
pub use normalize::normalize;
pub use reading::reading_minutes;
pub use simhash::{hamming, simhash};

/// Everything the analysis of one article yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Weighted keywords, best first.
    pub keywords: Vec<(String, f64)>,
    pub summary: String,
    pub simhash: u64,
    /// Distinct keyword candidates, for the corpus's document frequencies.
    pub terms: HashSet<String>,
    /// The article's term vector for 相关内容: its [`TERM_VECTOR_LEN`] best keywords, weights
    /// scaled to unit length (so a dot product of two is their cosine).
    pub vector: Vec<(String, f32)>,
}

/// A token for the search index: normalised text, byte offsets into the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexToken {
    pub text: String,
    pub offset_from: usize,
    pub offset_to: usize,
    pub position: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("site dictionary line {line}: {reason}")]
    Dictionary { line: usize, reason: String },
}

/// Segmenter and keyword extractor, loaded once per process and shared (`Arc`).
pub struct TextAnalyzer {
    jieba: Jieba,
    builtin_tfidf: TfIdf,
    stop_words: HashSet<String>,
}

/// Keywords stored with an article and shown as tag links.
pub const SHOWN_KEYWORDS: usize = 8;
/// Terms kept in an article's term vector: enough to match a story on its topic, few enough
/// that the vectors of 100,000 articles fit in memory (see `docs/measurements.md`).
pub const TERM_VECTOR_LEN: usize = 64;
/// Summary length for list excerpts, in characters.
pub const SUMMARY_CHARS: usize = 120;

impl TextAnalyzer {
    /// jieba's dictionary plus the site dictionary (jieba's format: `word [freq] [tag]` a line;
    /// `#` starts a comment).
    pub fn new(site_dictionary: Option<&str>) -> Result<Self, TextError> {
        let mut jieba = Jieba::new();
        if let Some(dict) = site_dictionary {
            for (i, line) in dict.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let word = parts.next().unwrap_or_default();
                let freq = match parts.next() {
                    Some(f) => Some(f.parse::<usize>().map_err(|_| TextError::Dictionary {
                        line: i + 1,
                        reason: format!("frequency {f:?} is not a whole number"),
                    })?),
                    None => None,
                };
                let tag = parts.next();
                jieba.add_word(word, freq, tag);
                let folded = normalize(word);
                if folded != word {
                    jieba.add_word(&folded, freq, tag);
                }
            }
        }
        let stop_words: HashSet<String> =
            include_str!("stopwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        let mut builtin_tfidf = TfIdf::default();
        *builtin_tfidf.config_mut() =
            KeywordExtractConfig::builder().set_stop_words(stop_words.iter().cloned().collect()).use_hmm(true).build();
        Ok(TextAnalyzer { jieba, builtin_tfidf, stop_words })
    }

    /// Words of `text` as jieba cuts them (default mode, HMM on), without normalisation.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut(text, true).into_iter().map(|t| t.word).collect()
    }

    /// Tokens for the index. Each coarse word gets its own position; the shorter dictionary
    /// words inside it (jieba's search mode: 中国农业发展银行 → 中国, 农业, 银行…) share that
    /// position, so a query for any of them matches and phrase queries over coarse words work.
    pub fn index_tokens(&self, text: &str) -> Vec<IndexToken> {
        let normalized = normalize(text);
        let mut char_bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_bytes.push(text.len());
        let norm_chars: Vec<char> = normalized.chars().collect();
        let mut out = Vec::new();
        let mut position = 0;
        for tok in self.jieba.cut(&normalized, true) {
            if !is_word(tok.word) {
                continue;
            }
            let (start, end) = (tok.start, tok.end);
            let byte = |c: usize| char_bytes.get(c).copied().unwrap_or(text.len());
            let len = end - start;
            // The whole word first, then the dictionary words inside it by start: offsets never
            // go backwards, which snippet generation relies on.
            out.push(IndexToken {
                text: tok.word.to_string(),
                offset_from: byte(start),
                offset_to: byte(end),
                position,
            });
            if len > 2 {
                let mut inner: Vec<(usize, usize)> = Vec::new();
                for gram in [2usize, 3] {
                    if len <= gram {
                        continue;
                    }
                    for s in start..=end - gram {
                        let sub: String = norm_chars[s..s + gram].iter().collect();
                        if self.jieba.has_word(&sub) && is_word(&sub) {
                            inner.push((s, gram));
                        }
                    }
                }
                inner.sort_unstable();
                for (s, gram) in inner {
                    let sub: String = norm_chars[s..s + gram].iter().collect();
                    out.push(IndexToken { text: sub, offset_from: byte(s), offset_to: byte(s + gram), position });
                }
            }
            position += 1;
        }
        out
    }

    /// Terms of a reader's query: normalised, cut like the index's coarse cut, punctuation and
    /// stop words dropped (unless the query is nothing but stop words).
    pub fn query_terms(&self, query: &str) -> Vec<String> {
        let normalized = normalize(query);
        let words: Vec<String> = self
            .jieba
            .cut(&normalized, true)
            .into_iter()
            .filter(|t| is_word(t.word))
            .map(|t| t.word.to_string())
            .collect();
        let content: Vec<String> = words.iter().filter(|w| !self.stop_words.contains(w.as_str())).cloned().collect();
        let mut terms = if content.is_empty() { words } else { content };
        let mut seen = HashSet::new();
        terms.retain(|t| seen.insert(t.clone()));
        terms
    }

    /// Keywords, summary, SimHash, document terms and term vector of an article (the text is
    /// cut once).
    pub fn analyze(&self, title: &str, body: &str, corpus: Option<&CorpusStats>) -> Analysis {
        let counts = self.term_counts(title, body);
        let ranked = self.keywords_of(&counts, title, body, corpus, TERM_VECTOR_LEN);
        Analysis {
            keywords: ranked.iter().take(SHOWN_KEYWORDS).cloned().collect(),
            summary: self.summary(body, SUMMARY_CHARS),
            simhash: Self::story_simhash(&counts, corpus),
            terms: counts.terms(),
            vector: unit_vector(&ranked),
        }
    }

    pub fn is_stop_word(&self, w: &str) -> bool {
        self.stop_words.contains(w)
    }
}

/// Weights scaled so that the vector has length one.
fn unit_vector(terms: &[(String, f64)]) -> Vec<(String, f32)> {
    let norm = terms.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm <= f64::EPSILON {
        return Vec::new();
    }
    terms.iter().map(|(t, w)| (t.clone(), (w / norm) as f32)).collect()
}

/// Whether a token is a word worth indexing: it has a letter, a digit or a CJK character.
fn is_word(w: &str) -> bool {
    w.chars().any(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> TextAnalyzer {
        TextAnalyzer::new(Some("xAI 100 nz\n英伟达 2000 nt\n# comment\n")).expect("dictionary")
    }

    #[test]
    fn site_dictionary_keeps_terms_whole() {
        let a = analyzer();
        let words = a.cut("英伟达投资马斯克的xAI公司");
        assert!(words.contains(&"英伟达"), "{words:?}");
        assert!(words.contains(&"xAI"), "{words:?}");
        assert!(TextAnalyzer::new(Some("词 notanumber")).is_err());
    }

    #[test]
    fn index_tokens_carry_fine_and_coarse_cut() {
        let a = analyzer();
        let text = "中国农业发展银行发布公告";
        let toks = a.index_tokens(text);
        let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert!(texts.contains(&"农业"), "{texts:?}");
        assert!(texts.contains(&"中国农业发展银行") || texts.contains(&"银行"), "{texts:?}");
        for t in &toks {
            assert!(text.get(t.offset_from..t.offset_to).is_some());
        }
        assert!(toks.windows(2).all(|w| w[0].offset_from <= w[1].offset_from), "offsets never go backwards");
        // Offsets point into the original even when normalisation changed the bytes.
        let toks = a.index_tokens("ＸＡＩ與馬斯克");
        let first = &toks[0];
        assert_eq!(first.text, "xai");
        assert_eq!(&"ＸＡＩ與馬斯克"[first.offset_from..first.offset_to], "ＸＡＩ");
    }

    #[test]
    fn query_terms_fold_and_drop_stop_words() {
        let a = analyzer();
        assert_eq!(a.query_terms("馬斯克的ＸＡＩ"), vec!["马斯克", "xai"]);
        assert_eq!(a.query_terms("的"), vec!["的"]);
        assert!(a.query_terms("  \"!!  ").is_empty());
    }
}
