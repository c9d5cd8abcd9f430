//! What a ticket does when a message arrives in its conversation.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::service::publish_ticket;
use super::view::render_one;
use crate::auth::AuthUser;
use crate::conversations::store::ticket_audience;
use crate::conversations::view::MessageView;
use crate::db::entities::ticket;
use crate::domain::now_ms;
use crate::error::AppResult;
use crate::notifications::{Notice, notify};
use crate::state::AppState;

/// The first public reply by staff stops the first-response clock; replies notify the other
/// side (the requester, or the assignee).
pub async fn on_message(
    state: &AppState,
    t: &ticket::Model,
    msg: &MessageView,
    sender: &AuthUser,
) -> AppResult<()> {
    if msg.kind != "text" {
        return Ok(());
    }
    if sender.is_staff() && sender.id != t.requester_id && t.first_response_at.is_none() {
        let stopped = ticket::Entity::update_many()
            .col_expr(ticket::Column::FirstResponseAt, Expr::value(now_ms()))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::FirstResponseAt.is_null())
            .exec(&state.db)
            .await?;
        // The clock stopped: everyone looking at the ticket sees it at once.
        if stopped.rows_affected > 0
            && let Some(updated) = ticket::Entity::find_by_id(t.id).one(&state.db).await?
        {
            let view = render_one(&state.db, &updated).await?;
            let audience = ticket_audience(&state.db, &updated).await?;
            publish_ticket(state, &audience, &view).await;
        }
    }
    let recipient = if sender.id == t.requester_id {
        t.assignee_id
    } else {
        Some(t.requester_id)
    };
    if let Some(to) = recipient.filter(|&id| id != sender.id) {
        notify(
            state,
            &[to],
            Notice {
                kind: "ticket_reply",
                title: format!("New reply on #{}: {}", t.number, t.subject),
                body: msg.body.chars().take(200).collect(),
                ticket_id: Some(t.id),
                conversation_id: Some(t.conversation_id),
            },
        )
        .await?;
    }
    Ok(())
}
