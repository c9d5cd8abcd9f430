//! `GET /api/v1/users?q=`: find people by display-name prefix (case-insensitive). Emails are
//! shown to agents and admins only; disabled accounts and users who blocked you are left out.

use axum::Json;
use axum::extract::State;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::entities::{block, user};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use crate::users::admin_routes::{UserPage, strip_like_wildcards};
use crate::users::view::UserView;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Display-name prefix, case-insensitive (1 to 64 characters; empty lists everyone).
    pub q: Option<String>,
    /// Users with an id greater than this (from `next_cursor`).
    pub cursor: Option<i64>,
    /// 1 to 100, default 20.
    pub limit: Option<u64>,
}

/// Search users by display-name prefix, in id order, a page at a time.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search_users(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<UserPage>> {
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    if text.chars().count() > 64 {
        return Err(AppError::field("q", "at most 64 characters"));
    }
    let blocked_me: Vec<i64> = block::Entity::find()
        .select_only()
        .column(block::Column::BlockerId)
        .filter(block::Column::BlockedId.eq(me.id))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut query = user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .limit(limit + 1);
    if !blocked_me.is_empty() {
        query = query.filter(user::Column::Id.is_not_in(blocked_me));
    }
    if let Some(cursor) = q.cursor {
        query = query.filter(user::Column::Id.gt(cursor));
    }
    let pattern = strip_like_wildcards(&text.to_lowercase());
    if !pattern.is_empty() {
        // LOWER on both sides: LIKE is case-sensitive on PostgreSQL only.
        query = query.filter(
            Expr::expr(Func::lower(Expr::col(user::Column::DisplayName)))
                .like(format!("{pattern}%")),
        );
    }
    let mut rows = query.all(&state.db).await?;
    let next_cursor = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|u| u.id).unwrap_or_default()
    });
    let staff = me.is_staff();
    Ok(Json(UserPage {
        items: rows
            .iter()
            .map(|u| UserView::new(u, staff || u.id == me.id))
            .collect(),
        next_cursor,
    }))
}
