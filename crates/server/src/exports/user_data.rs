//! A user's own data as one zip archive (`GET /api/v1/me/export`).
//!
//! Which messages: every message of the conversations the user belongs to that they can see
//! there now (internal notes only for staff; deleted messages left out), not only the ones
//! they sent. Half a conversation cannot be read, and the archive holds nothing the user
//! cannot already read in the app. Files: the ones they uploaded, up to the size bound.
//!
//! Layout (documented in README.md, "Export"):
//! ```text
//! profile.json        the account (as GET /users/me shows it) and the user's team ids
//! conversations.json  conversations they belong to: id, kind, ticket number, members
//! messages.json       their visible messages, oldest first per conversation
//! tickets.json        tickets they requested
//! files.json          files they uploaded, each with its path in the archive (or why not)
//! files/<id>-<name>   the uploaded files themselves
//! ```

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::json;
use tokio::io::AsyncReadExt;

use super::archive::Archive;
use crate::auth::AuthUser;
use crate::conversations::access;
use crate::db::entities::{conversation_member, file, message, message_attachment, ticket, user};
use crate::domain::{MessageKind, text_of, to_rfc3339};
use crate::error::{AppError, AppResult};
use crate::files::storage::{BlobKey, staging_dir, store};
use crate::state::AppState;
use crate::tickets::policy;
use crate::users::view::UserView;

/// The most uncompressed bytes one archive holds; files past it are listed, not included.
pub const MAX_ARCHIVE_BYTES: u64 = 512 * 1024 * 1024;
/// Messages are read in pages of this many.
const PAGE: u64 = 1000;

#[derive(Serialize)]
struct ExportMessage {
    id: i64,
    conversation_id: i64,
    seq: i64,
    sender_id: i64,
    sender_name: Option<String>,
    kind: String,
    body: String,
    created_at: String,
    edited_at: Option<String>,
    reply_to_id: Option<i64>,
    attachment_file_ids: Vec<i64>,
}

/// Writes the archive for `me` and returns it, ready to stream.
pub async fn build(state: &AppState, me: &AuthUser) -> AppResult<(tokio::fs::File, u64)> {
    let account = user::Entity::find_by_id(me.id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let path = staging_dir(state).join(format!("export-{}", uuid::Uuid::new_v4().simple()));
    let mut zip = Archive::create(path, MAX_ARCHIVE_BYTES);

    let team_ids = policy::team_ids(&state.db, me.id).await?;
    zip.json(
        "profile.json",
        &json!({ "user": UserView::new(&account, true), "team_ids": team_ids }),
    )
    .await?;

    let conversations = visible_conversations(state, me).await?;
    zip.json(
        "conversations.json",
        &conversations.iter().map(|c| &c.summary).collect::<Vec<_>>(),
    )
    .await?;
    write_messages(state, &mut zip, &conversations).await?;

    let tickets: Vec<_> = ticket::Entity::find()
        .filter(ticket::Column::RequesterId.eq(me.id))
        .order_by_asc(ticket::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| {
            json!({
                "id": t.id, "number": t.number, "subject": t.subject,
                "status": text_of(t.status), "priority": text_of(t.priority),
                "tags": serde_json::from_str::<serde_json::Value>(&t.tags).unwrap_or_default(),
                "conversation_id": t.conversation_id,
                "created_at": to_rfc3339(t.created_at), "updated_at": to_rfc3339(t.updated_at),
                "closed_at": t.closed_at.map(to_rfc3339),
            })
        })
        .collect();
    zip.json("tickets.json", &tickets).await?;

    write_files(state, &mut zip, me.id).await?;
    zip.finish().await
}

struct Visible {
    id: i64,
    with_notes: bool,
    summary: serde_json::Value,
}

/// The conversations `me` belongs to and may still read (access is checked again: an agent who
/// left a team keeps a membership row but no longer sees that team's tickets).
async fn visible_conversations(state: &AppState, me: &AuthUser) -> AppResult<Vec<Visible>> {
    let ids: Vec<i64> = conversation_member::Entity::find()
        .select_only()
        .column(conversation_member::Column::ConversationId)
        .filter(conversation_member::Column::UserId.eq(me.id))
        .order_by_asc(conversation_member::Column::ConversationId)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for id in ids {
        let allowed = match access::check(&state.db, me, id).await {
            Ok(a) => a,
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let members: Vec<i64> = conversation_member::Entity::find()
            .select_only()
            .column(conversation_member::Column::UserId)
            .filter(conversation_member::Column::ConversationId.eq(id))
            .into_tuple()
            .all(&state.db)
            .await?;
        out.push(Visible {
            id,
            with_notes: allowed.staff_view,
            summary: json!({
                "id": id,
                "kind": text_of(allowed.conversation.kind),
                "ticket_number": allowed.ticket.as_ref().map(|t| t.number),
                "member_ids": members,
                "created_at": to_rfc3339(allowed.conversation.created_at),
            }),
        });
    }
    Ok(out)
}

/// `messages.json`, one JSON array written a page at a time.
async fn write_messages(
    state: &AppState,
    zip: &mut Archive,
    conversations: &[Visible],
) -> AppResult<()> {
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    zip.entry("messages.json").await?;
    zip.write(b"[".to_vec()).await?;
    let mut first = true;
    for c in conversations {
        let mut after_seq = 0;
        loop {
            let mut q = message::Entity::find()
                .filter(message::Column::ConversationId.eq(c.id))
                .filter(message::Column::Seq.gt(after_seq))
                .filter(message::Column::DeletedAt.is_null())
                .order_by_asc(message::Column::Seq)
                .limit(PAGE);
            if !c.with_notes {
                q = q.filter(message::Column::Kind.ne(MessageKind::Note));
            }
            let page = q.all(&state.db).await?;
            let Some(last) = page.last() else { break };
            after_seq = last.seq;
            let attachments = attachments_of(state, &page).await?;
            for m in &page {
                if let Entry::Vacant(slot) = names.entry(m.sender_id) {
                    let name = user::Entity::find_by_id(m.sender_id)
                        .one(&state.db)
                        .await?
                        .map(|u| u.display_name);
                    slot.insert(name);
                }
                let item = ExportMessage {
                    id: m.id,
                    conversation_id: m.conversation_id,
                    seq: m.seq,
                    sender_id: m.sender_id,
                    sender_name: names.get(&m.sender_id).cloned().flatten(),
                    kind: text_of(m.kind),
                    body: m.body.clone(),
                    created_at: to_rfc3339(m.created_at),
                    edited_at: m.edited_at.map(to_rfc3339),
                    reply_to_id: m.reply_to_id,
                    attachment_file_ids: attachments.get(&m.id).cloned().unwrap_or_default(),
                };
                let mut bytes = if first {
                    b"\n".to_vec()
                } else {
                    b",\n".to_vec()
                };
                first = false;
                serde_json::to_writer(&mut bytes, &item).map_err(anyhow::Error::from)?;
                zip.write(bytes).await?;
            }
            if (page.len() as u64) < PAGE {
                break;
            }
        }
    }
    zip.write(b"\n]\n".to_vec()).await
}

async fn attachments_of(
    state: &AppState,
    page: &[message::Model],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for a in message_attachment::Entity::find()
        .filter(message_attachment::Column::MessageId.is_in(ids))
        .all(&state.db)
        .await?
    {
        out.entry(a.message_id).or_default().push(a.file_id);
    }
    Ok(out)
}

/// `files.json` and `files/…`: what the user uploaded. A file that would take the archive past
/// its bound is listed with `"included": false`.
async fn write_files(state: &AppState, zip: &mut Archive, user_id: i64) -> AppResult<()> {
    let files = file::Entity::find()
        .filter(file::Column::UploaderId.eq(user_id))
        .order_by_asc(file::Column::Id)
        .all(&state.db)
        .await?;
    let blobs = store(state);
    let mut listed = Vec::new();
    for f in files {
        let path = format!("files/{}-{}", f.id, archive_name(&f.name));
        let fits = zip.written() + f.size as u64 <= zip.limit();
        let blob = match (fits, BlobKey::new(&f.sha256, None)) {
            (true, Ok(key)) => blobs.get(&key).await.map_err(anyhow::Error::from)?,
            _ => None,
        };
        let included = blob.is_some();
        if let Some(mut blob) = blob {
            zip.entry(path.clone()).await?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = blob
                    .reader
                    .read(&mut buf)
                    .await
                    .map_err(anyhow::Error::from)?;
                if n == 0 {
                    break;
                }
                zip.write(buf[..n].to_vec()).await?;
            }
        }
        listed.push(json!({
            "id": f.id, "name": f.name, "content_type": f.content_type, "size": f.size,
            "sha256": f.sha256, "created_at": to_rfc3339(f.created_at),
            "path": included.then_some(&path), "included": included,
        }));
    }
    zip.json("files.json", &listed).await
}

/// A file name safe inside an archive: no directories, no `..`, nothing unprintable.
fn archive_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::archive_name;

    #[test]
    fn archive_names_cannot_escape_their_folder() {
        assert_eq!(archive_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(archive_name("a\\b:c.txt"), "a_b_c.txt");
        assert_eq!(archive_name(".."), "file");
        assert_eq!(archive_name("report.pdf"), "report.pdf");
    }
}
