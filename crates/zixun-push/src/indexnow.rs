//! IndexNow (Bing, Yandex, Seznam, Naver…): `POST {endpoint}` with
//! `{"host", "key", "keyLocation", "urlList"}` as JSON, at most 10,000 URLs a request; the
//! engine checks the key at `https://{host}/{key}.txt`, which the site serves.

use async_trait::async_trait;
use serde::Serialize;

use crate::engine::{Attempt, Engine, http_error};

/// The shared endpoint: every IndexNow engine receives what one receives.
pub const INDEXNOW_ENDPOINT: &str = "https://api.indexnow.org/indexnow";

/// Why a key is not one IndexNow takes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("indexnow_key must be 8 to 128 characters of a-z, A-Z, 0-9 and '-' (got {len} characters)")]
pub struct KeyError {
    pub len: usize,
}

/// A key as the protocol allows it: 8–128 of `a-zA-Z0-9-`.
pub fn check_key(key: &str) -> Result<(), KeyError> {
    let ok = (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok { Ok(()) } else { Err(KeyError { len: key.chars().count() }) }
}

pub struct IndexNow {
    endpoint: url::Url,
    host: String,
    key: String,
    key_location: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Submission<'a> {
    host: &'a str,
    key: &'a str,
    key_location: &'a str,
    url_list: &'a [String],
}

impl IndexNow {
    /// `site` is the site's base URL: its host is the submission's, and the key file is at
    /// its root.
    pub fn new(endpoint: &str, site: &str, key: &str) -> Result<IndexNow, String> {
        check_key(key).map_err(|e| e.to_string())?;
        let endpoint = url::Url::parse(endpoint).map_err(|e| format!("indexnow_endpoint: {e}"))?;
        let site = url::Url::parse(site).map_err(|e| format!("base_url: {e}"))?;
        let host = site.host_str().ok_or("base_url has no host")?.to_string();
        let key_location = site.join(&format!("/{key}.txt")).map_err(|e| format!("base_url: {e}"))?.to_string();
        Ok(IndexNow { endpoint, host, key: key.to_string(), key_location })
    }
}

fn read_answer(status: reqwest::StatusCode, body: &str, sent: usize) -> Attempt {
    match status.as_u16() {
        // 202: received, the key not checked yet.
        200 | 202 => {
            Attempt::Accepted { answer: format!("HTTP {} for {sent}", status.as_u16()), remain: None, refused: vec![] }
        }
        // Malformed, or URLs that are not the host's: sending it again changes nothing.
        400 | 422 => Attempt::Refused(http_error(status, body)),
        // 403 (the key file not readable yet), 429 (too many requests), 5xx.
        _ => Attempt::Retry(http_error(status, body)),
    }
}

#[async_trait]
impl Engine for IndexNow {
    fn name(&self) -> &'static str {
        "indexnow"
    }

    fn batch_limit(&self) -> usize {
        10_000
    }

    async fn send(&self, client: &reqwest::Client, urls: &[String]) -> Attempt {
        let submission =
            Submission { host: &self.host, key: &self.key, key_location: &self.key_location, url_list: urls };
        match client.post(self.endpoint.clone()).json(&submission).send().await {
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                read_answer(status, &body, urls.len())
            }
            Err(e) => Attempt::Retry(format!("cannot reach IndexNow: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    #[test]
    fn keys_follow_the_protocol() {
        assert!(check_key("a1b2c3d4").is_ok());
        assert!(check_key("0123456789abcdef-ABCDEF").is_ok());
        assert_eq!(check_key("short"), Err(KeyError { len: 5 }));
        assert!(check_key("has space1").is_err());
        assert!(check_key(&"k".repeat(129)).is_err());
    }

    #[test]
    fn the_submission_names_the_host_and_the_key_file() {
        let i = IndexNow::new(INDEXNOW_ENDPOINT, "https://news.example.com/", "a1b2c3d4e5").expect("engine");
        let urls = vec!["https://news.example.com/a/1".to_string()];
        let s = Submission { host: &i.host, key: &i.key, key_location: &i.key_location, url_list: &urls };
        assert_eq!(
            serde_json::to_value(&s).expect("json"),
            serde_json::json!({"host": "news.example.com", "key": "a1b2c3d4e5",
                "keyLocation": "https://news.example.com/a1b2c3d4e5.txt", "urlList": ["https://news.example.com/a/1"]})
        );
        assert!(IndexNow::new(INDEXNOW_ENDPOINT, "https://news.example.com", "bad key").is_err());
    }

    #[test]
    fn answers_sort_into_taken_retry_and_refused() {
        assert!(matches!(read_answer(StatusCode::OK, "", 3), Attempt::Accepted { .. }));
        assert!(matches!(read_answer(StatusCode::ACCEPTED, "", 3), Attempt::Accepted { .. }));
        assert!(matches!(read_answer(StatusCode::UNPROCESSABLE_ENTITY, "", 3), Attempt::Refused(_)));
        assert!(matches!(read_answer(StatusCode::FORBIDDEN, "", 3), Attempt::Retry(_)));
        assert!(matches!(read_answer(StatusCode::TOO_MANY_REQUESTS, "", 3), Attempt::Retry(_)));
    }
}
