//! One HTTP fetch of a feed: conditional GET, compression, bounded redirects, time and size.

use std::{sync::Arc, time::Duration};

use reqwest::{StatusCode, Url, header, redirect};

use super::address_guard::{self, PublicResolver, Refused};

/// How a fetch behaves. The defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    pub connect_timeout: Duration,
    /// For the whole exchange, body included (a trickling server cannot hold a fetch).
    pub timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
    /// Fetch from loopback, private, link-local and other non-public addresses too (intranet
    /// feeds, tests). Off by default: the SSRF guard refuses them, after DNS and on every hop.
    pub allow_private_addresses: bool,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            allow_private_addresses: false,
        }
    }
}

pub const USER_AGENT: &str =
    concat!("zixun/", env!("CARGO_PKG_VERSION"), " (feed fetcher; +https://example.invalid/zixun)");

/// The validators of the last successful fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        /// Where the redirects ended: the base for relative links.
        final_url: String,
        validators: Validators,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL: {0}")]
    Url(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("redirects: {0}")]
    Redirect(String),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("body over the limit of {0} bytes")]
    TooLarge(u64),
    #[error("transfer failed: {0}")]
    Transfer(String),
    /// Refused by the SSRF guard: the URL, a redirect or the name's addresses are not public.
    #[error("refused: {0}")]
    Forbidden(String),
}

impl FetchError {
    /// A stable code for what went wrong (stored with the source; the newsroom words it).
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::Url(_) => "url",
            FetchError::Timeout(_) => "timeout",
            FetchError::Connect(_) => "connect",
            FetchError::Redirect(_) => "redirect",
            FetchError::Status(_) => "http_status",
            FetchError::TooLarge(_) => "too_large",
            FetchError::Transfer(_) => "transfer",
            FetchError::Forbidden(_) => "refused",
        }
    }
}

#[derive(Clone)]
pub struct FeedFetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl FeedFetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let max = policy.max_redirects;
        let guard = !policy.allow_private_addresses;
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .redirect(redirect::Policy::custom(move |attempt| {
                match check_redirect(attempt.url(), attempt.previous(), max, guard) {
                    Ok(()) => attempt.follow(),
                    Err(e) => attempt.error(e),
                }
            }));
        if guard {
            // Names: only their public addresses are connected to.
            builder = builder.dns_resolver(Arc::new(PublicResolver));
        }
        let client = builder.build().map_err(|e| FetchError::Transfer(e.to_string()))?;
        Ok(FeedFetcher { client, policy })
    }

    pub async fn fetch(&self, url: &str, known: &Validators) -> Result<Fetched, FetchError> {
        const FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
        self.get(url, FEEDS, known, self.policy.max_bytes).await
    }

    /// An image a feed entry or a pasted body shows, under the same guard, time and redirect
    /// limits as a feed, at most `max_bytes` (what it is, its bytes will tell).
    pub async fn fetch_image(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        const IMAGES: &str = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.5";
        match self.get(url, IMAGES, &Validators::default(), max_bytes).await? {
            Fetched::Body { bytes, .. } => Ok(bytes),
            Fetched::NotModified => Err(FetchError::Status(304)),
        }
    }

    async fn get(&self, url: &str, accept: &str, known: &Validators, max_bytes: u64) -> Result<Fetched, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::Url(format!("{url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::Url(format!("{url}: only http and https are fetched")));
        }
        // IP-literal hosts never reach the resolver.
        if !self.policy.allow_private_addresses {
            address_guard::check_url(&parsed).map_err(|r| FetchError::Forbidden(r.0))?;
        }
        let mut request = self.client.get(parsed).header(header::ACCEPT, accept);
        if let Some(etag) = &known.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &known.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        let mut response = request.send().await.map_err(|e| self.classify(e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        if response.content_length().is_some_and(|n| n > max_bytes) {
            return Err(FetchError::TooLarge(max_bytes));
        }
        let header_value =
            |name: header::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_type = header_value(header::CONTENT_TYPE);
        let validators =
            Validators { etag: header_value(header::ETAG), last_modified: header_value(header::LAST_MODIFIED) };
        let final_url = response.url().to_string();
        // Counted as it arrives (after decompression): Content-Length may be absent or lie.
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            if bytes.len() as u64 + chunk.len() as u64 > max_bytes {
                return Err(FetchError::TooLarge(max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, content_type, final_url, validators })
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        // From the resolver or the redirect policy, somewhere in the chain.
        if let Some(refused) = address_guard::refusal_in(&e) {
            FetchError::Forbidden(refused.0.clone())
        } else if e.is_timeout() {
            FetchError::Timeout(self.policy.timeout)
        } else if e.is_redirect() {
            FetchError::Redirect(source_chain(&e))
        } else if e.is_connect() {
            FetchError::Connect(source_chain(&e))
        } else {
            FetchError::Transfer(source_chain(&e))
        }
    }
}

/// The redirect policy's decision on one hop to `url` after `previous`: followed, or why not.
/// With `guard`, a hop to a non-public IP literal is refused (names are checked by the resolver).
fn check_redirect(
    url: &Url,
    previous: &[Url],
    max: usize,
    guard: bool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if guard {
        address_guard::check_url(url).map_err(|r| Refused(format!("redirect to {url}: {r}")))?;
    }
    if previous.contains(url) {
        Err(format!("redirect loop at {url}").into())
    } else if previous.len() > max {
        Err(format!("more than {max} redirects").into())
    } else {
        Ok(())
    }
}

/// reqwest's own message is terse ("error sending request"); the cause says what happened.
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    // A redirect to loopback can only be exercised end to end after a first hop the guard lets
    // through, i.e. a public server, which the tests do not have offline. So the decision the
    // redirect policy applies to each hop is tested here directly.
    #[test]
    fn a_redirect_hop_to_a_private_address_is_refused() {
        let previous = [url("https://news.example/rss.xml")];
        for hop in [
            "http://127.0.0.1/internal",
            "http://2130706433/internal",
            "http://0x7f000001:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
        ] {
            let err = check_redirect(&url(hop), &previous, 5, true).expect_err(hop);
            let refused = address_guard::refusal_in(err.as_ref()).expect("the guard's refusal");
            assert!(refused.0.starts_with("redirect to "), "{hop}: {refused}");
        }
        // Public hops are followed; without the guard private ones are too.
        assert!(check_redirect(&url("https://1.1.1.1/rss.xml"), &previous, 5, true).is_ok());
        assert!(check_redirect(&url("http://127.0.0.1/feed.xml"), &previous, 5, false).is_ok());
        // The other limits still apply.
        let err = check_redirect(&previous[0], &previous, 5, true).expect_err("loop");
        assert!(err.to_string().contains("redirect loop"), "{err}");
        assert!(address_guard::refusal_in(err.as_ref()).is_none());
        let err = check_redirect(&url("https://news.example/b"), &previous, 0, true).expect_err("too many");
        assert!(err.to_string().contains("more than 0 redirects"), "{err}");
    }
}

/// What a feed address gave when it was tried once (before a source is added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub title: Option<String>,
    pub entries: usize,
    pub encoding: &'static str,
}

/// Why a feed address could not be read now: a stable code (as [`FetchError::code`] and
/// [`crate::feed::FeedError::code`] give) and the detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProbeError {
    pub code: &'static str,
    pub message: String,
}

impl FeedFetcher {
    /// Fetches and parses `url` once: a typo is better caught when the source is added than as
    /// a string of errors later.
    pub async fn probe(&self, url: &str) -> Result<Probe, ProbeError> {
        let fail = |code, message: String| ProbeError { code, message };
        match self.fetch(url, &Validators::default()).await {
            Ok(Fetched::Body { bytes, content_type, final_url, .. }) => {
                let parsed = tokio::task::spawn_blocking(move || {
                    super::parse_feed(&bytes, content_type.as_deref(), Some(&final_url))
                })
                .await
                .map_err(|e| fail("parser", format!("parser failed: {e}")))?
                .map_err(|e| fail(e.code(), e.to_string()))?;
                Ok(Probe {
                    title: parsed.title.filter(|t| !t.trim().is_empty()),
                    entries: parsed.entries.len(),
                    encoding: parsed.encoding,
                })
            }
            Ok(Fetched::NotModified) => {
                Err(fail("http_status", "the server answered 304 Not Modified to a plain request".into()))
            }
            Err(e) => Err(fail(e.code(), e.to_string())),
        }
    }
}
