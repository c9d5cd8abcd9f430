//! The rules of friend requests, contacts and blocks. Each change runs in one transaction that
//! first locks the pair of users; events go out after the commit.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::events;
use super::store;
use super::view::{ContactView, FriendRequestList, FriendRequestView, RequestStatus};
use crate::auth::AuthUser;
use crate::db::entities::{block, contact, friend_request, user};
use crate::domain::{now_ms, text_of, to_rfc3339};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::users::view::UserSummary;

/// A user others may interact with: exists and is not disabled.
async fn active_user(state: &AppState, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(AppError::NotFound)
}

async fn view_of(state: &AppState, r: &friend_request::Model) -> AppResult<FriendRequestView> {
    let users = store::users_by_id(&state.db, [r.from_user_id, r.to_user_id]).await?;
    let from = users.get(&r.from_user_id).ok_or(AppError::NotFound)?;
    let to = users.get(&r.to_user_id).ok_or(AppError::NotFound)?;
    Ok(FriendRequestView::new(r, from, to))
}

/// Sends a friend request. A request crossing a pending one from the other side accepts that
/// one instead. Returns the request and whether a new one was created.
pub async fn send_request(
    state: &AppState,
    me: &AuthUser,
    to_user_id: i64,
) -> AppResult<(FriendRequestView, bool)> {
    if to_user_id == me.id {
        return Err(AppError::field(
            "to_user_id",
            "cannot send a friend request to yourself",
        ));
    }
    let me_model = active_user(state, me.id).await?;
    let other = active_user(state, to_user_id).await?;
    if store::blocked_between(&state.db, me.id, other.id).await? {
        return Err(AppError::Forbidden);
    }
    let now = now_ms();
    let txn = state.db.begin().await?;
    store::lock_pair(&txn, me.id, other.id).await?;
    if store::are_contacts(&txn, me.id, other.id).await? {
        return Err(AppError::Conflict("you are already contacts".into()));
    }
    let pending = store::pending_between(&txn, me.id, other.id).await?;
    if pending.iter().any(|r| r.from_user_id == me.id) {
        return Err(AppError::Conflict(
            "a friend request to this user is already pending".into(),
        ));
    }
    if let Some(crossing) = pending.into_iter().find(|r| r.from_user_id == other.id) {
        let accepted = mark(&txn, crossing, RequestStatus::Accepted, now).await?;
        store::insert_contacts(&txn, me.id, other.id, now).await?;
        txn.commit().await?;
        let view = FriendRequestView::new(&accepted, &other, &me_model);
        events::friend_request(state, &view).await;
        events::contact_pair(state, &me_model, &other, now).await;
        return Ok((view, false));
    }
    let created = friend_request::ActiveModel {
        from_user_id: Set(me.id),
        to_user_id: Set(other.id),
        status: Set(RequestStatus::Pending),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let view = FriendRequestView::new(&created, &me_model, &other);
    events::friend_request(state, &view).await;
    Ok((view, true))
}

async fn mark(
    db: &impl sea_orm::ConnectionTrait,
    r: friend_request::Model,
    status: RequestStatus,
    now: i64,
) -> AppResult<friend_request::Model> {
    let mut model = r.into_active_model();
    model.status = Set(status);
    model.updated_at = Set(now);
    Ok(model.update(db).await?)
}

/// Who may answer a request how: the recipient accepts or declines, the sender cancels.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    Cancel,
}

/// Accepts, declines or cancels a pending request. Users not party to it get 404.
pub async fn answer_request(
    state: &AppState,
    me: &AuthUser,
    request_id: i64,
    answer: Answer,
) -> AppResult<FriendRequestView> {
    let found = friend_request::Entity::find_by_id(request_id)
        .one(&state.db)
        .await?
        .filter(|r| r.from_user_id == me.id || r.to_user_id == me.id)
        .ok_or(AppError::NotFound)?;
    let allowed = match answer {
        Answer::Accept | Answer::Decline => found.to_user_id == me.id,
        Answer::Cancel => found.from_user_id == me.id,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let (from_id, to_id) = (found.from_user_id, found.to_user_id);
    if answer == Answer::Accept && store::blocked_between(&state.db, from_id, to_id).await? {
        return Err(AppError::Forbidden);
    }
    let now = now_ms();
    let txn = state.db.begin().await?;
    store::lock_pair(&txn, from_id, to_id).await?;
    // Read again under the lock: the other side may have answered meanwhile.
    let current = friend_request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.status != RequestStatus::Pending {
        return Err(AppError::Conflict(format!(
            "the request is already {}",
            text_of(current.status)
        )));
    }
    let status = match answer {
        Answer::Accept => RequestStatus::Accepted,
        Answer::Decline => RequestStatus::Declined,
        Answer::Cancel => RequestStatus::Cancelled,
    };
    let updated = mark(&txn, current, status, now).await?;
    if answer == Answer::Accept {
        store::insert_contacts(&txn, from_id, to_id, now).await?;
    }
    txn.commit().await?;
    let view = view_of(state, &updated).await?;
    events::friend_request(state, &view).await;
    if answer == Answer::Accept {
        let users = store::users_by_id(&state.db, [from_id, to_id]).await?;
        if let (Some(a), Some(b)) = (users.get(&from_id), users.get(&to_id)) {
            events::contact_pair(state, a, b, now).await;
        }
    }
    Ok(view)
}

/// Your pending requests, both directions, newest first.
pub async fn list_requests(state: &AppState, me: &AuthUser) -> AppResult<FriendRequestList> {
    let rows = friend_request::Entity::find()
        .filter(friend_request::Column::Status.eq(RequestStatus::Pending))
        .filter(
            Condition::any()
                .add(friend_request::Column::FromUserId.eq(me.id))
                .add(friend_request::Column::ToUserId.eq(me.id)),
        )
        .order_by_desc(friend_request::Column::CreatedAt)
        .order_by_desc(friend_request::Column::Id)
        .all(&state.db)
        .await?;
    let users = store::users_by_id(
        &state.db,
        rows.iter().flat_map(|r| [r.from_user_id, r.to_user_id]),
    )
    .await?;
    let mut list = FriendRequestList {
        incoming: Vec::new(),
        outgoing: Vec::new(),
    };
    for r in &rows {
        let (Some(from), Some(to)) = (users.get(&r.from_user_id), users.get(&r.to_user_id)) else {
            continue;
        };
        let view = FriendRequestView::new(r, from, to);
        if r.to_user_id == me.id {
            list.incoming.push(view);
        } else {
            list.outgoing.push(view);
        }
    }
    Ok(list)
}

/// Your contacts (disabled accounts left out), by display name, with presence.
pub async fn list_contacts(state: &AppState, me: &AuthUser) -> AppResult<Vec<ContactView>> {
    let rows = contact::Entity::find()
        .filter(contact::Column::UserId.eq(me.id))
        .all(&state.db)
        .await?;
    let users = store::users_by_id(&state.db, rows.iter().map(|c| c.contact_id)).await?;
    let mut out: Vec<ContactView> = rows
        .iter()
        .filter_map(|c| {
            let u = users.get(&c.contact_id).filter(|u| !u.disabled)?;
            Some(ContactView {
                user: UserSummary::new(u),
                online: state.realtime.is_online(u.id),
                since: to_rfc3339(c.created_at),
            })
        })
        .collect();
    out.sort_by_cached_key(|c| (c.user.display_name.to_lowercase(), c.user.id));
    Ok(out)
}

pub async fn remove_contact(state: &AppState, me: &AuthUser, other_id: i64) -> AppResult<()> {
    let txn = state.db.begin().await?;
    store::lock_pair(&txn, me.id, other_id).await?;
    store::delete_contacts(&txn, me.id, other_id)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(())
}

/// Blocks a user: no more requests or direct messages either way, the contact (if any) ends and
/// pending requests between the two are cancelled. Blocking twice is harmless.
pub async fn block_user(state: &AppState, me: &AuthUser, other_id: i64) -> AppResult<()> {
    if other_id == me.id {
        return Err(AppError::field("user_id", "cannot block yourself"));
    }
    let other = user::Entity::find_by_id(other_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    let txn = state.db.begin().await?;
    store::lock_pair(&txn, me.id, other.id).await?;
    block::Entity::insert(block::ActiveModel {
        blocker_id: Set(me.id),
        blocked_id: Set(other.id),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([block::Column::BlockerId, block::Column::BlockedId])
            .value(
                block::Column::CreatedAt,
                Expr::col((block::Entity, block::Column::CreatedAt)),
            )
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    store::delete_contacts(&txn, me.id, other.id).await?;
    let mut cancelled = Vec::new();
    for r in store::pending_between(&txn, me.id, other.id).await? {
        cancelled.push(mark(&txn, r, RequestStatus::Cancelled, now).await?);
    }
    txn.commit().await?;
    // Their direct conversation takes no more messages.
    crate::chat::writer::forget_all(state).await;
    let me_model = active_user(state, me.id).await?;
    for r in &cancelled {
        let (from, to) = if r.from_user_id == me.id {
            (&me_model, &other)
        } else {
            (&other, &me_model)
        };
        events::friend_request(state, &FriendRequestView::new(r, from, to)).await;
    }
    Ok(())
}

/// Lifts your block of a user (a block they placed on you stays). Idempotent.
pub async fn unblock_user(state: &AppState, me: &AuthUser, other_id: i64) -> AppResult<()> {
    block::Entity::delete_many()
        .filter(block::Column::BlockerId.eq(me.id))
        .filter(block::Column::BlockedId.eq(other_id))
        .exec(&state.db)
        .await?;
    crate::chat::writer::forget_all(state).await;
    Ok(())
}
