//! Someone connected who leaves a message unread for `push_unread_delay_ms` gets one push for
//! the conversation after all (`push::nudge`): not before the delay, one for several messages,
//! none once read; through the same rules as every push (notes never to a customer, mutes,
//! hidden previews, quiet hours).

use std::time::Instant;

use super::*;

/// Long enough for three REST sends on a busy machine to fall into one window.
const DELAY_MS: u64 = 800;

fn short_delay(s: &mut switchboard::config::RawSettings) {
    s.push_unread_delay_ms = DELAY_MS;
}

/// Long enough for a nudge to be due and sent, had one been queued.
async fn past_the_delay(app: &TestApp) {
    tokio::time::sleep(Duration::from_millis(2 * DELAY_MS)).await;
    drained(app).await;
}

async fn mark_read(app: &TestApp, user: &TestUser, conversation: i64, seq: i64) {
    let (status, body) = app
        .post(
            &format!("/api/v1/conversations/{conversation}/read"),
            Some(&user.token),
            json!({"seq": seq}),
        )
        .await;
    assert!(status == 204 || status == 200, "{status} {body}");
}

push_test!(
    a_connected_user_who_leaves_messages_unread_gets_one_push_for_them,
    short_delay,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let device = Device::new(service.endpoint("ana"));
        assert!(!app.state.push.nudges.owners.contains(ana.id));
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);
        assert!(app.state.push.nudges.owners.contains(ana.id));
        let _ws = app.ws(&ana).await;
        wait_online(&app, &ana, true).await;

        // Three messages she does not read: one push, after the delay, with the latest text.
        let sent = Instant::now();
        for body in ["one", "two", "three"] {
            app.send_message(&agent, conversation, body).await;
        }
        let got = service.wait_web(1).await;
        assert!(
            sent.elapsed() >= Duration::from_millis(DELAY_MS),
            "pushed before the delay: {:?}",
            sent.elapsed()
        );
        let payload = device.open(&got[0].body);
        assert_eq!(payload["kind"], "message");
        assert_eq!(payload["title"], "Agent");
        assert_eq!(payload["body"], "three");
        assert_eq!(payload["conversation_id"], conversation);
        past_the_delay(&app).await;
        assert_eq!(
            service.web().len(),
            1,
            "one push per conversation and delay"
        );

        // Read in time: nothing.
        let m = app.send_message(&agent, conversation, "read me").await;
        mark_read(&app, &ana, conversation, m.seq).await;
        past_the_delay(&app).await;
        assert_eq!(service.web().len(), 1, "pushed a message she read");

        // Her own messages never nudge her; the agent has no device at all.
        app.send_message(&ana, conversation, "Thanks").await;
        past_the_delay(&app).await;
        assert_eq!(service.web().len(), 1);

        // A muted conversation is not nudged either.
        let mute = format!("/api/v1/push/mutes/{conversation}");
        assert_eq!(app.put(&mute, Some(&ana.token)).await.0, 204);
        app.send_message(&agent, conversation, "muted").await;
        past_the_delay(&app).await;
        assert_eq!(service.web().len(), 1, "a muted conversation was nudged");
        assert_eq!(app.delete(&mute, Some(&ana.token)).await.0, 204);

        // Gone: the push comes at once, from the message's transaction, and no nudge after it.
        drop(_ws);
        wait_online(&app, &ana, false).await;
        app.send_message(&agent, conversation, "offline").await;
        service.wait_web(2).await;
        past_the_delay(&app).await;
        let bodies: Vec<Value> = service
            .web()
            .iter()
            .map(|r| device.open(&r.body)["body"].clone())
            .collect();
        assert_eq!(bodies, [json!("three"), json!("offline")]);
    }
);

push_test!(
    a_nudge_never_shows_a_customer_a_note_and_hides_what_previews_hide,
    short_delay,
    |app: TestApp, service: PushService| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Printer on fire", "high").await;
        let (status, body) = app
            .change_ticket(&d.admin, t.id, json!({"assignee_id": d.agent_a.id}))
            .await;
        assert_eq!(status, 200, "{body}");
        let ana = Device::new(service.endpoint("ana"));
        let alice = Device::new(service.endpoint("alice"));
        assert_eq!(subscribe(&app, &d.ana, ana.subscription()).await.0, 201);
        assert_eq!(
            subscribe(&app, &d.agent_a, alice.subscription()).await.0,
            201
        );
        let _ana_ws = app.ws(&d.ana).await;
        let _alice_ws = app.ws(&d.agent_a).await;
        wait_online(&app, &d.ana, true).await;
        wait_online(&app, &d.agent_a, true).await;

        // A reply and then a note mentioning Alice, neither read: Ana is nudged about the
        // reply (never the note), Alice about the mention.
        app.send_message(&d.admin, t.conversation_id, "We are on our way")
            .await;
        app.send_note(
            &d.admin,
            t.conversation_id,
            "internal: @Alice call the fire brigade",
        )
        .await;
        service.wait_web(2).await;
        past_the_delay(&app).await;
        let (to_ana, to_alice) = opened_by(&service, &ana, &alice);
        assert_eq!(to_ana.len(), 1, "{to_ana:?}");
        assert_eq!(to_ana[0]["kind"], "ticket_reply");
        assert_eq!(to_ana[0]["body"], "We are on our way");
        assert!(!to_ana[0].to_string().contains("fire brigade"));
        assert_eq!(to_alice.len(), 1, "{to_alice:?}");
        assert_eq!(to_alice[0]["kind"], "mention");

        // Previews hidden: no text. Then quiet hours: nothing at all.
        super::quiet::set_quiet(&app, &d.ana, true, Value::Null).await;
        app.send_message(&d.admin, t.conversation_id, "Your code is 1234")
            .await;
        let got = service.wait_web(3).await;
        let hidden = ana.open(&got[2].body);
        assert_eq!(hidden["kind"], "ticket_reply");
        assert!(hidden.get("body").is_none(), "{hidden}");
        assert!(!hidden.to_string().contains("1234"), "{hidden}");
        super::quiet::set_quiet(&app, &d.ana, false, super::quiet::around_now()).await;
        app.send_message(&d.admin, t.conversation_id, "At night")
            .await;
        past_the_delay(&app).await;
        assert_eq!(service.web().len(), 3, "nudged in quiet hours");
    }
);

push_test!(
    logging_out_the_last_device_stops_following_the_user,
    short_delay,
    |app: TestApp, service: PushService| async move {
        let ana = app.register("Ana").await;
        let phone = app.login("ana@example.com", "correct horse battery").await;
        let (status, _) = subscribe(
            &app,
            &phone,
            json!({"kind": "expo", "token": "ExponentPushToken[phone]"}),
        )
        .await;
        assert_eq!(status, 201);
        let device = Device::new(service.endpoint("ana"));
        let (status, web) = subscribe(&app, &ana, device.subscription()).await;
        assert_eq!(status, 201, "{web}");
        let owners = &app.state.push.nudges.owners;
        assert!(owners.contains(ana.id));
        // One device of two removed: still followed.
        let path = format!("/api/v1/push/subscriptions/{}", web["id"]);
        assert_eq!(app.delete(&path, Some(&ana.token)).await.0, 204);
        assert!(owners.contains(ana.id));
        // The session with the last one logs out: no longer.
        let (status, _) = app
            .post(
                "/api/v1/auth/logout",
                None,
                json!({"refresh_token": phone.refresh}),
            )
            .await;
        assert_eq!(status, 204);
        assert!(!owners.contains(ana.id));
        assert!(owners.is_empty());
    }
);
