//! What a ticket does when a message arrives in its conversation.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::AuthUser;
use crate::conversations::view::MessageView;
use crate::db::entities::ticket;
use crate::domain::now_ms;
use crate::error::AppResult;
use crate::state::AppState;

/// The first public reply by staff other than the requester stops the first-response clock.
pub async fn on_message(
    state: &AppState,
    t: &ticket::Model,
    msg: &MessageView,
    sender: &AuthUser,
) -> AppResult<()> {
    if msg.kind == "text"
        && sender.is_staff()
        && sender.id != t.requester_id
        && t.first_response_at.is_none()
    {
        ticket::Entity::update_many()
            .col_expr(ticket::Column::FirstResponseAt, Expr::value(now_ms()))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::FirstResponseAt.is_null())
            .exec(&state.db)
            .await?;
    }
    Ok(())
}
