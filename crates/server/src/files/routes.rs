//! `POST /api/v1/files`, `GET /api/v1/files/{id}` and `GET /api/v1/files/{id}/thumbnail`.

use std::io::BufReader;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sea_orm::{ActiveModelTrait, Set};
use tokio::io::AsyncReadExt;
use utoipa::ToSchema;

use super::access::visible_file;
use super::images;
use super::serve::{self, Served};
use super::sniff::{self, content_disposition};
use super::storage::{self, BlobKey};
use super::upload::{ApiMultipart, Content, Destination, UploadLimit, receive_file};
use crate::auth::AuthUser;
use crate::conversations::view::FileView;
use crate::db::entities::file;
use crate::domain::now_ms;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiPath;
use crate::state::AppState;

pub const THUMBNAIL_VARIANT: &str = "thumb";

pub struct AttachmentLimit;

impl UploadLimit for AttachmentLimit {
    fn max_file_bytes(state: &AppState) -> usize {
        state.settings.max_upload_bytes
    }
}

/// A multipart form with one file.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes the request body for OpenAPI only.
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::Internal(e.into())
}

/// Upload a file to attach to messages (up to the server's upload limit, 25 MiB by default).
/// The type is decided from the content; a name or declared type claiming another image type
/// is refused with 415. Images get a thumbnail.
#[utoipa::path(post, path = "/api/v1/files", tag = "files", security(("bearer" = [])),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = FileView), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload_file(
    State(state): State<AppState>,
    me: AuthUser,
    ApiMultipart(mut multipart, _): ApiMultipart<AttachmentLimit>,
) -> AppResult<(StatusCode, Json<FileView>)> {
    let received = receive_file(
        &mut multipart,
        state.settings.max_upload_bytes,
        Destination::Disk(storage::staging_dir(&state)),
    )
    .await?;
    let sniffed = sniff::sniff(&received.head);
    sniff::check_claims(
        &sniffed,
        received.file_name.as_deref(),
        received.declared_type.as_deref(),
    )?;
    let Content::Staged(staged) = received.content else {
        return Err(anyhow::anyhow!("upload was not staged on disk").into());
    };
    let store = storage::store(&state);
    let key = BlobKey::new(&received.sha256, None).map_err(io_error)?;
    let mut has_thumbnail = false;
    if let Some(format) = sniffed.image {
        let thumb_key =
            BlobKey::new(&received.sha256, Some(THUMBNAIL_VARIANT)).map_err(io_error)?;
        // Same content, same thumbnail: only the first upload decodes.
        if !store.exists(&thumb_key).await.map_err(io_error)? {
            let path = staged.path.clone();
            let thumb = tokio::task::spawn_blocking(move || {
                let img =
                    images::decode(|| std::fs::File::open(&path).map(BufReader::new), format)?;
                images::thumbnail(&img)
            })
            .await
            .map_err(anyhow::Error::from)??;
            store
                .put_bytes(&thumb_key, &thumb)
                .await
                .map_err(io_error)?;
        }
        has_thumbnail = true;
    }
    store.put_file(&key, &staged.path).await.map_err(io_error)?;
    let row = file::ActiveModel {
        uploader_id: Set(me.id),
        name: Set(sniff::clean_name(received.file_name.as_deref())),
        content_type: Set(sniffed.content_type.to_string()),
        size: Set(received.size as i64),
        sha256: Set(received.sha256.clone()),
        is_image: Set(sniffed.image.is_some()),
        has_thumbnail: Set(has_thumbnail),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(FileView::new(&row))))
}

async fn serve_blob(
    state: &AppState,
    request: &HeaderMap,
    f: &file::Model,
    variant: Option<&str>,
) -> AppResult<Response> {
    let key = BlobKey::new(&f.sha256, variant).map_err(io_error)?;
    let blob = storage::store(state)
        .get(&key)
        .await
        .map_err(io_error)?
        .ok_or_else(|| anyhow::anyhow!("blob {} of file {} is missing", key.as_str(), f.id))?;
    let etag = format!("\"{}{}\"", &f.sha256[..32], variant.unwrap_or(""));
    let mut reader = blob.reader;
    let (content_type, disposition, body) = match variant {
        // Thumbnails are small: read them whole to tell JPEG from PNG.
        Some(_) => {
            let mut bytes = Vec::with_capacity(blob.size as usize);
            reader.read_to_end(&mut bytes).await.map_err(io_error)?;
            let content_type = sniff::sniff(&bytes).content_type;
            (content_type, None, Some(bytes))
        }
        None => {
            let kind = if f.is_image { "inline" } else { "attachment" };
            (
                f.content_type.as_str(),
                Some(content_disposition(kind, &f.name)),
                None,
            )
        }
    };
    Ok(serve::respond(
        request,
        Served {
            content_type,
            etag: &etag,
            // The bytes behind an id never change.
            cache_control: "private, max-age=31536000, immutable",
            disposition,
            length: Some(blob.size),
        },
        move || match body {
            Some(bytes) => Body::from(bytes),
            None => serve::stream(reader),
        },
    ))
}

/// Download a file (its uploader, or members of a conversation with a message carrying it).
/// Images are served inline; anything else as an `attachment`, always with `nosniff`.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "The file's bytes"), (status = 304, description = "Not modified"),
              (status = 404, body = ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let f = visible_file(&state, &me, id).await?;
    serve_blob(&state, &headers, &f, None).await
}

/// A preview of an image file, at most 320 px on its longer side (JPEG, or PNG when the image
/// may be transparent).
#[utoipa::path(get, path = "/api/v1/files/{id}/thumbnail", tag = "files", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "The thumbnail"), (status = 304, description = "Not modified"),
              (status = 404, body = ErrorBody)))]
pub async fn download_thumbnail(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let f = visible_file(&state, &me, id).await?;
    if !f.has_thumbnail {
        return Err(AppError::NotFound);
    }
    serve_blob(&state, &headers, &f, Some(THUMBNAIL_VARIANT)).await
}
