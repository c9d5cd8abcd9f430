//! What a push carries: the JSON the service worker (or the Expo notification) receives.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::push_delivery;

/// A push's content. With "hide previews" on, `title` is a generic line and `body` is absent:
/// no message text and no ticket subject leave the server through a push service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushPayload {
    /// `message` (direct conversation), `ticket_reply`, `ticket_assigned`, `mention`, `call`
    /// (an incoming call is ringing: open the conversation to answer or call back).
    pub kind: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub conversation_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// Pushes with the same tag replace each other on the device (one per conversation).
    pub tag: String,
}

impl PushPayload {
    pub fn new(row: &push_delivery::Model, hide_previews: bool) -> Self {
        let tag = match (row.kind.as_str(), row.ticket_id, row.conversation_id) {
            // Its own tag: a call neither replaces nor is replaced by the conversation's messages.
            ("call", _, Some(c)) => format!("call:{c}"),
            (_, Some(t), _) => format!("ticket:{t}"),
            (_, None, Some(c)) => format!("conversation:{c}"),
            (_, None, None) => format!("push:{}", row.id),
        };
        let (title, body) = if hide_previews {
            (generic_title(&row.kind).to_string(), None)
        } else {
            (
                row.title.clone(),
                Some(row.body.clone()).filter(|b| !b.is_empty()),
            )
        };
        Self {
            kind: row.kind.clone(),
            title,
            body,
            conversation_id: row.conversation_id,
            ticket_id: row.ticket_id,
            tag,
        }
    }

    /// Shown at once (Web Push `Urgency: high`, Expo priority `high`): calls, mentions and
    /// assignments. Messages may wait for the device's next wake-up.
    pub fn is_urgent(&self) -> bool {
        matches!(self.kind.as_str(), "call" | "mention" | "ticket_assigned")
    }

    pub fn is_call(&self) -> bool {
        self.kind == "call"
    }
}

fn generic_title(kind: &str) -> &'static str {
    match kind {
        "call" => "Incoming call",
        "ticket_assigned" => "A ticket was assigned to you",
        "mention" => "You were mentioned",
        "ticket_reply" => "New reply on a ticket",
        _ => "New message",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> push_delivery::Model {
        push_delivery::Model {
            id: 9,
            subscription_id: 1,
            user_id: 2,
            kind: "ticket_reply".into(),
            title: "New reply on #4: Printer on fire".into(),
            body: "Try turning it off".into(),
            conversation_id: Some(7),
            ticket_id: Some(4),
            attempts: 0,
            next_attempt_at: 0,
            lease_until: 0,
            last_error: None,
            created_at: 0,
        }
    }

    #[test]
    fn hidden_previews_carry_neither_text_nor_subject() {
        let shown = PushPayload::new(&row(), false);
        assert_eq!(shown.body.as_deref(), Some("Try turning it off"));
        let hidden = PushPayload::new(&row(), true);
        let json = serde_json::to_string(&hidden).unwrap();
        assert!(
            !json.contains("Printer") && !json.contains("Try turning"),
            "{json}"
        );
        assert_eq!(hidden.tag, "ticket:4");
    }

    #[test]
    fn a_call_has_its_own_tag_is_urgent_and_nameless_when_hidden() {
        let call = push_delivery::Model {
            kind: "call".into(),
            title: "Alice".into(),
            body: "Incoming video call".into(),
            ..row()
        };
        let shown = PushPayload::new(&call, false);
        assert_eq!(
            (shown.title.as_str(), shown.tag.as_str()),
            ("Alice", "call:7")
        );
        assert!(shown.is_urgent() && shown.is_call());
        let hidden = PushPayload::new(&call, true);
        assert_eq!(
            (hidden.title.as_str(), hidden.body),
            ("Incoming call", None)
        );
        assert!(!PushPayload::new(&row(), false).is_urgent());
    }
}
