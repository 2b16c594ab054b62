//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// zixun (资讯): a self-hosted Chinese-language news portal in one binary.
///
/// Settings come from a TOML file (--config), then ZIXUN_* environment variables, then flags;
/// later ones win. Everything zixun keeps lives in the data folder (SQLite database and
/// search index).
#[derive(Debug, Parser)]
#[command(name = "zixun", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (see README: Configuration).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data folder: database and search index [env: ZIXUN_DATA_DIR] [default: ./zixun-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (pages, JSON API, /healthz, /metrics).
    Serve(ServeArgs),
    /// Import articles from a JSON Lines file (one article a line; `-` reads stdin).
    ///
    /// Each line: {"id", "title", "body" | "body_html", "author", "source", "url", "original",
    /// "category", "tags", "published_at"}; title and body are required. Bad lines are reported
    /// as `line N: reason` and skipped. Exit status: 0 all imported, 3 some lines rejected,
    /// 1 nothing could be done.
    Import(ImportArgs),
    /// Rebuild the search index from the database.
    Reindex,
    /// Measurements (see bench/ in the repository).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Quality evaluations.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// 相关内容 quality: imports a corpus into a temporary data folder and scores every related
    /// list (precision@k of same category, copy leakage, rewrite recall, time per list) against a
    /// brute-force TF-IDF cosine baseline.
    Related(EvalRelatedArgs),
}

#[derive(Debug, Args)]
pub struct EvalRelatedArgs {
    /// JSON Lines corpus with categories (the import format).
    #[arg(long, value_name = "FILE")]
    pub corpus: PathBuf,
    /// JSON Lines of {"a": id, "b": id, "kind": "copy" | "rewrite"} (external ids).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Length of each list.
    #[arg(long, default_value_t = 5)]
    pub k: usize,
    /// Score a seeded sample of this many lists (articles of story pairs always included).
    #[arg(long)]
    pub sample: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Known-item search: latency percentiles, zero-hit rate and MRR@10 over a query file.
    Search(BenchSearchArgs),
}

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// JSON Lines of {"q": "…", "target": "external id"}.
    #[arg(long, value_name = "FILE")]
    pub queries: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: ZIXUN_BIND] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Fill an empty data folder with demo content first.
    #[arg(long)]
    pub demo: bool,
    /// Theme folder whose templates/ and assets/ override the built-in theme file by file
    /// [env: ZIXUN_THEME]
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON Lines file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
}
