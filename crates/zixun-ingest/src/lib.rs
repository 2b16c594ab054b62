//! zixun-ingest: everything that brings articles in (JSON Lines import, feeds), checked,
//! normalised and analysed on the way.

pub mod feed;
mod images;
mod import;
mod prepare;
mod record;
mod words;
mod write;
mod writer;

pub use images::{ImageLocalizer, Localized};
pub use import::{ImportError, ImportReport, Importer};
pub use prepare::{ArticlePreparer, DraftFields, FIELD_LIMITS, MAX_TAGS, PrepareError, field_limit};
pub use record::{ImportRecord, RecordError};
pub use words::{SensitiveWords, WordsError, read_word_list};
pub use write::{WriteCounts, write_prepared};
pub use writer::{ArticleWriter, WriteError, Written};
