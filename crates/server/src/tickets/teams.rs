//! `/api/v1/teams`: admins create, rename and delete teams and set their agents.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, action};
use crate::auth::AuthUser;
use crate::db::entities::{team, team_member, user};
use crate::db::is_unique_violation;
use crate::domain::{Role, now_ms};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::users::account::publish_account_updated;
use crate::users::view::UserSummary;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(rename_team, delete_team))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub members: Vec<UserSummary>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TeamList {
    pub items: Vec<TeamView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamName {
    /// 1 to 64 characters, unique.
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TeamMemberRequest {
    pub user_id: i64,
}

fn parse_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::field("name", "must be 1 to 64 characters"));
    }
    Ok(name.to_string())
}

async fn view(state: &AppState, t: team::Model) -> AppResult<TeamView> {
    let ids: Vec<i64> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(t.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let members = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .order_by_asc(user::Column::DisplayName)
        .all(&state.db)
        .await?
        .iter()
        .map(UserSummary::new)
        .collect();
    Ok(TeamView {
        id: t.id,
        name: t.name,
        members,
    })
}

async fn load(state: &AppState, id: i64) -> AppResult<team::Model> {
    team::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// All teams with their agents (agents and admins).
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])),
    responses((status = 200, body = TeamList), (status = 403, body = ErrorBody)))]
pub async fn list_teams(State(state): State<AppState>, me: AuthUser) -> AppResult<Json<TeamList>> {
    if !me.is_staff() {
        return Err(AppError::Forbidden);
    }
    let mut items = Vec::new();
    for t in team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(&state.db)
        .await?
    {
        items.push(view(&state, t).await?);
    }
    Ok(Json(TeamList { items }))
}

/// Create a team (admin).
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])), request_body = TeamName,
    responses((status = 201, body = TeamView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<TeamName>,
) -> AppResult<impl IntoResponse> {
    me.require_admin()?;
    let name = parse_name(&req.name)?;
    let txn = state.db.begin().await?;
    let created = team::ActiveModel {
        name: Set(name),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict("a team with this name exists".into())
        } else {
            e.into()
        }
    })?;
    let entry = audit::Entry::by(&me, action::TEAM_CREATED)
        .target("team", created.id)
        .details(serde_json::json!({ "name": created.name }));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(view(&state, created).await?)))
}

/// Rename a team (admin).
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TeamName,
    responses((status = 200, body = TeamView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rename_team(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TeamName>,
) -> AppResult<Json<TeamView>> {
    me.require_admin()?;
    let name = parse_name(&req.name)?;
    let old = load(&state, id).await?;
    let txn = state.db.begin().await?;
    team::Entity::update_many()
        .col_expr(team::Column::Name, Expr::value(name.clone()))
        .filter(team::Column::Id.eq(id))
        .exec(&txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("a team with this name exists".into())
            } else {
                e.into()
            }
        })?;
    if old.name != name {
        let entry = audit::Entry::by(&me, action::TEAM_RENAMED)
            .target("team", id)
            .details(audit::old_new(&old.name, &name));
        audit::record(&txn, entry).await?;
    }
    txn.commit().await?;
    Ok(Json(view(&state, load(&state, id).await?).await?))
}

/// Delete a team (admin). Its tickets lose their team and return to the shared queue if they
/// have no assignee.
#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_team(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    me.require_admin()?;
    let old = load(&state, id).await?;
    use crate::db::entities::ticket;
    let txn = state.db.begin().await?;
    // Explicit rather than relying on ON DELETE SET NULL, so every database behaves alike.
    ticket::Entity::update_many()
        .col_expr(ticket::Column::TeamId, Expr::value(Option::<i64>::None))
        .filter(ticket::Column::TeamId.eq(id))
        .exec(&txn)
        .await?;
    let members: Vec<i64> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    team_member::Entity::delete_many()
        .filter(team_member::Column::TeamId.eq(id))
        .exec(&txn)
        .await?;
    // Its routing row too (with the intake flag: new tickets then open without a team).
    crate::db::entities::team_routing::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    team::Entity::delete_by_id(id).exec(&txn).await?;
    let entry = audit::Entry::by(&me, action::TEAM_DELETED)
        .target("team", id)
        .details(serde_json::json!({ "name": old.name, "members": members }));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    crate::chat::writer::forget_all(&state).await;
    for member in members {
        publish_account_updated(&state, member).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Add an agent or admin to a team (admin).
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TeamMemberRequest,
    responses((status = 200, body = TeamView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TeamMemberRequest>,
) -> AppResult<Json<TeamView>> {
    me.require_admin()?;
    let t = load(&state, id).await?;
    let u = user::Entity::find_by_id(req.user_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if u.role == Role::Customer {
        return Err(AppError::field(
            "user_id",
            "teams are made of agents and admins",
        ));
    }
    if team_member::Entity::find_by_id((id, u.id))
        .one(&state.db)
        .await?
        .is_none()
    {
        let txn = state.db.begin().await?;
        let inserted = team_member::ActiveModel {
            team_id: Set(id),
            user_id: Set(u.id),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => {
                let entry = audit::Entry::by(&me, action::TEAM_MEMBER_ADDED)
                    .target("team", id)
                    .details(serde_json::json!({ "user_id": u.id }));
                audit::record(&txn, entry).await?;
                txn.commit().await?;
            }
            // Added at the same moment by another request, which recorded it.
            Err(e) if is_unique_violation(&e) => txn.rollback().await?,
            Err(e) => return Err(e.into()),
        }
        publish_account_updated(&state, u.id).await?;
    }
    crate::chat::writer::forget_all(&state).await;
    Ok(Json(view(&state, t).await?))
}

/// Remove someone from a team (admin).
#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{user_id}", tag = "teams", security(("bearer" = [])),
    params(("id" = i64, Path), ("user_id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    me.require_admin()?;
    load(&state, id).await?;
    let txn = state.db.begin().await?;
    let res = team_member::Entity::delete_by_id((id, user_id))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    let entry = audit::Entry::by(&me, action::TEAM_MEMBER_REMOVED)
        .target("team", id)
        .details(serde_json::json!({ "user_id": user_id }));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    crate::chat::writer::forget_all(&state).await;
    publish_account_updated(&state, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
