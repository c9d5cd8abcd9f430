//! Files: avatars and message attachments, stored by content hash behind a storage interface.
//!
//! An upload is streamed to a staging file while it is hashed, its type is read from its first
//! bytes, images are decoded with limits for a thumbnail, then the file is moved into the store
//! under its SHA-256. A `files` row records the name (metadata only), type and size.

pub mod access;
pub mod avatars;
pub mod images;
pub mod routes;
pub mod serve;
pub mod sniff;
pub mod storage;
pub mod upload;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::upload_file))
        .routes(routes!(routes::download_file))
        .routes(routes!(routes::download_thumbnail))
        .routes(routes!(avatars::upload_avatar))
        .routes(routes!(avatars::get_avatar))
}
