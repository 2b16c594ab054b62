//! `zixun import FILE|-`

use std::{
    fs::File,
    io::{BufRead, BufReader, IsTerminal},
    process::ExitCode,
};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use zixun_ingest::{ImportReport, Importer};

use crate::{cli::ImportArgs, config::Config, runtime};

pub async fn run(config: &Config, args: &ImportArgs) -> Result<ExitCode> {
    let (mut input, total): (Box<dyn BufRead>, Option<u64>) = if args.file == "-" {
        (Box::new(BufReader::new(std::io::stdin().lock())), None)
    } else {
        let file = File::open(&args.file).with_context(|| format!("cannot open {}", args.file))?;
        let len = file.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::with_capacity(1 << 20, file)), len)
    };
    let store = runtime::open_store(config).await?;
    let preparer = runtime::preparer(config, runtime::analyzer(config)?)?;
    let progress = progress_bar(total);
    let images = runtime::image_localizer(config, store.clone())?;
    let importer =
        Importer { store: store.as_ref(), preparer, images: config.localize_images.then_some(images.as_ref()) };
    let report = importer
        .run(
            &mut input,
            |line, reason| progress.suspend(|| eprintln!("line {line}: {reason}")),
            |bytes| progress.set_position(bytes),
        )
        .await?;
    progress.finish_and_clear();
    store.close().await;
    eprintln!("{}", summary_line(&report));
    Ok(match (report.imported(), report.rejected.len()) {
        (_, 0) => ExitCode::SUCCESS,
        (0, _) if report.bytes == 0 => ExitCode::from(1),
        _ => ExitCode::from(3),
    })
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    let style = ProgressStyle::with_template(
        "{spinner} importing [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// `imported 10,494 (updated 0, unchanged 0, rejected 2) in 4.1 s`
pub fn summary_line(r: &ImportReport) -> String {
    format!(
        "imported {} (updated {}, unchanged {}, rejected {}) in {:.1} s",
        thousands(r.imported()),
        thousands(r.updated),
        thousands(r.unchanged),
        thousands(r.rejected.len() as u64),
        r.elapsed.as_secs_f64()
    )
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(10494), "10,494");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
