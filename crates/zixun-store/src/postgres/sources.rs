//! [`SourceStore`] for PostgreSQL.

use async_trait::async_trait;
use zixun_core::time::SiteClock;

use crate::rows;
use crate::{
    PgStore, Result,
    sources::{FetchRecord, FetchStatus, NewSource, Source, SourceStore, source_conflict},
};

#[async_trait]
impl SourceStore for PgStore {
    async fn add_source(&self, s: &NewSource) -> Result<Source> {
        let row = sqlx::query(
            "INSERT INTO sources (name, url, category, interval_secs, created_at, localize_images) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
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
        let row = sqlx::query("SELECT * FROM sources WHERE name = $1 OR url = $1 ORDER BY name = $1 DESC LIMIT 1")
            .bind(name_or_url)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::source).transpose()
    }

    async fn source_by_id(&self, id: i64) -> Result<Option<Source>> {
        let row = sqlx::query("SELECT * FROM sources WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::source).transpose()
    }

    async fn update_source(&self, id: i64, s: &NewSource) -> Result<Option<Source>> {
        let row = sqlx::query(
            "UPDATE sources SET name = $1, url = $2, category = $3, interval_secs = $4, localize_images = $5 \
             WHERE id = $6 RETURNING *",
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
            "UPDATE sources SET paused = $1, next_fetch_at = CASE WHEN $2 THEN next_fetch_at ELSE $3 END \
             WHERE id = $4",
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
        let done = sqlx::query("DELETE FROM sources WHERE id = $1").bind(source.id).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn claim_due(&self, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<Source>> {
        // SKIP LOCKED: a source another node is claiming this instant is left to it.
        let rows = sqlx::query(
            "UPDATE sources SET next_fetch_at = $1 + $2 WHERE id IN \
             (SELECT id FROM sources WHERE next_fetch_at <= $1 AND NOT paused ORDER BY next_fetch_at, id LIMIT $3 \
             FOR UPDATE SKIP LOCKED) RETURNING *",
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
            FetchStatus::Error { code, message } => (Some((*code, message.as_str())), 1),
            FetchStatus::Ok | FetchStatus::NotModified => (None, 0),
        };
        sqlx::query(
            "UPDATE sources SET last_fetch_at = $1, last_status = $2, last_error = $3, last_error_code = $4, \
             etag = COALESCE($5, etag), last_modified = COALESCE($6, last_modified), items = items + $7, \
             errors = errors + $8, failures = CASE WHEN $9 THEN failures + 1 ELSE 0 END, next_fetch_at = $10 \
             WHERE id = $11",
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
