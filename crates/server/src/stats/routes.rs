//! `GET /api/v1/admin/stats`.

use axum::Json;
use axum::extract::State;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::range::Window;
use super::sql::{Duration, Group, Scope, Stats};
use super::view::{AgentRef, AgentStats, DayStats, Parts, StatsReport, TeamStats};
use crate::auth::AuthUser;
use crate::db::entities::{team, user};
use crate::domain::now_ms;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use crate::tickets::view::TeamRef;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(desk_stats))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD` (UTC); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, inclusive; default: today (UTC). At most 366 days from `from`.
    pub to: Option<String>,
    /// Only tickets currently in this team (404 when there is no such team).
    pub team: Option<i64>,
    /// Only tickets currently assigned to this agent or admin (404 when there is none).
    pub agent: Option<i64>,
}

/// Help-desk analytics: opened, closed and backlog per day; first-response and resolution
/// times; SLA attainment; CSAT; in total, per agent and per team (admin only).
#[utoipa::path(get, path = "/api/v1/admin/stats", tag = "admin", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = StatsReport),
              (status = 400, body = ErrorBody, description = "A malformed date, `from` after `to`, or more than 366 days"),
              (status = 403, body = ErrorBody, description = "Not an admin"),
              (status = 404, body = ErrorBody, description = "No such team or agent")))]
pub async fn desk_stats(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> AppResult<Json<StatsReport>> {
    me.require_admin()?;
    let window = Window::parse(q.from.as_deref(), q.to.as_deref(), Window::today())?;
    if let Some(id) = q.team
        && team::Entity::find_by_id(id).one(&state.db).await?.is_none()
    {
        return Err(AppError::NotFound);
    }
    if let Some(id) = q.agent
        && !user::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_some_and(|u| u.role.is_staff())
    {
        return Err(AppError::NotFound);
    }
    let scope = Scope {
        team: q.team,
        agent: q.agent,
    };
    Ok(Json(report(&state, scope, window, now_ms()).await?))
}

async fn parts(
    s: &Stats<'_, sea_orm::DatabaseConnection>,
    g: Group,
    end: i64,
    now: i64,
) -> AppResult<Parts> {
    Ok(Parts {
        opened: s.opened(g, now).await?,
        closed: s.closed(g).await?,
        backlog: s.open_at(g, end).await?,
        first_response: s.percentiles(g, Duration::FirstResponse).await?,
        resolution: s.percentiles(g, Duration::Resolution).await?,
        csat: s.csat(g).await?,
    })
}

/// The backlog at the end of each day: open at the window's start, plus opened minus closed
/// since. `closed_at` is the last closing, so a reopened ticket counts as open from its
/// creation to its next closing.
async fn days(
    s: &Stats<'_, sea_orm::DatabaseConnection>,
    window: &Window,
) -> AppResult<Vec<DayStats>> {
    let opened = s.per_day("t.created_at").await?;
    let closed = s.per_day("t.closed_at").await?;
    let mut backlog = s
        .open_at(Group::Total, window.start_ms())
        .await?
        .get(&0)
        .map_or(0, |v| v[0]);
    Ok((0..window.days)
        .map(|i| {
            let (o, c) = (opened[i as usize], closed[i as usize]);
            backlog += o - c;
            DayStats {
                date: window.day(i).to_string(),
                opened: o,
                closed: c,
                backlog,
            }
        })
        .collect())
}

pub async fn report(
    state: &AppState,
    scope: Scope,
    window: Window,
    now: i64,
) -> AppResult<StatsReport> {
    let s = Stats::new(&state.db, scope, window);
    let end = window.end_ms();
    // The four parts read the same tickets through different indexes and share nothing: run
    // side by side (four pooled connections at most), a report takes as long as its slowest.
    let (totals, days, by_agent, by_team) = tokio::try_join!(
        parts(&s, Group::Total, end, now),
        days(&s, &window),
        parts(&s, Group::Agent, end, now),
        parts(&s, Group::Team, end, now),
    )?;
    let totals = totals.figures(0);

    let agent_ids: Vec<i64> = by_agent.keys().into_iter().collect();
    let mut agents: Vec<AgentStats> = user::Entity::find()
        .filter(user::Column::Id.is_in(agent_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| AgentStats {
            figures: by_agent.figures(u.id),
            agent: AgentRef {
                id: u.id,
                display_name: u.display_name,
            },
        })
        .collect();
    agents.sort_by(|a, b| {
        (&a.agent.display_name, a.agent.id).cmp(&(&b.agent.display_name, b.agent.id))
    });

    let team_ids: Vec<i64> = by_team.keys().into_iter().collect();
    let mut teams: Vec<TeamStats> = team::Entity::find()
        .filter(team::Column::Id.is_in(team_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| TeamStats {
            figures: by_team.figures(t.id),
            team: TeamRef {
                id: t.id,
                name: t.name,
            },
        })
        .collect();
    teams.sort_by(|a, b| a.team.name.cmp(&b.team.name));

    Ok(StatsReport {
        from: window.from.to_string(),
        to: window.to().to_string(),
        team_id: scope.team,
        agent_id: scope.agent,
        days,
        totals,
        agents,
        teams,
    })
}
