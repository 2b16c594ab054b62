//! Baidu's 普通收录 API: `POST {endpoint}?site={site}&token={token}`, `text/plain`, one URL
//! a line, at most 2,000 a request. It answers
//! `{"success": 2, "remain": 2998, "not_same_site": [], "not_valid": []}`, or an HTTP error
//! with `{"error": 400, "message": "over quota"}`.

use async_trait::async_trait;
use serde::Deserialize;

use crate::engine::{Attempt, Engine, http_error};

/// Baidu's own endpoint.
pub const BAIDU_ENDPOINT: &str = "http://data.zz.baidu.com/urls";

pub struct Baidu {
    /// `{endpoint}?site=…&token=…`
    url: url::Url,
}

impl Baidu {
    /// `site` as registered in Baidu's 搜索资源平台 (the site's base URL).
    pub fn new(endpoint: &str, site: &str, token: &str) -> Result<Baidu, url::ParseError> {
        let mut url = url::Url::parse(endpoint)?;
        url.query_pairs_mut().append_pair("site", site.trim_end_matches('/')).append_pair("token", token);
        Ok(Baidu { url })
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    success: i64,
    remain: Option<i64>,
    #[serde(default)]
    not_same_site: Vec<String>,
    #[serde(default)]
    not_valid: Vec<String>,
}

#[derive(Deserialize)]
struct Failure {
    message: String,
}

/// Reads Baidu's answer to one request.
fn read_answer(status: reqwest::StatusCode, body: &str) -> Attempt {
    if status.is_success() {
        return match serde_json::from_str::<Answer>(body) {
            Ok(a) => {
                let refused = a
                    .not_valid
                    .into_iter()
                    .map(|u| (u, "not_valid".to_string()))
                    .chain(a.not_same_site.into_iter().map(|u| (u, "not_same_site".to_string())))
                    .collect::<Vec<_>>();
                let answer = match a.remain {
                    Some(r) => format!("success {}, remain {r}", a.success),
                    None => format!("success {}", a.success),
                };
                Attempt::Accepted { answer, remain: a.remain, refused }
            }
            Err(e) => {
                Attempt::Retry(format!("unreadable answer ({e}): {}", body.chars().take(200).collect::<String>()))
            }
        };
    }
    let message = serde_json::from_str::<Failure>(body).map(|f| f.message).ok();
    match (status.as_u16(), message.as_deref()) {
        // Too many URLs or an empty body: this batch will never be taken as it is.
        (400, Some(m)) if m.contains("only 2000") || m.contains("empty content") => Attempt::Refused(m.to_string()),
        // Over quota (the quota refills daily), a token or site not (yet) valid, Baidu down.
        (_, Some(m)) => Attempt::Retry(format!("HTTP {}: {m}", status.as_u16())),
        (_, None) => Attempt::Retry(http_error(status, body)),
    }
}

#[async_trait]
impl Engine for Baidu {
    fn name(&self) -> &'static str {
        "baidu"
    }

    fn batch_limit(&self) -> usize {
        2000
    }

    async fn send(&self, client: &reqwest::Client, urls: &[String]) -> Attempt {
        let sent = client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(urls.join("\n"))
            .send()
            .await;
        match sent {
            Ok(r) => {
                let status = r.status();
                match r.text().await {
                    Ok(body) => read_answer(status, &body),
                    Err(e) => Attempt::Retry(format!("reading the answer: {e}")),
                }
            }
            Err(e) => Attempt::Retry(format!("cannot reach Baidu: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    #[test]
    fn the_endpoint_carries_site_and_token() {
        let b = Baidu::new(BAIDU_ENDPOINT, "https://www.example.com/", "t0k").expect("url");
        assert_eq!(b.url.as_str(), "http://data.zz.baidu.com/urls?site=https%3A%2F%2Fwww.example.com&token=t0k");
    }

    #[test]
    fn answers_are_read_as_baidu_writes_them() {
        let ok = r#"{"remain":4999998,"success":2,"not_same_site":["https://other.example/a"],"not_valid":["bad"]}"#;
        assert_eq!(
            read_answer(StatusCode::OK, ok),
            Attempt::Accepted {
                answer: "success 2, remain 4999998".into(),
                remain: Some(4_999_998),
                refused: vec![
                    ("bad".into(), "not_valid".into()),
                    ("https://other.example/a".into(), "not_same_site".into())
                ],
            }
        );
        let quota = r#"{"error":400,"message":"over quota"}"#;
        assert_eq!(read_answer(StatusCode::BAD_REQUEST, quota), Attempt::Retry("HTTP 400: over quota".into()));
        let token = r#"{"error":401,"message":"token is not valid"}"#;
        assert!(matches!(read_answer(StatusCode::UNAUTHORIZED, token), Attempt::Retry(_)));
        let many = r#"{"error":400,"message":"only 2000 urls are allowed once"}"#;
        assert!(matches!(read_answer(StatusCode::BAD_REQUEST, many), Attempt::Refused(_)));
        assert!(
            matches!(read_answer(StatusCode::BAD_GATEWAY, "<html>"), Attempt::Retry(m) if m.starts_with("HTTP 502"))
        );
        assert!(matches!(read_answer(StatusCode::OK, "nonsense"), Attempt::Retry(_)));
    }
}
