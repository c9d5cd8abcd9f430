//! People: friend requests, contacts, blocks and user search. Accepting a request makes both
//! users contacts (one row per direction); a block removes the contact, ends pending requests
//! and refuses new requests and direct messages either way.

pub mod events;
pub mod routes;
pub mod search;
pub mod service;
pub mod store;
pub mod view;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::send_request, routes::list_requests))
        .routes(routes!(routes::accept_request))
        .routes(routes!(routes::decline_request))
        .routes(routes!(routes::cancel_request))
        .routes(routes!(routes::list_contacts))
        .routes(routes!(routes::remove_contact))
        .routes(routes!(routes::block_user))
        .routes(routes!(routes::unblock_user))
        .routes(routes!(search::search_users))
}
