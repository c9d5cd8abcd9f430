//! Where file contents live. Callers see only `BlobStore`: put a staged file or some bytes under
//! a key, get a reader back. `LocalStore` keeps blobs in a directory; an S3-compatible store can
//! implement the same trait later without touching callers.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::AsyncRead;

use crate::state::AppState;

/// A blob's name: the SHA-256 (hex) of the original content, optionally with a variant suffix
/// (`.thumb`, `.a256`, …). Checked so a key can never name a path outside the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobKey(String);

impl BlobKey {
    pub fn new(sha256_hex: &str, variant: Option<&str>) -> io::Result<BlobKey> {
        let hash_ok = sha256_hex.len() == 64
            && sha256_hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let variant_ok = variant.is_none_or(|v| {
            !v.is_empty() && v.len() <= 16 && v.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !hash_ok || !variant_ok {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad blob key"));
        }
        Ok(BlobKey(match variant {
            Some(v) => format!("{sha256_hex}.{v}"),
            None => sha256_hex.to_string(),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub struct Blob {
    pub size: u64,
    pub reader: Pin<Box<dyn AsyncRead + Send>>,
}

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Moves a finished file from the staging directory into the store. Content addressing makes
    /// a second put of the same key a no-op (the staged copy is discarded).
    async fn put_file(&self, key: &BlobKey, staged: &Path) -> io::Result<()>;
    async fn put_bytes(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()>;
    async fn get(&self, key: &BlobKey) -> io::Result<Option<Blob>>;
    async fn exists(&self, key: &BlobKey) -> io::Result<bool>;
}

/// Blobs as files under `root/<first two hex digits>/<key>`.
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        self.root.join(&key.as_str()[..2]).join(key.as_str())
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalStore {
    async fn put_file(&self, key: &BlobKey, staged: &Path) -> io::Result<()> {
        let path = self.path(key);
        if tokio::fs::try_exists(&path).await? {
            tokio::fs::remove_file(staged).await.ok();
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Same file system (both under the data directory): the rename is atomic, so a reader
        // never sees half a blob.
        tokio::fs::rename(staged, &path).await
    }

    async fn put_bytes(&self, key: &BlobKey, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        let staging = staging_dir_in(&self.root);
        tokio::fs::create_dir_all(&staging).await?;
        let tmp = staging.join(uuid::Uuid::new_v4().simple().to_string());
        tokio::fs::write(&tmp, bytes).await?;
        self.put_file(key, &tmp).await
    }

    async fn get(&self, key: &BlobKey) -> io::Result<Option<Blob>> {
        match tokio::fs::File::open(self.path(key)).await {
            Ok(file) => {
                let size = file.metadata().await?.len();
                Ok(Some(Blob {
                    size,
                    reader: Box::pin(file),
                }))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn exists(&self, key: &BlobKey) -> io::Result<bool> {
        tokio::fs::try_exists(self.path(key)).await
    }
}

fn files_root(state: &AppState) -> PathBuf {
    state.settings.data_dir.join("files")
}

/// The staging directory's name under the files root (partial uploads, not data).
pub const STAGING_DIR: &str = "tmp";

fn staging_dir_in(root: &Path) -> PathBuf {
    root.join(STAGING_DIR)
}

/// Where uploads are written while they arrive (next to the store, so moving them in is a
/// rename).
pub fn staging_dir(state: &AppState) -> PathBuf {
    staging_dir_in(&files_root(state))
}

/// The configured store.
pub fn store(state: &AppState) -> Arc<dyn BlobStore> {
    Arc::new(LocalStore::new(files_root(state)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_name_other_paths() {
        let sha = "a".repeat(64);
        assert!(BlobKey::new(&sha, None).is_ok());
        assert_eq!(
            BlobKey::new(&sha, Some("a64")).unwrap().as_str(),
            format!("{sha}.a64")
        );
        assert!(BlobKey::new("../etc/passwd", None).is_err());
        assert!(BlobKey::new(&"A".repeat(64), None).is_err());
        assert!(BlobKey::new(&sha, Some("../x")).is_err());
    }
}
