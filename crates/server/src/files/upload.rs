//! Receiving a multipart upload: the `file` field is read chunk by chunk, hashed as it arrives
//! and written to the staging directory (attachments) or kept in memory (avatars, 5 MiB at
//! most). The first byte past the limit answers 413; the rest of the body is never read.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::path::PathBuf;

use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tower::{Layer, ServiceExt};

use super::sniff::SNIFF_BYTES;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Room for the multipart framing and small extra fields on top of the file itself.
const FRAMING_BYTES: usize = 64 * 1024;

/// How large the `file` of an upload route may be.
pub trait UploadLimit {
    fn max_file_bytes(state: &AppState) -> usize;
}

/// A `multipart/form-data` body with the route's own body limit (the global 1 MiB limit is for
/// JSON). Wrong content type → 415.
pub struct ApiMultipart<L>(pub Multipart, pub PhantomData<L>);

impl<L: UploadLimit> FromRequest<AppState> for ApiMultipart<L> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(AppError::UnsupportedMediaType(
                "expected multipart/form-data with a `file` field".into(),
            ));
        }
        // The limit depends on the settings, which the router does not know when it is built,
        // so the route's `DefaultBodyLimit` is applied here, per request; it replaces the global
        // one set further out.
        let limit = L::max_file_bytes(state).saturating_add(FRAMING_BYTES);
        let Ok(req) = DefaultBodyLimit::max(limit)
            .layer(tower::service_fn(|r: Request| async {
                Ok::<_, Infallible>(r)
            }))
            .oneshot(req)
            .await;
        Multipart::from_request(req, state)
            .await
            .map(|m| ApiMultipart(m, PhantomData))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("malformed multipart body: {}", e.body_text()))
    }
}

/// An upload written to the staging directory; removed on drop unless moved into the store.
pub struct StagedFile {
    pub path: PathBuf,
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        // After a successful put the file has been renamed away and this fails harmlessly.
        let _ = std::fs::remove_file(&self.path);
    }
}

pub enum Content {
    Staged(StagedFile),
    Memory(Vec<u8>),
}

pub struct Received {
    /// As the client sent it (clean it before storing).
    pub file_name: Option<String>,
    pub declared_type: Option<String>,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, for sniffing the type.
    pub head: Vec<u8>,
    pub content: Content,
}

/// Where the `file` field goes.
pub enum Destination {
    Disk(PathBuf),
    Memory,
}

/// Reads fields until `file`, which is received into `dest`; other fields are skipped (a few
/// KiB at most).
pub async fn receive_file(
    multipart: &mut Multipart,
    max_bytes: usize,
    dest: Destination,
) -> AppResult<Received> {
    let mut skipped = 0usize;
    loop {
        let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? else {
            return Err(AppError::field("file", "required"));
        };
        if field.name() != Some("file") {
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                skipped += chunk.len();
                if skipped > FRAMING_BYTES / 2 {
                    return Err(AppError::PayloadTooLarge);
                }
            }
            continue;
        }
        let file_name = field.file_name().map(str::to_string);
        let declared_type = field.content_type().map(str::to_string);
        let (mut staged, mut disk, mut memory) = (None, None, Vec::new());
        if let Destination::Disk(dir) = &dest {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(anyhow::Error::from)?;
            let path = dir.join(uuid::Uuid::new_v4().simple().to_string());
            disk = Some(
                tokio::fs::File::create(&path)
                    .await
                    .map_err(anyhow::Error::from)?,
            );
            staged = Some(StagedFile { path });
        }
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            size += chunk.len();
            if size > max_bytes {
                return Err(AppError::PayloadTooLarge);
            }
            hasher.update(&chunk);
            if head.len() < SNIFF_BYTES {
                let take = Ord::min(SNIFF_BYTES - head.len(), chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            match disk.as_mut() {
                Some(file) => file.write_all(&chunk).await.map_err(anyhow::Error::from)?,
                None => memory.extend_from_slice(&chunk),
            }
        }
        if size == 0 {
            return Err(AppError::field("file", "is empty"));
        }
        if let Some(mut file) = disk {
            file.flush().await.map_err(anyhow::Error::from)?;
            file.sync_all().await.map_err(anyhow::Error::from)?;
        }
        return Ok(Received {
            file_name,
            declared_type,
            size: size as u64,
            sha256: hex::encode(hasher.finalize()),
            head,
            content: match staged {
                Some(s) => Content::Staged(s),
                None => Content::Memory(memory),
            },
        });
    }
}
