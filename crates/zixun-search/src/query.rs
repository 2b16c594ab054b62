//! Readers' queries, built from the same analyzer as the index (never
//! tantivy's query parser: a word jieba splits again would become a phrase that can miss).

use serde::Serialize;
use tantivy::{
    DocAddress, Order, Score, Searcher, TantivyDocument, Term,
    collector::{Count, TopDocs},
    query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery},
    schema::{Field, IndexRecordOption, Value},
    snippet::SnippetGenerator,
};
use zixun_core::{SiteClock, rank};

use crate::{SearchError, SearchIndex};

/// Longer queries are cut to this many characters (and the page says so).
pub const MAX_QUERY_CHARS: usize = 100;
/// Most terms a query is made of after segmentation.
const MAX_TERMS: usize = 16;
/// The body snippet is cut from a window of about this many characters around the densest
/// cluster of query words, so that only that window is segmented again for highlighting.
const SNIPPET_WINDOW_CHARS: usize = 240;
/// Characters of the window kept before its first match (the match's sentence start).
const SNIPPET_LEAD_CHARS: usize = 30;
const SNIPPET_CHARS: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Relevance,
    Newest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    pub q: String,
    pub category: Option<String>,
    pub source: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    pub sort: SortOrder,
    pub limit: usize,
    pub offset: usize,
    /// Skip highlighting (ids and scores only): for benchmarks against engines that do not
    /// highlight.
    pub plain: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub score: f32,
    pub published_at: i64,
    /// Title with the matched words in `<b>`, HTML-escaped otherwise.
    pub title_html: String,
    /// Best fragment of the body, highlighted the same way.
    pub snippet_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// The terms the query was cut into (after normalisation and stop words).
    pub terms: Vec<String>,
    /// The query was longer than [`MAX_QUERY_CHARS`] and was cut.
    pub truncated: bool,
}

impl crate::schema::Fields {
    /// Field weights for readers' queries.
    fn reader_boosts(&self) -> [(Field, f32); 6] {
        [
            (self.title, 3.0),
            (self.keywords, 2.0),
            (self.body, 1.0),
            (self.author, 1.0),
            (self.source, 1.0),
            (self.category, 1.0),
        ]
    }
}

/// The snippet as HTML: text escaped, matched words in `<b>`. Overlapping or out-of-range
/// highlights (tokens of the fine and the coarse cut overlap) are merged or dropped, never sliced
/// blindly.
fn highlight_html(snippet: &tantivy::snippet::Snippet) -> String {
    use zixun_core::html::escape;
    let text = snippet.fragment();
    let mut ranges: Vec<std::ops::Range<usize>> = snippet
        .highlighted()
        .iter()
        .filter(|r| {
            r.start < r.end && text.is_char_boundary(r.start) && r.end <= text.len() && text.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut html = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        let start = r.start.max(at);
        html.push_str(&escape(&text[at..start]));
        html.push_str("<b>");
        html.push_str(&escape(&text[start..r.end]));
        html.push_str("</b>");
        at = r.end;
    }
    html.push_str(&escape(&text[at..]));
    html
}

/// Removes control characters and cuts to [`MAX_QUERY_CHARS`] characters.
pub fn clean_query_for_display(q: &str) -> (String, bool) {
    let cleaned: String = q.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let truncated = cleaned.chars().count() > MAX_QUERY_CHARS;
    (cleaned.chars().take(MAX_QUERY_CHARS).collect(), truncated)
}

/// Finds the query's words in a body, ASCII case-insensitively, like the index's normalisation
/// of Latin letters. Built once per query.
fn word_finder(terms: &[String]) -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        // A handful of words, a few hundred bytes of text per hit: no DFA to build.
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(terms.iter().filter(|t| !t.is_empty()))
        .ok()
}

/// The part of `body` to highlight: about [`SNIPPET_WINDOW_CHARS`] characters from a little
/// before the match that has the most distinct query words after it within the window (the
/// body's start when no word is found).
fn snippet_window<'a>(body: &'a str, finder: Option<&aho_corasick::AhoCorasick>) -> &'a str {
    let window_bytes = SNIPPET_WINDOW_CHARS * 3;
    let matches: Vec<(usize, usize)> = match finder {
        Some(f) => f.find_iter(body).take(500).map(|m| (m.start(), m.pattern().as_usize())).collect(),
        None => Vec::new(),
    };
    let mut best: Option<(usize, usize)> = None; // (distinct words, start byte)
    for (i, &(start, _)) in matches.iter().enumerate() {
        let mut seen: Vec<usize> =
            matches[i..].iter().take_while(|(at, _)| *at < start + window_bytes).map(|(_, pattern)| *pattern).collect();
        seen.sort_unstable();
        seen.dedup();
        if best.is_none_or(|(n, _)| seen.len() > n) {
            best = Some((seen.len(), start));
        }
    }
    let start = best.map_or(0, |(_, at)| {
        body[..at].char_indices().rev().nth(SNIPPET_LEAD_CHARS.saturating_sub(1)).map_or(0, |(i, _)| i)
    });
    let rest = &body[start..];
    let end = rest.char_indices().nth(SNIPPET_WINDOW_CHARS).map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

impl SearchIndex {
    /// [`SearchIndex::search`] off the async threads, and answered from memory when the same
    /// request was answered in the last seconds at the same `seq`.
    pub async fn find(self: &std::sync::Arc<Self>, req: SearchRequest) -> Result<SearchResults, SearchError> {
        let key = (req, self.indexed_seq());
        if let Some(hit) = self.answers.get(&key) {
            return Ok(hit.as_ref().clone());
        }
        let index = self.clone();
        let (key, results) = tokio::task::spawn_blocking(move || {
            let results = index.search(&key.0);
            (key, results)
        })
        .await
        .map_err(|e| SearchError::Analysis(e.to_string()))?;
        let results = results?;
        self.answers.insert(key, std::sync::Arc::new(results.clone()));
        Ok(results)
    }

    /// Runs `req` now (no cache), on the calling thread.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let (q, truncated) = clean_query_for_display(&req.q);
        let Some((query, terms)) = self.reader_query(&q, req) else {
            return Ok(SearchResults { total: 0, hits: Vec::new(), terms: Vec::new(), truncated });
        };
        let searcher = self.reader.searcher();
        let limit = req.limit.clamp(1, 100);
        let docs: (Vec<(Score, DocAddress)>, usize) = match req.sort {
            SortOrder::Relevance => {
                let now = SiteClock::now();
                let collector = TopDocs::with_limit(limit).and_offset(req.offset).tweak_score(
                    move |seg: &tantivy::SegmentReader| {
                        let published = seg.fast_fields().i64("published_at").ok().map(|c| c.first_or_default_col(0));
                        move |doc, bm25: Score| {
                            let at = published.as_ref().map_or(now, |c| c.get_val(doc));
                            rank::search_score(bm25, now - at)
                        }
                    },
                );
                searcher.search(&query, &(collector, Count))?
            }
            SortOrder::Newest => {
                let collector = TopDocs::with_limit(limit)
                    .and_offset(req.offset)
                    .order_by_fast_field::<i64>("published_at", Order::Desc);
                let (docs, total) = searcher.search(&query, &(collector, Count))?;
                (docs.into_iter().map(|(at, addr)| (at.unwrap_or(0) as Score, addr)).collect(), total)
            }
        };
        let (docs, total) = docs;
        let hits = self.hits(&searcher, &query, &terms, docs, req.sort, req.plain)?;
        Ok(SearchResults { total, hits, terms, truncated })
    }

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        terms: &[String],
        docs: Vec<(Score, DocAddress)>,
        sort: SortOrder,
        plain: bool,
    ) -> Result<Vec<SearchHit>, SearchError> {
        let f = self.fields;
        if plain {
            let id_of = |addr: DocAddress| -> Result<(i64, i64), SearchError> {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let get = |field: Field| doc.get_first(field).and_then(|v| v.as_i64()).unwrap_or(0);
                Ok((get(f.id), get(f.published_at)))
            };
            return docs
                .into_iter()
                .map(|(score, addr)| {
                    let (id, published_at) = id_of(addr)?;
                    Ok(SearchHit { id, score, published_at, title_html: String::new(), snippet_html: String::new() })
                })
                .collect();
        }
        let mut title_gen = SnippetGenerator::create(searcher, query, f.title)?;
        title_gen.set_max_num_chars(200);
        let mut body_gen = SnippetGenerator::create(searcher, query, f.body)?;
        body_gen.set_max_num_chars(SNIPPET_CHARS);
        let finder = word_finder(terms);
        let mut hits = Vec::with_capacity(docs.len());
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0);
            let published_at = doc.get_first(f.published_at).and_then(|v| v.as_i64()).unwrap_or(0);
            let title_snippet = title_gen.snippet_from_doc(&doc);
            let title_html = if title_snippet.is_empty() {
                zixun_core::html::escape(doc.get_first(f.title).and_then(|v| v.as_str()).unwrap_or(""))
            } else {
                highlight_html(&title_snippet)
            };
            let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
            let body_snippet = body_gen.snippet(snippet_window(body, finder.as_ref()));
            let snippet_html = if body_snippet.is_empty() {
                zixun_core::html::escape(&zixun_core::html::cut(body, 80))
            } else {
                highlight_html(&body_snippet)
            };
            let score = if sort == SortOrder::Newest { 0.0 } else { score };
            hits.push(SearchHit { id, score, published_at, title_html, snippet_html });
        }
        Ok(hits)
    }

    /// The query for a reader's text: every word must match (in any field); quoted parts must
    /// match as phrases in the title or the body. `None` when the text has no words.
    fn reader_query(&self, q: &str, req: &SearchRequest) -> Option<(Box<dyn Query>, Vec<String>)> {
        let f = self.fields;
        let mut musts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut all_terms = Vec::new();
        // Even parts are free text, odd parts were inside quotes; an unbalanced quote leaves
        // the tail as free text.
        let parts: Vec<&str> = q.split('"').collect();
        let balanced = parts.len() % 2 == 1;
        for (i, part) in parts.iter().enumerate() {
            let quoted = i % 2 == 1 && (balanced || i + 1 < parts.len());
            let terms = self.analyzer.query_terms(part);
            if terms.is_empty() {
                continue;
            }
            if quoted && terms.len() > 1 {
                let phrase = |field: Field| -> Box<dyn Query> {
                    Box::new(PhraseQuery::new(terms.iter().map(|t| Term::from_field_text(field, t)).collect()))
                };
                let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                    (Occur::Should, phrase(f.title)),
                    (Occur::Should, phrase(f.body)),
                ]));
                musts.push((Occur::Must, either));
                all_terms.extend(terms);
            } else {
                for t in terms {
                    musts.push((Occur::Must, self.any_field(&t)));
                    all_terms.push(t);
                }
            }
            if all_terms.len() >= MAX_TERMS {
                break;
            }
        }
        if musts.is_empty() {
            return None;
        }
        musts.truncate(MAX_TERMS);
        // Articles whose title holds every word rank above those that only mention them.
        if all_terms.len() > 1 {
            let in_title: Vec<(Occur, Box<dyn Query>)> = all_terms
                .iter()
                .map(|t| {
                    let tq = TermQuery::new(Term::from_field_text(f.title, t), IndexRecordOption::WithFreqs);
                    (Occur::Must, Box::new(tq) as Box<dyn Query>)
                })
                .collect();
            musts.push((Occur::Should, Box::new(BoostQuery::new(Box::new(BooleanQuery::new(in_title)), 2.0))));
        }
        if let Some(c) = &req.category {
            musts.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.category_key, c), IndexRecordOption::Basic)),
            ));
        }
        if let Some(s) = &req.source {
            musts.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.source_key, s), IndexRecordOption::Basic)),
            ));
        }
        if req.from.is_some() || req.to.is_some() {
            use std::ops::Bound;
            let lower = req.from.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(f.published_at, v)));
            let upper = req.to.map_or(Bound::Unbounded, |v| Bound::Excluded(Term::from_field_i64(f.published_at, v)));
            musts.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Some((Box::new(BooleanQuery::new(musts)), all_terms))
    }

    fn any_field(&self, term: &str) -> Box<dyn Query> {
        let shoulds: Vec<(Occur, Box<dyn Query>)> = self
            .fields
            .reader_boosts()
            .into_iter()
            .map(|(field, boost)| {
                let tq = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                (Occur::Should, Box::new(BoostQuery::new(Box::new(tq), boost)) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(shoulds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_window_is_around_the_densest_cluster_of_query_words() {
        let filler = "今天天气晴朗，市民出行顺利。".repeat(150); // 2,100 characters without a match
        let body =
            format!("{filler}马拉松报名开始。{filler}江州马拉松今日开跑，三万名跑者参加江州国际马拉松。{filler}");
        let window = snippet_window(&body, word_finder(&terms(&["江州", "马拉松"])).as_ref());
        assert!(window.chars().count() <= SNIPPET_WINDOW_CHARS, "{}", window.chars().count());
        assert!(window.contains("江州马拉松今日开跑") && window.contains("三万名跑者"), "{window}");
        assert!(!window.contains("报名开始"), "the lone first match is not the best: {window}");
    }

    #[test]
    fn a_body_without_the_words_gives_its_start_and_latin_matches_ignore_case() {
        let body = "第一段。".repeat(200);
        let window = |body: &str, words: &[&str]| snippet_window(body, word_finder(&terms(words)).as_ref()).to_string();
        assert!(body.starts_with(&window(&body, &["足球"])));
        let body = format!("{}Apple 发布新款 iPhone。", "前情提要。".repeat(100));
        assert!(window(&body, &["iphone"]).contains("iPhone"));
        assert_eq!(window("", &["词"]), "");
        assert_eq!(window("短文", &[]), "短文");
    }
}
