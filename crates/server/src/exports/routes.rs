//! `GET /api/v1/me/export` and `GET /api/v1/admin/tickets/{id}/export`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ticket::{TicketTranscript, to_html, transcript};
use super::user_data;
use crate::audit::{self, action};
use crate::auth::AuthUser;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_my_data))
        .routes(routes!(export_ticket))
}

/// Download your own data: profile, the messages you can see in your conversations, the
/// tickets you requested and the files you uploaded, as one zip archive (layout in README.md).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "A zip archive", content_type = "application/zip"),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn export_my_data(State(state): State<AppState>, me: AuthUser) -> AppResult<Response> {
    let (file, size) = user_data::build(&state, &me).await?;
    let entry = audit::Entry::by(&me, action::EXPORT_USER_DATA)
        .target("user", me.id)
        .details(serde_json::json!({ "bytes": size }));
    audit::record(&state.db, entry).await?;
    let disposition = format!(
        "attachment; filename=\"switchboard-export-{}-{}.zip\"",
        me.id,
        chrono::Utc::now().format("%Y%m%d")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(size)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(anyhow::Error::from)?,
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        crate::files::serve::stream(Box::pin(file)),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Html,
    Json,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `html` (default): a readable page; `json`: the same content as data.
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// A ticket's transcript (admin only): its details, whole conversation with internal notes
/// marked, and history, as an HTML page or JSON, offered as a download.
#[utoipa::path(get, path = "/api/v1/admin/tickets/{id}/export", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path), ExportQuery),
    responses((status = 200, description = "JSON, or an HTML page with `format=html`",
                content((TicketTranscript = "application/json"), (String = "text/html"))),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_ticket(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    me.require_admin()?;
    let format = q.format.unwrap_or_default();
    let tr = transcript(&state, id).await?;
    let (body, content_type, ext) = match format {
        ExportFormat::Html => (to_html(&tr), "text/html; charset=utf-8", "html"),
        ExportFormat::Json => (
            serde_json::to_string_pretty(&tr).map_err(anyhow::Error::from)?,
            "application/json",
            "json",
        ),
    };
    let entry = audit::Entry::by(&me, action::EXPORT_TICKET)
        .target("ticket", id)
        .details(serde_json::json!({ "number": tr.ticket.number, "format": ext }));
    audit::record(&state.db, entry).await?;
    let disposition = format!("attachment; filename=\"ticket-{}.{ext}\"", tr.ticket.number);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(anyhow::Error::from)?,
            ),
            // Should the page ever be opened from this origin, it can run nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}
