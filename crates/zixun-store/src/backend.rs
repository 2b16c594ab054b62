//! One handle on whichever backend `database_url` names.

use std::{path::Path, sync::Arc};

use async_trait::async_trait;
use zixun_core::{revision::DEFAULT_REVISIONS_KEPT, story::StoryPolicy};

use crate::{
    NewsroomStore, PgStore, PushStore, Result, RevisionStore, SlotStore, SourceStore, SqliteStore, StatsStore, Store,
    StoreError, UploadStore,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// Everything zixun keeps, behind one handle (what the web context and the commands hold).
#[async_trait]
pub trait Backend:
    Store + NewsroomStore + SourceStore + UploadStore + PushStore + SlotStore + StatsStore + RevisionStore
{
    fn kind(&self) -> BackendKind;
    /// Closes the pool (waits for connections in use to come back).
    async fn close(&self);
}

#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub story: StoryPolicy,
    /// Pool size (PostgreSQL: per node; the server's `max_connections` bounds the sum).
    pub max_connections: u32,
    /// Revisions kept per article (0: none).
    pub revisions_kept: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { story: StoryPolicy::default(), max_connections: 10, revisions_kept: DEFAULT_REVISIONS_KEPT }
    }
}

/// Opens (and migrates) the backend `database_url` names: absent, empty or `sqlite:` is the
/// data folder's `zixun.db`; `postgres://…` or `postgresql://…` is PostgreSQL.
pub async fn open(database_url: Option<&str>, data_dir: &Path, options: &OpenOptions) -> Result<Arc<dyn Backend>> {
    match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        None => sqlite(data_dir, options).await,
        Some(url) if url == "sqlite:" || url == "sqlite://" => sqlite(data_dir, options).await,
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PgStore::connect(url, options).await?))
        }
        Some(url) => Err(StoreError::Url(format!(
            "database_url {:?}: use postgres://… for PostgreSQL, or leave it unset (or sqlite:) for the data folder's SQLite",
            redact(url)
        ))),
    }
}

async fn sqlite(data_dir: &Path, options: &OpenOptions) -> Result<Arc<dyn Backend>> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| StoreError::Url(format!("data folder {}: {e}", data_dir.display())))?;
    Ok(Arc::new(
        SqliteStore::open(&data_dir.join(SqliteStore::FILE_NAME))
            .await?
            .with_story_policy(options.story)
            .with_revisions_kept(options.revisions_kept),
    ))
}

/// A database URL fit for a log line: the password replaced.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((auth, host)) => {
                let user = auth.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
