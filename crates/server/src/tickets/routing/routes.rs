//! `/api/v1/admin/sla` and `/api/v1/admin/teams/{id}/routing`: admins read and set the desk's
//! SLA settings and each team's routing.

use axum::Json;
use axum::extract::State;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{OnBreach, RoutingRule};
use crate::audit;
use crate::auth::AuthUser;
use crate::db::entities::{team, team_routing};
use crate::domain::now_ms;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::tickets::targets::{self, MAX_TARGET_MINUTES, SlaSettings};

/// The most open tickets a cap may allow.
pub const MAX_CAP: i64 = 10_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_sla, put_sla))
        .routes(routes!(get_routing, put_routing))
}

/// A team's routing as the admin API reads and writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRouting {
    pub rule: RoutingRule,
    /// Open tickets an agent may hold before routing passes them by (1 to 10,000); `null` no
    /// cap.
    pub max_open: Option<i64>,
    /// An unassigned ticket in the team waiting longer than this escalates once (1 to
    /// 525,600 minutes); `null` never.
    pub unassigned_limit_minutes: Option<i64>,
    pub on_breach: OnBreach,
    /// New customer tickets open in this team and are routed by its rule at once. One team at a
    /// time: setting it here clears it elsewhere. Omitted: false.
    #[serde(default)]
    pub intake: bool,
}

impl TeamRouting {
    fn of(m: &team_routing::Model) -> Self {
        Self {
            rule: m.rule,
            max_open: m.max_open,
            unassigned_limit_minutes: m.unassigned_limit_minutes,
            on_breach: m.on_breach,
            intake: m.intake,
        }
    }

    /// A team that never had a rule set.
    pub fn manual() -> Self {
        Self {
            rule: RoutingRule::Manual,
            max_open: None,
            unassigned_limit_minutes: None,
            on_breach: OnBreach::Notify,
            intake: false,
        }
    }

    fn validate(&self) -> AppResult<()> {
        let mut problems = std::collections::BTreeMap::new();
        if let Some(cap) = self.max_open
            && !(1..=MAX_CAP).contains(&cap)
        {
            problems.insert(
                "max_open".to_string(),
                format!("must be 1 to {MAX_CAP}, or null"),
            );
        }
        if let Some(limit) = self.unassigned_limit_minutes
            && !(1..=MAX_TARGET_MINUTES).contains(&limit)
        {
            problems.insert(
                "unassigned_limit_minutes".to_string(),
                format!("must be 1 to {MAX_TARGET_MINUTES} minutes, or null"),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(problems))
        }
    }
}

/// The desk's SLA targets per priority and the auto-close delay (admin only).
#[utoipa::path(get, path = "/api/v1/admin/sla", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = SlaSettings), (status = 403, body = ErrorBody)))]
pub async fn get_sla(State(state): State<AppState>, me: AuthUser) -> AppResult<Json<SlaSettings>> {
    me.require_admin()?;
    Ok(Json(targets::current(&state).await?))
}

/// Replace the SLA settings (admin only). New targets apply to tickets opened or
/// re-prioritised afterwards; open tickets keep their due times.
#[utoipa::path(put, path = "/api/v1/admin/sla", tag = "admin", security(("bearer" = [])),
    request_body = SlaSettings,
    responses((status = 200, body = SlaSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_sla(
    State(state): State<AppState>,
    me: AuthUser,
    ApiJson(req): ApiJson<SlaSettings>,
) -> AppResult<Json<SlaSettings>> {
    me.require_admin()?;
    Ok(Json(targets::replace(&state, &me, req).await?))
}

async fn team_exists(state: &AppState, id: i64) -> AppResult<()> {
    team::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// A team's routing rule (admin only); `manual` when never set.
#[utoipa::path(get, path = "/api/v1/admin/teams/{id}/routing", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TeamRouting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_routing(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<TeamRouting>> {
    me.require_admin()?;
    team_exists(&state, id).await?;
    let row = team_routing::Entity::find_by_id(id).one(&state.db).await?;
    Ok(Json(
        row.as_ref()
            .map_or_else(TeamRouting::manual, TeamRouting::of),
    ))
}

/// Set a team's routing rule (admin only). Applies to tickets entering the team afterwards.
#[utoipa::path(put, path = "/api/v1/admin/teams/{id}/routing", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TeamRouting,
    responses((status = 200, body = TeamRouting), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_routing(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TeamRouting>,
) -> AppResult<Json<TeamRouting>> {
    me.require_admin()?;
    req.validate()?;
    team_exists(&state, id).await?;
    store_routing(&state, id, &req).await?;
    // Recorded after the store: the store's insert-or-update retry can't share a transaction
    // (a failed insert aborts one on PostgreSQL). A crash in between loses this one entry.
    audit::record(
        &state.db,
        audit::Entry::by(&me, audit::action::TEAM_ROUTING_CHANGED)
            .target("team", id)
            .details(serde_json::to_value(&req).unwrap_or_default()),
    )
    .await?;
    Ok(Json(req))
}

async fn store_routing(state: &AppState, id: i64, req: &TeamRouting) -> AppResult<()> {
    let now = now_ms();
    if req.intake {
        // One intake team: the others lose the flag. Two admins naming two teams at the same
        // instant could leave both flagged; `intake_team` then takes the one set last.
        team_routing::Entity::update_many()
            .col_expr(team_routing::Column::Intake, Expr::value(false))
            .filter(team_routing::Column::TeamId.ne(id))
            .filter(team_routing::Column::Intake.eq(true))
            .exec(&state.db)
            .await?;
    }
    // Update in place (keeping the round-robin pointer); insert the first time. Two admins
    // inserting at once: the primary key lets one in, the other updates the row it made.
    for _ in 0..2 {
        let updated = team_routing::Entity::update_many()
            .col_expr(team_routing::Column::Rule, Expr::value(req.rule))
            .col_expr(team_routing::Column::MaxOpen, Expr::value(req.max_open))
            .col_expr(
                team_routing::Column::UnassignedLimitMinutes,
                Expr::value(req.unassigned_limit_minutes),
            )
            .col_expr(team_routing::Column::OnBreach, Expr::value(req.on_breach))
            .col_expr(team_routing::Column::Intake, Expr::value(req.intake))
            .col_expr(team_routing::Column::UpdatedAt, Expr::value(now))
            .filter(team_routing::Column::TeamId.eq(id))
            .exec(&state.db)
            .await?;
        // (MySQL counts changed rows only: an identical row reads as 0, hence the lookup.)
        if updated.rows_affected > 0
            || team_routing::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .is_some()
        {
            return Ok(());
        }
        let inserted = team_routing::ActiveModel {
            team_id: Set(id),
            rule: Set(req.rule),
            max_open: Set(req.max_open),
            unassigned_limit_minutes: Set(req.unassigned_limit_minutes),
            on_breach: Set(req.on_breach),
            last_agent_id: Set(0),
            seq: Set(0),
            updated_at: Set(now),
            intake: Set(req.intake),
        }
        .insert(&state.db)
        .await;
        if inserted.is_ok() {
            return Ok(());
        }
        // The team was deleted meanwhile (foreign key): as if it never existed.
        team_exists(state, id).await?;
    }
    Err(anyhow::anyhow!("team {id}'s routing could not be stored").into())
}
