//! [`NewsroomStore`] for SQLite.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};
use zixun_core::{
    AuditNote,
    newsroom::{Role, Workflow},
};

use super::{SeqLock, StoryFacts, write_audit};
use crate::rows;
use crate::{
    Result, SqliteStore, StoreError,
    newsroom::{AdminArticle, AdminFilter, ApiToken, AuditEntry, NewAudit, NewsroomStore, User},
};

#[async_trait]
impl NewsroomStore for SqliteStore {
    async fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<User> {
        let row = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, unixepoch()) RETURNING *",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("a user named {name:?} already exists"))
            }
            _ => e.into(),
        })?;
        rows::user(&row)
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE name = ?").bind(name).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(rows::user).collect()
    }

    async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE name = ?")
            .bind(password_hash)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_disabled(&self, name: &str, disabled: bool) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = ? WHERE name = ?")
            .bind(disabled)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if disabled {
            last_admin_check(&mut tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)")
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_role(&self, name: &str, role: Role) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET role = ? WHERE name = ?")
            .bind(role.as_str())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        last_admin_check(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: i64, idle_secs: i64) -> Result<Option<(User, String)>> {
        let row = sqlx::query(
            "SELECT u.*, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen")?;
        if now - last_seen > idle_secs {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        // Written at most once a minute: a page view is not worth a write each time.
        if now - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ?")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((rows::user(&row)?, row.try_get("csrf")?)))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn add_token(&self, user_id: i64, token_hash: &str, label: Option<&str>, now: i64) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(label)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    async fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.*, t.id AS token_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.try_get("token_id")?;
        // Like sessions: written at most once a minute, not on every API request.
        sqlx::query("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?1 - 60)")
            .bind(now)
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        Ok(Some(rows::user(&row)?))
    }

    async fn revoke_token(&self, id: i64, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, u.name AS user_name, t.label, t.created_at, t.revoked_at, t.last_used_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::api_token).collect()
    }

    async fn audit(&self, e: &NewAudit) -> Result<()> {
        bind_audit(
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, user_name, action, article_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            ),
            e,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_once(&self, e: &NewAudit, since: i64) -> Result<bool> {
        // The log's index on `at` bounds the look back.
        let done = bind_audit(
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, user_name, action, article_id, detail) \
                 SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS \
             (SELECT 1 FROM audit_log WHERE at >= ? AND user_name = ? AND action = ? AND detail = ?)",
            ),
            e,
        )
        .bind(since)
        .bind(&e.user_name)
        .bind(&e.action)
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT {limit}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(rows::audit_entry).collect()
    }

    async fn markdown(&self, article_id: i64) -> Result<Option<String>> {
        let md: Option<Option<String>> = sqlx::query_scalar("SELECT body_markdown FROM articles WHERE id = ?")
            .bind(article_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(md.flatten())
    }

    async fn admin_articles(&self, filter: AdminFilter, limit: u32) -> Result<Vec<AdminArticle>> {
        // Each filter its own statement, so that each finds its index (by owner, by workflow,
        // by update time) and stops at `limit`: one statement with `? IS NULL OR …` for all
        // of them read every article (a second at 100k).
        let mut q = QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT a.id, a.title, a.owner_id, u.name AS owner_name, a.status, a.workflow, a.category, \
             a.updated_at, a.published_at, a.publish_at FROM articles a LEFT JOIN users u ON u.id = a.owner_id \
             WHERE (a.workflow IS NULL OR a.workflow != 'deleted')",
        );
        if let Some(owner) = filter.owner_id {
            q.push(" AND a.owner_id = ").push_bind(owner);
        }
        match filter.workflow {
            // Imported and fed articles have no workflow: they are published or drafts by status.
            Some(w @ (Workflow::Published | Workflow::Draft)) => {
                q.push(
                    " AND COALESCE(a.workflow, CASE a.status WHEN 'published' THEN 'published' ELSE 'draft' END) = ",
                )
                .push_bind(w.as_str());
            }
            Some(w) => {
                q.push(" AND a.workflow = ").push_bind(w.as_str());
            }
            None => {}
        }
        q.push(format_args!(" ORDER BY a.updated_at DESC, a.id DESC LIMIT {limit}"));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::admin_article).collect()
    }

    async fn publish_due(&self, now: i64, by: &AuditNote) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let mut feed = SeqLock::take(&mut tx).await?;
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE workflow = 'scheduled' AND publish_at <= ? ORDER BY publish_at, id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for id in &due {
            let row = sqlx::query(
                "UPDATE articles SET status = 'published', workflow = 'published', published_at = publish_at, \
                 updated_at = ?, seq = ? WHERE id = ? RETURNING simhash, original, published_at",
            )
            .bind(now)
            .bind(feed.next())
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let facts = StoryFacts {
                simhash: row.try_get::<i64, _>("simhash")? as u64,
                original: row.try_get("original")?,
                published: true,
                published_at: row.try_get("published_at")?,
            };
            self.link_story(&mut tx, *id, facts, &mut feed).await?;
            write_audit(&mut tx, now, by, Some(*id)).await?;
        }
        feed.release(&mut tx).await?;
        tx.commit().await?;
        Ok(due)
    }

    async fn login_attempt(&self, keys: &[String], now: i64, window_secs: i64) -> Result<u32> {
        let mut tx = self.pool.begin().await?;
        let mut highest = 0i64;
        for key in keys {
            let n: i64 = sqlx::query_scalar(
                "INSERT INTO login_attempts (key, count, last_at) VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE \
                 SET count = CASE WHEN last_at < ?2 - ?3 THEN 1 ELSE count + 1 END, last_at = ?2 RETURNING count",
            )
            .bind(key)
            .bind(now)
            .bind(window_secs)
            .fetch_one(&mut *tx)
            .await?;
            highest = highest.max(n);
        }
        tx.commit().await?;
        Ok(highest.clamp(0, i64::from(u32::MAX)) as u32)
    }

    async fn login_succeeded(&self, clear: &str, forgive: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_attempts WHERE key = ?").bind(clear).execute(&mut *tx).await?;
        sqlx::query("UPDATE login_attempts SET count = MAX(count - 1, 0) WHERE key = ?")
            .bind(forgive)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn site_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>> {
        sqlx::query("INSERT INTO site_secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM site_secrets WHERE name = ?1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Refuses the change being made when it leaves no enabled admin (the transaction is then
/// rolled back as it is dropped).
async fn last_admin_check(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<()> {
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled")
        .fetch_one(&mut **tx)
        .await?;
    if admins == 0 { Err(StoreError::LastAdmin) } else { Ok(()) }
}

/// Binds an audit entry's columns in the order of the INSERT statements.
fn bind_audit<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    e: &'q NewAudit,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    q.bind(e.at).bind(e.user_id).bind(&e.user_name).bind(&e.action).bind(e.article_id).bind(&e.detail)
}
