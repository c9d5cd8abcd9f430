//! Real-time social events, published after the commit that caused them:
//! `{"type":"friend_request","request":FriendRequest}` to both sides of a request, and
//! `{"type":"contact","contact":Contact}` to each of two users who just became contacts. (The
//! protocol has no removal event yet: removals show on the next `GET /contacts`.)

use std::sync::Arc;

use crate::db::entities::user;
use crate::domain::to_rfc3339;
use crate::realtime::events::{Envelope, EventKind, ServerFrame};
use crate::state::AppState;
use crate::users::view::UserSummary;

use super::view::{ContactView, FriendRequestView};

async fn publish(state: &AppState, to: Vec<i64>, frame: ServerFrame<'_>) {
    let payload: Arc<str> = frame.encode();
    state
        .realtime
        .publish(Envelope::new(to, EventKind::Important, payload))
        .await;
}

pub async fn friend_request(state: &AppState, request: &FriendRequestView) {
    publish(
        state,
        vec![request.from.id, request.to.id],
        ServerFrame::FriendRequest { request },
    )
    .await;
}

/// Tells `a` about `b` and `b` about `a`: they became contacts.
pub async fn contact_pair(state: &AppState, a: &user::Model, b: &user::Model, since: i64) {
    for (to, other) in [(a, b), (b, a)] {
        let contact = ContactView {
            user: UserSummary::new(other),
            online: state.realtime.is_online(other.id),
            since: to_rfc3339(since),
        };
        publish(
            state,
            vec![to.id],
            ServerFrame::Contact { contact: &contact },
        )
        .await;
    }
}
