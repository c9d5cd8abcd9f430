//! `/api/v1/notifications`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::NotificationView;
use crate::auth::AuthUser;
use crate::db::entities::notification;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_notification_read))
        .routes(routes!(mark_all_read))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Older than this id (from the last item of the previous page).
    pub before_id: Option<i64>,
    /// 1 to 100, default 50.
    pub limit: Option<u64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    pub unread_count: u64,
}

/// Your notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationQuery), responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    me: AuthUser,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> AppResult<Json<NotificationList>> {
    let mut query = notification::Entity::find().filter(notification::Column::UserId.eq(me.id));
    if q.unread == Some(true) {
        query = query.filter(notification::Column::Read.eq(false));
    }
    if let Some(before) = q.before_id {
        query = query.filter(notification::Column::Id.lt(before));
    }
    let rows = query
        .order_by_desc(notification::Column::Id)
        .limit(q.limit.unwrap_or(50).clamp(1, 100))
        .all(&state.db)
        .await?;
    let unread_count = notification::Entity::find()
        .filter(notification::Column::UserId.eq(me.id))
        .filter(notification::Column::Read.eq(false))
        .count(&state.db)
        .await?;
    Ok(Json(NotificationList {
        items: rows.iter().map(NotificationView::new).collect(),
        unread_count,
    }))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    me: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    let res = notification::Entity::update_many()
        .col_expr(notification::Column::Read, Expr::value(true))
        .filter(notification::Column::Id.eq(id))
        .filter(notification::Column::UserId.eq(me.id))
        .exec(&state.db)
        .await?;
    if res.rows_affected == 0 {
        // Either not yours or already read: tell them apart without revealing others'.
        let mine = notification::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_some_and(|n| n.user_id == me.id);
        if !mine {
            return Err(AppError::NotFound);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Mark all your notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn mark_all_read(State(state): State<AppState>, me: AuthUser) -> AppResult<StatusCode> {
    notification::Entity::update_many()
        .col_expr(notification::Column::Read, Expr::value(true))
        .filter(notification::Column::UserId.eq(me.id))
        .filter(notification::Column::Read.eq(false))
        .exec(&state.db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
