pub mod bench;
pub mod import;
pub mod reindex;
pub mod serve;
