//! Who may read and write a conversation. Direct conversations: their two members. Ticket
//! conversations: whoever may see the ticket (see `tickets::policy`). Anyone else gets 404.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::AuthUser;
use crate::db::entities::{conversation, conversation_member, ticket};
use crate::domain::ConversationKind;
use crate::error::{AppError, AppResult};
use crate::tickets::policy;

pub struct Access {
    pub conversation: conversation::Model,
    pub ticket: Option<ticket::Model>,
    /// Sees (and may write) internal notes.
    pub staff_view: bool,
}

pub async fn check(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    conversation_id: i64,
) -> AppResult<Access> {
    let conversation = conversation::Entity::find_by_id(conversation_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if conversation.kind == ConversationKind::Ticket {
        let t = ticket::Entity::find()
            .filter(ticket::Column::ConversationId.eq(conversation.id))
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        let teams = policy::team_ids(db, user.id).await?;
        if !policy::can_view(user, &teams, &t) {
            return Err(AppError::NotFound);
        }
        return Ok(Access {
            conversation,
            ticket: Some(t),
            staff_view: user.is_staff(),
        });
    }
    let member = conversation_member::Entity::find_by_id((conversation.id, user.id))
        .one(db)
        .await?;
    if member.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Access {
        conversation,
        ticket: None,
        staff_view: false,
    })
}
