//! [`SourceStore`] for SQLite.

use async_trait::async_trait;
use zixun_core::time::SiteClock;

use crate::rows;
use crate::{
    Result, SqliteStore, StoreError,
    sources::{FetchRecord, FetchStatus, NewSource, Source, SourceStore},
};

#[async_trait]
impl SourceStore for SqliteStore {
    async fn add_source(&self, s: &NewSource) -> Result<Source> {
        let row = sqlx::query(
            "INSERT INTO sources (name, url, category, interval_secs, created_at, localize_images) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(&s.name)
        .bind(&s.url)
        .bind(&s.category)
        .bind(s.interval_secs)
        .bind(SiteClock::now())
        .bind(s.localize_images)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("a source named {:?} or with the URL {} already exists", s.name, s.url))
            }
            _ => e.into(),
        })?;
        rows::source(&row)
    }

    async fn sources(&self) -> Result<Vec<Source>> {
        let rows = sqlx::query("SELECT * FROM sources ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(rows::source).collect()
    }

    async fn source(&self, name_or_url: &str) -> Result<Option<Source>> {
        let row = sqlx::query("SELECT * FROM sources WHERE name = ?1 OR url = ?1 ORDER BY name = ?1 DESC LIMIT 1")
            .bind(name_or_url)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::source).transpose()
    }

    async fn remove_source(&self, name_or_url: &str) -> Result<bool> {
        let Some(source) = self.source(name_or_url).await? else {
            return Ok(false);
        };
        let done = sqlx::query("DELETE FROM sources WHERE id = ?").bind(source.id).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_due(&self, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<Source>> {
        // One writer at a time in SQLite: the UPDATE is the claim.
        let rows = sqlx::query(
            "UPDATE sources SET next_fetch_at = ?1 + ?2 WHERE id IN \
             (SELECT id FROM sources WHERE next_fetch_at <= ?1 ORDER BY next_fetch_at, id LIMIT ?3) RETURNING *",
        )
        .bind(now)
        .bind(lease_secs)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = rows.iter().map(rows::source).collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|s| s.id);
        Ok(claimed)
    }

    async fn record_fetch(&self, id: i64, r: &FetchRecord) -> Result<()> {
        let (error, failed) = match &r.status {
            FetchStatus::Error(e) => (Some(e.as_str()), 1),
            FetchStatus::Ok | FetchStatus::NotModified => (None, 0),
        };
        sqlx::query(
            "UPDATE sources SET last_fetch_at = ?, last_status = ?, last_error = ?, \
             etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), items = items + ?, \
             errors = errors + ?, failures = CASE WHEN ? THEN failures + 1 ELSE 0 END, next_fetch_at = ? \
             WHERE id = ?",
        )
        .bind(r.at)
        .bind(r.status.as_str())
        .bind(error)
        .bind(&r.etag)
        .bind(&r.last_modified)
        .bind(r.stored)
        .bind(failed)
        .bind(failed == 1)
        .bind(r.next_fetch_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
