//! Writing a zip archive to a temporary file without holding its contents in memory. The zip
//! writer is synchronous, so it runs on a blocking thread and the async side (which reads the
//! database and the file store) sends it the archive's entries piece by piece.

use std::io::Write;
use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use zip::write::SimpleFileOptions;

use crate::error::{AppError, AppResult};

enum Piece {
    /// Starts an entry with this path; the following bytes belong to it.
    Entry(String),
    Bytes(Vec<u8>),
}

/// An archive being written. Send entries with [`Archive::entry`] and [`Archive::write`], then
/// [`Archive::finish`] to get the file back.
pub struct Archive {
    tx: mpsc::Sender<Piece>,
    task: JoinHandle<std::io::Result<std::fs::File>>,
    written: u64,
    limit: u64,
}

impl Archive {
    /// A new archive at `path` (removed from the directory once finished: the open file is all
    /// that remains, so nothing is left behind). At most `limit` uncompressed bytes.
    pub fn create(path: PathBuf, limit: u64) -> Self {
        let (tx, mut rx) = mpsc::channel::<Piece>(8);
        let task = tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)?;
            // Unlinked at once (Unix): the file lives as long as the handle.
            let unlinked = std::fs::remove_file(&path).is_ok();
            let mut zip = zip::ZipWriter::new(file);
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(0o644);
            let result = (|| -> zip::result::ZipResult<std::fs::File> {
                while let Some(piece) = rx.blocking_recv() {
                    match piece {
                        Piece::Entry(name) => zip.start_file(name, options)?,
                        Piece::Bytes(bytes) => zip.write_all(&bytes)?,
                    }
                }
                zip.finish()
            })();
            if !unlinked {
                std::fs::remove_file(&path).ok();
            }
            result.map_err(std::io::Error::other)
        });
        Self {
            tx,
            task,
            written: 0,
            limit,
        }
    }

    /// Starts an entry (a path inside the archive, `/`-separated).
    pub async fn entry(&mut self, name: impl Into<String>) -> AppResult<()> {
        self.send(Piece::Entry(name.into())).await
    }

    /// Appends bytes to the current entry.
    pub async fn write(&mut self, bytes: Vec<u8>) -> AppResult<()> {
        self.written += bytes.len() as u64;
        if self.written > self.limit {
            return Err(AppError::PayloadTooLarge);
        }
        self.send(Piece::Bytes(bytes)).await
    }

    /// A whole entry of JSON.
    pub async fn json(&mut self, name: &str, value: &impl serde::Serialize) -> AppResult<()> {
        let bytes = serde_json::to_vec_pretty(value).map_err(anyhow::Error::from)?;
        self.entry(name).await?;
        self.write(bytes).await
    }

    /// Uncompressed bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    async fn send(&mut self, piece: Piece) -> AppResult<()> {
        if self.tx.send(piece).await.is_err() {
            // The writer stopped: its error says why.
            return Err(self.failure().await);
        }
        Ok(())
    }

    async fn failure(&mut self) -> AppError {
        match (&mut self.task).await {
            Ok(Err(e)) => anyhow::Error::from(e).context("writing an archive").into(),
            Ok(Ok(_)) => anyhow::anyhow!("the archive writer stopped early").into(),
            Err(e) => anyhow::Error::from(e)
                .context("the archive writer panicked")
                .into(),
        }
    }

    /// Ends the archive and returns the file, positioned at its start.
    pub async fn finish(self) -> AppResult<(tokio::fs::File, u64)> {
        drop(self.tx);
        let mut file = self
            .task
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|e| anyhow::Error::from(e).context("writing an archive"))?;
        use std::io::Seek;
        let size = file
            .seek(std::io::SeekFrom::Start(0))
            .and_then(|_| file.metadata().map(|m| m.len()))
            .map_err(anyhow::Error::from)?;
        Ok((tokio::fs::File::from_std(file), size))
    }
}
