//! Helpers that speak the API's own types: a ticket opened is a `TicketView`, a message sent is
//! a `MessageView`, so a test reads `t.conversation_id` rather than indexing JSON by strings.
//! Tests that pin the wire format itself (error shapes, fields that must be absent) keep the
//! raw answers (`TestApp::post` and friends, `open_ticket_json`).

use serde_json::{Value, json};
use switchboard::conversations::view::{ConversationView, MessageView};
use switchboard::domain::Role;
use switchboard::tickets::view::TicketView;

use crate::{TestApp, TestUser};

/// The people of a small help desk: an admin, an agent in each of two teams, two customers.
pub struct Desk {
    pub admin: TestUser,
    /// In team A.
    pub agent_a: TestUser,
    /// In team B.
    pub agent_b: TestUser,
    pub ana: TestUser,
    pub bob: TestUser,
    pub team_a: i64,
    pub team_b: i64,
}

/// One of the API's view types, read from an answer.
pub trait View: Sized {
    const NAME: &'static str;
    fn from_json(body: Value) -> serde_json::Result<Self>;
}

macro_rules! views {
    ($($ty:ty),*) => {$(
        impl View for $ty {
            const NAME: &'static str = stringify!($ty);
            fn from_json(body: Value) -> serde_json::Result<Self> {
                serde_json::from_value(body)
            }
        }
    )*};
}

views!(TicketView, MessageView, ConversationView);

/// Parses an answer into one of the API's view types, naming it when it does not fit.
pub fn view<T: View>(body: Value) -> T {
    T::from_json(body.clone()).unwrap_or_else(|e| panic!("not a {}: {e}: {body}", T::NAME))
}

impl TestApp {
    /// Admin "Admin", agents "Alice" (team "Billing") and "Barry" (team "Tech"), customers
    /// "Ana" and "Bob".
    pub async fn desk(&self) -> Desk {
        let admin = self.user_with_role("Admin", Role::Admin).await;
        let agent_a = self.user_with_role("Alice", Role::Agent).await;
        let agent_b = self.user_with_role("Barry", Role::Agent).await;
        let ana = self.register("Ana").await;
        let bob = self.register("Bob").await;
        let team_a = self.team_with(&admin, "Billing", &[&agent_a]).await;
        let team_b = self.team_with(&admin, "Tech", &[&agent_b]).await;
        Desk {
            admin,
            agent_a,
            agent_b,
            ana,
            bob,
            team_a,
            team_b,
        }
    }

    /// Opens a ticket as `who` whose first message is "It is broken"; the answer as sent.
    pub async fn open_ticket_json(&self, who: &TestUser, subject: &str, priority: &str) -> Value {
        let (status, t) = self
            .post(
                "/api/v1/tickets",
                Some(&who.token),
                json!({"subject": subject, "body": "It is broken", "priority": priority}),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        t
    }

    /// Opens a ticket as `who` whose first message is "It is broken".
    pub async fn open_ticket(&self, who: &TestUser, subject: &str, priority: &str) -> TicketView {
        view(self.open_ticket_json(who, subject, priority).await)
    }

    /// The ticket as `who` reads it now, as sent.
    pub async fn ticket_json(&self, who: &TestUser, id: i64) -> Value {
        let (status, t) = self
            .get(&format!("/api/v1/tickets/{id}"), Some(&who.token))
            .await;
        assert_eq!(status, 200, "{t}");
        t
    }

    /// The ticket as `who` reads it now.
    pub async fn ticket(&self, who: &TestUser, id: i64) -> TicketView {
        view(self.ticket_json(who, id).await)
    }

    /// PATCHes ticket `id` as `who` with `changes` at its current version (read by the admin
    /// of [`TestApp::desk`]), so a test states only what changes.
    pub async fn change_ticket(&self, who: &TestUser, id: i64, changes: Value) -> (u16, Value) {
        let admin = self
            .login("admin@example.com", "correct horse battery")
            .await;
        let current = self.ticket_json(&admin, id).await;
        let mut body = changes;
        body["version"] = current["version"].clone();
        self.patch(&format!("/api/v1/tickets/{id}"), Some(&who.token), body)
            .await
    }

    /// The kinds of `who`'s notifications, newest first.
    pub async fn notification_kinds(&self, who: &TestUser) -> Vec<String> {
        let (status, n) = self.get("/api/v1/notifications", Some(&who.token)).await;
        assert_eq!(status, 200, "{n}");
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap().to_string())
            .collect()
    }

    /// An agent ("Agent") and a customer ("Ana") in a direct conversation:
    /// `(agent, ana, conversation id)`.
    pub async fn agent_and_customer(&self) -> (TestUser, TestUser, i64) {
        let agent = self.user_with_role("Agent", Role::Agent).await;
        let ana = self.register("Ana").await;
        let conversation = self.direct(&agent, &ana).await;
        (agent, ana, conversation)
    }

    /// Sends a text message over REST; it must be stored (201).
    pub async fn send_message(
        &self,
        user: &TestUser,
        conversation_id: i64,
        body: &str,
    ) -> MessageView {
        let (status, message) = self.send(user, conversation_id, body).await;
        assert_eq!(status, 201, "{message}");
        view(message)
    }

    /// Writes an internal note over REST (staff on a ticket); it must be stored (201).
    pub async fn send_note(
        &self,
        user: &TestUser,
        conversation_id: i64,
        body: &str,
    ) -> MessageView {
        let (status, message) = self
            .post(
                &format!("/api/v1/conversations/{conversation_id}/messages"),
                Some(&user.token),
                json!({"body": body, "kind": "note", "client_id": uuid::Uuid::new_v4().to_string()}),
            )
            .await;
        assert_eq!(status, 201, "{message}");
        view(message)
    }
}

/// A `send` frame with a fresh client id: `(client_id, frame)`.
pub fn send_frame(conversation_id: i64, body: &str) -> (String, Value) {
    let client_id = uuid::Uuid::new_v4().to_string();
    let frame = json!({"type": "send", "conversation_id": conversation_id, "client_id": client_id, "body": body});
    (client_id, frame)
}
