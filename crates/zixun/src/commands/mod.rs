pub mod bench;
pub mod eval;
pub mod import;
pub mod reindex;
pub mod serve;
