//! [`SlotStore`] for SQLite.

use async_trait::async_trait;
use zixun_core::slot::{NewSlotItem, SlotItem, SlotTarget};

use crate::{
    Result, SqliteStore, rows,
    slots::{SlotStore, moved},
};

#[async_trait]
impl SlotStore for SqliteStore {
    async fn slot_items(&self) -> Result<Vec<SlotItem>> {
        let rows =
            sqlx::query("SELECT * FROM slot_items ORDER BY slot, category, position, id").fetch_all(&self.pool).await?;
        rows.iter().map(rows::slot_item).collect()
    }

    async fn add_slot_item(&self, item: &NewSlotItem, now: i64) -> Result<SlotItem> {
        let (article_id, url, title) = match &item.target {
            SlotTarget::Article { article_id } => (Some(*article_id), None, None),
            SlotTarget::Link { url, title } => (None, Some(url.as_str()), Some(title.trim())),
        };
        // One statement: the top position is taken where the row is written.
        let row = sqlx::query(
            "INSERT INTO slot_items (slot, category, position, article_id, link_url, link_title, starts_at, ends_at, \
             created_at, created_by) \
             SELECT ?1, ?2, COALESCE(MIN(position), 0) - 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9 \
             FROM slot_items WHERE slot = ?1 AND category = ?2 RETURNING *",
        )
        .bind(item.slot.as_str())
        .bind(&item.category)
        .bind(article_id)
        .bind(url)
        .bind(title)
        .bind(item.starts_at)
        .bind(item.ends_at)
        .bind(now)
        .bind(&item.created_by)
        .fetch_one(&self.pool)
        .await?;
        rows::slot_item(&row)
    }

    async fn move_slot_item(&self, id: i64, up: bool) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // A write first: the transaction holds the write lock before it reads the order.
        let place: Option<(String, String)> =
            sqlx::query_as("UPDATE slot_items SET position = position WHERE id = ? RETURNING slot, category")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((slot, category)) = place else { return Ok(false) };
        let ordered: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM slot_items WHERE slot = ? AND category = ? ORDER BY position, id")
                .bind(&slot)
                .bind(&category)
                .fetch_all(&mut *tx)
                .await?;
        let Some(order) = moved(&ordered, id, up) else { return Ok(false) };
        for (position, item) in order.iter().enumerate() {
            sqlx::query("UPDATE slot_items SET position = ? WHERE id = ?")
                .bind(position as i64)
                .bind(item)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn remove_slot_item(&self, id: i64) -> Result<Option<SlotItem>> {
        let row =
            sqlx::query("DELETE FROM slot_items WHERE id = ? RETURNING *").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::slot_item).transpose()
    }
}
