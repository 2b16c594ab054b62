//! `zixun reindex`: the search index rebuilt from the store, with a progress bar.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use zixun_search::SearchIndex;

use crate::{config::Config, runtime};

pub async fn run(config: &Config) -> Result<()> {
    let store = runtime::open_store(config).await?;
    let analyzer = runtime::analyzer(config)?;
    let index = std::sync::Arc::new(
        SearchIndex::open(&config.index_dir(), analyzer)
            .context("cannot open the search index (is `zixun serve` running on this data folder? stop it first)")?,
    );
    index.clear()?;
    let total = store.max_seq().await?;
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(total as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template(
            "reindexing [{elapsed_precise}] {wide_bar} {pos}/{len} changes ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let done = index.follow(store.as_ref(), |_, seq| bar.set_position(seq as u64)).await?;
    bar.finish_and_clear();
    eprintln!(
        "indexed {} articles ({} changes read) in {:.1} s",
        index.num_docs(),
        done,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
