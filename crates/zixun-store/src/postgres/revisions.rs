//! [`RevisionStore`] for PostgreSQL.

use async_trait::async_trait;
use zixun_core::revision::Revision;

use crate::{PgStore, Result, revisions::RevisionStore, rows};

#[async_trait]
impl RevisionStore for PgStore {
    async fn revisions(&self, article_id: i64) -> Result<Vec<Revision>> {
        let rows = sqlx::query("SELECT * FROM article_revisions WHERE article_id = $1 ORDER BY id DESC")
            .bind(article_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::revision).collect()
    }

    async fn revision(&self, id: i64) -> Result<Option<Revision>> {
        let row =
            sqlx::query("SELECT * FROM article_revisions WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::revision).transpose()
    }
}
