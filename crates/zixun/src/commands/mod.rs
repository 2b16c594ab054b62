pub mod bench;
pub mod eval;
pub mod fetch;
pub mod import;
pub mod reindex;
pub mod serve;
pub mod sources;
