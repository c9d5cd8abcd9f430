//! `GET /api/v1/calls/ice-servers`.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ice::{IceServers, servers_for};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ice_servers))
}

/// STUN and TURN servers for a call's `RTCPeerConnection`, TURN with credentials made for you
/// now (valid `ttl_secs`). Empty when none are configured.
#[utoipa::path(get, path = "/api/v1/calls/ice-servers", tag = "calls", security(("bearer" = [])),
    responses((status = 200, body = IceServers)))]
pub async fn ice_servers(
    State(state): State<AppState>,
    me: AuthUser,
) -> AppResult<Json<IceServers>> {
    let s = &state.settings;
    Ok(Json(servers_for(
        &s.ice_servers,
        s.turn_secret.as_ref().map(|k| k.0.as_str()),
        s.turn_ttl_secs,
        me.id,
        jsonwebtoken::get_current_timestamp(),
    )))
}
