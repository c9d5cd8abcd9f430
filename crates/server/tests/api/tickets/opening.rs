//! Opening a ticket: its conversation, first message, history and validation; the demo seed.

use serde_json::json;

use switchboard::tickets::domain::Status;
use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

db_test!(
    opening_a_ticket_creates_its_conversation_history_and_sla,
    |app: TestApp| async move {
        let d = app.desk().await;
        let t = app
            .open_ticket(&d.ana, "  Printer on fire ", "urgent")
            .await;
        assert_eq!(t.subject, "Printer on fire");
        assert_eq!(t.status, Status::Open);
        assert_eq!(t.number, t.id + 1000);
        assert_eq!(t.requester.id, d.ana.id);
        assert!(t.assignee.is_none());
        assert_eq!(t.version, 1);
        let conv = t.conversation_id;
        let msgs = app.messages(&d.ana, conv, "").await;
        assert_eq!(msgs.len(), 1);
        assert_eq!(
            (msgs[0]["seq"].as_i64(), msgs[0]["body"].as_str()),
            (Some(1), Some("It is broken"))
        );
        let (_, events) = app
            .get(
                &format!("/api/v1/tickets/{}/events", t.id),
                Some(&d.ana.token),
            )
            .await;
        assert_eq!(events["items"][0]["field"], "created");

        let (s, e) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "", "body": "x"}),
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (400, Some("validation_failed"))
        );
        let (s, _) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "x", "body": "x", "priority": "meh"}),
            )
            .await;
        assert_eq!(s, 400);
        let (s, _) = app
            .post(
                "/api/v1/tickets",
                Some(&d.ana.token),
                json!({"subject": "x", "body": "x", "requester_id": d.bob.id}),
            )
            .await;
        assert_eq!(s, 400, "mass assignment is refused");
    }
);

#[test]
fn seed_demo_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["seed", "--demo"])
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env(
                "SWITCHBOARD_DATABASE_URL",
                format!("sqlite://{}/sb.db", dir.path().display()),
            )
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("8 tickets") && stdout.contains("admin@demo.switchboard"),
        "{stdout}"
    );
    let second = run();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("already has"),
        "it refuses a database with users"
    );
}
