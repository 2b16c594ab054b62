//! Normalise and analyse a record into an [`ArticleDraft`]: the one path every writer takes.

use std::{borrow::Cow, sync::Arc};

use zixun_core::{
    ArticleDraft, ArticleStatus, AuditNote, Credits, SiteClock, TextAnalyzer,
    html::{
        MAX_NESTING, blocks_from_text, blocks_to_html, blocks_to_text, first_image, html_to_text, is_stored_image,
        is_web_address, nesting_depth, sanitize_with_base,
    },
    newsroom::Workflow,
    text::{CorpusStats, clean::strip_controls},
    time::TimeError,
    words::{Screening, Verdict, WordList},
};

use crate::{ImportRecord, SensitiveWords};

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
    #[error("field \"{field}\" holds words this site does not publish (含有禁止发布的敏感词)：{}", words.join("、"))]
    Blocked { field: &'static str, words: Vec<String> },
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
            PrepareError::Blocked { field, .. } => field,
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

/// Newsroom fields a record does not carry: set on the draft after preparation. The Markdown
/// and the audit entry commit with the article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftFields {
    pub id: Option<i64>,
    pub owner_id: Option<i64>,
    pub workflow: Option<Workflow>,
    pub publish_at: Option<i64>,
    pub markdown: Option<String>,
    pub audit: Option<AuditNote>,
    /// The write is an editor's (or an admin's): their publishing is the review that
    /// `review` words ask for.
    pub by_editor: bool,
}

impl DraftFields {
    /// Who the audit log names for this write: the account acting, else the outlet a feed
    /// entry comes from, else an import.
    pub(crate) fn audited_as(&self, source: Option<&str>) -> (Option<i64>, String) {
        match &self.audit {
            Some(a) => (a.user_id, a.user_name.clone()),
            None => (None, source.unwrap_or("导入").to_string()),
        }
    }

    fn apply(&self, d: &mut ArticleDraft) {
        d.id = self.id;
        d.owner_id = self.owner_id;
        d.workflow = self.workflow;
        d.publish_at = self.publish_at;
        d.body_markdown.clone_from(&self.markdown);
        d.audit.clone_from(&self.audit);
    }
}

/// An analysed draft, ready for the store (its `doc_terms` count towards the corpus when new).
#[derive(Clone)]
pub struct PreparedArticle {
    pub draft: ArticleDraft,
    /// Held for an editor by `review` words instead of going out as asked.
    pub held: bool,
    /// The listed words it holds.
    pub screening: Screening,
}

#[derive(Clone)]
pub struct ArticlePreparer {
    pub analyzer: Arc<TextAnalyzer>,
    pub clock: SiteClock,
    pub max_body_bytes: usize,
    /// The site's 敏感词, checked on every write path.
    pub words: Arc<SensitiveWords>,
}

/// The fields the word list reads, with the record's text of each.
fn screened_fields<'a>(r: &'a ImportRecord, body_text: &'a str) -> Vec<(&'static str, Cow<'a, str>)> {
    let mut fields = vec![
        ("title", Cow::Borrowed(r.title.as_str())),
        ("body", Cow::Borrowed(body_text)),
        ("tags", Cow::Owned(r.tags.join(" "))),
    ];
    for (field, value) in [
        ("author", &r.author),
        ("source", &r.source),
        ("original_title", &r.original_title),
        ("original_author", &r.original_author),
        ("editor", &r.editor),
    ] {
        if let Some(v) = value {
            fields.push((field, Cow::Borrowed(v.as_str())));
        }
    }
    fields
}

/// The state a draft asks for: its newsroom state, else its status.
fn asked_workflow(d: &ArticleDraft) -> Workflow {
    d.workflow.unwrap_or(match d.status {
        ArticleStatus::Published => Workflow::Published,
        ArticleStatus::Draft => Workflow::Draft,
    })
}

impl ArticlePreparer {
    /// Checks, cleans and analyses `r`, sets `fields` on it, and applies the word list: a
    /// `block` word refuses it, a `review` word holds it for an editor, a `replace` word is
    /// masked in what readers see (the Markdown the writer keeps is left as written).
    pub fn prepare(
        &self,
        r: &ImportRecord,
        fields: &DraftFields,
        corpus: Option<&CorpusStats>,
    ) -> Result<PreparedArticle, PrepareError> {
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
        let words = self.words.current();
        // No list, no copies of the fields to read.
        let screening = if words.is_empty() {
            Screening::default()
        } else {
            Screening { hits: screened_fields(r, &body_text).iter().flat_map(|(f, v)| words.find(f, v)).collect() }
        };
        let masked;
        let (r, body_html, body_text) = if screening.is_empty() {
            (r, body_html, body_text)
        } else {
            masked = masked_record(&words, r);
            (&masked, words.mask_html(&body_html).into_owned(), words.mask(&body_text).into_owned())
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
            word_note: None,
        };
        let mut prepared = PreparedArticle { draft, held: false, screening };
        fields.apply(&mut prepared.draft);
        settle(&mut prepared, fields)?;
        Ok(prepared)
    }
}

/// `r` with the word list's `replace` words masked in the fields readers see.
fn masked_record(words: &WordList, r: &ImportRecord) -> ImportRecord {
    let mask = |v: &str| words.mask(v).into_owned();
    ImportRecord {
        title: mask(&r.title),
        tags: r.tags.iter().map(|t| mask(t)).collect(),
        author: r.author.as_deref().map(mask),
        source: r.source.as_deref().map(mask),
        original_title: r.original_title.as_deref().map(mask),
        original_author: r.original_author.as_deref().map(mask),
        editor: r.editor.as_deref().map(mask),
        ..r.clone()
    }
}

/// Applies the verdict of the word list to a prepared draft, and notes its hits for the audit log.
fn settle(p: &mut PreparedArticle, fields: &DraftFields) -> Result<(), PrepareError> {
    if p.screening.is_empty() {
        return Ok(());
    }
    let d = &mut p.draft;
    let verdict = p.screening.verdict(asked_workflow(d), fields.by_editor);
    let (action, outcome) = match verdict {
        Verdict::Refuse { field, words } => return Err(PrepareError::Blocked { field, words }),
        Verdict::Hold => {
            d.status = ArticleStatus::Draft;
            d.workflow = Some(Workflow::Submitted);
            d.publish_at = None;
            p.held = true;
            ("hold", Some("待编辑审核"))
        }
        Verdict::Pass => ("sensitive", None),
    };
    let by = fields.audited_as(d.source_name.as_deref());
    d.word_note = Some(word_note(&d.title, &p.screening, by, action, outcome));
    Ok(())
}

/// The audit line of a write's 敏感词: `《标题》：审核「某词」（正文），待编辑审核`.
pub(crate) fn word_note(
    title: &str,
    screening: &Screening,
    (user_id, user_name): (Option<i64>, String),
    action: &str,
    outcome: Option<&str>,
) -> AuditNote {
    let outcome = outcome.map(|o| format!("，{o}")).unwrap_or_default();
    AuditNote {
        user_id,
        user_name,
        action: action.into(),
        detail: format!("《{title}》：{}{outcome}", screening.describe()),
    }
}

fn is_web_url(url: &str) -> bool {
    is_web_address(url.trim()) && !url.chars().any(char::is_whitespace)
}

/// What a cover may be: a web address or one of the site's stored images.
fn is_cover_address(address: &str) -> bool {
    is_web_url(address) || is_stored_image(address)
}
