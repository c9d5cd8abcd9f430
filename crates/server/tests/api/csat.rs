//! CSAT: the requester of a closed ticket rates it once, 1 to 5 with an optional comment;
//! staff see the rating on the ticket.

use serde_json::{Value, json};

use switchboard::tickets::csat::INVITATION;
use switchboard_test_support::db_test;
use switchboard_test_support::{TestApp, TestUser};

async fn rate(app: &TestApp, who: &TestUser, ticket_id: i64, body: Value) -> (u16, Value) {
    app.post(
        &format!("/api/v1/tickets/{ticket_id}/csat"),
        Some(&who.token),
        body,
    )
    .await
}

db_test!(
    the_requester_rates_a_closed_ticket_once_and_staff_see_it,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Printer", "medium").await;

        // Open: nothing to rate yet.
        let (s, e) = rate(&app, &d.ana, t.id, json!({"score": 5})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("conflict")),
            "{e}"
        );

        let (s, closed) = app
            .change_ticket(&d.admin, t.id, json!({"status": "closed"}))
            .await;
        assert_eq!(s, 200, "{closed}");
        assert_eq!(closed["csat"], json!(null), "closed and unrated");
        // The requester is asked in the conversation.
        let invitations = |items: Vec<Value>| {
            items
                .iter()
                .filter(|m| m["kind"] == "system" && m["body"] == INVITATION)
                .count()
        };
        let msgs = app.messages(&d.ana, t.conversation_id, "limit=50").await;
        assert_eq!(invitations(msgs), 1);

        // Only the requester: another customer does not see it, staff are not its requester.
        let (s, _) = rate(&app, &d.bob, t.id, json!({"score": 5})).await;
        assert_eq!(s, 404);
        let (s, e) = rate(&app, &d.admin, t.id, json!({"score": 5})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")));

        // Bad ratings: documented 400s, nothing stored.
        for bad in [
            json!({"score": 0}),
            json!({"score": 6}),
            json!({"score": 3, "comment": "x".repeat(1001)}),
            json!({"comment": "no score"}),
            json!({"score": "five"}),
        ] {
            let (s, e) = rate(&app, &d.ana, t.id, bad.clone()).await;
            assert_eq!(s, 400, "{bad}: {e}");
            assert_eq!(e["error"]["code"], "validation_failed", "{e}");
        }

        let (s, rated) = rate(
            &app,
            &d.ana,
            t.id,
            json!({"score": 4, "comment": "  Quick, thanks  "}),
        )
        .await;
        assert_eq!(s, 201, "{rated}");
        assert_eq!(rated["csat"]["score"], 4);
        assert_eq!(rated["csat"]["comment"], "Quick, thanks");
        // Once.
        let (s, e) = rate(&app, &d.ana, t.id, json!({"score": 1})).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (409, Some("conflict")),
            "{e}"
        );

        // Staff see it on the ticket, and so does the requester.
        let seen = app.ticket_json(&d.admin, t.id).await;
        assert_eq!(seen["csat"]["score"], 4);
        assert_eq!(seen["csat"]["comment"], "Quick, thanks");
        assert!(seen["csat"]["rated_at"].is_string());
        assert_eq!(app.ticket(&d.ana, t.id).await.csat.unwrap().score, 4);

        // Reopened and closed again: not asked again, the rating stays, a second one is refused.
        let (s, _) = app
            .change_ticket(&d.ana, t.id, json!({"status": "open"}))
            .await;
        assert_eq!(s, 200);
        let (s, e) = rate(&app, &d.ana, t.id, json!({"score": 2})).await;
        assert_eq!(s, 409, "{e}");
        let (s, again) = app
            .change_ticket(&d.admin, t.id, json!({"status": "closed"}))
            .await;
        assert_eq!(s, 200);
        assert_eq!(again["csat"]["score"], 4);
        let msgs = app.messages(&d.ana, t.conversation_id, "limit=50").await;
        assert_eq!(invitations(msgs), 1, "asked once");
        let (s, _) = rate(&app, &d.ana, t.id, json!({"score": 2})).await;
        assert_eq!(s, 409);
    }
);

db_test!(
    a_ticket_reopened_before_it_was_rated_may_be_rated_at_its_next_closing,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Router", "low").await;
        for status in ["closed", "open", "closed"] {
            let (s, _) = app
                .change_ticket(&d.admin, t.id, json!({"status": status}))
                .await;
            assert_eq!(s, 200);
        }
        let asked = app
            .messages(&d.ana, t.conversation_id, "limit=50")
            .await
            .iter()
            .filter(|m| m["body"] == INVITATION)
            .count();
        assert_eq!(asked, 2, "asked at each closing while unrated");
        let (s, rated) = rate(&app, &d.ana, t.id, json!({"score": 5})).await;
        assert_eq!(s, 201, "{rated}");
        assert_eq!(rated["csat"]["comment"], json!(null));
    }
);
