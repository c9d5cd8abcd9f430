//! Canned responses: saved replies staff insert in the composer with `/shortcut`, personal or
//! shared by the whole desk (admins manage shared ones), with placeholders filled on insert.

pub mod placeholders;
mod routes;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::entities::canned_response::{self, SHARED};
use crate::domain::to_rfc3339;
use crate::state::AppState;

/// How many responses an agent may keep for themself, and the desk may share.
pub const MAX_PERSONAL: u64 = 200;
pub const MAX_SHARED: u64 = 500;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::list, routes::create))
        .routes(routes!(routes::update, routes::delete))
        .routes(routes!(routes::render))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CannedResponseView {
    pub id: i64,
    /// Typed after `/` in the composer: 1 to 32 of `a-z`, `0-9`, `-`, `_`.
    pub shortcut: String,
    pub title: String,
    /// May hold `{{customer.name}}`, `{{ticket.number}}`, `{{agent.name}}`.
    pub body: String,
    /// Shared by the whole desk (admins manage it) rather than the caller's own.
    pub shared: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl CannedResponseView {
    fn new(r: canned_response::Model) -> Self {
        Self {
            id: r.id,
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
            shared: r.owner_id == SHARED,
            created_at: to_rfc3339(r.created_at),
            updated_at: to_rfc3339(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CannedResponseList {
    pub items: Vec<CannedResponseView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCannedResponse {
    pub shortcut: String,
    /// 1 to 128 characters.
    pub title: String,
    /// 1 to 10,000 characters.
    pub body: String,
    /// Shared by the whole desk: admins only.
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedResponseChanges {
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    /// Where the response is inserted: a ticket's conversation fills all three placeholders;
    /// a direct one fills `customer.name` (the other member) and `agent.name`.
    pub conversation_id: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RenderedResponse {
    pub body: String,
}
