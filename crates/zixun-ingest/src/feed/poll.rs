//! One poll of one source: fetch, parse, turn entries into articles through the same
//! preparation as import, store them, and write the outcome back to the source.

use std::{collections::HashSet, sync::Arc, time::Instant};

use zixun_core::{SiteClock, html::cut};
use zixun_store::{Backend, FetchRecord, FetchStatus, Source, StoreError};

use super::{
    fetch::{FeedFetcher, Fetched, Validators},
    parse::{FeedEntry, parse_feed},
};
use crate::{
    ArticlePreparer, ArticleWriter, DraftFields, ImageLocalizer, ImportRecord, WriteError, prepare::field_limit,
};

/// Longest wait after repeated failures (a source that fails for a day is tried every 6 h).
pub const BACKOFF_CEILING_SECS: i64 = 6 * 3600;
/// Most tags taken from an entry's categories.
const MAX_ENTRY_TAGS: usize = 5;

/// What one poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    pub source: String,
    pub outcome: Result<EntryCounts, String>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EntryCounts {
    pub not_modified: bool,
    pub entries: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// (entry, reason) of entries that could not become articles.
    pub skipped: Vec<(String, String)>,
}

impl std::fmt::Display for PollReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.outcome {
            Ok(c) if c.not_modified => write!(f, "{}: not modified ({} ms)", self.source, self.elapsed_ms),
            Ok(c) => write!(
                f,
                "{}: {} entries: {} new, {} updated, {} unchanged, {} skipped ({} ms)",
                self.source,
                c.entries,
                c.inserted,
                c.updated,
                c.unchanged,
                c.skipped.len(),
                self.elapsed_ms
            ),
            Err(e) => write!(f, "{}: error: {e} ({} ms)", self.source, self.elapsed_ms),
        }
    }
}

pub struct FeedPoller {
    pub store: Arc<dyn Backend>,
    pub fetcher: FeedFetcher,
    writer: ArticleWriter,
    /// For sources with `localize_images`.
    images: Arc<ImageLocalizer>,
}

impl FeedPoller {
    pub fn new(
        store: Arc<dyn Backend>,
        fetcher: FeedFetcher,
        preparer: ArticlePreparer,
        images: Arc<ImageLocalizer>,
    ) -> Self {
        FeedPoller { store: store.clone(), fetcher, writer: ArticleWriter::new(store, preparer), images }
    }

    /// Polls `source` once and records the outcome. Only a store failure is an `Err`; a fetch
    /// or parse failure is recorded against the source and reported.
    pub async fn poll(&self, source: &Source) -> Result<PollReport, StoreError> {
        let started = Instant::now();
        let now = SiteClock::now();
        let outcome = self.fetch_and_store(source).await;
        let (status, validators, counts) = match outcome {
            Ok((counts, validators)) => {
                let status = if counts.not_modified { FetchStatus::NotModified } else { FetchStatus::Ok };
                (status, validators, Ok(counts))
            }
            Err(PollError::Store(e)) => return Err(e),
            Err(PollError::Source { code, message }) => {
                (FetchStatus::Error { code, message: message.clone() }, Validators::default(), Err(message))
            }
        };
        let failures = if matches!(status, FetchStatus::Error { .. }) { source.failures + 1 } else { 0 };
        let stored = counts.as_ref().map_or(0, |c| (c.inserted + c.updated) as i64);
        let record = FetchRecord {
            at: now,
            status,
            etag: validators.etag,
            last_modified: validators.last_modified,
            stored,
            next_fetch_at: now + next_delay(source.interval_secs, failures),
        };
        self.store.record_fetch(source.id, &record).await?;
        Ok(PollReport {
            source: source.name.clone(),
            outcome: counts,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    }

    async fn fetch_and_store(&self, source: &Source) -> Result<(EntryCounts, Validators), PollError> {
        let known = Validators { etag: source.etag.clone(), last_modified: source.last_modified.clone() };
        let fetched = self.fetcher.fetch(&source.url, &known).await.map_err(|e| PollError::source(e.code(), e))?;
        let Fetched::Body { bytes, content_type, final_url, validators } = fetched else {
            return Ok((EntryCounts { not_modified: true, ..EntryCounts::default() }, known));
        };
        // Parsing is CPU work: off the async threads.
        let parsed = tokio::task::spawn_blocking(move || parse_feed(&bytes, content_type.as_deref(), Some(&final_url)))
            .await
            .map_err(|e| PollError::source("parser", format!("parser failed: {e}")))?
            .map_err(|e| PollError::source(e.code(), e))?;
        let mut counts = EntryCounts { entries: parsed.entries.len() as u64, ..EntryCounts::default() };
        let now = SiteClock::now();
        let mut records = Vec::with_capacity(parsed.entries.len());
        let mut seen = HashSet::new();
        for e in &parsed.entries {
            // The same guid twice in one document: the first wins (feeds list newest first).
            if !seen.insert(e.guid.as_str()) {
                continue;
            }
            match entry_record(source, e, now) {
                Ok(r) => records.push((entry_name(e), r)),
                Err(reason) => counts.skipped.push((entry_name(e), reason)),
            }
        }
        if source.localize_images {
            for (name, r) in &mut records {
                self.images.localize_record(r, &format!("{}: {name}", source.name)).await?;
            }
        }
        let (names, records): (Vec<String>, Vec<_>) =
            records.into_iter().map(|(name, r)| (name, (r, DraftFields::default()))).unzip();
        let written = self.writer.write(records).await.map_err(|e| match e {
            WriteError::Store(e) => PollError::Store(e),
            other => PollError::source("write", other),
        })?;
        for (name, outcome) in names.into_iter().zip(written.outcomes) {
            if let Err(reason) = outcome {
                counts.skipped.push((name, reason.to_string()));
            }
        }
        for (entry, reason) in &counts.skipped {
            tracing::warn!(source = %source.name, entry = %entry, reason = %reason, "feed entry skipped");
        }
        let w = written.counts;
        Ok((EntryCounts { inserted: w.inserted, updated: w.updated, unchanged: w.unchanged, ..counts }, validators))
    }
}

enum PollError {
    /// The source's fault: recorded against it, with a stable code.
    Source { code: &'static str, message: String },
    /// Ours: the poll is not recorded and the caller hears of it.
    Store(StoreError),
}

impl PollError {
    fn source(code: &'static str, message: impl ToString) -> Self {
        PollError::Source { code, message: message.to_string() }
    }
}

impl From<StoreError> for PollError {
    fn from(e: StoreError) -> Self {
        PollError::Store(e)
    }
}

/// How an entry is named in reports: its link, else its guid.
fn entry_name(e: &FeedEntry) -> String {
    e.link.clone().unwrap_or_else(|| e.guid.clone())
}

/// An entry in the import format: the same checks and analysis as any other write.
fn entry_record(source: &Source, e: &FeedEntry, now: i64) -> Result<ImportRecord, String> {
    let text = zixun_core::html::html_to_text(&e.html);
    // What the import format limits, an outlet's entry is cut to (or, for a tag, left without).
    let title = match (&e.title, text.lines().next()) {
        (Some(t), _) => cut(t, field_limit("title")),
        (None, Some(first)) => cut(first, 40),
        (None, None) => return Err("entry has neither a title nor content".into()),
    };
    // A headline-only entry (a 快讯 or link feed) is kept as a brief that links to the original.
    let body_html =
        if text.trim().is_empty() { format!("<p>{}</p>", zixun_core::html::escape(&title)) } else { e.html.clone() };
    // A date in the future is the outlet's clock or a typo: it would pin the entry on top.
    let published_at = e.published.map(|p| p.min(now)).and_then(|p| jiff::Timestamp::from_second(p).ok());
    Ok(ImportRecord {
        id: Some(format!("feed:{}:{}", source.id, e.guid)),
        title,
        body: None,
        body_html: Some(body_html),
        author: e.author.as_deref().map(|a| cut(a, field_limit("author"))),
        source: Some(source.name.clone()),
        url: e.link.clone(),
        original: Some(false),
        category: source.category.clone(),
        tags: e
            .categories
            .iter()
            .filter(|c| !c.trim().is_empty() && c.chars().count() <= field_limit("tags"))
            .take(MAX_ENTRY_TAGS)
            .cloned()
            .collect(),
        published_at: published_at.map(|t| t.to_string()),
        status: None,
        // The entry's first image, once sanitized against the entry's address.
        cover: None,
        original_title: None,
        // A syndicated entry's author wrote the original (原作者).
        original_author: e.author.as_deref().map(|a| cut(a, field_limit("original_author"))),
        editor: None,
    })
}

/// Seconds until the next poll: the interval with ±10% jitter (so sources added together do
/// not stay in step), doubled for each failure in a row up to [`BACKOFF_CEILING_SECS`].
pub fn next_delay(interval_secs: i64, failures: i64) -> i64 {
    let base = if failures == 0 {
        interval_secs
    } else {
        let doubled = interval_secs.saturating_mul(1i64 << failures.clamp(0, 20));
        doubled.min(BACKOFF_CEILING_SECS.max(interval_secs))
    };
    let spread = (base / 10).max(1);
    (base + fastrand::i64(-spread..=spread)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling_with_jitter() {
        for _ in 0..100 {
            let d = next_delay(900, 0);
            assert!((810..=990).contains(&d), "{d}");
            let d = next_delay(900, 2);
            assert!((3240..=3960).contains(&d), "{d}");
            let d = next_delay(900, 30);
            assert!((BACKOFF_CEILING_SECS * 9 / 10..=BACKOFF_CEILING_SECS * 11 / 10).contains(&d), "{d}");
        }
    }
}
