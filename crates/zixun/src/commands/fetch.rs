//! `zixun fetch [--source NAME]`: poll sources once now.

use std::{process::ExitCode, sync::Arc};

use anyhow::{Result, bail};

use crate::{cli::FetchArgs, config::Config, runtime};

pub async fn run(config: &Config, args: &FetchArgs) -> Result<ExitCode> {
    let store = runtime::open_store(config).await?;
    let sources = match &args.source {
        Some(name) => match store.source(name).await? {
            Some(s) => vec![s],
            None => bail!("no source named {name:?} or with that URL (see `zixun sources list`)"),
        },
        None => store.sources().await?,
    };
    if sources.is_empty() {
        println!("no sources to fetch; add one with `zixun sources add URL`");
        return Ok(ExitCode::SUCCESS);
    }
    let images = runtime::image_localizer(config, store.clone())?;
    let poller = Arc::new(runtime::feed_poller(
        config,
        store.clone(),
        runtime::preparer(config, runtime::analyzer(config)?)?,
        images,
    )?);
    // Several at once, as in `serve`: a slow source does not hold the others up.
    let limit = Arc::new(tokio::sync::Semaphore::new(config.feed_parallel.max(1)));
    let mut polls = tokio::task::JoinSet::new();
    for source in sources {
        let (poller, limit) = (poller.clone(), limit.clone());
        polls.spawn(async move {
            let _permit = limit.acquire_owned().await;
            poller.poll(&source).await
        });
    }
    let mut failed = 0;
    while let Some(joined) = polls.join_next().await {
        let report = joined??;
        if report.outcome.is_err() {
            failed += 1;
        }
        if let Ok(counts) = &report.outcome {
            for (entry, reason) in &counts.skipped {
                eprintln!("{}: skipped {entry}: {reason}", report.source);
            }
        }
        println!("{report}");
    }
    store.close().await;
    Ok(if failed > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
