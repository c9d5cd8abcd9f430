//! The event types and the JSON each delivery carries:
//! `{"id": "<uuid>", "type": "ticket.created", "created_at": "<RFC 3339>", "data": {…}}`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::db::entities::{message, ticket, user};
use crate::domain::to_rfc3339;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "user.created")]
    UserCreated,
    /// Sent only by "send test event", to the one endpoint.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// The types an endpoint can subscribe to.
    pub const SUBSCRIBABLE: [EventType; 4] = [
        EventType::TicketCreated,
        EventType::TicketUpdated,
        EventType::MessageCreated,
        EventType::UserCreated,
    ];

    pub fn parse(text: &str) -> Option<EventType> {
        [Self::SUBSCRIBABLE.as_slice(), &[EventType::WebhookTest]]
            .concat()
            .into_iter()
            .find(|e| e.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::TicketCreated => "ticket.created",
            EventType::TicketUpdated => "ticket.updated",
            EventType::MessageCreated => "message.created",
            EventType::UserCreated => "user.created",
            EventType::WebhookTest => "webhook.test",
        }
    }
}

/// One event, before it is fanned out to the endpoints.
pub struct Event {
    pub id: String,
    pub kind: EventType,
    /// Events with the same key reach an endpoint in the order they were committed.
    pub order_key: String,
    /// Whether only endpoints that asked for notes get it.
    pub is_note: bool,
    pub body: String,
}

impl Event {
    fn new(kind: EventType, order_key: String, now: i64, data: Value) -> Self {
        let id = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "id": id,
            "type": kind.as_str(),
            "created_at": to_rfc3339(now),
            "data": data,
        })
        .to_string();
        Self {
            id,
            kind,
            order_key,
            is_note: false,
            body,
        }
    }

    pub fn ticket(
        kind: EventType,
        t: &ticket::Model,
        now: i64,
        extra: Option<(&str, &str)>,
    ) -> Self {
        let mut data = json!({ "ticket": ticket_json(t) });
        if let Some((name, value)) = extra {
            data[name] = json!(value);
        }
        Self::new(kind, conversation_key(t.conversation_id), now, data)
    }

    pub fn message(m: &message::Model, ticket_id: Option<i64>, now: i64) -> Self {
        let data = json!({ "message": {
            "id": m.id,
            "conversation_id": m.conversation_id,
            "ticket_id": ticket_id,
            "seq": m.seq,
            "sender_id": m.sender_id,
            "kind": m.kind,
            "body": m.body,
            "created_at": to_rfc3339(m.created_at),
        }});
        let mut event = Self::new(
            EventType::MessageCreated,
            conversation_key(m.conversation_id),
            now,
            data,
        );
        event.is_note = m.kind == crate::domain::MessageKind::Note;
        event
    }

    pub fn user(u: &user::Model, now: i64) -> Self {
        let data = json!({ "user": {
            "id": u.id,
            "email": u.email,
            "display_name": u.display_name,
            "role": u.role,
            "created_at": to_rfc3339(u.created_at),
        }});
        Self::new(EventType::UserCreated, format!("user:{}", u.id), now, data)
    }

    pub fn test(endpoint_id: i64, now: i64) -> Self {
        let data = json!({ "endpoint_id": endpoint_id, "message": "test event from Switchboard" });
        // A key of its own: a test never waits behind (or holds up) real events.
        let mut event = Self::new(EventType::WebhookTest, String::new(), now, data);
        event.order_key = format!("test:{}", event.id);
        event
    }
}

/// A ticket and the messages of its conversation share one key: `ticket.created` reaches the
/// receiver before the replies to it.
fn conversation_key(conversation_id: i64) -> String {
    format!("conversation:{conversation_id}")
}

fn ticket_json(t: &ticket::Model) -> Value {
    let tags: Value = serde_json::from_str(&t.tags).unwrap_or_else(|_| json!([]));
    json!({
        "id": t.id,
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "requester_id": t.requester_id,
        "assignee_id": t.assignee_id,
        "team_id": t.team_id,
        "tags": tags,
        "conversation_id": t.conversation_id,
        "version": t.version,
        "created_at": to_rfc3339(t.created_at),
        "updated_at": to_rfc3339(t.updated_at),
        "closed_at": t.closed_at.map(to_rfc3339),
    })
}
