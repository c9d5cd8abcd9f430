//! `PUT /api/v1/users/me/avatar` and `GET /api/v1/users/{id}/avatar`. An upload is decoded
//! (with limits) and re-encoded as 256 px and 64 px square PNGs, which also drops any metadata;
//! `users.avatar_key` names them. Users without one get generated initials.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use utoipa::IntoParams;

use super::images;
use super::routes::UploadForm;
use super::serve::{self, Served};
use super::sniff;
use super::storage::{self, BlobKey};
use super::upload::{ApiMultipart, Content, Destination, UploadLimit, receive_file};
use crate::auth::AuthUser;
use crate::db::entities::user;
use crate::domain::now_ms;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::users::view::UserView;

pub const MAX_AVATAR_BYTES: usize = 5 * 1024 * 1024;

pub struct AvatarLimit;

impl UploadLimit for AvatarLimit {
    fn max_file_bytes(_: &AppState) -> usize {
        MAX_AVATAR_BYTES
    }
}

fn variant(size: u32) -> String {
    format!("a{size}")
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::Internal(e.into())
}

/// Set your avatar: a PNG, JPEG, WebP or GIF of at most 5 MiB (the type is read from the
/// bytes). Answers your account with the new `avatar_url`.
#[utoipa::path(put, path = "/api/v1/users/me/avatar", tag = "users", security(("bearer" = [])),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload_avatar(
    State(state): State<AppState>,
    me: AuthUser,
    ApiMultipart(mut multipart, _): ApiMultipart<AvatarLimit>,
) -> AppResult<Json<UserView>> {
    let received = receive_file(&mut multipart, MAX_AVATAR_BYTES, Destination::Memory).await?;
    let sniffed = sniff::sniff(&received.head);
    let Some(format) = sniffed.image else {
        return Err(AppError::UnsupportedMediaType(
            "an avatar must be a PNG, JPEG, WebP or GIF image".into(),
        ));
    };
    sniff::check_claims(
        &sniffed,
        received.file_name.as_deref(),
        received.declared_type.as_deref(),
    )?;
    let Content::Memory(bytes) = received.content else {
        return Err(anyhow::anyhow!("avatar was not received in memory").into());
    };
    let variants = tokio::task::spawn_blocking(move || {
        let img = images::decode_bytes(&bytes, format)?;
        images::avatar_variants(&img)
    })
    .await
    .map_err(anyhow::Error::from)??;
    // Named by the re-encoded 256 px image: the same picture gives the same key.
    let key = hex::encode(Sha256::digest(&variants[0].1));
    let store = storage::store(&state);
    for (size, png) in &variants {
        let blob = BlobKey::new(&key, Some(&variant(*size))).map_err(io_error)?;
        store.put_bytes(&blob, png).await.map_err(io_error)?;
    }
    let current = user::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut model = current.into_active_model();
    model.avatar_key = Set(Some(key));
    model.updated_at = Set(now_ms());
    let updated = model.update(&state.db).await?;
    Ok(Json(UserView::new(&updated, true)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvatarQuery {
    /// 64 or 256 (default).
    pub size: Option<u32>,
    /// The version from `avatar_url`; with it the answer may be cached for good.
    pub v: Option<String>,
}

/// A user's avatar: the uploaded image as PNG, or generated initials as SVG. Send the `ETag`
/// back in `If-None-Match` for a 304.
#[utoipa::path(get, path = "/api/v1/users/{id}/avatar", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path), AvatarQuery),
    responses((status = 200, description = "image/png, or image/svg+xml for generated initials"),
              (status = 304, description = "Not modified"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_avatar(
    State(state): State<AppState>,
    _me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AvatarQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let size = q.size.unwrap_or(256);
    if !images::AVATAR_SIZES.contains(&size) {
        return Err(AppError::field("size", "must be 64 or 256"));
    }
    let u = user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(key) = &u.avatar_key {
        let blob = BlobKey::new(key, Some(&variant(size))).map_err(io_error)?;
        if let Some(mut found) = storage::store(&state).get(&blob).await.map_err(io_error)? {
            let mut png = Vec::with_capacity(found.size as usize);
            found.reader.read_to_end(&mut png).await.map_err(io_error)?;
            let versioned =
                q.v.as_deref()
                    .is_some_and(|v| key.starts_with(v) && !v.is_empty());
            return Ok(serve::respond(
                &headers,
                Served {
                    content_type: "image/png",
                    etag: &format!("\"{}-{size}\"", &key[..16]),
                    // A versioned URL names these exact bytes; otherwise revalidate.
                    cache_control: if versioned {
                        "private, max-age=31536000, immutable"
                    } else {
                        "private, no-cache"
                    },
                    disposition: None,
                    length: Some(png.len() as u64),
                },
                move || Body::from(png),
            ));
        }
        tracing::warn!(user_id = u.id, "avatar blob missing; serving initials");
    }
    let svg = images::initials_svg(u.id, &u.display_name, size);
    let etag = format!(
        "\"g{}\"",
        &hex::encode(Sha256::digest(svg.as_bytes()))[..16]
    );
    Ok(serve::respond(
        &headers,
        Served {
            content_type: "image/svg+xml",
            etag: &etag,
            cache_control: "private, no-cache",
            disposition: None,
            length: Some(svg.len() as u64),
        },
        move || Body::from(svg),
    ))
}
