//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// zixun (资讯): a self-hosted Chinese-language news portal in one binary.
///
/// Settings come from a TOML file (--config), then ZIXUN_* environment variables, then flags;
/// later ones win. By default everything zixun keeps lives in the data folder (SQLite
/// database and search index); with --database-url postgres://… several nodes share one
/// PostgreSQL and each keeps only its search index in its data folder.
#[derive(Debug, Parser)]
#[command(name = "zixun", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (see README: Configuration).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data folder: database and search index [env: ZIXUN_DATA_DIR] [default: ./zixun-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database: unset or `sqlite:` for the data folder's SQLite, `postgres://user@host/db` for
    /// PostgreSQL [env: ZIXUN_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

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
    /// Outlets whose feeds (RSS, Atom, JSON Feed) zixun polls and republishes with credit.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Newsroom accounts: authors write and submit, editors publish, admins also manage.
    ///
    /// The first admin is made here, never through the web. Passwords are asked on the
    /// terminal, or read from the first line of standard input when it is not a terminal.
    #[command(subcommand)]
    Users(UsersCommand),
    /// API tokens for `POST/PUT/DELETE /api/articles` (Authorization: Bearer …).
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Poll every source (or one) once now, whatever its schedule, and report each.
    ///
    /// `zixun serve` polls on each source's own interval by itself; this is for cron jobs,
    /// first fills and trying a new source. Exit status 0 when every poll succeeded, 3 when
    /// some failed.
    Fetch(FetchArgs),
    /// Measurements (see bench/ in the repository).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Quality evaluations.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// The store as a whole: move a site between backends.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Pushes of new stories to search engines (Baidu 普通收录, IndexNow; `baidu_push_token`,
    /// `indexnow_key`): `zixun serve` sends each story's URL once, when first published.
    #[command(subcommand)]
    Push(PushCommand),
    /// The site's 敏感词 list (`sensitive_words`): a word and a mode a line, `block` (publishing
    /// refused), `review` (held for an editor) or `replace` (shown as ＊). A running server reads
    /// the file again whenever it changes; no restart, no reload command.
    #[command(subcommand)]
    Words(WordsCommand),
}

#[derive(Debug, Subcommand)]
pub enum WordsCommand {
    /// Read the list (the configured one, or FILE) and report each bad line and each word's
    /// mode; with text on standard input, also show what the list finds in it and how it is
    /// shown to readers. Exit status 0 when every line is good, 3 when some are not.
    Check {
        /// A list to try before it replaces the configured one.
        file: Option<std::path::PathBuf>,
        /// Read text from standard input and show the hits and the masked text.
        #[arg(long)]
        text: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PushCommand {
    /// What was pushed, newest first: when, engine, state, attempts, URL and the engine's
    /// answer; then each engine's quota left as it last said and the entries waiting.
    Log {
        /// Entries shown.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy the whole site in --data-dir's SQLite into PostgreSQL: articles, stories, views and
    /// their hourly history, corpus statistics, sources with their fetch state, users,
    /// sessions, tokens, the audit log and uploads, keeping every id.
    ///
    /// Refuses a target that holds data unless --force. Killed half-way, the same command
    /// completes the copy. Prints the rows of each table on both sides; exit status 0 when they
    /// agree, 3 when any differs.
    Copy(StoreCopyArgs),
}

#[derive(Debug, Args)]
pub struct StoreCopyArgs {
    /// The PostgreSQL database to copy into (postgres://user@host/db); it is migrated first.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Copy into a database that already holds articles, users or sources (rows with the same
    /// ids are kept as they are).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add an account: `zixun users add 王编辑 --role editor`
    Add {
        name: String,
        #[arg(long, value_parser = ["admin", "editor", "author"])]
        role: String,
    },
    /// Name, role, whether disabled.
    List,
    /// Set a new password (ends the user's sessions).
    Passwd { name: String },
    /// Disable an account (ends its sessions; its tokens stop working), or enable it again.
    Disable {
        name: String,
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Make a token for a user; it is printed once, on standard output, and kept only as a hash.
    Add {
        #[arg(long)]
        user: String,
        /// What the token is for (shown in `tokens list`).
        #[arg(long)]
        label: Option<String>,
    },
    /// Every token: id, user, label, created, last used, revoked.
    List,
    /// Revoke a token by its id (see `tokens list`).
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add a feed: `zixun sources add https://outlet.example/rss.xml --name 财联社 --category 财经`
    Add(SourceAddArgs),
    /// Name, URL, interval, last fetch and its status, entries stored, errors.
    List,
    /// Remove a source by name or URL (its articles stay).
    Remove {
        /// Name or URL.
        source: String,
    },
    /// Add every feed of an OPML file (folders become categories); known ones are skipped.
    Import {
        #[arg(value_name = "FILE.opml")]
        file: PathBuf,
        /// Poll interval for the new sources.
        #[arg(long, default_value = "15m", value_parser = parse_interval)]
        interval: i64,
    },
    /// Print the sources as OPML 2.0 on standard output.
    Export,
}

#[derive(Debug, Args)]
pub struct SourceAddArgs {
    /// Feed URL (http or https).
    pub url: String,
    /// Shown as 来源：NAME on each article [default: the feed's title]
    #[arg(long)]
    pub name: Option<String>,
    /// Category given to its articles.
    #[arg(long)]
    pub category: Option<String>,
    /// Poll interval: `90s`, `15m`, `2h`, `1d` (at least 1 minute).
    #[arg(long, default_value = "15m", value_parser = parse_interval)]
    pub interval: i64,
    /// Download its entries' images (checked, resized, stored as uploads) instead of showing
    /// them from the outlet's server (shown without a referrer, which sinaimg and qpic need).
    #[arg(long)]
    pub localize_images: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Only this source (name or URL).
    #[arg(long)]
    pub source: Option<String>,
}

/// `90s`, `15m`, `2h`, `1d` (a bare number is minutes) to seconds; at least one minute.
pub fn parse_interval(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (number, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, "m"), |at| s.split_at(at));
    let n: i64 = number.parse().map_err(|_| format!("{s:?} is not an interval like 90s, 15m, 2h or 1d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (use s, m, h or d)")),
    };
    if secs < 60 {
        Err(format!("{s:?} is under a minute; outlets do not like being polled that often"))
    } else {
        Ok(secs)
    }
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
    /// Print each of zixun's lists that holds two copies of one story, with the copies' ids.
    #[arg(long)]
    pub show_leaks: bool,
    /// Import into this folder and keep it (instead of a temporary one). When it already holds
    /// articles, the import is skipped: later runs over a big corpus start at once.
    #[arg(long, value_name = "DIR")]
    pub keep_data: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Known-item search: latency percentiles, zero-hit rate and MRR@10 over a query file.
    Search(BenchSearchArgs),
    /// Login cost: milliseconds per argon2id hash and per verification, with the parameters,
    /// against one BLAKE3 token hash (what an API request costs) in the same run.
    Password {
        /// Hashes to time.
        #[arg(long, default_value_t = 20)]
        rounds: u32,
    },
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
    /// Run no site-wide background jobs on this node (scheduled publishing, feed polling); it
    /// still follows the store and serves. Never required: any number of nodes may run them.
    #[arg(long)]
    pub no_background: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON Lines file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
}
