//! `GET /api/v1/admin/audit`: admins read the audit log, newest first, filtered and paged.
//! There is deliberately no route that changes or removes an entry.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::db::entities::{audit_entry, user};
use crate::domain::to_rfc3339;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use crate::users::view::UserSummary;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries by this user.
    pub actor_id: Option<i64>,
    /// Only this action, e.g. `user.role_changed`.
    pub action: Option<String>,
    /// Only actions starting with this, e.g. `auth.`.
    pub action_prefix: Option<String>,
    /// Only entries about this kind of target (`user`, `team`, `ticket`, …).
    pub target_kind: Option<String>,
    /// Only entries about this target id (with `target_kind`).
    pub target_id: Option<String>,
    /// Entries at or after this time (RFC 3339).
    pub from: Option<String>,
    /// Entries before this time (RFC 3339).
    pub to: Option<String>,
    /// Entries older than this (the `next_cursor` of the previous page).
    pub cursor: Option<i64>,
    /// 1 to 200, default 50.
    pub limit: Option<u64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub created_at: String,
    /// Who acted; absent for a failed sign-in.
    pub actor: Option<UserSummary>,
    /// The email a failed sign-in tried.
    pub actor_email: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// A small JSON object, usually `{"old": …, "new": …}`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The client address the request came from.
    pub ip: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// Action names and target kinds are short dotted lowercase words.
fn parse_name(field: &str, raw: &str) -> AppResult<String> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(AppError::field(
            field,
            "must be 1 to 64 of a-z, 0-9, '.', '_'",
        ))
    }
}

fn parse_time(field: &str, raw: &str) -> AppResult<i64> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.timestamp_millis())
        .map_err(|_| AppError::field(field, "must be an RFC 3339 time"))
}

/// The audit log, newest first (admin only).
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    me.require_admin()?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut query = audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = q.cursor {
        query = query.filter(audit_entry::Column::Id.lt(cursor));
    }
    if let Some(actor) = q.actor_id {
        query = query.filter(audit_entry::Column::ActorId.eq(actor));
    }
    if let Some(action) = &q.action {
        query = query.filter(audit_entry::Column::Action.eq(parse_name("action", action)?));
    }
    if let Some(prefix) = &q.action_prefix {
        let prefix = parse_name("action_prefix", prefix)?;
        // SUBSTR rather than LIKE: '_' is a LIKE wildcard and escaping differs per database.
        let head = Func::cust(Alias::new("SUBSTR"))
            .arg(Expr::col(audit_entry::Column::Action))
            .arg(1i32)
            // INTEGER, not BIGINT: PostgreSQL has no substr(text, int, bigint).
            .arg(prefix.len() as i32);
        query = query
            .filter(audit_entry::Column::Action.gte(prefix.clone()))
            .filter(Expr::expr(head).eq(prefix));
    }
    if let Some(kind) = &q.target_kind {
        query = query.filter(audit_entry::Column::TargetKind.eq(parse_name("target_kind", kind)?));
    }
    if let Some(id) = &q.target_id {
        if id.is_empty() || id.len() > 64 {
            return Err(AppError::field("target_id", "must be 1 to 64 characters"));
        }
        query = query.filter(audit_entry::Column::TargetId.eq(id.as_str()));
    }
    if let Some(from) = &q.from {
        query = query.filter(audit_entry::Column::CreatedAt.gte(parse_time("from", from)?));
    }
    if let Some(to) = &q.to {
        query = query.filter(audit_entry::Column::CreatedAt.lt(parse_time("to", to)?));
    }
    let mut rows = query.all(&state.db).await?;
    let next_cursor = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|e| e.id).unwrap_or_default()
    });
    let actor_ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
    let actors: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let items = rows
        .into_iter()
        .map(|e| AuditEntryView {
            id: e.id,
            created_at: to_rfc3339(e.created_at),
            actor: e
                .actor_id
                .and_then(|id| actors.get(&id))
                .map(UserSummary::new),
            actor_email: e.actor_email,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            ip: e.ip,
        })
        .collect();
    Ok(Json(AuditPage { items, next_cursor }))
}
