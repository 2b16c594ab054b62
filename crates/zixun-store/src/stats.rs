//! Figures for the newsroom's dashboard: sums the store makes in one query each, so the
//! dashboard reads a few rows however many articles and hours of views there are.

use async_trait::async_trait;

use crate::Result;

#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Views of all articles per hour bucket (Unix hour), for the hours from `since_hour`, in
    /// hour order.
    async fn views_per_hour(&self, since_hour: i64) -> Result<Vec<(i64, i64)>>;
    /// The `limit` articles with the most views in the hours from `since_hour`: `(id, views)`,
    /// most viewed first.
    async fn most_viewed_since(&self, since_hour: i64, limit: u32) -> Result<Vec<(i64, i64)>>;
    /// Articles published from `since` per owning account (`None`: no account, i.e. feeds
    /// and imports), most first.
    async fn published_per_owner(&self, since: i64) -> Result<Vec<(Option<String>, i64)>>;
}
