//! Remote images made the site's own (`localize_images`): each `<img>` of a body that points
//! at another site is downloaded under the feed fetcher's guard (public addresses only, time
//! and size bounded), recognised by its bytes (a page behind an image address is refused),
//! processed like an upload (upright, no EXIF, variants) and stored; its `src` becomes the
//! upload's path. An image that cannot be had stays where it is (pages show it without a
//! referrer) and is reported.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use parking_lot::Mutex;
use zixun_core::html::{MAX_NESTING, img_tags, is_web_address, nesting_depth, sanitize_with_base, tag_attribute};
use zixun_media::Watermark;
use zixun_store::UploadStore;

use crate::{ImportRecord, feed::FeedFetcher};

/// Images taken from one body at most (a gallery of hundreds is a page, not an article).
const MAX_IMAGES: usize = 30;
/// Remote addresses remembered as already stored (a feed polled again is not downloaded again).
const REMEMBERED: usize = 20_000;
/// A failed image is tried again after this.
const RETRY_AFTER: Duration = Duration::from_secs(3600);

/// What localizing a body did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Localized {
    /// The body, sanitized, with stored images' `src` rewritten.
    pub html: String,
    pub stored: usize,
    /// (address, why) of each image left remote.
    pub failed: Vec<(String, String)>,
}

pub struct ImageLocalizer {
    fetcher: FeedFetcher,
    store: Arc<dyn UploadStore>,
    max_bytes: usize,
    watermark: Option<Arc<Watermark>>,
    known: Mutex<HashMap<String, Known>>,
}

impl ImageLocalizer {
    pub fn new(
        fetcher: FeedFetcher,
        store: Arc<dyn UploadStore>,
        max_bytes: usize,
        watermark: Option<Arc<Watermark>>,
    ) -> ImageLocalizer {
        ImageLocalizer { fetcher, store, max_bytes, watermark, known: Mutex::new(HashMap::new()) }
    }

    /// The watermark put on what it stores (and on uploads: one file read for both).
    pub fn watermark(&self) -> Option<&Arc<Watermark>> {
        self.watermark.as_ref()
    }

    /// `record`'s HTML body with its remote images stored (see [`Self::localize`]); each image
    /// left remote is logged against `origin` (an entry, a line, the newsroom).
    pub async fn localize_record(
        &self,
        record: &mut ImportRecord,
        origin: &str,
    ) -> Result<(), zixun_store::StoreError> {
        let Some(html) = &record.body_html else { return Ok(()) };
        let localized = self.localize(html, record.url.as_deref()).await?;
        for (image, reason) in &localized.failed {
            tracing::warn!(origin, image = %image, reason = %reason, "image left on its server");
        }
        record.body_html = Some(localized.html);
        Ok(())
    }

    /// `html` sanitized against `base` (the entry's address), its remote images stored.
    /// Only a store failure is an error; an image that fails is left remote and reported.
    /// Markup nested past [`MAX_NESTING`] is given back as it came: preparation refuses it.
    pub async fn localize(&self, html: &str, base: Option<&str>) -> Result<Localized, zixun_store::StoreError> {
        let (raw, base) = (html.to_owned(), base.map(str::to_owned));
        // Sanitizing is CPU work: off the async threads.
        let clean = tokio::task::spawn_blocking(move || {
            (nesting_depth(&raw) <= MAX_NESTING).then(|| sanitize_with_base(&raw, base.as_deref()))
        })
        .await
        .ok()
        .flatten();
        let Some(clean) = clean else { return Ok(Localized { html: html.to_owned(), ..Localized::default() }) };
        let mut out = Localized::default();
        let mut stored: HashMap<String, String> = HashMap::new();
        for src in image_sources(&clean) {
            if stored.contains_key(&src) || out.failed.iter().any(|(f, _)| *f == src) {
                continue;
            }
            if stored.len() + out.failed.len() >= MAX_IMAGES {
                out.failed.push((src, format!("more than {MAX_IMAGES} images in one body")));
                continue;
            }
            match self.store_one(&src).await? {
                Ok(name) => {
                    stored.insert(src, name);
                }
                Err(reason) => out.failed.push((src, reason)),
            }
        }
        out.stored = stored.len();
        out.html = rewrite_sources(&clean, &stored);
        Ok(out)
    }

    /// The stored name of the image at `url`, or why it could not be had (a failure is
    /// remembered for an hour: a feed polled again does not wait on a dead image each time).
    async fn store_one(&self, url: &str) -> Result<Result<String, String>, zixun_store::StoreError> {
        if let Some(known) = self.known.lock().get(url) {
            match known {
                Known::Stored(name) => return Ok(Ok(name.clone())),
                Known::Failed(at, reason) if at.elapsed() < RETRY_AFTER => return Ok(Err(reason.clone())),
                Known::Failed(..) => {}
            }
        }
        let outcome = self.fetch_and_store(url).await?;
        let mut known = self.known.lock();
        if known.len() >= REMEMBERED {
            known.clear();
        }
        let entry = match &outcome {
            Ok(name) => Known::Stored(name.clone()),
            Err(reason) => Known::Failed(Instant::now(), reason.clone()),
        };
        known.insert(url.to_owned(), entry);
        Ok(outcome)
    }

    async fn fetch_and_store(&self, url: &str) -> Result<Result<String, String>, zixun_store::StoreError> {
        let bytes = match self.fetcher.fetch_image(url, self.max_bytes as u64).await {
            Ok(b) => b,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let (max, mark) = (self.max_bytes, self.watermark.clone());
        let processed =
            match tokio::task::spawn_blocking(move || zixun_media::process(&bytes, max, mark.as_deref())).await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => return Ok(Err(e.to_string())),
                Err(e) => return Ok(Err(format!("image task failed: {e}"))),
            };
        for f in processed.in_store_order() {
            self.store.put_upload(&f.name.to_string(), &f.bytes).await?;
        }
        Ok(Ok(processed.image.name.to_string()))
    }
}

/// What is known of a remote image.
enum Known {
    Stored(String),
    Failed(Instant, String),
}

/// `html` with the `src` of each image in `stored` pointing at its upload (tag by tag, as the
/// sanitizer wrote them: no second spelling of the address to match).
fn rewrite_sources(html: &str, stored: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut written = 0;
    for (at, tag) in img_tags(html) {
        let Some(name) = tag_attribute(tag, "src").and_then(|src| stored.get(&src)) else { continue };
        let Some(value_at) = tag.find(" src=\"").map(|i| i + 6) else { continue };
        let Some(len) = tag[value_at..].find('"') else { continue };
        out.push_str(&html[written..at.start]);
        out.push_str(&tag[..value_at]);
        out.push_str("/uploads/");
        out.push_str(name);
        out.push_str(&tag[value_at + len..]);
        written = at.end;
    }
    out.push_str(&html[written..]);
    out
}

/// The web addresses of a sanitized body's images.
fn image_sources(html: &str) -> Vec<String> {
    img_tags(html).filter_map(|(_, tag)| tag_attribute(tag, "src")).filter(|src| is_web_address(src)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_images_are_candidates() {
        let html = r#"<p>x</p><img src="https://a.example/1.jpg?w=1&amp;h=2" alt=""><img src="/uploads/x.png"><img src="http://b.example/2.png">"#;
        assert_eq!(image_sources(html), vec!["https://a.example/1.jpg?w=1&h=2", "http://b.example/2.png"]);
        assert!(image_sources("<p>无图</p>").is_empty());
    }

    #[test]
    fn sources_are_rewritten_tag_by_tag() {
        let html =
            r#"<p>x</p><img src="https://a.example/it's.jpg?a=1&amp;b=2" alt="a"><img src="https://b.example/2.png">"#;
        let stored = HashMap::from([("https://a.example/it's.jpg?a=1&b=2".to_string(), "h-1x1.jpg".to_string())]);
        assert_eq!(
            rewrite_sources(html, &stored),
            r#"<p>x</p><img src="/uploads/h-1x1.jpg" alt="a"><img src="https://b.example/2.png">"#
        );
    }
}
