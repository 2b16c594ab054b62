//! Normalise and analyse a record into an [`ArticleDraft`]: the one path every writer takes.

use std::sync::Arc;

use zixun_core::{
    ArticleDraft, ArticleStatus, Credits, SiteClock, TextAnalyzer,
    html::{
        MAX_NESTING, blocks_from_text, blocks_to_html, blocks_to_text, first_image, html_to_text, is_stored_image,
        is_web_address, nesting_depth, sanitize_with_base,
    },
    text::{CorpusStats, clean::strip_controls},
    time::TimeError,
};

use crate::ImportRecord;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error("body is {size} bytes, over the limit of {limit}")]
    BodyTooLarge { size: usize, limit: usize },
    #[error("body has no text")]
    EmptyBody,
    #[error("field \"title\" is empty")]
    EmptyTitle,
    #[error("body nests its markup {depth} levels deep, over the limit of {limit}")]
    TooDeep { depth: usize, limit: usize },
    #[error("field \"{field}\" is {length} characters long, over the limit of {limit}")]
    TooLong { field: &'static str, length: usize, limit: usize },
    #[error("field \"{field}\" has {count} items, over the limit of {limit}")]
    TooMany { field: &'static str, count: usize, limit: usize },
    #[error("field \"published_at\": {0}")]
    Date(#[from] TimeError),
    #[error("field \"status\" must be \"published\" or \"draft\", got {0:?}")]
    Status(String),
    #[error("field \"url\" must be an http or https address, got {0:?}")]
    Url(String),
    #[error("field \"cover\" must be an upload (/uploads/…) or an http or https address, got {0:?}")]
    Cover(String),
}

impl PrepareError {
    /// The field of the import format at fault.
    pub fn field(&self) -> &'static str {
        match self {
            PrepareError::BodyTooLarge { .. } | PrepareError::EmptyBody | PrepareError::TooDeep { .. } => "body",
            PrepareError::TooLong { field, .. } | PrepareError::TooMany { field, .. } => field,
            PrepareError::EmptyTitle => "title",
            PrepareError::Date(_) => "published_at",
            PrepareError::Status(_) => "status",
            PrepareError::Url(_) => "url",
            PrepareError::Cover(_) => "cover",
        }
    }
}

/// The longest each text field may be, in characters (a headline is a line, not a page).
pub const FIELD_LIMITS: [(&str, usize); 11] = [
    ("id", 512),
    ("title", 200),
    ("author", 100),
    ("source", 100),
    ("url", 2048),
    ("category", 64),
    ("tags", 64),
    ("cover", 2048),
    ("original_title", 200),
    ("original_author", 100),
    ("editor", 100),
];
/// Tags an article may carry.
pub const MAX_TAGS: usize = 30;

/// The most characters `field` may hold ([`FIELD_LIMITS`]; unlimited if it is not there).
pub fn field_limit(field: &str) -> usize {
    FIELD_LIMITS.iter().find(|(f, _)| *f == field).map_or(usize::MAX, |(_, l)| *l)
}

fn check_length(field: &'static str, value: &str) -> Result<(), PrepareError> {
    let limit = field_limit(field);
    let length = value.chars().count();
    if length > limit { Err(PrepareError::TooLong { field, length, limit }) } else { Ok(()) }
}

/// A copy of `r` with every text field cleaned of control characters and checked against
/// [`FIELD_LIMITS`]: the one place all writes pass.
fn cleaned(r: &ImportRecord) -> Result<ImportRecord, PrepareError> {
    let text = |field: &'static str, v: &str| -> Result<String, PrepareError> {
        let v = strip_controls(v).trim().to_string();
        check_length(field, &v)?;
        Ok(v)
    };
    let opt = |field: &'static str, v: &Option<String>| -> Result<Option<String>, PrepareError> {
        Ok(match v.as_deref().map(|v| text(field, v)).transpose()? {
            Some(v) if v.is_empty() => None,
            other => other,
        })
    };
    if r.tags.len() > MAX_TAGS {
        return Err(PrepareError::TooMany { field: "tags", count: r.tags.len(), limit: MAX_TAGS });
    }
    let mut tags = Vec::with_capacity(r.tags.len());
    for t in &r.tags {
        let t = text("tags", t)?;
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    Ok(ImportRecord {
        id: opt("id", &r.id)?,
        title: text("title", &r.title)?,
        body: r.body.as_deref().map(|b| strip_controls(b).into_owned()),
        // HTML is cleaned after sanitizing (its character references can name controls too).
        body_html: r.body_html.clone(),
        author: opt("author", &r.author)?,
        source: opt("source", &r.source)?,
        url: opt("url", &r.url)?,
        original: r.original,
        category: opt("category", &r.category)?,
        tags,
        published_at: r.published_at.clone(),
        status: r.status.clone(),
        cover: opt("cover", &r.cover)?,
        original_title: opt("original_title", &r.original_title)?,
        original_author: opt("original_author", &r.original_author)?,
        editor: opt("editor", &r.editor)?,
    })
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
        let size = r.body.as_ref().or(r.body_html.as_ref()).map_or(0, String::len);
        if size > self.max_body_bytes {
            return Err(PrepareError::BodyTooLarge { size, limit: self.max_body_bytes });
        }
        let r = &cleaned(r)?;
        if r.title.is_empty() {
            return Err(PrepareError::EmptyTitle);
        }
        // The link to an original is shown as a link: only web addresses (never javascript:).
        if let Some(url) = &r.url
            && !is_web_url(url)
        {
            return Err(PrepareError::Url(url.clone()));
        }
        // A cover becomes an image's src: a site upload or a web address, nothing else.
        if let Some(cover) = &r.cover
            && !is_cover_address(cover)
        {
            return Err(PrepareError::Cover(cover.clone()));
        }
        let (body_html, body_text) = match (&r.body, &r.body_html) {
            (Some(text), _) => {
                let blocks = blocks_from_text(text);
                (blocks_to_html(&blocks), blocks_to_text(&blocks))
            }
            (None, Some(html)) => {
                // The sanitizer's parser costs more per element the deeper it nests.
                let depth = nesting_depth(html);
                if depth > MAX_NESTING {
                    return Err(PrepareError::TooDeep { depth, limit: MAX_NESTING });
                }
                // Relative links in a syndicated body point into the original's site.
                // A character reference (`&#1;`) parses to the control it names.
                let clean = strip_controls(&sanitize_with_base(html, r.url.as_deref())).into_owned();
                let text = strip_controls(&html_to_text(&clean)).into_owned();
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
            // The body's first image, when it is an address a cover may have.
            cover: r.cover.clone().or_else(|| first_image(&body_html).filter(|c| is_cover_address(c))),
            credits: Credits {
                original_title: r.original_title.clone(),
                original_author: r.original_author.clone(),
                editor: r.editor.clone(),
            },
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
    is_web_address(url.trim()) && !url.chars().any(char::is_whitespace)
}

/// What a cover may be: a web address or one of the site's stored images.
fn is_cover_address(address: &str) -> bool {
    is_web_url(address) || is_stored_image(address)
}
