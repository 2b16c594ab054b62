//! Settings: defaults, then the TOML file, then ZIXUN_* environment variables, then flags.

use std::{path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use anyhow::{Context, Result};
use serde::Deserialize;

use zixun_web::RelatedSettings;

use crate::cli::{Cli, Command};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Unset or `sqlite:`: the data folder's SQLite; `postgres://…`: PostgreSQL.
    pub database_url: Option<String>,
    /// Connections this node keeps to PostgreSQL at most.
    pub database_max_connections: u32,
    /// Proxies (CIDR, e.g. `10.0.0.0/8`) whose X-Forwarded-For / X-Real-IP name the client.
    pub trusted_proxies: Vec<String>,
    pub bind: String,
    pub site_name: String,
    /// Public address, for canonical links and Open Graph.
    pub base_url: Option<String>,
    pub timezone: String,
    /// Site dictionary for segmentation (jieba's format: `word [freq] [tag]` a line).
    pub dictionary: Option<PathBuf>,
    /// 敏感词: a word and a mode (`block`, `review`, `replace`) a line, checked on every write;
    /// read again whenever the file changes.
    pub sensitive_words: Option<PathBuf>,
    pub theme: Option<PathBuf>,
    /// `text` or `json`.
    pub log_format: String,
    pub max_body_bytes: usize,
    pub hot_half_life_hours: f64,
    pub hot_max_age_hours: f64,
    /// 相关内容's ranking: bonuses for the article's category and per shared tag, how much an
    /// item's age counts (0 to 1) and its half-life.
    pub related_category_bonus: f64,
    pub related_tag_bonus: f64,
    pub related_recency_weight: f64,
    pub related_half_life_days: f64,
    pub page_cache_seconds: u64,
    /// Memory the page cache may use, in MiB (pages and their compressed forms).
    pub page_cache_mb: u64,
    /// How often buffered views are written to the store.
    pub view_flush_seconds: f64,
    /// How often the hot list is recomputed.
    pub hot_refresh_seconds: f64,
    /// How often trending words are recomputed.
    pub trending_refresh_seconds: f64,
    /// How often the newsroom dashboard's figures of reads are summed again.
    pub dashboard_refresh_seconds: f64,
    /// Revisions kept per article (every save in the newsroom or through the API makes one).
    pub revisions_kept: u32,
    /// Largest SimHash distance between two copies of one story.
    pub story_max_bits: u32,
    /// Only articles this many days apart can be copies of one story.
    pub story_window_days: f64,
    /// Poll the sources' feeds inside `zixun serve`.
    pub fetch_feeds: bool,
    /// Feed fetches: connect timeout, whole-response timeout, body limit, polls at once.
    pub feed_connect_timeout_seconds: f64,
    pub feed_timeout_seconds: f64,
    pub feed_max_bytes: u64,
    pub feed_parallel: usize,
    /// Fetch feeds from loopback, private and link-local addresses too (intranet feeds, tests):
    /// turns the SSRF guard off.
    pub allow_private_addresses: bool,
    /// Mark session cookies Secure (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// A newsroom session unused this long ends.
    pub session_idle_hours: f64,
    /// Failed logins allowed per account and per address before a pause of `login_window_minutes`.
    pub login_max_failures: u32,
    pub login_window_minutes: f64,
    /// Largest image upload.
    pub upload_max_bytes: usize,
    /// An image (a PNG with transparency, say) put on every uploaded image; off when unset.
    pub watermark: Option<PathBuf>,
    /// `bottom-right` (default), `bottom-left`, `top-right` or `top-left`.
    pub watermark_corner: zixun_media::Corner,
    /// 0 (invisible) to 1 (as drawn).
    pub watermark_opacity: f32,
    /// Download the outside images of imported and newsroom bodies and serve them as uploads
    /// (feeds: per source, `sources add --localize-images`).
    pub localize_images: bool,
    /// A connection must send its request headers within this, from its first byte.
    pub header_timeout_seconds: f64,
    /// A keep-alive connection idle this long between requests is closed.
    pub idle_timeout_seconds: f64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// The ICP 备案 number shown in every page's footer, linked to the MIIT register
    /// (`京ICP备12345678号-1`).
    pub icp_beian: Option<String>,
    /// The 公安 备案 number, shown with its icon and linked to the MPS register
    /// (`京公网安备11010502030143号`).
    pub police_beian: Option<String>,
    /// Site verification codes: `[verification] baidu = "…"`, `google`, `bing`, `sogou`, `so360`.
    pub verification: VerificationConfig,
    /// An analytics script URL (https), e.g. Baidu 统计's `https://hm.baidu.com/hm.js?…`;
    /// its origin is then allowed by the Content-Security-Policy.
    pub analytics_script: Option<String>,
    /// Baidu 普通收录's token (搜索资源平台 › 普通收录 › API提交): with it set, each story's URL
    /// is pushed once, when first published. Needs `base_url`.
    pub baidu_push_token: Option<String>,
    /// Where Baidu pushes go (Baidu's own by default; tests point it elsewhere).
    pub baidu_push_endpoint: String,
    /// An IndexNow key (8–128 of a-z, A-Z, 0-9, '-'): served at `/{key}.txt`, and each new
    /// story's URL is submitted once. Needs `base_url`.
    pub indexnow_key: Option<String>,
    pub indexnow_endpoint: String,
    /// A failed push is retried after this, then twice as long each time (up to six hours).
    pub push_retry_seconds: f64,
}

/// `[verification]`: each engine's site verification code.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerificationConfig {
    pub baidu: Option<String>,
    pub google: Option<String>,
    pub bing: Option<String>,
    pub sogou: Option<String>,
    pub so360: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./zixun-data"),
            database_url: None,
            database_max_connections: 10,
            trusted_proxies: Vec::new(),
            bind: "127.0.0.1:8080".into(),
            site_name: "资讯".into(),
            base_url: None,
            timezone: "Asia/Shanghai".into(),
            dictionary: None,
            sensitive_words: None,
            theme: None,
            log_format: "text".into(),
            max_body_bytes: 1024 * 1024,
            hot_half_life_hours: 6.0,
            hot_max_age_hours: 72.0,
            related_category_bonus: 0.1,
            related_tag_bonus: 0.1,
            related_recency_weight: 0.3,
            related_half_life_days: 14.0,
            page_cache_seconds: 5,
            page_cache_mb: 128,
            view_flush_seconds: 2.0,
            hot_refresh_seconds: 5.0,
            trending_refresh_seconds: 60.0,
            dashboard_refresh_seconds: 30.0,
            revisions_kept: 20,
            story_max_bits: 3,
            story_window_days: 7.0,
            fetch_feeds: true,
            feed_connect_timeout_seconds: 10.0,
            feed_timeout_seconds: 30.0,
            feed_max_bytes: 10 * 1024 * 1024,
            feed_parallel: 4,
            allow_private_addresses: false,
            secure_cookies: false,
            session_idle_hours: 12.0,
            login_max_failures: 5,
            login_window_minutes: 15.0,
            upload_max_bytes: 5 * 1024 * 1024,
            watermark: None,
            watermark_corner: zixun_media::Corner::default(),
            watermark_opacity: 0.6,
            localize_images: false,
            header_timeout_seconds: 10.0,
            idle_timeout_seconds: 60.0,
            max_connections: 1000,
            icp_beian: None,
            police_beian: None,
            verification: VerificationConfig::default(),
            analytics_script: None,
            baidu_push_token: None,
            baidu_push_endpoint: zixun_push::BAIDU_ENDPOINT.into(),
            indexnow_key: None,
            indexnow_endpoint: zixun_push::INDEXNOW_ENDPOINT.into(),
            push_retry_seconds: 60.0,
        }
    }
}

impl Config {
    pub fn load(cli: &Cli) -> Result<Self> {
        let mut c = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("config file {}", path.display()))?
            }
            None => Config::default(),
        };
        c.apply_env(|k| std::env::var(k).ok())?;
        if let Some(d) = &cli.data_dir {
            c.data_dir = d.clone();
        }
        if let Some(u) = &cli.database_url {
            c.database_url = Some(u.clone());
        }
        if let Command::Serve(s) = &cli.command {
            if let Some(b) = &s.bind {
                c.bind = b.clone();
            }
            if let Some(t) = &s.theme {
                c.theme = Some(t.clone());
            }
        }
        Ok(c)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        let var: &dyn Fn(&str) -> Option<String> = &var;
        env(var, "ZIXUN_DATA_DIR", &mut self.data_dir)?;
        env_opt(var, "ZIXUN_DATABASE_URL", &mut self.database_url)?;
        env(var, "ZIXUN_DATABASE_MAX_CONNECTIONS", &mut self.database_max_connections)?;
        if let Some(v) = var("ZIXUN_TRUSTED_PROXIES") {
            self.trusted_proxies = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        }
        env(var, "ZIXUN_BIND", &mut self.bind)?;
        env(var, "ZIXUN_SITE_NAME", &mut self.site_name)?;
        env_opt(var, "ZIXUN_BASE_URL", &mut self.base_url)?;
        env(var, "ZIXUN_TIMEZONE", &mut self.timezone)?;
        env_opt(var, "ZIXUN_DICTIONARY", &mut self.dictionary)?;
        env_opt(var, "ZIXUN_SENSITIVE_WORDS", &mut self.sensitive_words)?;
        env_opt(var, "ZIXUN_THEME", &mut self.theme)?;
        env(var, "ZIXUN_LOG_FORMAT", &mut self.log_format)?;
        env(var, "ZIXUN_MAX_BODY_BYTES", &mut self.max_body_bytes)?;
        env(var, "ZIXUN_HOT_HALF_LIFE_HOURS", &mut self.hot_half_life_hours)?;
        env(var, "ZIXUN_HOT_MAX_AGE_HOURS", &mut self.hot_max_age_hours)?;
        env(var, "ZIXUN_RELATED_CATEGORY_BONUS", &mut self.related_category_bonus)?;
        env(var, "ZIXUN_RELATED_TAG_BONUS", &mut self.related_tag_bonus)?;
        env(var, "ZIXUN_RELATED_RECENCY_WEIGHT", &mut self.related_recency_weight)?;
        env(var, "ZIXUN_RELATED_HALF_LIFE_DAYS", &mut self.related_half_life_days)?;
        env(var, "ZIXUN_PAGE_CACHE_SECONDS", &mut self.page_cache_seconds)?;
        env(var, "ZIXUN_PAGE_CACHE_MB", &mut self.page_cache_mb)?;
        env(var, "ZIXUN_VIEW_FLUSH_SECONDS", &mut self.view_flush_seconds)?;
        env(var, "ZIXUN_HOT_REFRESH_SECONDS", &mut self.hot_refresh_seconds)?;
        env(var, "ZIXUN_TRENDING_REFRESH_SECONDS", &mut self.trending_refresh_seconds)?;
        env(var, "ZIXUN_DASHBOARD_REFRESH_SECONDS", &mut self.dashboard_refresh_seconds)?;
        env(var, "ZIXUN_REVISIONS_KEPT", &mut self.revisions_kept)?;
        env(var, "ZIXUN_STORY_MAX_BITS", &mut self.story_max_bits)?;
        env(var, "ZIXUN_STORY_WINDOW_DAYS", &mut self.story_window_days)?;
        env(var, "ZIXUN_FETCH_FEEDS", &mut self.fetch_feeds)?;
        env(var, "ZIXUN_FEED_CONNECT_TIMEOUT_SECONDS", &mut self.feed_connect_timeout_seconds)?;
        env(var, "ZIXUN_FEED_TIMEOUT_SECONDS", &mut self.feed_timeout_seconds)?;
        env(var, "ZIXUN_FEED_MAX_BYTES", &mut self.feed_max_bytes)?;
        env(var, "ZIXUN_FEED_PARALLEL", &mut self.feed_parallel)?;
        env(var, "ZIXUN_ALLOW_PRIVATE_ADDRESSES", &mut self.allow_private_addresses)?;
        env(var, "ZIXUN_SECURE_COOKIES", &mut self.secure_cookies)?;
        env(var, "ZIXUN_SESSION_IDLE_HOURS", &mut self.session_idle_hours)?;
        env(var, "ZIXUN_LOGIN_MAX_FAILURES", &mut self.login_max_failures)?;
        env(var, "ZIXUN_LOGIN_WINDOW_MINUTES", &mut self.login_window_minutes)?;
        env(var, "ZIXUN_UPLOAD_MAX_BYTES", &mut self.upload_max_bytes)?;
        env_opt(var, "ZIXUN_WATERMARK", &mut self.watermark)?;
        env(var, "ZIXUN_WATERMARK_CORNER", &mut self.watermark_corner)?;
        env(var, "ZIXUN_WATERMARK_OPACITY", &mut self.watermark_opacity)?;
        env(var, "ZIXUN_LOCALIZE_IMAGES", &mut self.localize_images)?;
        env(var, "ZIXUN_HEADER_TIMEOUT_SECONDS", &mut self.header_timeout_seconds)?;
        env(var, "ZIXUN_IDLE_TIMEOUT_SECONDS", &mut self.idle_timeout_seconds)?;
        env(var, "ZIXUN_MAX_CONNECTIONS", &mut self.max_connections)?;
        env_opt(var, "ZIXUN_ICP_BEIAN", &mut self.icp_beian)?;
        env_opt(var, "ZIXUN_POLICE_BEIAN", &mut self.police_beian)?;
        env_opt(var, "ZIXUN_ANALYTICS_SCRIPT", &mut self.analytics_script)?;
        env_opt(var, "ZIXUN_BAIDU_PUSH_TOKEN", &mut self.baidu_push_token)?;
        env(var, "ZIXUN_BAIDU_PUSH_ENDPOINT", &mut self.baidu_push_endpoint)?;
        env_opt(var, "ZIXUN_INDEXNOW_KEY", &mut self.indexnow_key)?;
        env(var, "ZIXUN_INDEXNOW_ENDPOINT", &mut self.indexnow_endpoint)?;
        env(var, "ZIXUN_PUSH_RETRY_SECONDS", &mut self.push_retry_seconds)?;
        let v = &mut self.verification;
        env_opt(var, "ZIXUN_VERIFICATION_BAIDU", &mut v.baidu)?;
        env_opt(var, "ZIXUN_VERIFICATION_GOOGLE", &mut v.google)?;
        env_opt(var, "ZIXUN_VERIFICATION_BING", &mut v.bing)?;
        env_opt(var, "ZIXUN_VERIFICATION_SOGOU", &mut v.sogou)?;
        env_opt(var, "ZIXUN_VERIFICATION_SO360", &mut v.so360)?;
        Ok(())
    }

    /// The watermark, read from `watermark` (a missing or unreadable file stops the start).
    pub fn watermark(&self) -> Result<Option<zixun_media::Watermark>> {
        let Some(path) = &self.watermark else { return Ok(None) };
        let bytes = std::fs::read(path).with_context(|| format!("watermark = {}: cannot read it", path.display()))?;
        let mark = zixun_media::Watermark::new(&bytes, self.watermark_corner, self.watermark_opacity)
            .with_context(|| format!("watermark = {}: not an image", path.display()))?;
        Ok(Some(mark))
    }

    /// `trusted_proxies`, checked: each a CIDR block or a single address.
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<ipnet::IpNet>().or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(
                    |_| anyhow::anyhow!("trusted_proxies: {p:?} is not a CIDR block (10.0.0.0/8) or an address"),
                )
            })
            .collect()
    }

    /// The footer's 备案 numbers and the verification tags.
    pub fn registrations(&self) -> zixun_web::Registrations {
        let v = &self.verification;
        zixun_web::Registrations {
            icp_beian: self.icp_beian.clone(),
            police_beian: self.police_beian.clone(),
            verification: zixun_web::Verification {
                baidu: v.baidu.clone(),
                google: v.google.clone(),
                bing: v.bing.clone(),
                sogou: v.sogou.clone(),
                so360: v.so360.clone(),
            },
        }
    }

    /// `analytics_script`, checked: an absolute https URL (its origin joins the CSP).
    pub fn analytics_script(&self) -> Result<Option<url::Url>> {
        let Some(s) = self.analytics_script.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        match url::Url::parse(s) {
            Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(Some(u)),
            _ => anyhow::bail!("analytics_script = {s:?}: must be an https:// address of a script"),
        }
    }

    /// `indexnow_key`, checked against the protocol's alphabet.
    pub fn indexnow_key(&self) -> Result<Option<String>> {
        let Some(key) = self.indexnow_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) else {
            return Ok(None);
        };
        zixun_push::check_key(key)?;
        Ok(Some(key.to_string()))
    }

    /// The engines new stories are pushed to (`baidu_push_token`, `indexnow_key`), checked;
    /// empty when neither is set.
    pub fn push_engines(&self) -> Result<Vec<Arc<dyn zixun_push::Engine>>> {
        let token = self.baidu_push_token.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let key = self.indexnow_key()?;
        if token.is_none() && key.is_none() {
            return Ok(Vec::new());
        }
        let Some(site) = self.base_url.as_deref() else {
            anyhow::bail!(
                "baidu_push_token and indexnow_key need base_url: the public address stories are pushed under"
            );
        };
        let mut engines: Vec<Arc<dyn zixun_push::Engine>> = Vec::new();
        if let Some(token) = token {
            let baidu = zixun_push::Baidu::new(&self.baidu_push_endpoint, site, token)
                .with_context(|| format!("baidu_push_endpoint = {:?}", self.baidu_push_endpoint))?;
            engines.push(Arc::new(baidu));
        }
        if let Some(key) = key {
            engines.push(Arc::new(
                zixun_push::IndexNow::new(&self.indexnow_endpoint, site, &key).map_err(anyhow::Error::msg)?,
            ));
        }
        Ok(engines)
    }

    pub fn push_settings(&self) -> zixun_push::PusherSettings {
        zixun_push::PusherSettings { retry_base: Config::seconds(self.push_retry_seconds), ..Default::default() }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// `story_max_bits`, checked: the SimHash bands find copies only within
    /// [`StoryPolicy::MAX_BITS`], so a larger setting would silently miss them.
    pub fn story_max_bits(&self) -> Result<u32> {
        let max = zixun_core::story::StoryPolicy::MAX_BITS;
        if self.story_max_bits > max {
            anyhow::bail!(
                "story_max_bits = {}: must be at most {max} (the four 16-bit SimHash bands find every copy only within {max} bits)",
                self.story_max_bits
            );
        }
        Ok(self.story_max_bits)
    }

    /// 相关内容's ranking weights, checked: bonuses are not negative, the recency weight is
    /// between 0 and 1.
    pub fn related_settings(&self) -> Result<RelatedSettings> {
        let check = |key: &str, v: f64, max: f64| {
            if v.is_finite() && (0.0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(anyhow::anyhow!("{key} = {v}: must be between 0 and {max}"))
            }
        };
        Ok(RelatedSettings {
            category_bonus: check("related_category_bonus", self.related_category_bonus, 10.0)?,
            tag_bonus: check("related_tag_bonus", self.related_tag_bonus, 10.0)?,
            recency_weight: check("related_recency_weight", self.related_recency_weight, 1.0)?,
            recency_half_life: Self::hours(
                24.0 * check("related_half_life_days", self.related_half_life_days, 36500.0)?,
            ),
            same_story_bits: self.story_max_bits()?,
        })
    }

    pub fn hours(h: f64) -> Duration {
        Self::seconds(h * 3600.0)
    }

    /// A positive duration (at least 0.1 s) from a number of seconds.
    pub fn seconds(s: f64) -> Duration {
        Duration::from_secs_f64(if s.is_finite() { s.max(0.1) } else { 0.1 })
    }
}

/// Sets `slot` from the environment variable `key` when it is set; a value that does not parse
/// is an error naming the variable.
fn env<T: FromStr>(var: &dyn Fn(&str) -> Option<String>, key: &str, slot: &mut T) -> Result<()>
where
    T::Err: std::fmt::Display,
{
    if let Some(v) = var(key) {
        *slot = v.parse().map_err(|e| anyhow::anyhow!("{key}={v:?}: {e}"))?;
    }
    Ok(())
}

fn env_opt<T: FromStr>(var: &dyn Fn(&str) -> Option<String>, key: &str, slot: &mut Option<T>) -> Result<()>
where
    T::Err: std::fmt::Display,
{
    if let Some(v) = var(key) {
        *slot = Some(v.parse().map_err(|e| anyhow::anyhow!("{key}={v:?}: {e}"))?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_rejects_bad_numbers() {
        let mut c: Config = toml::from_str("bind = \"0.0.0.0:9000\"\nsite_name = \"本地新闻\"").expect("toml");
        c.apply_env(|k| (k == "ZIXUN_BIND").then(|| "127.0.0.1:1".to_string())).expect("env");
        assert_eq!(c.bind, "127.0.0.1:1");
        assert_eq!(c.site_name, "本地新闻");
        let err =
            c.apply_env(|k| (k == "ZIXUN_HOT_HALF_LIFE_HOURS").then(|| "six".to_string())).expect_err("bad number");
        assert!(err.to_string().contains("ZIXUN_HOT_HALF_LIFE_HOURS"));
        assert!(toml::from_str::<Config>("no_such_key = 1").is_err());
        let c: Config = toml::from_str("related_recency_weight = 1.5").expect("toml");
        assert!(c.related_settings().expect_err("out of range").to_string().contains("related_recency_weight"));
        assert_eq!(Config::default().related_settings().expect("defaults"), RelatedSettings::default());
    }

    #[test]
    fn registrations_and_analytics_come_from_the_file_and_the_environment() {
        let mut c: Config = toml::from_str(
            "icp_beian = \"京ICP备12345678号-1\"\n[verification]\nbaidu = \"codeva-1\"\nso360 = \"abc\"",
        )
        .expect("toml");
        c.apply_env(|k| (k == "ZIXUN_VERIFICATION_GOOGLE").then(|| "g-1".to_string())).expect("env");
        let r = c.registrations();
        assert_eq!(r.icp_beian.as_deref(), Some("京ICP备12345678号-1"));
        assert_eq!(r.meta_tags().len(), 3);
        assert!(toml::from_str::<Config>("[verification]\nyahoo = \"x\"").is_err(), "unknown engines are refused");
        assert_eq!(c.analytics_script().expect("unset"), None);
        c.analytics_script = Some("http://hm.baidu.com/hm.js?1".into());
        assert!(c.analytics_script().expect_err("http").to_string().contains("analytics_script"));
        c.analytics_script = Some("https://hm.baidu.com/hm.js?1".into());
        assert_eq!(
            c.analytics_script().expect("https").map(|u| u.host_str().map(String::from)),
            Some(Some("hm.baidu.com".into()))
        );
    }

    #[test]
    fn the_ssrf_guard_is_on_unless_turned_off() {
        assert!(!Config::default().allow_private_addresses);
        let c: Config = toml::from_str("allow_private_addresses = true").expect("toml");
        assert!(c.allow_private_addresses);
        let mut c = Config::default();
        c.apply_env(|k| (k == "ZIXUN_ALLOW_PRIVATE_ADDRESSES").then(|| "true".to_string())).expect("env");
        assert!(c.allow_private_addresses);
    }

    #[test]
    fn story_max_bits_beyond_what_the_bands_find_is_refused() {
        let c: Config = toml::from_str("story_max_bits = 4").expect("toml");
        let err = c.story_max_bits().expect_err("4 bits would miss copies").to_string();
        assert!(err.contains("story_max_bits = 4") && err.contains("at most 3"), "{err}");
        assert!(c.related_settings().is_err(), "the related list takes the same setting");
        let c: Config = toml::from_str("story_max_bits = 2").expect("toml");
        assert_eq!(c.related_settings().expect("valid").same_story_bits, 2, "not a hard-coded 3");
    }
}
