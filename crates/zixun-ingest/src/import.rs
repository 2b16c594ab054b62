//! `zixun import`: JSON Lines in, batched transactions, bad lines reported and skipped.

use std::{
    io::BufRead,
    time::{Duration, Instant},
};

use rayon::prelude::*;
use zixun_core::text::CorpusStats;
use zixun_store::{Store, StoreError};

use crate::{ArticlePreparer, ImportRecord, prepare::PreparedArticle, write::write_prepared};

/// Lines committed per transaction.
pub const BATCH_LINES: usize = 256;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub inserted: u64,
    pub updated: u64,
    /// Lines identical to what is stored (a file imported twice).
    pub unchanged: u64,
    /// (line number, reason) of every rejected line.
    pub rejected: Vec<(u64, String)>,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl ImportReport {
    pub fn imported(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the input after line {line}: {source}")]
    Read { line: u64, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Importer<'a> {
    pub store: &'a dyn Store,
    pub preparer: ArticlePreparer,
}

impl Importer<'_> {
    /// Imports every line of `input`. `on_reject(line, reason)` hears of each bad line as it
    /// is found, `on_progress(bytes_read)` after each batch. Each batch is one transaction:
    /// killed half-way, every committed article is whole and a rerun completes the rest.
    pub async fn run(
        &self,
        input: &mut dyn BufRead,
        mut on_reject: impl FnMut(u64, &str),
        mut on_progress: impl FnMut(u64),
    ) -> Result<ImportReport, ImportError> {
        let started = Instant::now();
        let mut report = ImportReport::default();
        let mut corpus = self.store.corpus_stats().await?;
        let mut line_no = 0u64;
        let mut batch: Vec<(u64, String)> = Vec::with_capacity(BATCH_LINES);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = input.read_until(b'\n', &mut buf).map_err(|source| ImportError::Read { line: line_no, source })?;
            if n == 0 {
                break;
            }
            line_no += 1;
            report.bytes += n as u64;
            match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(line) if line.trim().is_empty() => {}
                Ok(line) => batch.push((line_no, line)),
                Err(_) => {
                    let reason = "not valid UTF-8";
                    on_reject(line_no, reason);
                    report.rejected.push((line_no, reason.into()));
                }
            }
            if batch.len() >= BATCH_LINES {
                self.commit_batch(&mut batch, &mut corpus, &mut report, &mut on_reject).await?;
                on_progress(report.bytes);
            }
        }
        self.commit_batch(&mut batch, &mut corpus, &mut report, &mut on_reject).await?;
        on_progress(report.bytes);
        report.elapsed = started.elapsed();
        Ok(report)
    }

    async fn commit_batch(
        &self,
        batch: &mut Vec<(u64, String)>,
        corpus: &mut CorpusStats,
        report: &mut ImportReport,
        on_reject: &mut impl FnMut(u64, &str),
    ) -> Result<(), ImportError> {
        if batch.is_empty() {
            return Ok(());
        }
        // Analysis is the costly part and needs no store: spread it over the cores.
        let results: Vec<(u64, Result<PreparedArticle, String>)> = batch
            .par_iter()
            .map(|(line_no, line)| {
                let prepared = ImportRecord::parse(line)
                    .map_err(|e| e.to_string())
                    .and_then(|r| self.preparer.prepare(&r, Some(corpus)).map_err(|e| e.to_string()));
                (*line_no, prepared)
            })
            .collect();
        batch.clear();
        let mut prepared = Vec::with_capacity(results.len());
        for (line_no, result) in results {
            match result {
                Ok(p) => prepared.push(p),
                Err(reason) => {
                    on_reject(line_no, &reason);
                    report.rejected.push((line_no, reason));
                }
            }
        }
        let (counts, _) = write_prepared(self.store, &prepared, corpus).await?;
        report.inserted += counts.inserted;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;
        Ok(())
    }
}
