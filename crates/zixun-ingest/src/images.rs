//! Remote images made the site's own (`localize_images`): each `<img>` of a body that points
//! at another site is downloaded under the feed fetcher's guard (public addresses only, time
//! and size bounded), recognised by its bytes (a page behind an image address is refused),
//! processed like an upload (upright, no EXIF, variants) and stored; its `src` becomes the
//! upload's path. An image that cannot be had stays where it is (pages show it without a
//! referrer) and is reported.

use std::{collections::HashMap, sync::Arc};

use parking_lot::Mutex;
use zixun_core::html::{escape, img_tags, sanitize_with_base, tag_attribute};
use zixun_media::Watermark;
use zixun_store::UploadStore;

use crate::feed::FeedFetcher;

/// Images taken from one body at most (a gallery of hundreds is a page, not an article).
const MAX_IMAGES: usize = 30;
/// Remote addresses remembered as already stored (a feed polled again is not downloaded again).
const REMEMBERED: usize = 20_000;

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
    known: Mutex<HashMap<String, String>>,
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

    /// `html` sanitized against `base` (the entry's address), its remote images stored.
    /// Only a store failure is an error; an image that fails is left remote and reported.
    pub async fn localize(&self, html: &str, base: Option<&str>) -> Result<Localized, zixun_store::StoreError> {
        let mut out = Localized { html: sanitize_with_base(html, base), ..Localized::default() };
        let mut seen = Vec::new();
        for src in image_sources(&out.html) {
            if seen.contains(&src) {
                continue;
            }
            seen.push(src.clone());
            if seen.len() > MAX_IMAGES {
                out.failed.push((src, format!("more than {MAX_IMAGES} images in one body")));
                continue;
            }
            match self.store_one(&src).await? {
                Ok(name) => {
                    out.html =
                        out.html.replace(&format!("src=\"{}\"", escape(&src)), &format!("src=\"/uploads/{name}\""));
                    out.stored += 1;
                }
                Err(reason) => out.failed.push((src, reason)),
            }
        }
        Ok(out)
    }

    /// The stored name of the image at `url`, or why it could not be had.
    async fn store_one(&self, url: &str) -> Result<Result<String, String>, zixun_store::StoreError> {
        if let Some(name) = self.known.lock().get(url) {
            return Ok(Ok(name.clone()));
        }
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
        for f in processed.variants.iter().chain([&processed.image]) {
            self.store.put_upload(&f.name.to_string(), &f.bytes).await?;
        }
        let name = processed.image.name.to_string();
        let mut known = self.known.lock();
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(url.to_owned(), name.clone());
        Ok(Ok(name))
    }
}

/// The web addresses of a sanitized body's images.
fn image_sources(html: &str) -> Vec<String> {
    img_tags(html)
        .filter_map(|(_, tag)| tag_attribute(tag, "src"))
        .filter(|src| src.starts_with("https://") || src.starts_with("http://"))
        .collect()
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
}
