//! `zixun import`: JSON Lines in, batched transactions, bad lines reported and skipped.

use std::{
    io::BufRead,
    time::{Duration, Instant},
};

use rayon::prelude::*;
use zixun_core::text::CorpusStats;
use zixun_store::{Backend, NewAudit, StoreError};

use crate::{
    ArticlePreparer, DraftFields, ImageLocalizer, ImportRecord,
    prepare::PreparedArticle,
    write::{audit_refusals, refusal, write_prepared},
};

/// Lines committed per transaction, at most ...
pub const BATCH_LINES: usize = 256;
/// ... and bytes of lines held for one (a batch of long articles stays small in memory).
pub const BATCH_BYTES: usize = 32 * 1024 * 1024;
/// What a line may hold besides its body: the other fields and JSON's escapes.
const LINE_OVERHEAD: usize = 64 * 1024;

/// Reads one line into `buf` (emptied first), holding at most `limit` bytes of it: the rest of
/// a longer line is read past, not kept. Returns the bytes the line took in the input (0 at
/// the end) and whether it was longer than `limit`.
fn read_bounded_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<(usize, bool)> {
    buf.clear();
    let (mut taken, mut too_long) = (0, false);
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((taken, too_long));
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        if !too_long && buf.len() + part.len() <= limit {
            buf.extend_from_slice(part);
        } else if !too_long {
            too_long = true;
            buf.clear();
            buf.shrink_to(64 * 1024);
        }
        let n = part.len();
        input.consume(n);
        taken += n;
        if done {
            return Ok((taken, too_long));
        }
    }
}

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
    pub store: &'a dyn Backend,
    pub preparer: ArticlePreparer,
    /// With the site's `localize_images`: bodies' remote images are stored as uploads first.
    pub images: Option<&'a ImageLocalizer>,
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
        let mut batch_bytes = 0;
        let max_line = self.preparer.max_body_bytes.saturating_mul(2).saturating_add(LINE_OVERHEAD);
        let mut buf = Vec::new();
        loop {
            let (n, too_long) = read_bounded_line(input, &mut buf, max_line)
                .map_err(|source| ImportError::Read { line: line_no, source })?;
            if n == 0 {
                break;
            }
            line_no += 1;
            report.bytes += n as u64;
            let line = if too_long {
                Err(format!("line is {n} bytes, over the limit of {max_line} (max_body_bytes × 2 + 64 KiB)"))
            } else {
                String::from_utf8(std::mem::take(&mut buf)).map_err(|_| "not valid UTF-8".to_string())
            };
            match line {
                Ok(line) if line.trim().is_empty() => {}
                Ok(line) => {
                    batch_bytes += line.len();
                    batch.push((line_no, line));
                }
                Err(reason) => {
                    on_reject(line_no, &reason);
                    report.rejected.push((line_no, reason));
                }
            }
            if batch.len() >= BATCH_LINES || batch_bytes >= BATCH_BYTES {
                batch_bytes = 0;
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
        let mut records: Vec<(u64, Result<ImportRecord, String>)> = batch
            .par_iter()
            .map(|(line_no, line)| (*line_no, ImportRecord::parse(line).map_err(|e| e.to_string())))
            .collect();
        if let Some(images) = self.images {
            for (line_no, record) in &mut records {
                if let Ok(r) = record {
                    images.localize_record(r, &format!("line {line_no}")).await?;
                }
            }
        }
        // Analysis is the costly part and needs no store: spread it over the cores.
        let fields = DraftFields::default();
        let results: Vec<(u64, Result<PreparedArticle, String>, Option<NewAudit>)> = records
            .into_par_iter()
            .map(|(line_no, record)| match record {
                Ok(r) => match self.preparer.prepare(&r, &fields, Some(corpus)) {
                    Ok(p) => (line_no, Ok(p), None),
                    Err(e) => (line_no, Err(e.to_string()), refusal(&r, &fields, &e)),
                },
                Err(reason) => (line_no, Err(reason), None),
            })
            .collect();
        batch.clear();
        let mut prepared = Vec::with_capacity(results.len());
        let mut refusals = Vec::new();
        for (line_no, result, refused) in results {
            refusals.extend(refused);
            match result {
                Ok(p) => prepared.push(p),
                Err(reason) => {
                    on_reject(line_no, &reason);
                    report.rejected.push((line_no, reason));
                }
            }
        }
        audit_refusals(self.store, &refusals).await?;
        let (counts, _) = write_prepared(self.store, &prepared, corpus).await?;
        report.inserted += counts.inserted;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use super::read_bounded_line;

    #[test]
    fn a_long_line_is_read_past_not_held() {
        let long = "x".repeat(1_000_000);
        let text = format!("short\n{long}\nafter\nlast");
        // A small read buffer: the long line arrives in many chunks.
        let mut input = BufReader::with_capacity(4096, Cursor::new(text.into_bytes()));
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        loop {
            let (n, too_long) = read_bounded_line(&mut input, &mut buf, 100).expect("read");
            if n == 0 {
                break;
            }
            assert!(buf.capacity() <= 64 * 1024, "never held whole: {}", buf.capacity());
            lines.push((n, too_long, String::from_utf8(buf.clone()).expect("utf-8")));
        }
        assert_eq!(
            lines,
            vec![
                (6, false, "short\n".to_string()),
                (1_000_001, true, String::new()),
                (6, false, "after\n".to_string()),
                (4, false, "last".to_string()),
            ]
        );
    }
}
