//! View counting: buffered in memory, written in batches, flushed at shutdown.

use std::collections::HashMap;

use parking_lot::Mutex;
use zixun_core::SiteClock;
use zixun_store::{Store, StoreError};

#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<i64, i64>>,
}

impl ViewCounter {
    pub fn record(&self, article_id: i64) {
        *self.pending.lock().entry(article_id).or_insert(0) += 1;
    }

    /// Writes the buffered views; on failure they go back into the buffer (none is lost).
    pub async fn flush(&self, store: &dyn Store) -> Result<(), StoreError> {
        let batch = std::mem::take(&mut *self.pending.lock());
        if batch.is_empty() {
            return Ok(());
        }
        let hour = SiteClock::now() / 3600;
        if let Err(e) = store.add_views(hour, &batch).await {
            let mut pending = self.pending.lock();
            for (id, n) in batch {
                *pending.entry(id).or_insert(0) += n;
            }
            return Err(e);
        }
        Ok(())
    }

    pub fn pending(&self) -> i64 {
        self.pending.lock().values().sum()
    }
}

/// Known crawlers and link previewers, by User-Agent: their fetches are not views.
pub fn is_crawler(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    const MARKS: &[&str] = &[
        "bot",
        "spider",
        "crawl",
        "slurp",
        "facebookexternalhit",
        "mediapartners",
        "bytespider",
        "yisouspider",
        "headlesschrome",
        "lighthouse",
        "python-requests",
        "scrapy",
        "wget",
    ];
    MARKS.iter().any(|m| ua.contains(m))
}

#[cfg(test)]
mod tests {
    use super::is_crawler;

    #[test]
    fn crawlers_are_known() {
        assert!(is_crawler("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"));
        assert!(is_crawler("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(!is_crawler("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0"));
    }
}
