//! `zixun sources add|list|remove|import|export`

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use zixun_core::SiteClock;
use zixun_ingest::feed::{export_opml, import_opml};
use zixun_store::{NewSource, SourceStore};

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
            let done =
                import_opml(store.as_ref(), &text, *interval).await.with_context(|| file.display().to_string())?;
            for reason in &done.known {
                eprintln!("skipped: {reason}");
            }
            println!("added {} sources ({} already known)", done.added, done.known.len());
        }
        SourcesCommand::Export => {
            print!("{}", export_opml(&format!("{} sources", config.site_name), store.sources().await?));
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
    let feed_title = match runtime::feed_fetcher(config)?.probe(url.as_str()).await {
        Ok(probe) => {
            println!("checked: a feed with {} entries ({})", probe.entries, probe.encoding);
            probe.title
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
