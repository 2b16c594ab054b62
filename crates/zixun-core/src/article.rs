//! The article, as stored and as shown.

use serde::{Deserialize, Serialize};

use crate::newsroom::{Owned, Workflow};

/// Whether readers can see an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Published,
    Draft,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Published => "published",
            ArticleStatus::Draft => "draft",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "published" => Some(ArticleStatus::Published),
            "draft" => Some(ArticleStatus::Draft),
            _ => None,
        }
    }
}

/// The 转载 credits the 互联网新闻信息服务管理规定 asks a news site to show: the original's
/// title (原标题) and author (原作者), and the 责任编辑 who answers for the article here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Credits {
    pub original_title: Option<String>,
    pub original_author: Option<String>,
    pub editor: Option<String>,
}

/// A normalised, analysed article ready to be written by any write path
/// (import, feed, editor, API). The store assigns `id`, `seq` and `updated_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDraft {
    /// The stored article this draft replaces (an edit in the newsroom); the first upsert key.
    pub id: Option<i64>,
    /// The id the article has outside zixun (import id, feed guid); the upsert key.
    pub ext_id: Option<String>,
    pub title: String,
    pub author: Option<String>,
    /// Name of the outlet a syndicated item comes from.
    pub source_name: Option<String>,
    /// Link to the original of a syndicated item (also an upsert key when `ext_id` is absent).
    pub source_url: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    pub tags: Vec<String>,
    /// Unix seconds.
    pub published_at: i64,
    /// False when the writer gave no date and `published_at` is the time of writing: an update
    /// then keeps the stored date (a feed polled again, a file imported again).
    pub published_at_given: bool,
    /// Sanitized HTML.
    pub body_html: String,
    pub body_text: String,
    pub summary: String,
    /// The cover image's address (`/uploads/…` or a web address): the one given, else the
    /// body's first image.
    pub cover: Option<String>,
    pub credits: Credits,
    pub keywords: Vec<String>,
    /// Unit-length term vector for 相关内容 (see `TextAnalyzer::analyze`).
    pub term_vector: Vec<(String, f32)>,
    pub simhash: u64,
    pub status: ArticleStatus,
    /// The newsroom account that wrote it (kept on later edits by others).
    pub owner_id: Option<i64>,
    /// Its newsroom state; `None` follows `status` (imports, feeds).
    pub workflow: Option<Workflow>,
    /// When a scheduled article goes out (Unix seconds).
    pub publish_at: Option<i64>,
    /// The Markdown an editor wrote (`body_html` is its rendering); `None` keeps the stored one.
    pub body_markdown: Option<String>,
    /// The terms that count towards the site's document frequencies when this draft is a new
    /// article (counted in the same transaction as the article).
    pub doc_terms: Vec<String>,
    /// The audit entry of this write, committed with it (none when the write changes nothing).
    pub audit: Option<AuditNote>,
    /// The 敏感词 this write holds, audited with it (apart from `audit`, which also keeps a
    /// revision; none when the write changes nothing).
    pub word_note: Option<AuditNote>,
}

impl ArticleDraft {
    /// A published original article of plain text (`body`, escaped, as one paragraph and as its
    /// summary), with no author, source, category, tags or analysis: the rest is set field by
    /// field.
    pub fn plain(title: &str, body: &str, published_at: i64) -> Self {
        ArticleDraft {
            id: None,
            ext_id: None,
            title: title.into(),
            author: None,
            source_name: None,
            source_url: None,
            original: true,
            category: None,
            tags: Vec::new(),
            published_at,
            published_at_given: true,
            body_html: format!("<p>{}</p>", crate::html::escape(body)),
            body_text: body.into(),
            summary: body.into(),
            cover: None,
            credits: Credits::default(),
            keywords: Vec::new(),
            term_vector: Vec::new(),
            simhash: 0,
            status: ArticleStatus::Published,
            owner_id: None,
            workflow: None,
            publish_at: None,
            body_markdown: None,
            doc_terms: Vec::new(),
            audit: None,
            word_note: None,
        }
    }
}

/// Who did what, as the audit log keeps it; the store adds the time and the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditNote {
    /// `None` when no account acted (the scheduler).
    pub user_id: Option<i64>,
    pub user_name: String,
    /// `create`, `edit`, `publish`, `schedule`, `unpublish`, `submit`, `delete`…
    pub action: String,
    pub detail: String,
}

/// A stored article with everything a page or the API shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: i64,
    pub ext_id: Option<String>,
    pub title: String,
    pub author: Option<String>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub published_at: i64,
    pub updated_at: i64,
    pub body_html: String,
    pub body_text: String,
    pub summary: String,
    pub cover: Option<String>,
    #[serde(flatten)]
    pub credits: Credits,
    pub keywords: Vec<String>,
    pub simhash: u64,
    pub status: ArticleStatus,
    pub views: i64,
    pub seq: i64,
    /// The story head this article is a near-duplicate of (hidden from lists).
    pub copy_of: Option<i64>,
    pub owner_id: Option<i64>,
    pub workflow: Workflow,
    pub publish_at: Option<i64>,
}

impl Article {
    pub fn owned(&self) -> Owned {
        Owned { owner_id: self.owner_id, workflow: self.workflow }
    }
}

/// The fields a list item needs (lists never load bodies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub author: Option<String>,
    pub source_name: Option<String>,
    pub original: bool,
    pub category: Option<String>,
    pub published_at: i64,
    pub summary: String,
    pub cover: Option<String>,
    pub views: i64,
    pub simhash: u64,
    pub copy_of: Option<i64>,
}

impl From<&Article> for ArticleSummary {
    fn from(a: &Article) -> Self {
        ArticleSummary {
            id: a.id,
            title: a.title.clone(),
            author: a.author.clone(),
            source_name: a.source_name.clone(),
            original: a.original,
            category: a.category.clone(),
            published_at: a.published_at,
            summary: a.summary.clone(),
            cover: a.cover.clone(),
            views: a.views,
            simhash: a.simhash,
            copy_of: a.copy_of,
        }
    }
}
