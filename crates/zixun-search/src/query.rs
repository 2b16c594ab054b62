//! Readers' queries, built from the same analyzer as the index (never
//! tantivy's query parser: a word jieba splits again would become a phrase that can miss).

use serde::Serialize;
use tantivy::{
    DocAddress, Order, Score, Searcher, TantivyDocument, Term,
    collector::{Count, TopDocs},
    query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery},
    schema::{Field, IndexRecordOption, Value},
};
use zixun_core::{SiteClock, rank};

use crate::{SearchError, SearchIndex, highlight::Highlighter};

/// Longer queries are cut to this many characters (and the page says so).
pub const MAX_QUERY_CHARS: usize = 100;
/// Most terms a query is made of after segmentation.
const MAX_TERMS: usize = 16;

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

/// Removes control characters and cuts to [`MAX_QUERY_CHARS`] characters.
pub fn clean_query_for_display(q: &str) -> (String, bool) {
    let cleaned: String = q.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let truncated = cleaned.chars().count() > MAX_QUERY_CHARS;
    (cleaned.chars().take(MAX_QUERY_CHARS).collect(), truncated)
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
        let hits = self.hits(&searcher, &terms, docs, req.sort, req.plain)?;
        Ok(SearchResults { total, hits, terms, truncated })
    }

    fn hits(
        &self,
        searcher: &Searcher,
        terms: &[String],
        docs: Vec<(Score, DocAddress)>,
        sort: SortOrder,
        plain: bool,
    ) -> Result<Vec<SearchHit>, SearchError> {
        let f = self.fields;
        let highlighter = (!plain).then(|| Highlighter::new(terms));
        docs.into_iter()
            .map(|(score, addr)| {
                let (id, published_at, title_html, snippet_html) = match &highlighter {
                    // Without highlights no stored document is read: ids and dates from the
                    // fast fields.
                    None => {
                        let columns = searcher.segment_reader(addr.segment_ord).fast_fields();
                        let number = |name: &str| -> Result<i64, SearchError> {
                            Ok(columns.i64(name)?.first(addr.doc_id).unwrap_or(0))
                        };
                        (number("id")?, number("published_at")?, String::new(), String::new())
                    }
                    // The stored document is read for its text anyway (cheaper than opening
                    // the fast-field columns per hit).
                    Some(h) => {
                        let doc: TantivyDocument = searcher.doc(addr)?;
                        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
                        let number = |field: Field| doc.get_first(field).and_then(|v| v.as_i64()).unwrap_or(0);
                        let html = (h.title_html(text(f.title)), h.snippet_html(text(f.body_lead)));
                        (number(f.id), number(f.published_at), html.0, html.1)
                    }
                };
                let score = if sort == SortOrder::Newest { 0.0 } else { score };
                Ok(SearchHit { id, score, published_at, title_html, snippet_html })
            })
            .collect()
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
    use std::sync::Arc;

    use zixun_core::{ArticleDraft, TextAnalyzer};
    use zixun_store::{SqliteStore, Store};

    use super::*;

    fn draft(n: i64, title: &str, body: &str) -> ArticleDraft {
        ArticleDraft {
            ext_id: Some(format!("q-{n}")),
            author: Some("李明".into()),
            source_name: Some("江州日报".into()),
            category: Some("体育".into()),
            simhash: n as u64,
            ..ArticleDraft::plain(title, body, 1_700_000_000 + n * 3600)
        }
    }

    #[tokio::test]
    async fn hits_come_highlighted_and_plain_hits_are_the_same_articles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("zixun.db")).await.expect("store");
        let drafts = vec![
            draft(1, "江州马拉松今日开跑", "三万名跑者参加江州国际马拉松，赛道沿江延伸。"),
            draft(2, "马拉松赛道的故事", "一位跑者讲述他在江州跑马拉松的经历。"),
            draft(3, "城市更新", "老城区改造完成，地铁站周边焕然一新。马拉松"),
            draft(4, "江州地铁三号线开通", "沿线市民出行更方便。"),
            draft(5, "國際馬拉松報名", "江州國際馬拉松今天開始報名。"),
        ];
        store.upsert(&drafts).await.expect("upsert");
        let analyzer = Arc::new(TextAnalyzer::new(None).expect("analyzer"));
        let index = Arc::new(SearchIndex::open(&dir.path().join("index"), analyzer).expect("index"));
        index.follow(&store, |_, _| {}).await.expect("follow");
        let search = |q: &str, plain: bool| {
            index.search(&SearchRequest { q: q.into(), limit: 10, plain, ..SearchRequest::default() }).expect("search")
        };
        let found = search("江州 马拉松", false);
        // Article 3 is 江州's through its source (江州日报), and 5 is written in traditional script.
        assert_eq!(found.total, 4, "{found:?}");
        let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids(&found), ids(&search("江州 马拉松", true)), "the same hits with and without highlights");
        let hit = |id: i64| found.hits.iter().find(|h| h.id == id).expect("hit");
        assert_eq!(hit(1).title_html, "<b>江州</b><b>马拉松</b>今日开跑");
        assert_eq!(hit(1).snippet_html, "三万名跑者参加<b>江州</b>国际<b>马拉松</b>，赛道沿江延伸。");
        assert_eq!(hit(3).snippet_html, "老城区改造完成，地铁站周边焕然一新。<b>马拉松</b>");
        assert_eq!(hit(5).title_html, "國際<b>馬拉松</b>報名");
        assert!(found.hits.iter().all(|h| h.published_at > 1_700_000_000 && h.score > 0.0), "{found:?}");
        assert_eq!(search("\"江州国际马拉松\"", false).total, 2, "a phrase, in either script");
        assert_eq!(search("无此词", false).total, 0);
    }
}
