//! `@` mentions of staff in internal notes: the mentioned agent gets a `mention` notification,
//! stored in the writer's batch (step 4) and pushed live after its commit like `ticket_reply`.
//!
//! Syntax: `@` followed by a staff member's display name as it is shown, spaces included
//! (`@Ana Lopez`), any letter case. The `@` starts the text or follows a character that is not
//! a letter or digit (so `ana@example.com` mentions nobody), and the name ends the text or is
//! followed by one that is not (`@Ana,` and `@Ana's` mention Ana; `@Anabel` does not). Where
//! several names fit, the longest wins (`@Ana Lopez` is Ana Lopez, not Ana); two staff with
//! that same name are both told. Display names need no handle of their own and every existing
//! account can be mentioned at once.
//!
//! Who may be mentioned: agents and admins (not disabled) who may see the ticket, i.e. who are
//! in its audience (`chat::audience`, the one rule), other than the writer. Customers are
//! never notified by notes, and public messages mention nobody (they already notify the other
//! side).

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::writer::SendRequest;
use crate::db::entities::{message, notification, user};
use crate::domain::{MessageKind, Role};
use crate::error::AppResult;
use crate::notifications::{Notice, truncate};

/// The ids of `staff` (id, display name) that `body` mentions, in the order first mentioned.
pub fn mentioned(body: &str, staff: &[(i64, &str)]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    let mut previous: Option<char> = None;
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c == '@' && !previous.is_some_and(char::is_alphanumeric) {
            let mut best: Option<usize> = None;
            let mut who: Vec<i64> = Vec::new();
            for &(id, name) in staff {
                let Some(len) = match_name(after, name) else {
                    continue;
                };
                if best.is_none_or(|b| len > b) {
                    best = Some(len);
                    who.clear();
                }
                if best == Some(len) {
                    who.push(id);
                }
            }
            if let Some(len) = best {
                for id in who {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
                let matched = &after[..len];
                previous = matched.chars().last();
                rest = &after[len..];
                continue;
            }
        }
        previous = Some(c);
        rest = after;
    }
    out
}

/// The length in bytes of `name` at the start of `text` (any case), if it is there and ends at
/// a boundary.
fn match_name(text: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let mut chars = text.char_indices();
    for n in name.chars() {
        let (_, t) = chars.next()?;
        if t != n && !t.to_lowercase().eq(n.to_lowercase()) {
            return None;
        }
    }
    let end = chars.next().map_or(text.len(), |(i, _)| i);
    if text[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(end)
}

/// The `mention` notifications of a batch's notes, to insert with its other notifications.
/// One query (the names of the staff who could be mentioned), and only when a note has an `@`.
pub async fn notices(
    txn: &impl ConnectionTrait,
    requests: &[&SendRequest],
    stored: &[&message::Model],
    now: i64,
) -> AppResult<Vec<notification::ActiveModel>> {
    let notes: Vec<(&SendRequest, &message::Model)> = requests
        .iter()
        .zip(stored)
        .filter(|(r, _)| {
            r.kind == MessageKind::Note && r.conversation.ticket.is_some() && r.body.contains('@')
        })
        .map(|(r, m)| (*r, *m))
        .collect();
    if notes.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for (r, _) in &notes {
        ids.extend(r.conversation.audience.iter().copied());
        ids.insert(r.sender_id);
    }
    let staff: Vec<(i64, String)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Role.is_in([Role::Agent, Role::Admin]))
        .filter(user::Column::Disabled.eq(false))
        .into_model::<user::Name>()
        .all(txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let mut out = Vec::new();
    for (r, m) in notes {
        let Some(t) = &r.conversation.ticket else {
            continue;
        };
        let can_see: Vec<(i64, &str)> = staff
            .iter()
            .filter(|(id, _)| *id != r.sender_id && r.conversation.audience.contains(id))
            .map(|(id, name)| (*id, name.as_str()))
            .collect();
        let writer = staff
            .iter()
            .find(|(id, _)| *id == r.sender_id)
            .map_or("Someone", |(_, name)| name.as_str());
        for to in mentioned(&m.body, &can_see) {
            let notice = Notice {
                kind: "mention",
                title: format!("{writer} mentioned you on #{}: {}", t.number, t.subject),
                body: truncate(&m.body, 200),
                ticket_id: Some(t.id),
                conversation_id: Some(r.conversation.id),
            };
            out.push(notice.row(to, now));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::mentioned;

    const STAFF: &[(i64, &str)] = &[
        (1, "Ana"),
        (2, "Ana Lopez"),
        (3, "Ben"),
        (4, "Zoë Müller"),
        (5, "Anabel"),
    ];

    #[test]
    fn a_name_after_an_at_sign_is_a_mention_in_any_case() {
        assert_eq!(mentioned("@ben can you look?", STAFF), [3]);
        assert_eq!(mentioned("ping @BEN", STAFF), [3]);
        assert_eq!(mentioned("@zoë müller, thoughts?", STAFF), [4]);
    }

    #[test]
    fn the_longest_name_that_fits_wins() {
        assert_eq!(mentioned("@Ana Lopez please", STAFF), [2]);
        assert_eq!(mentioned("@Ana please", STAFF), [1]);
        assert_eq!(mentioned("@Anabel and @Ana", STAFF), [5, 1]);
    }

    #[test]
    fn a_name_must_end_at_a_boundary() {
        assert_eq!(mentioned("@Benedict", STAFF), Vec::<i64>::new());
        assert_eq!(mentioned("@Ben's call", STAFF), [3]);
        assert_eq!(mentioned("(@Ben)", STAFF), [3]);
        assert_eq!(mentioned("@Ana Lopezz", STAFF), [1], "Ana, then text");
    }

    #[test]
    fn an_email_address_or_a_lone_at_sign_mentions_nobody() {
        assert_eq!(mentioned("mail ben@ben.com", STAFF), Vec::<i64>::new());
        assert_eq!(mentioned("@ @@ @", STAFF), Vec::<i64>::new());
        assert_eq!(mentioned("", STAFF), Vec::<i64>::new());
        assert_eq!(mentioned("@Ben", &[]), Vec::<i64>::new());
    }

    #[test]
    fn each_person_is_named_once_in_the_order_first_mentioned() {
        assert_eq!(mentioned("@Ben @Ana @ben again", STAFF), [3, 1]);
        assert_eq!(
            mentioned("@Ben@Ana", STAFF),
            [3],
            "no boundary before the second @"
        );
    }

    #[test]
    fn two_people_with_the_same_name_are_both_told() {
        let twins = [(7, "Sam"), (8, "sam")];
        assert_eq!(mentioned("@Sam", &twins), [7, 8]);
    }
}
