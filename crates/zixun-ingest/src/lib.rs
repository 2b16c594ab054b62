//! zixun-ingest: everything that brings articles in (JSON Lines import now, feeds later),
//! checked, normalised and analysed on the way.

mod import;
mod prepare;
mod record;

pub use import::{ImportError, ImportReport, Importer};
pub use prepare::{ArticlePreparer, PrepareError};
pub use record::{ImportRecord, RecordError};
