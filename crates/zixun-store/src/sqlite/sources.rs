//! [`SourceStore`] for SQLite.

use async_trait::async_trait;
use zixun_core::time::SiteClock;

use crate::rows;
use crate::{
    Result, SqliteStore,
    sources::{FetchRecord, FetchStatus, NewSource, Source, SourceStore, source_conflict},
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
        .map_err(|e| source_conflict(e, s))?;
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

    async fn source_by_id(&self, id: i64) -> Result<Option<Source>> {
        let row = sqlx::query("SELECT * FROM sources WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::source).transpose()
    }

    async fn update_source(&self, id: i64, s: &NewSource) -> Result<Option<Source>> {
        let row = sqlx::query(
            "UPDATE sources SET name = ?, url = ?, category = ?, interval_secs = ?, localize_images = ? \
             WHERE id = ? RETURNING *",
        )
        .bind(&s.name)
        .bind(&s.url)
        .bind(&s.category)
        .bind(s.interval_secs)
        .bind(s.localize_images)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| source_conflict(e, s))?;
        row.as_ref().map(rows::source).transpose()
    }

    async fn set_paused(&self, id: i64, paused: bool, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sources SET paused = ?, next_fetch_at = CASE WHEN ? THEN next_fetch_at ELSE ? END \
             WHERE id = ?",
        )
        .bind(paused)
        .bind(paused)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
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
        let sql = format!(
            "UPDATE sources SET next_fetch_at = ?1 + ?2 WHERE id IN \
             (SELECT id FROM sources WHERE next_fetch_at <= ?1 AND paused = 0 ORDER BY next_fetch_at, id LIMIT {limit}) \
             RETURNING *"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(lease_secs).fetch_all(&self.pool).await?;
        let mut claimed = rows.iter().map(rows::source).collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|s| s.id);
        Ok(claimed)
    }

    async fn record_fetch(&self, id: i64, r: &FetchRecord) -> Result<()> {
        let (error, failed) = match &r.status {
            FetchStatus::Error { code, message } => (Some((*code, message.as_str())), 1),
            FetchStatus::Ok | FetchStatus::NotModified => (None, 0),
        };
        sqlx::query(
            "UPDATE sources SET last_fetch_at = ?, last_status = ?, last_error = ?, last_error_code = ?, \
             etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), items = items + ?, \
             errors = errors + ?, failures = CASE WHEN ? THEN failures + 1 ELSE 0 END, next_fetch_at = ? \
             WHERE id = ?",
        )
        .bind(r.at)
        .bind(r.status.as_str())
        .bind(error.map(|(_, message)| message))
        .bind(error.map(|(code, _)| code))
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
