//! Telling a user's own connections that their account changed (role, teams).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::entities::{team_member, user};
use crate::error::AppResult;
use crate::realtime::events::{Control, Envelope, EventKind, ServerFrame};
use crate::state::AppState;

/// Sends `account_updated` (role and team ids as stored now) to every connection of the user.
/// Call after the change has committed.
pub async fn publish_account_updated(state: &AppState, user_id: i64) -> AppResult<()> {
    let Some(account) = user::Entity::find_by_id(user_id).one(&state.db).await? else {
        return Ok(());
    };
    let team_ids = team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .order_by_asc(team_member::Column::TeamId)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    let payload = ServerFrame::AccountUpdated {
        role: account.role,
        team_ids,
    }
    .encode();
    state
        .realtime
        .publish(Envelope::new(vec![user_id], EventKind::Important, payload))
        .await;
    Ok(())
}

/// A connection decides at sign-in whether it gets staff-only events (internal notes). After a
/// demotion, close the user's connections (4401: the app refreshes its token and reconnects)
/// so none keeps receiving them.
pub async fn reconnect_after_demotion(state: &AppState, user_id: i64) {
    state
        .realtime
        .publish_control(Control::SessionRevoked {
            user_id,
            session_id: None,
        })
        .await;
}
