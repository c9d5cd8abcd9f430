//! Unread counts: per conversation and in total, from the read positions
//! (`conversation_members.last_read_seq`), in one query however many conversations.
//!
//! What counts as unread for a user in a conversation: the messages above their read position
//! that someone else wrote (system messages included: "Ana took this ticket" is news), without
//! internal notes for customers (their seqs are skipped, as everywhere).
//!
//! Which conversations count ("participating"):
//! - direct conversations they are a member of;
//! - ticket conversations they may see (`tickets::policy`, the one visibility rule) and take
//!   part in: their own tickets, tickets assigned to them, their teams' tickets, and any ticket
//!   they have written in, read or changed (a member row: a change is a system message in the
//!   actor's name, and writing moves the writer's read position). The shared queue and other teams' tickets
//!   an admin merely may see don't count until they join in: a badge is work waiting for *you*.
//! - closed tickets count for their requester only: for staff, the work is done (a requester
//!   who writes again on it still notifies the assignee, `ticket_reply`).

use std::collections::HashMap;

use sea_orm::{ActiveEnum, ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::domain::ConversationKind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tickets::policy;

/// One conversation's unread count, with the positions it was counted between.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UnreadView {
    pub conversation_id: i64,
    /// `ticket` or `direct`.
    pub kind: ConversationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    /// The conversation's last seq when counted: a `message` frame at or below it is already
    /// in `unread_count`.
    pub last_seq: i64,
    /// Your read position.
    pub last_read_seq: i64,
    pub unread_count: i64,
}

/// `GET /conversations/unread`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnreadSummary {
    /// Every conversation that counts for you (see the module docs), read ones included
    /// (`unread_count: 0`), by conversation id.
    pub items: Vec<UnreadView>,
    /// The sum of `unread_count`.
    pub total: i64,
}

/// Which conversations to count.
enum Scope<'a> {
    /// The badge set (module docs), for a user in these teams.
    Participating { teams: &'a [i64] },
    /// Those the user has a member row in (the conversation list).
    Members,
    /// One conversation, which the caller has checked access to.
    One(i64),
}

struct Row {
    view: UnreadView,
    /// Ticket conversations: `(requester, assignee, team, closed)`.
    ticket: Option<(i64, Option<i64>, Option<i64>, bool)>,
}

/// The badge set and its total.
pub async fn summary(state: &AppState, user: &AuthUser) -> AppResult<UnreadSummary> {
    let teams = state.audiences.teams_of(&state.db, user.id).await?;
    let rows = query(&state.db, user, Scope::Participating { teams: &teams }).await?;
    let items: Vec<UnreadView> = rows
        .into_iter()
        .filter(|r| match r.ticket {
            None => true,
            Some((requester, assignee, team, closed)) => {
                policy::can_view_parts(user, &teams, requester, assignee, team)
                    && (!closed || requester == user.id)
            }
        })
        .map(|r| r.view)
        .collect();
    let total = items.iter().map(|i| i.unread_count).sum();
    Ok(UnreadSummary { items, total })
}

/// Unread counts of the conversations the user is a member of (whether they may still see
/// them is the caller's check), by conversation id.
pub async fn member_counts(
    db: &impl ConnectionTrait,
    user: &AuthUser,
) -> AppResult<HashMap<i64, i64>> {
    let rows = query(db, user, Scope::Members).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.view.conversation_id, r.view.unread_count))
        .collect())
}

/// One conversation's count for the user (access checked by the caller).
pub async fn one(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    conversation_id: i64,
) -> AppResult<Option<UnreadView>> {
    let rows = query(db, user, Scope::One(conversation_id)).await?;
    Ok(rows.into_iter().next().map(|r| r.view))
}

/// The one statement. Ids are integers formatted into the SQL (no user text reaches it), which
/// lets the same id appear several times on every backend. The count runs only where the
/// read position is below the last seq, on the `(conversation_id, seq)` index.
async fn query(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    scope: Scope<'_>,
) -> AppResult<Vec<Row>> {
    let me = user.id;
    let members = format!("SELECT conversation_id FROM conversation_members WHERE user_id = {me}");
    let candidates = match scope {
        Scope::Members => members,
        Scope::One(id) => id.to_string(),
        Scope::Participating { teams } => {
            let mut sql = format!(
                "{members} UNION SELECT conversation_id FROM tickets WHERE requester_id = {me} \
                 UNION SELECT conversation_id FROM tickets WHERE assignee_id = {me}"
            );
            if !teams.is_empty() {
                let ids: Vec<String> = teams.iter().map(i64::to_string).collect();
                sql.push_str(&format!(
                    " UNION SELECT conversation_id FROM tickets WHERE team_id IN ({})",
                    ids.join(", ")
                ));
            }
            sql
        }
    };
    // Customers never count notes; staff see them (and direct conversations have none).
    let notes = if user.is_staff() {
        ""
    } else {
        " AND m.kind <> 'note'"
    };
    let sql = format!(
        "SELECT c.id AS conversation_id, c.kind AS kind, c.last_seq AS last_seq, \
           COALESCE(cm.last_read_seq, 0) AS last_read_seq, \
           t.id AS ticket_id, t.requester_id AS requester_id, t.assignee_id AS assignee_id, \
           t.team_id AS team_id, t.status AS status, \
           CASE WHEN c.last_seq > COALESCE(cm.last_read_seq, 0) THEN \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
               AND m.seq > COALESCE(cm.last_read_seq, 0) AND m.sender_id <> {me}{notes}) \
           ELSE 0 END AS unread_count \
         FROM conversations c \
         LEFT JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = {me} \
         LEFT JOIN tickets t ON t.conversation_id = c.id \
         WHERE c.id IN ({candidates}) \
         ORDER BY c.id"
    );
    let backend: DbBackend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let kind = ConversationKind::try_from_value(&kind)
            .map_err(|e| anyhow::anyhow!("conversation kind {kind}: {e}"))?;
        let ticket_id: Option<i64> = row.try_get("", "ticket_id")?;
        let ticket = match ticket_id {
            Some(_) => {
                let status: String = row.try_get("", "status")?;
                Some((
                    row.try_get("", "requester_id")?,
                    row.try_get("", "assignee_id")?,
                    row.try_get("", "team_id")?,
                    status == "closed",
                ))
            }
            None => None,
        };
        out.push(Row {
            view: UnreadView {
                conversation_id: row.try_get("", "conversation_id")?,
                kind,
                ticket_id,
                last_seq: row.try_get("", "last_seq")?,
                last_read_seq: row.try_get("", "last_read_seq")?,
                unread_count: row.try_get("", "unread_count")?,
            },
            ticket,
        });
    }
    Ok(out)
}
