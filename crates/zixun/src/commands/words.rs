//! `zixun words check`

use std::{io::Read, path::Path, process::ExitCode};

use anyhow::{Context, Result, bail};
use zixun_core::words::{WordMode, field_label};
use zixun_ingest::read_word_list;

use crate::config::Config;

pub fn check(config: &Config, file: Option<&Path>, text: bool) -> Result<ExitCode> {
    let Some(path) = file.or(config.sensitive_words.as_deref()) else {
        bail!("no list to check: give a FILE, or set sensitive_words (ZIXUN_SENSITIVE_WORDS)");
    };
    let (list, errors) = read_word_list(path)?;
    for e in &errors {
        eprintln!("{}: {e}", path.display());
    }
    let (block, review, replace) = list.counts();
    println!(
        "{}: {} words — {block} {}, {review} {}, {replace} {}; {} bad lines skipped",
        path.display(),
        list.len(),
        WordMode::Block.as_str(),
        WordMode::Review.as_str(),
        WordMode::Replace.as_str(),
        errors.len()
    );
    if text {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input).context("reading the text on standard input")?;
        for hit in list.find("body", &input) {
            println!("{}\t{}\t{}", hit.mode.as_str(), hit.word, field_label(hit.field));
        }
        println!("{}", list.mask(&input));
    }
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}
