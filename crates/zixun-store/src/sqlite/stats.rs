//! [`StatsStore`] for SQLite.

use async_trait::async_trait;
use sqlx::Row;

use crate::{Result, SqliteStore, stats::StatsStore};

#[async_trait]
impl StatsStore for SqliteStore {
    async fn views_per_hour(&self, since_hour: i64) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT hour, SUM(views) AS views FROM article_views_hourly WHERE hour >= ? GROUP BY hour ORDER BY hour",
        )
        .bind(since_hour)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("hour")?, r.try_get("views")?))).collect()
    }

    async fn most_viewed_since(&self, since_hour: i64, limit: u32) -> Result<Vec<(i64, i64)>> {
        let sql = format!(
            "SELECT article_id, SUM(views) AS views FROM article_views_hourly WHERE hour >= ? \
             GROUP BY article_id ORDER BY views DESC, article_id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since_hour).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("article_id")?, r.try_get("views")?))).collect()
    }

    async fn published_per_owner(&self, since: i64) -> Result<Vec<(Option<String>, i64)>> {
        let rows = sqlx::query(
            "SELECT u.name AS name, COUNT(*) AS n FROM articles AS a LEFT JOIN users AS u ON u.id = a.owner_id \
             WHERE a.status = 'published' AND a.published_at >= ? GROUP BY u.name ORDER BY n DESC, u.name",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("n")?))).collect()
    }
}
