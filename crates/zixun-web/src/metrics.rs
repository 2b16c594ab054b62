//! Prometheus metrics: requests by route and status, a latency histogram, cache hits and
//! misses, the article count.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::atomic::{AtomicI64, AtomicU64, Ordering},
    time::Instant,
};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use parking_lot::Mutex;

use crate::Ctx;

const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    articles: AtomicI64,
}

impl Metrics {
    pub fn set_articles(&self, n: i64) {
        self.articles.store(n, Ordering::Relaxed);
    }

    fn observe(&self, route: &str, status: u16, seconds: f64) {
        *self.requests.lock().entry((route.to_string(), status)).or_insert(0) += 1;
        let mut lat = self.latency.lock();
        let h = lat.entry(route.to_string()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    pub fn render(&self, node: &NodeGauges) -> String {
        let mut out = String::new();
        out.push_str("# HELP zixun_http_requests_total HTTP requests by route and status.\n# TYPE zixun_http_requests_total counter\n");
        for ((route, status), n) in self.requests.lock().iter() {
            let _ = writeln!(out, "zixun_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}", escape(route));
        }
        out.push_str("# HELP zixun_http_request_duration_seconds Request latency by route.\n# TYPE zixun_http_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().iter() {
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "zixun_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ =
                writeln!(out, "zixun_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "zixun_http_request_duration_seconds_sum{{route=\"{r}\"}} {}", h.sum);
            let _ = writeln!(out, "zixun_http_request_duration_seconds_count{{route=\"{r}\"}} {}", h.count);
        }
        let gauges: [(&str, &str, &str, String); 7] = [
            (
                "zixun_page_cache_hits_total",
                "counter",
                "Pages served from the page cache.",
                self.cache_hits.load(Ordering::Relaxed).to_string(),
            ),
            (
                "zixun_page_cache_misses_total",
                "counter",
                "Pages rendered because the cache had none.",
                self.cache_misses.load(Ordering::Relaxed).to_string(),
            ),
            ("zixun_articles", "gauge", "Published articles.", self.articles.load(Ordering::Relaxed).to_string()),
            (
                "zixun_page_cache_bytes",
                "gauge",
                "Bytes the page cache holds, as its budget (page_cache_mb) weighs them.",
                node.page_cache_bytes.to_string(),
            ),
            ("zixun_page_cache_pages", "gauge", "Pages in the page cache.", node.page_cache_pages.to_string()),
            (
                "zixun_views_pending",
                "gauge",
                "Views counted in memory, not yet written.",
                node.pending_views.to_string(),
            ),
            (
                "zixun_search_indexed_seq",
                "gauge",
                "Last store change searchable on this node.",
                node.indexed_seq.to_string(),
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out
    }
}

/// What `/metrics` reports of the node's own state besides the counters.
pub struct NodeGauges {
    pub pending_views: i64,
    pub indexed_seq: i64,
    pub page_cache_bytes: u64,
    pub page_cache_pages: u64,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub async fn track(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let res = next.run(req).await;
    ctx.metrics.observe(&route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}
