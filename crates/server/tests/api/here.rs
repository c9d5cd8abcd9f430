//! "Alex is viewing / replying": staff on a ticket see each other, customers never see it, and a
//! closed connection leaves.

use std::time::Duration;

use serde_json::{Value, json};

use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, WsClient};

/// The next `here` frame for this conversation (other frames, such as presence, are skipped).
async fn next_here(ws: &mut WsClient, conv: i64) -> Value {
    loop {
        let f = ws.recv_type("here").await;
        if f["conversation_id"] == conv {
            return f;
        }
    }
}

db_test!(
    staff_on_a_ticket_see_who_else_is_viewing_or_replying,
    |app: TestApp| async move {
        let d = app.desk().await;
        // In the shared queue: both agents may see it.
        let t = app.open_ticket(&d.ana, "Login loop", "high").await;
        let conv = t.conversation_id;
        let mut alice = app.ws(&d.agent_a).await;
        let mut barry = app.ws(&d.agent_b).await;
        let mut ana = app.ws(&d.ana).await;

        alice
            .send(json!({"type": "here", "conversation_id": conv, "activity": "viewing"}))
            .await;
        let f = next_here(&mut barry, conv).await;
        assert_eq!(
            (&f["user_id"], &f["display_name"], &f["activity"]),
            (&json!(d.agent_a.id), &json!("Alice"), &json!("viewing"))
        );
        alice
            .send(json!({"type": "here", "conversation_id": conv, "activity": "replying"}))
            .await;
        assert_eq!(next_here(&mut barry, conv).await["activity"], "replying");

        // The customer hears none of it; a customer may not announce either.
        ana.send(json!({"type": "here", "conversation_id": conv, "activity": "viewing"}))
            .await;
        let e = ana.recv_type("error").await;
        assert_eq!(e["code"], "forbidden", "{e}");
        while let Some(f) = ana.try_recv(Duration::from_millis(300)).await {
            assert_ne!(f["type"], "here", "{f}");
        }
        // Neither on a ticket the agent may not see.
        let (s, moved) = app
            .change_ticket(&d.admin, t.id, json!({"team_id": d.team_a}))
            .await;
        assert_eq!(s, 200, "{moved}");
        barry
            .send(json!({"type": "here", "conversation_id": conv, "activity": "viewing"}))
            .await;
        assert_eq!(barry.recv_type("error").await["code"], "forbidden");

        // Closing the connection says "left" to those still there.
        let mut admin = app.ws(&d.admin).await;
        alice
            .send(json!({"type": "here", "conversation_id": conv, "activity": "viewing"}))
            .await;
        assert_eq!(next_here(&mut admin, conv).await["activity"], "viewing");
        drop(alice);
        let f = next_here(&mut admin, conv).await;
        assert_eq!(
            (&f["user_id"], &f["activity"]),
            (&json!(d.agent_a.id), &json!("left"))
        );
        // Unknown activities are refused as malformed frames.
        admin
            .send(json!({"type": "here", "conversation_id": conv, "activity": "dancing"}))
            .await;
        assert_eq!(admin.recv_type("error").await["code"], "invalid_frame");
    }
);
