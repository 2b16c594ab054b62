//! zixun-core: the domain types, Chinese text analysis and ranking formulas.
//!
//! Nothing in this crate does I/O: the store, the index and the web layer call into it.

pub mod article;
pub mod eval;
pub mod html;
pub mod newsroom;
pub mod rank;
pub mod revision;
pub mod slot;
pub mod story;
pub mod text;
pub mod time;
pub mod words;

pub use article::{Article, ArticleDraft, ArticleStatus, ArticleSummary, AuditNote, Credits};
pub use text::TextAnalyzer;
pub use time::SiteClock;
