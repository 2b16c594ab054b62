//! [`UploadStore`] for PostgreSQL: uploads are rows, so every node serves every upload.

use async_trait::async_trait;
use zixun_core::SiteClock;

use crate::{PgStore, Result, UploadStore};

#[async_trait]
impl UploadStore for PgStore {
    async fn put_upload(&self, name: &str, bytes: &[u8]) -> Result<()> {
        // Content-addressed: the same name is the same bytes, so a second copy changes nothing.
        sqlx::query("INSERT INTO uploads (name, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(bytes)
            .bind(SiteClock::now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn upload(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT bytes FROM uploads WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn upload_names(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM uploads ORDER BY name").fetch_all(&self.pool).await?)
    }
}
