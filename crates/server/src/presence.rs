//! Presence: a user is online while they have an open connection. Changes go to the people who
//! share a conversation with them or are their contacts, minus anyone either side blocked.

use std::collections::BTreeSet;

use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::{block, contact, conversation_member};
use crate::error::AppResult;
use crate::realtime::events::{Envelope, EventKind, ServerFrame};
use crate::state::AppState;

/// The users who should hear about `user_id` coming and going.
pub async fn watchers(state: &AppState, user_id: i64) -> AppResult<Vec<i64>> {
    let conversations: Vec<i64> = conversation_member::Entity::find()
        .select_only()
        .column(conversation_member::Column::ConversationId)
        .filter(conversation_member::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut out = BTreeSet::new();
    if !conversations.is_empty() {
        let peers: Vec<i64> = conversation_member::Entity::find()
            .select_only()
            .column(conversation_member::Column::UserId)
            .filter(conversation_member::Column::ConversationId.is_in(conversations))
            .into_tuple()
            .all(&state.db)
            .await?;
        out.extend(peers);
    }
    let contacts: Vec<i64> = contact::Entity::find()
        .select_only()
        .column(contact::Column::ContactId)
        .filter(contact::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&state.db)
        .await?;
    out.extend(contacts);
    let blocks = block::Entity::find()
        .filter(
            block::Column::BlockerId
                .eq(user_id)
                .or(block::Column::BlockedId.eq(user_id)),
        )
        .all(&state.db)
        .await?;
    for b in blocks {
        out.remove(&b.blocker_id);
        out.remove(&b.blocked_id);
    }
    out.remove(&user_id);
    Ok(out.into_iter().collect())
}

/// Publishes an online/offline change (volatile: shed first under load).
pub async fn announce(state: &AppState, user_id: i64, online: bool) {
    let to = match watchers(state, user_id).await {
        Ok(to) => to,
        Err(e) => {
            tracing::warn!(error = %e, "presence: could not find watchers");
            return;
        }
    };
    let payload = ServerFrame::Presence { user_id, online }.encode();
    state
        .realtime
        .publish(Envelope::new(to, EventKind::Volatile, payload))
        .await;
}
