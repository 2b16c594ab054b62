//! zixun-newsroom: what the newsroom is, apart from HTTP. Accounts' secrets (argon2id
//! passwords, tokens kept as hashes), login throttling counted in the store, the one edit path
//! that the editor's form, the write API and restoring a revision share (roles and workflow
//! from `zixun-core::newsroom`, the preparation and the 敏感词 of `zixun-ingest`, the revision
//! and audit entry committed with the article), and the audit log. The web crate maps HTTP to
//! it; the CLI makes accounts and tokens with it.

mod edit;
mod secrets;
mod throttle;

use std::{sync::Arc, time::Duration};

use zixun_core::SiteClock;
use zixun_ingest::{ArticleWriter, ImageLocalizer, feed::FeedPoller};
use zixun_store::{Backend, NewAudit, StoreError};

pub use edit::{EditError, EditRequest, apply_edit, audit, delete, visible_article};
pub use secrets::{
    dummy_hash, hash_password, is_signed_token, new_token, same_secret, signed_token, token_hash, verify_password,
};
pub use throttle::LoginThrottle;

#[derive(Debug, Clone)]
pub struct NewsroomConfig {
    /// Mark cookies `Secure` (the site is served over HTTPS).
    pub secure_cookies: bool,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// Failed logins allowed per account and per address within `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    pub upload_max_bytes: usize,
    /// Put on every uploaded image (off unless configured).
    pub watermark: Option<Arc<zixun_media::Watermark>>,
    /// How long the dashboard shows its figures of reads before summing them again.
    pub dashboard_refresh: Duration,
}

impl Default for NewsroomConfig {
    fn default() -> Self {
        NewsroomConfig {
            secure_cookies: false,
            session_idle: Duration::from_secs(12 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            upload_max_bytes: 5 * 1024 * 1024,
            watermark: None,
            dashboard_refresh: Duration::from_secs(30),
        }
    }
}

pub struct Newsroom {
    pub store: Arc<dyn Backend>,
    pub writer: ArticleWriter,
    /// With the site's `localize_images`: stores the remote images of bodies written here.
    pub images: Option<Arc<ImageLocalizer>>,
    /// Polls a source when an editor asks ("fetch now"); also probes a feed being added.
    pub poller: Arc<FeedPoller>,
    pub throttle: LoginThrottle,
    pub config: NewsroomConfig,
    /// The key the login form's CSRF tokens are signed with (the site's, from the store).
    login_key: tokio::sync::OnceCell<[u8; 32]>,
}

impl Newsroom {
    pub fn new(
        store: Arc<dyn Backend>,
        writer: ArticleWriter,
        images: Option<Arc<ImageLocalizer>>,
        poller: Arc<FeedPoller>,
        config: NewsroomConfig,
    ) -> Self {
        Newsroom {
            poller,
            throttle: LoginThrottle::new(config.login_max_failures, config.login_window),
            store,
            writer,
            images,
            config,
            login_key: tokio::sync::OnceCell::new(),
        }
    }

    /// The login-CSRF key: the site secret `login_csrf`, made on first use by whichever node
    /// comes first.
    pub async fn login_key(&self) -> Result<[u8; 32], StoreError> {
        let key = self
            .login_key
            .get_or_try_init(|| async {
                let candidate = new_token();
                let stored = self.store.site_secret("login_csrf", candidate.as_bytes()).await?;
                Ok::<_, StoreError>(*blake3::hash(&stored).as_bytes())
            })
            .await?;
        Ok(*key)
    }

    /// Appends to the audit log. `user_id` is `None` when no account acted (the scheduler, a
    /// failed login under a name that may not exist).
    pub async fn record(
        &self,
        user_id: Option<i64>,
        user_name: &str,
        action: &str,
        article_id: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let entry = NewAudit {
            at: SiteClock::now(),
            user_id,
            user_name: user_name.into(),
            action: action.into(),
            article_id,
            detail: detail.into(),
        };
        self.store.audit(&entry).await
    }
}
