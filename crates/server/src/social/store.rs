//! Queries for the social graph.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::db::entities::{block, contact, friend_request, user};
use crate::error::AppResult;
use crate::social::view::RequestStatus;

pub async fn users_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, user::Model>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Whether either user blocked the other.
pub async fn blocked_between(db: &impl ConnectionTrait, a: i64, b: i64) -> AppResult<bool> {
    let n = block::Entity::find()
        .filter(
            Condition::any()
                .add(
                    block::Column::BlockerId
                        .eq(a)
                        .and(block::Column::BlockedId.eq(b)),
                )
                .add(
                    block::Column::BlockerId
                        .eq(b)
                        .and(block::Column::BlockedId.eq(a)),
                ),
        )
        .count(db)
        .await?;
    Ok(n > 0)
}

pub async fn are_contacts(db: &impl ConnectionTrait, a: i64, b: i64) -> AppResult<bool> {
    Ok(contact::Entity::find_by_id((a, b)).one(db).await?.is_some())
}

/// Serialises changes to one pair of users: a no-op UPDATE of both user rows takes their row
/// locks (PostgreSQL, MariaDB; SQLite has one writer anyway), so two requests crossing each
/// other queue up instead of both inserting a pending row.
pub async fn lock_pair(db: &impl ConnectionTrait, a: i64, b: i64) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::col(user::Column::UpdatedAt))
        .filter(user::Column::Id.is_in([a, b]))
        .exec(db)
        .await?;
    Ok(())
}

/// Pending requests between two users, either direction.
pub async fn pending_between(
    db: &impl ConnectionTrait,
    a: i64,
    b: i64,
) -> AppResult<Vec<friend_request::Model>> {
    Ok(friend_request::Entity::find()
        .filter(friend_request::Column::Status.eq(RequestStatus::Pending))
        .filter(
            Condition::any()
                .add(
                    friend_request::Column::FromUserId
                        .eq(a)
                        .and(friend_request::Column::ToUserId.eq(b)),
                )
                .add(
                    friend_request::Column::FromUserId
                        .eq(b)
                        .and(friend_request::Column::ToUserId.eq(a)),
                ),
        )
        .all(db)
        .await?)
}

/// Makes `a` and `b` contacts (both rows), keeping an existing `since`.
pub async fn insert_contacts(db: &impl ConnectionTrait, a: i64, b: i64, now: i64) -> AppResult<()> {
    for (user_id, contact_id) in [(a, b), (b, a)] {
        contact::Entity::insert(contact::ActiveModel {
            user_id: sea_orm::Set(user_id),
            contact_id: sea_orm::Set(contact_id),
            created_at: sea_orm::Set(now),
        })
        .on_conflict(
            // A no-op update rather than DO NOTHING, which MariaDB rejects in sea-query's form.
            OnConflict::columns([contact::Column::UserId, contact::Column::ContactId])
                .value(
                    contact::Column::CreatedAt,
                    Expr::col((contact::Entity, contact::Column::CreatedAt)),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Removes both rows; returns the `since` of the removed contact, if there was one.
pub async fn delete_contacts(db: &impl ConnectionTrait, a: i64, b: i64) -> AppResult<Option<i64>> {
    let existing = contact::Entity::find_by_id((a, b)).one(db).await?;
    contact::Entity::delete_many()
        .filter(
            Condition::any()
                .add(
                    contact::Column::UserId
                        .eq(a)
                        .and(contact::Column::ContactId.eq(b)),
                )
                .add(
                    contact::Column::UserId
                        .eq(b)
                        .and(contact::Column::ContactId.eq(a)),
                ),
        )
        .exec(db)
        .await?;
    Ok(existing.map(|c| c.created_at))
}
