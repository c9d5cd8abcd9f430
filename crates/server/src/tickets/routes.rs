//! `/api/v1/tickets/*`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::domain::{Priority, Status};
use super::query::{self, TicketQuery};
use super::service::{self, Changes, NewTicket};
use super::view::{TicketEventList, TicketEventView, TicketPage, TicketView, render_one};
use super::{policy, teams};
use crate::auth::AuthUser;
use crate::db::entities::{ticket_event, user};
use crate::domain::to_rfc3339;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::users::view::UserSummary;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket, update_ticket))
        .routes(routes!(ticket_events))
        .merge(teams::router())
        .merge(super::csat::router())
        .merge(super::routing::routes::router())
        .merge(crate::notifications::routes::router())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    /// 1 to 200 characters.
    pub subject: String,
    /// The first message, 1 to 10,000 characters.
    pub body: String,
    #[serde(default = "default_priority")]
    pub priority: Priority,
}

fn default_priority() -> Priority {
    Priority::Medium
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    /// The `version` you read; a stale one answers 409 with the current ticket.
    pub version: i64,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// A user id, or `null` to unassign.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    /// A team id, or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
}

/// Open a ticket.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    request_body = CreateTicketRequest,
    responses((status = 201, body = TicketView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_ticket(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<CreateTicketRequest>,
) -> AppResult<impl IntoResponse> {
    let view = service::create(
        &state,
        &me,
        NewTicket {
            subject: req.subject,
            body: req.body,
            priority: req.priority,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view.seen_by(me.is_staff()))))
}

/// Tickets you may see, filtered, sorted and paginated, with counts per status.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketQuery),
    responses((status = 200, body = TicketPage), (status = 400, body = ErrorBody)))]
pub async fn list_tickets(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> AppResult<Json<TicketPage>> {
    Ok(Json(query::list(&state, &me, q).await?))
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<TicketView>> {
    let (t, _) = policy::visible_ticket(&state.db, &me, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(
        render_one(&state.db, &t).await?.seen_by(me.is_staff()),
    ))
}

/// Change status, priority, assignee, team or tags.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateTicketRequest,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_ticket(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateTicketRequest>,
) -> AppResult<Json<TicketView>> {
    let changes = Changes {
        version: req.version,
        status: req.status,
        priority: req.priority,
        assignee_id: req.assignee_id,
        team_id: req.team_id,
        tags: req.tags,
        keep_sla_flags: false,
    };
    let view = service::update(&state, &me, id, changes).await?;
    Ok(Json(view.seen_by(me.is_staff())))
}

/// The ticket's history: who changed what, from what to what, when.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = TicketEventList), (status = 404, body = ErrorBody)))]
pub async fn ticket_events(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<TicketEventList>> {
    policy::visible_ticket(&state.db, &me, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(id))
        .order_by_asc(ticket_event::Column::Id)
        .all(&state.db)
        .await?;
    let actor_ids: Vec<i64> = rows.iter().map(|r| r.actor_id).collect();
    let actors: std::collections::HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(TicketEventView {
                id: r.id,
                ticket_id: r.ticket_id,
                actor: UserSummary::new(actors.get(&r.actor_id)?),
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
                created_at: to_rfc3339(r.created_at),
            })
        })
        .collect();
    Ok(Json(TicketEventList { items }))
}
