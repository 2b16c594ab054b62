//! Normalise and analyse a record into an [`ArticleDraft`]: the one path every writer takes.

use std::sync::Arc;

use zixun_core::{
    ArticleDraft, ArticleStatus, SiteClock, TextAnalyzer,
    html::{blocks_from_text, blocks_to_html, blocks_to_text, html_to_text, sanitize_with_base},
    text::CorpusStats,
    time::TimeError,
};

use crate::ImportRecord;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error("body is {size} bytes, over the limit of {limit}")]
    BodyTooLarge { size: usize, limit: usize },
    #[error("body has no text")]
    EmptyBody,
    #[error("field \"published_at\": {0}")]
    Date(#[from] TimeError),
    #[error("field \"status\" must be \"published\" or \"draft\", got {0:?}")]
    Status(String),
    #[error("field \"url\" must be an http or https address, got {0:?}")]
    Url(String),
}

/// An analysed draft, ready for the store (its `doc_terms` count towards the corpus when new).
#[derive(Clone)]
pub struct PreparedArticle {
    pub draft: ArticleDraft,
}

#[derive(Clone)]
pub struct ArticlePreparer {
    pub analyzer: Arc<TextAnalyzer>,
    pub clock: SiteClock,
    pub max_body_bytes: usize,
}

impl ArticlePreparer {
    pub fn prepare(&self, r: &ImportRecord, corpus: Option<&CorpusStats>) -> Result<PreparedArticle, PrepareError> {
        // The link to an original is shown as a link: only web addresses (never javascript:).
        if let Some(url) = &r.url
            && !is_web_url(url)
        {
            return Err(PrepareError::Url(url.clone()));
        }
        let size = r.body.as_ref().or(r.body_html.as_ref()).map_or(0, String::len);
        if size > self.max_body_bytes {
            return Err(PrepareError::BodyTooLarge { size, limit: self.max_body_bytes });
        }
        let (body_html, body_text) = match (&r.body, &r.body_html) {
            (Some(text), _) => {
                let blocks = blocks_from_text(text);
                (blocks_to_html(&blocks), blocks_to_text(&blocks))
            }
            (None, Some(html)) => {
                // Relative links in a syndicated body point into the original's site.
                let clean = sanitize_with_base(html, r.url.as_deref());
                let text = html_to_text(&clean);
                (clean, text)
            }
            (None, None) => (String::new(), String::new()),
        };
        if body_text.trim().is_empty() {
            return Err(PrepareError::EmptyBody);
        }
        let published_at = match &r.published_at {
            Some(s) => self.clock.parse(s)?,
            None => SiteClock::now(),
        };
        let status = match r.status.as_deref() {
            None => ArticleStatus::Published,
            Some(s) => ArticleStatus::parse(s).ok_or_else(|| PrepareError::Status(s.to_string()))?,
        };
        let analysis = self.analyzer.analyze(&r.title, &body_text, corpus);
        // Syndicated unless said otherwise when it names a source; original otherwise.
        let original = r.original.unwrap_or(r.source.is_none());
        let draft = ArticleDraft {
            id: None,
            ext_id: r.id.clone(),
            title: r.title.clone(),
            author: r.author.clone(),
            source_name: r.source.clone(),
            source_url: r.url.clone(),
            original,
            category: r.category.clone(),
            tags: r.tags.clone(),
            published_at,
            published_at_given: r.published_at.is_some(),
            summary: analysis.summary,
            keywords: analysis.keywords.into_iter().map(|(k, _)| k).collect(),
            term_vector: analysis.vector,
            simhash: analysis.simhash,
            body_html,
            body_text,
            status,
            owner_id: None,
            workflow: None,
            publish_at: None,
            body_markdown: None,
            doc_terms: {
                let mut terms: Vec<String> = analysis.terms.into_iter().collect();
                terms.sort_unstable();
                terms
            },
            audit: None,
        };
        Ok(PreparedArticle { draft })
    }
}

fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")) && !url.chars().any(char::is_whitespace)
}
