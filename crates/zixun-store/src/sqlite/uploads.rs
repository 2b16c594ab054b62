//! [`UploadStore`] for SQLite: files in the data folder's `uploads/`, beside the database.

use async_trait::async_trait;

use crate::{Result, SqliteStore, StoreError, UploadStore};

fn io_err(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Upload(format!("{what}: {e}"))
}

#[async_trait]
impl UploadStore for SqliteStore {
    async fn put_upload(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let dir = &self.uploads_dir;
        let target = dir.join(name);
        if tokio::fs::try_exists(&target).await.unwrap_or(false) {
            return Ok(());
        }
        tokio::fs::create_dir_all(dir).await.map_err(|e| io_err("cannot create the uploads folder", e))?;
        // Written aside and renamed: a reader never gets half a file. Each writer has its own
        // temporary file (two polls may store the same image at once); the same name is the
        // same content, so whichever rename lands, the file is whole.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.part", std::process::id()));
        tokio::fs::write(&tmp, bytes).await.map_err(|e| io_err("cannot write the upload", e))?;
        match tokio::fs::rename(&tmp, &target).await {
            Ok(()) => Ok(()),
            Err(_) if tokio::fs::try_exists(&target).await.unwrap_or(false) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Ok(())
            }
            Err(e) => Err(io_err("cannot store the upload", e)),
        }
    }

    async fn upload(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.uploads_dir.join(name)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("cannot read the upload", e)),
        }
    }

    async fn upload_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut dir = match tokio::fs::read_dir(&self.uploads_dir).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(io_err("cannot list the uploads", e)),
        };
        while let Some(entry) = dir.next_entry().await.map_err(|e| io_err("cannot list the uploads", e))? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}
