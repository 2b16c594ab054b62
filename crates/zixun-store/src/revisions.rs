//! Revisions of articles: written by [`Store::upsert`](crate::Store::upsert) in the same
//! transaction as the save they record (a save with an audit note: a person acted), read here.

use async_trait::async_trait;
use zixun_core::revision::Revision;

use crate::Result;

#[async_trait]
pub trait RevisionStore: Send + Sync {
    /// The kept revisions of an article, newest first.
    async fn revisions(&self, article_id: i64) -> Result<Vec<Revision>>;
    async fn revision(&self, id: i64) -> Result<Option<Revision>>;
}
