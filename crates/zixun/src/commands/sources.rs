//! `zixun sources add|list|remove|import|export`

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use zixun_core::SiteClock;
use zixun_ingest::feed::{Fetched, Validators, parse_feed, parse_opml, write_opml};
use zixun_store::{NewSource, SourceStore, StoreError};

use crate::{
    cli::{SourceAddArgs, SourcesCommand},
    config::Config,
    runtime,
};

pub async fn run(config: &Config, cmd: &SourcesCommand) -> Result<ExitCode> {
    let store = runtime::open_store(config).await?;
    match cmd {
        SourcesCommand::Add(args) => add(config, store.as_ref(), args).await?,
        SourcesCommand::List => list(config, store.as_ref()).await?,
        SourcesCommand::Remove { source } => {
            if !store.remove_source(source).await? {
                bail!("no source named {source:?} or with that URL (see `zixun sources list`)");
            }
            println!("removed {source}");
        }
        SourcesCommand::Import { file, interval } => {
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let feeds = parse_opml(&text).with_context(|| file.display().to_string())?;
            let (mut added, mut known) = (0, 0);
            for f in feeds {
                let new = NewSource {
                    name: f.name,
                    url: f.url,
                    category: f.category,
                    interval_secs: *interval,
                    localize_images: false,
                };
                match store.add_source(&new).await {
                    Ok(_) => added += 1,
                    Err(StoreError::Conflict(reason)) => {
                        eprintln!("skipped: {reason}");
                        known += 1;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            println!("added {added} sources ({known} already known)");
        }
        SourcesCommand::Export => {
            let sources: Vec<NewSource> = store
                .sources()
                .await?
                .into_iter()
                .map(|s| NewSource {
                    name: s.name,
                    url: s.url,
                    category: s.category,
                    interval_secs: s.interval_secs,
                    localize_images: s.localize_images,
                })
                .collect();
            print!("{}", write_opml(&format!("{} sources", config.site_name), &sources));
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn add(config: &Config, store: &dyn SourceStore, args: &SourceAddArgs) -> Result<()> {
    let url = url::Url::parse(&args.url).with_context(|| format!("{:?} is not a URL", args.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{url}: only http and https feeds can be polled");
    }
    // Try the feed once: a typo is better caught now than as a string of errors later.
    let checked = match runtime::feed_fetcher(config)?.fetch(url.as_str(), &Validators::default()).await {
        Ok(Fetched::Body { bytes, content_type, final_url, .. }) => {
            parse_feed(&bytes, content_type.as_deref(), Some(&final_url)).map_err(|e| e.to_string())
        }
        Ok(Fetched::NotModified) => Err("the server answered 304 Not Modified to a plain request".into()),
        Err(e) => Err(e.to_string()),
    };
    let feed_title = match &checked {
        Ok(feed) => {
            println!("checked: a feed with {} entries ({})", feed.entries.len(), feed.encoding);
            feed.title.clone().filter(|t| !t.is_empty())
        }
        Err(reason) => {
            eprintln!("warning: the feed could not be read now ({reason}); added anyway, it will be retried");
            None
        }
    };
    let name = args.name.clone().or(feed_title).unwrap_or_else(|| url.host_str().unwrap_or("feed").to_string());
    let new = NewSource {
        name,
        url: url.to_string(),
        category: args.category.clone(),
        interval_secs: args.interval,
        localize_images: args.localize_images,
    };
    let source = store.add_source(&new).await?;
    println!("added {} <{}> every {}", source.name, source.url, interval_text(source.interval_secs));
    Ok(())
}

async fn list(config: &Config, store: &dyn SourceStore) -> Result<()> {
    let sources = store.sources().await?;
    if sources.is_empty() {
        println!("no sources yet; add one with `zixun sources add URL --name NAME`");
        return Ok(());
    }
    let clock = runtime::clock(config)?;
    let now = SiteClock::now();
    for s in sources {
        let last = match s.last_fetch_at {
            Some(at) => format!("{} {}", clock.format(at), s.last_status.as_deref().unwrap_or("")),
            None => "never fetched".into(),
        };
        let next = if s.next_fetch_at <= now {
            "due now".into()
        } else {
            format!("next in {}", interval_text(s.next_fetch_at - now))
        };
        println!("{}  <{}>", s.name, s.url);
        println!(
            "    category {} · every {} · last {} · {} · {} entries · {} errors",
            s.category.as_deref().unwrap_or("-"),
            interval_text(s.interval_secs),
            last,
            next,
            s.items,
            s.errors
        );
        if let Some(e) = &s.last_error {
            println!("    last error ({} in a row): {e}", s.failures);
        }
    }
    Ok(())
}

fn interval_text(secs: i64) -> String {
    match secs {
        s if s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
