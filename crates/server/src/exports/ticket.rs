//! A ticket's transcript for admins (`GET /api/v1/admin/tickets/{id}/export`): the ticket, its
//! whole conversation (internal notes included and marked as such) and its history, as JSON or
//! as a self-contained HTML page in which every piece of user text is escaped.

use std::collections::HashMap;
use std::fmt::Write;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::{file, message, message_attachment, ticket, ticket_event, user};
use crate::domain::{MessageKind, to_rfc3339};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tickets::view::{TicketView, render_one};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TranscriptAttachment {
    pub file_id: i64,
    pub name: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TranscriptMessage {
    pub id: i64,
    pub seq: i64,
    pub sender_id: i64,
    pub sender_name: String,
    /// `text`, `note` or `system`.
    pub kind: MessageKind,
    /// True for internal notes: the customer never saw them.
    pub internal: bool,
    /// Empty when the message was deleted.
    pub body: String,
    pub deleted: bool,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub attachments: Vec<TranscriptAttachment>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TranscriptEvent {
    pub actor_id: i64,
    pub actor_name: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketTranscript {
    pub ticket: TicketView,
    pub messages: Vec<TranscriptMessage>,
    pub events: Vec<TranscriptEvent>,
    pub exported_at: String,
}

/// Everything about one ticket, for an admin (the caller checks the role).
pub async fn transcript(state: &AppState, ticket_id: i64) -> AppResult<TicketTranscript> {
    let t = ticket::Entity::find_by_id(ticket_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = render_one(&state.db, &t).await?.seen_by(true);
    let rows = message::Entity::find()
        .filter(message::Column::ConversationId.eq(t.conversation_id))
        .order_by_asc(message::Column::Seq)
        .all(&state.db)
        .await?;
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(t.id))
        .order_by_asc(ticket_event::Column::Id)
        .all(&state.db)
        .await?;
    let people: Vec<i64> = rows
        .iter()
        .map(|m| m.sender_id)
        .chain(events.iter().map(|e| e.actor_id))
        .collect();
    let names: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let mut attachments = attachments_of(state, &rows).await?;
    let messages = rows
        .into_iter()
        .map(|m| {
            let deleted = m.deleted_at.is_some();
            TranscriptMessage {
                id: m.id,
                seq: m.seq,
                sender_id: m.sender_id,
                sender_name: name(m.sender_id),
                kind: m.kind,
                internal: m.kind == MessageKind::Note,
                body: if deleted { String::new() } else { m.body },
                deleted,
                created_at: to_rfc3339(m.created_at),
                edited_at: m.edited_at.map(to_rfc3339),
                attachments: attachments.remove(&m.id).unwrap_or_default(),
            }
        })
        .collect();
    let events = events
        .into_iter()
        .map(|e| TranscriptEvent {
            actor_id: e.actor_id,
            actor_name: name(e.actor_id),
            field: e.field,
            old_value: e.old_value,
            new_value: e.new_value,
            created_at: to_rfc3339(e.created_at),
        })
        .collect();
    Ok(TicketTranscript {
        ticket: view,
        messages,
        events,
        exported_at: to_rfc3339(crate::domain::now_ms()),
    })
}

async fn attachments_of(
    state: &AppState,
    rows: &[message::Model],
) -> AppResult<HashMap<i64, Vec<TranscriptAttachment>>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let links = message_attachment::Entity::find()
        .filter(message_attachment::Column::MessageId.is_in(ids))
        .all(&state.db)
        .await?;
    let files: HashMap<i64, String> = file::Entity::find()
        .filter(file::Column::Id.is_in(links.iter().map(|l| l.file_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let mut out: HashMap<i64, Vec<TranscriptAttachment>> = HashMap::new();
    for l in links {
        out.entry(l.message_id)
            .or_default()
            .push(TranscriptAttachment {
                file_id: l.file_id,
                name: files.get(&l.file_id).cloned().unwrap_or_default(),
            });
    }
    Ok(out)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;color:#222}\
.msg{border-left:3px solid #ccc;padding:.25rem .75rem;margin:.75rem 0}\
.note{border-color:#d9a400;background:#fff8e0}.system{color:#666;font-style:italic}\
.meta{color:#666;font-size:.85rem}.tag{font-weight:bold;color:#8a6500}\
.body{white-space:pre-wrap}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}";

/// The transcript as a standalone HTML page (no scripts, no external resources).
pub fn to_html(tr: &TicketTranscript) -> String {
    let t = &tr.ticket;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>Ticket #{} – {}</title><style>{STYLE}</style></head><body>\n",
        t.number,
        escape(&t.subject)
    );
    let _ = write!(
        h,
        "<h1>Ticket #{}: {}</h1>\n<table>\
         <tr><th>Status</th><td>{}</td></tr><tr><th>Priority</th><td>{}</td></tr>\
         <tr><th>Requester</th><td>{}</td></tr><tr><th>Assignee</th><td>{}</td></tr>\
         <tr><th>Team</th><td>{}</td></tr><tr><th>Tags</th><td>{}</td></tr>\
         <tr><th>Opened</th><td>{}</td></tr><tr><th>Closed</th><td>{}</td></tr>\
         <tr><th>Exported</th><td>{}</td></tr></table>\n<h2>Conversation</h2>\n",
        t.number,
        escape(&t.subject),
        escape(&crate::domain::text_of(t.status)),
        escape(&crate::domain::text_of(t.priority)),
        escape(&t.requester.display_name),
        escape(t.assignee.as_ref().map_or("—", |a| a.display_name.as_str())),
        escape(t.team.as_ref().map_or("—", |team| team.name.as_str())),
        escape(&t.tags.join(", ")),
        escape(&t.created_at),
        escape(t.closed_at.as_deref().unwrap_or("—")),
        escape(&tr.exported_at),
    );
    for m in &tr.messages {
        let class = match m.kind {
            MessageKind::Note => "msg note",
            MessageKind::System => "msg system",
            MessageKind::Text => "msg",
        };
        let _ = write!(
            h,
            "<div class=\"{class}\"><div class=\"meta\">{}{} · {}{}</div>",
            if m.internal {
                "<span class=\"tag\">Internal note</span> · "
            } else {
                ""
            },
            escape(&m.sender_name),
            escape(&m.created_at),
            if m.edited_at.is_some() {
                " · edited"
            } else {
                ""
            },
        );
        if m.deleted {
            h.push_str("<div class=\"body meta\">(deleted)</div>");
        } else {
            let _ = write!(h, "<div class=\"body\">{}</div>", escape(&m.body));
        }
        for a in &m.attachments {
            let _ = write!(
                h,
                "<div class=\"meta\">Attachment: {} (file {})</div>",
                escape(&a.name),
                a.file_id
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str("<h2>History</h2>\n<table><tr><th>When</th><th>Who</th><th>Field</th><th>From</th><th>To</th></tr>\n");
    for e in &tr.events {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.created_at),
            escape(&e.actor_name),
            escape(&e.field),
            escape(e.old_value.as_deref().unwrap_or("")),
            escape(e.new_value.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
