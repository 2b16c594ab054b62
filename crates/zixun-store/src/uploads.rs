//! Uploaded images, by their content-addressed name (`<blake3 prefix>.<ext>`).

use async_trait::async_trait;

use crate::Result;

#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Keeps `bytes` under `name`; the same name again keeps the first copy (same content).
    /// A reader never sees half an upload.
    async fn put_upload(&self, name: &str, bytes: &[u8]) -> Result<()>;
    async fn upload(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Every stored name, sorted (for `zixun store copy`).
    async fn upload_names(&self) -> Result<Vec<String>>;
}
