//! Rendered pages kept in memory, compressed once, served with ETags.
//!
//! Every change the node sees in the store drops the whole cache (see
//! `AppContext::follow_store`); entries also expire after a few seconds so that the view
//! counts and lists on a cached page lag by no more than that.

use std::{io::Write, sync::Arc, time::Duration};

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use moka::sync::Cache;

pub struct CachedPage {
    pub etag: String,
    pub identity: Arc<[u8]>,
    pub gzip: Arc<[u8]>,
    pub br: Arc<[u8]>,
    pub content_type: &'static str,
}

impl CachedPage {
    pub fn new(html: String, content_type: &'static str) -> Self {
        let bytes = html.into_bytes();
        let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..20]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        let gzip = gz.write_all(&bytes).and_then(|_| gz.finish()).unwrap_or_default();
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 5, ..Default::default() };
        let br_ok = brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).is_ok();
        CachedPage {
            etag,
            gzip: gzip.into(),
            br: if br_ok { br.into() } else { Vec::new().into() },
            identity: bytes.into(),
            content_type,
        }
    }

    /// The response for a request with these headers: 304 when the ETag matches, else the
    /// best encoding the client accepts.
    pub fn respond(&self, req: &HeaderMap, cache_hit: bool) -> Response {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
        headers.insert("x-cache", HeaderValue::from_static(if cache_hit { "hit" } else { "miss" }));
        let matches = req
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "*" || v.split(',').any(|t| t.trim().trim_start_matches("W/") == self.etag));
        if matches {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        let accept = req.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
        let accepts = |enc: &str| {
            accept.split(',').any(|p| {
                let mut it = p.split(';');
                it.next().is_some_and(|n| n.trim() == enc) && !it.any(|q| q.trim() == "q=0")
            })
        };
        let body = if accepts("br") && !self.br.is_empty() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            self.br.clone()
        } else if accepts("gzip") && !self.gzip.is_empty() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            self.gzip.clone()
        } else {
            self.identity.clone()
        };
        (StatusCode::OK, headers, Body::from(axum::body::Bytes::from_owner(body))).into_response()
    }
}

pub struct PageCache {
    pages: Cache<String, Arc<CachedPage>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        PageCache { pages: Cache::builder().max_capacity(20_000).time_to_live(ttl).build() }
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.pages.get(key)
    }

    pub fn insert(&self, key: String, page: Arc<CachedPage>) {
        self.pages.insert(key, page);
    }

    pub fn invalidate_all(&self) {
        self.pages.invalidate_all();
    }
}
