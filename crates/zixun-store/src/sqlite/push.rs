//! [`PushStore`] for SQLite.

use async_trait::async_trait;

use crate::{PushEntry, PushRecord, PushStore, Result, SqliteStore, rows};

#[async_trait]
impl PushStore for SqliteStore {
    async fn push_cursor(&self) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT seq FROM push_cursor WHERE id = 1").fetch_optional(&self.pool).await?)
    }

    async fn queue_pushes(&self, targets: &[&str], items: &[(i64, String)], seq: i64, now: i64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut queued = 0;
        for target in targets {
            for (article_id, url) in items {
                queued += sqlx::query(
                    "INSERT INTO pushes (target, article_id, url, queued_at, next_at) VALUES (?, ?, ?, ?, ?) \
                     ON CONFLICT (target, article_id) DO NOTHING",
                )
                .bind(target)
                .bind(article_id)
                .bind(url)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
        }
        sqlx::query(
            "INSERT INTO push_cursor (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        )
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn claim_pushes(&self, target: &str, now: i64, lease_secs: i64, limit: u32) -> Result<Vec<PushEntry>> {
        // One writer at a time in SQLite: the UPDATE is the claim.
        let sql = format!(
            "UPDATE pushes SET next_at = ?2 + ?3 WHERE id IN (SELECT id FROM pushes \
             WHERE target = ?1 AND state = 'pending' AND next_at <= ?2 ORDER BY id LIMIT {limit}) RETURNING *"
        );
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(target).bind(now).bind(lease_secs).fetch_all(&self.pool).await?;
        let mut claimed = rows.iter().map(rows::push_entry).collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|p| p.id);
        Ok(claimed)
    }

    async fn record_pushes(&self, ids: &[i64], r: &PushRecord) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query(
                "UPDATE pushes SET state = ?, next_at = ?, tried_at = ?, result = ?, remain = ?, attempts = attempts + 1 \
                 WHERE id = ?",
            )
            .bind(r.state.as_str())
            .bind(r.next_at)
            .bind(r.at)
            .bind(&r.result)
            .bind(r.remain)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn push_log(&self, limit: u32) -> Result<Vec<PushEntry>> {
        let sql = format!("SELECT * FROM pushes ORDER BY id DESC LIMIT {limit}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(rows::push_entry).collect()
    }
}
