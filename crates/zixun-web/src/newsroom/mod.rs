//! The newsroom: sign-in, the editors' pages under `/admin`, uploads, and what the write API
//! shares with them (authentication, the one edit path, the audit log).

mod auth;
mod dashboard;
mod edit;
mod history;
mod pages;
mod secrets;
mod security;
mod slots;
mod sources;
mod uploads;
mod users;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use zixun_core::SiteClock;
use zixun_ingest::{ArticleWriter, ImageLocalizer, feed::FeedPoller};
use zixun_store::{NewAudit, NewsroomStore, StoreError};

pub use auth::{ApiActor, LoginThrottle, bearer_actor};
pub use edit::{EditError, EditRequest, apply_edit, delete, visible_article};
pub use secrets::{hash_password, is_signed_token, new_token, signed_token, token_hash, verify_password};
pub use security::{content_security_policy, security_headers};

use crate::Ctx;

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
    pub store: Arc<dyn NewsroomStore>,
    pub writer: ArticleWriter,
    /// With the site's `localize_images`: stores the remote images of bodies written here.
    pub images: Option<Arc<ImageLocalizer>>,
    /// Polls a source when an editor asks ("fetch now"); also probes a feed being added.
    pub poller: Arc<FeedPoller>,
    pub throttle: LoginThrottle,
    pub config: NewsroomConfig,
    /// The key the login form's CSRF tokens are signed with (the site's, from the store).
    login_key: tokio::sync::OnceCell<[u8; 32]>,
    /// The dashboard's last figures of reads.
    reads: dashboard::ReadsCache,
}

impl Newsroom {
    pub fn new(
        store: Arc<dyn NewsroomStore>,
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
            reads: dashboard::ReadsCache::default(),
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

pub fn router(upload_max_bytes: usize) -> Router<Ctx> {
    Router::new()
        .route("/admin/login", get(pages::login_form).post(pages::login))
        .route("/admin/logout", post(pages::logout))
        .route("/admin", get(pages::article_list))
        .route("/admin/new", get(pages::new_article))
        .route("/admin/a/{id}", get(pages::edit_article))
        .route("/admin/save", post(pages::save))
        .route("/admin/a/{id}/history", get(history::history))
        .route("/admin/a/{id}/restore", post(history::restore))
        .route("/admin/upload", post(uploads::upload).layer(DefaultBodyLimit::max(upload_max_bytes + 64 * 1024)))
        .route("/admin/audit", get(pages::audit_log))
        .route("/admin/sources", get(sources::list).post(sources::add))
        .route("/admin/sources.opml", get(sources::export))
        .route("/admin/sources/import", post(sources::import))
        .route("/admin/sources/{id}", get(sources::show).post(sources::save))
        .route("/admin/sources/{id}/pause", post(sources::pause))
        .route("/admin/sources/{id}/fetch", post(sources::fetch_now))
        .route("/admin/sources/{id}/remove", post(sources::remove))
        .route("/admin/users", get(users::list).post(users::add))
        .route("/admin/users/role", post(users::set_role))
        .route("/admin/users/disable", post(users::set_disabled))
        .route("/admin/users/password", post(users::reset_password))
        .route("/admin/tokens/revoke", post(users::revoke_token))
        .route("/admin/slots", get(slots::list).post(slots::add))
        .route("/admin/slots/move", post(slots::move_item))
        .route("/admin/slots/remove", post(slots::remove))
        .route("/uploads/{name}", get(uploads::serve_upload))
}
