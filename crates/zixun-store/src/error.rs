use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A unique name or key is taken (shown to the user as is).
    #[error("{0}")]
    Conflict(String),
    /// The change would leave the site without an enabled admin.
    #[error("the last enabled admin cannot be demoted or disabled")]
    LastAdmin,
    /// `database_url` names no backend, or the data folder cannot be made.
    #[error("{0}")]
    Url(String),
    #[error("{0}")]
    Upload(String),
    #[error("corrupt stored value in {field}: {reason}")]
    Corrupt { field: &'static str, reason: String },
}
