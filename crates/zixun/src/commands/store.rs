//! `zixun store copy --to postgres://…`

use std::{process::ExitCode, sync::Mutex, time::Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use zixun_store::{Backend, OpenOptions, PgStore, SqliteStore, copy};

use crate::{cli::StoreCopyArgs, config::Config, runtime};

pub async fn copy(config: &Config, args: &StoreCopyArgs) -> Result<ExitCode> {
    let db = config.data_dir.join(SqliteStore::FILE_NAME);
    if !db.exists() {
        anyhow::bail!("no SQLite database at {}: give the site's --data-dir", db.display());
    }
    let from = SqliteStore::open(&db).await.with_context(|| format!("data folder {}", config.data_dir.display()))?;
    let options = OpenOptions {
        story: runtime::story_policy(config)?,
        max_connections: 4,
        revisions_kept: config.revisions_kept,
    };
    let to = PgStore::connect(&args.to, &options).await.context("--to")?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>22} [{bar:40}] {pos}/{len} {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let current = Mutex::new(String::new());
    let progress = |table: &str, done: u64, total: u64| {
        let mut cur = current.lock().unwrap_or_else(|p| p.into_inner());
        if *cur != table {
            *cur = table.to_string();
            bar.reset();
            bar.set_prefix(table.to_string());
            bar.set_length(total);
        }
        bar.set_position(done);
    };
    let started = Instant::now();
    let report = copy::copy_site(&from, &to, args.force, &progress).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!("{:<22} {:>12} {:>12}", "table", "sqlite", "postgres");
    for c in &report.counts {
        let mark = if c.source == c.target { "" } else { "  ← differs" };
        println!("{:<22} {:>12} {:>12}{mark}", c.table, c.source, c.target);
    }
    let articles = report.counts.iter().find(|c| c.table == "articles").map_or(0, |c| c.source);
    println!(
        "copied in {seconds:.1} s ({:.0} articles/s){}",
        articles as f64 / seconds.max(0.001),
        if report.resumed { ", completing an interrupted copy" } else { "" }
    );
    from.close().await;
    to.close().await;
    if report.all_equal() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: some tables differ between the two databases (see above)");
        Ok(ExitCode::from(3))
    }
}
