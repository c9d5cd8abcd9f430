//! Who may download a file: its uploader, and whoever may read a message carrying it (the
//! conversation's access rules; internal notes only for those who see notes). Anyone else gets
//! 404, as if the file did not exist.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::AuthUser;
use crate::conversations::access;
use crate::db::entities::{file, message, message_attachment};
use crate::domain::MessageKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn visible_file(state: &AppState, me: &AuthUser, id: i64) -> AppResult<file::Model> {
    let f = file::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if f.uploader_id == me.id {
        return Ok(f);
    }
    let message_ids: Vec<i64> = message_attachment::Entity::find()
        .select_only()
        .column(message_attachment::Column::MessageId)
        .filter(message_attachment::Column::FileId.eq(id))
        .into_tuple()
        .all(&state.db)
        .await?;
    if message_ids.is_empty() {
        return Err(AppError::NotFound);
    }
    let carriers: Vec<(i64, MessageKind)> = message::Entity::find()
        .select_only()
        .column(message::Column::ConversationId)
        .column(message::Column::Kind)
        .filter(message::Column::Id.is_in(message_ids))
        .into_tuple()
        .all(&state.db)
        .await?;
    // Per conversation: None when the user may not read it, else whether they see notes.
    let mut seen: HashMap<i64, Option<bool>> = HashMap::new();
    for (conversation_id, kind) in carriers {
        let staff_view = match seen.get(&conversation_id) {
            Some(v) => *v,
            None => {
                let v = match access::check(&state.db, me, conversation_id).await {
                    Ok(a) => Some(a.staff_view),
                    Err(AppError::NotFound) => None,
                    Err(e) => return Err(e),
                };
                seen.insert(conversation_id, v);
                v
            }
        };
        if staff_view.is_some_and(|staff| kind != MessageKind::Note || staff) {
            return Ok(f);
        }
    }
    Err(AppError::NotFound)
}
