//! What the newsroom keeps: accounts, sessions, API tokens, the audit log, and the editors'
//! view of articles.

use async_trait::async_trait;
use zixun_core::{
    AuditNote,
    newsroom::{Role, Workflow},
};

use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_name: String,
    pub label: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    pub at: i64,
    pub user_id: Option<i64>,
    pub user_name: String,
    /// `create`, `edit`, `publish`, `schedule`, `unpublish`, `submit`, `delete`, `login`…
    pub action: String,
    pub article_id: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub user_name: String,
    pub action: String,
    pub article_id: Option<i64>,
    pub detail: String,
}

/// A row of the editors' article list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminArticle {
    pub id: i64,
    pub title: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub workflow: Workflow,
    pub category: Option<String>,
    pub updated_at: i64,
    pub published_at: i64,
    pub publish_at: Option<i64>,
}

/// Which articles the editors' list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminFilter {
    pub owner_id: Option<i64>,
    pub workflow: Option<Workflow>,
}

#[async_trait]
pub trait NewsroomStore: Send + Sync {
    /// Fails with [`crate::StoreError::Conflict`] when the name is taken.
    async fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<User>;
    async fn user_by_name(&self, name: &str) -> Result<Option<User>>;
    async fn users(&self) -> Result<Vec<User>>;
    /// Sets the password and ends every session of the user. False if no such user.
    async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool>;
    /// Disables (or enables) the user; disabling ends their sessions (their tokens stop with
    /// them). False if no such user; [`crate::StoreError::LastAdmin`] if it would leave no
    /// enabled admin.
    async fn set_disabled(&self, name: &str, disabled: bool) -> Result<bool>;
    /// Gives the user another role. False if no such user; [`crate::StoreError::LastAdmin`] if
    /// it would leave no enabled admin.
    async fn set_role(&self, name: &str, role: Role) -> Result<bool>;

    async fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, now: i64) -> Result<()>;
    /// The enabled user of a session seen within `idle_secs`, with its CSRF token; marks it
    /// seen. An idle session is deleted.
    async fn session(&self, token_hash: &str, now: i64, idle_secs: i64) -> Result<Option<(User, String)>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    async fn add_token(&self, user_id: i64, token_hash: &str, label: Option<&str>, now: i64) -> Result<i64>;
    /// The enabled user of an unrevoked token; marks it used (to the minute).
    async fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>>;
    /// False if no such token or already revoked.
    async fn revoke_token(&self, id: i64, now: i64) -> Result<bool>;
    async fn tokens(&self) -> Result<Vec<ApiToken>>;

    async fn audit(&self, entry: &NewAudit) -> Result<()>;
    /// Appends `entry` unless an entry with the same name, action and detail was written at
    /// `since` or later (a feed entry refused again at every poll is logged once); in one
    /// statement. True when it was written.
    async fn audit_once(&self, entry: &NewAudit, since: i64) -> Result<bool>;
    /// Newest first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;

    /// The Markdown an article was written in (readers see its rendering, not this); it is
    /// written with the article (`ArticleDraft::body_markdown`).
    async fn markdown(&self, article_id: i64) -> Result<Option<String>>;
    /// Newsroom-visible articles (not deleted), last changed first.
    async fn admin_articles(&self, filter: AdminFilter, limit: u32) -> Result<Vec<AdminArticle>>;
    /// Publishes scheduled articles whose time has come (`publish_at <= now`), each with the
    /// next `seq`, dated `publish_at`, linked to its story, with an audit entry `by` — all in
    /// one transaction under the change feed's lock, so with any number of nodes calling it
    /// each article goes out exactly once. Returns their ids.
    async fn publish_due(&self, now: i64, by: &AuditNote) -> Result<Vec<i64>>;

    /// Counts one login attempt under each key (`user:…`, `addr:…`) atomically, before the
    /// password is checked, and returns the highest count among them. A key's count starts again
    /// once `window_secs` have passed since its last attempt. Shared by every node.
    async fn login_attempt(&self, keys: &[String], now: i64, window_secs: i64) -> Result<u32>;
    /// A login succeeded: `clear` starts again (the account), `forgive` takes back this one
    /// attempt (the address: colleagues behind one NAT are not failures).
    async fn login_succeeded(&self, clear: &str, forgive: &str) -> Result<()>;
    /// The site's secret called `name` (keys that sign what the server issues, shared by every
    /// node): `candidate` is stored if there is none yet, and the stored one is returned.
    async fn site_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>>;
}
