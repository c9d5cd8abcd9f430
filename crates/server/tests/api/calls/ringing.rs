//! Who is rung, who wins the answer, where signals go, who may not call.

use super::*;
use switchboard::domain::Role;

calls_test!(
    the_first_device_to_accept_wins_and_signals_reach_only_it,
    defaults,
    |app: TestApp| async move {
        let (d, conv) = assigned_ticket(&app).await;
        let mut alice = app.ws(&d.agent_a).await;
        let mut phone = app.ws(&d.ana).await;
        let mut laptop = app.ws(&d.ana).await;
        let mut watcher = app.ws(&d.agent_a).await;

        alice.send(invite(conv, "video")).await;
        let ringing = expect_call(&mut alice, "call_ringing").await;
        assert_eq!(ringing["callee_id"], d.ana.id);
        assert_eq!(ringing["media"], "video");
        let call_id = ringing["call_id"].as_str().unwrap().to_string();
        for device in [&mut phone, &mut laptop] {
            let incoming = expect_call(device, "call_incoming").await;
            assert_eq!(incoming["call_id"], call_id.as_str());
            assert_eq!(incoming["caller_id"], d.agent_a.id);
            assert_eq!(incoming["caller_name"], "Alice");
            assert_eq!(incoming["conversation_id"], conv);
        }

        // Both of Ana's devices answer at once: one wins, the other is told.
        phone.send(on("call_accept", &call_id)).await;
        laptop.send(on("call_accept", &call_id)).await;
        let mut outcomes = Vec::new();
        for device in [&mut phone, &mut laptop] {
            loop {
                let f = next_call_frame(device).await;
                if f["type"] == "error" {
                    assert_eq!(f["code"], "conflict", "{f}");
                    continue;
                }
                assert_eq!(f["call_id"], call_id.as_str());
                outcomes.push(f);
                break;
            }
        }
        let kinds: Vec<&str> = outcomes
            .iter()
            .map(|f| f["type"].as_str().unwrap())
            .collect();
        assert!(
            kinds == ["call_accepted", "call_ended"] || kinds == ["call_ended", "call_accepted"],
            "{outcomes:?}"
        );
        let loser = outcomes.iter().find(|f| f["type"] == "call_ended").unwrap();
        assert_eq!(loser["reason"], "answered_elsewhere");
        expect_call(&mut alice, "call_accepted").await;
        let (mut winner, mut other) = if kinds[0] == "call_accepted" {
            (phone, laptop)
        } else {
            (laptop, phone)
        };

        // Signalling goes between the two devices in the call, in both directions, as sent.
        let offer = json!({"sdp": {"type": "offer", "sdp": "v=0 offer"}});
        alice
            .send(json!({"type": "call_signal", "call_id": call_id, "data": offer}))
            .await;
        let got = expect_call(&mut winner, "call_signal").await;
        assert_eq!(got["data"], offer);
        let candidate = json!({"candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host", "sdpMid": "0"}});
        winner
            .send(json!({"type": "call_signal", "call_id": call_id, "data": candidate}))
            .await;
        assert_eq!(
            expect_call(&mut alice, "call_signal").await["data"],
            candidate
        );
        // The other device heard nothing of it (a relay to it would be queued before its pong).
        let heard = call_frames_so_far(&mut other).await;
        assert!(heard.is_empty(), "{heard:?}");
        // And may not inject signals into the call.
        other
            .send(json!({"type": "call_signal", "call_id": call_id, "data": {"sdp": "evil"}}))
            .await;
        let refused = expect_call(&mut other, "error").await;
        assert_eq!(refused["code"], "not_found");
        let heard = call_frames_so_far(&mut alice).await;
        assert!(heard.is_empty(), "{heard:?}");

        // Recorded: "call started" with its seq, live and in the history.
        let started = system_message(&mut watcher, "call started").await;
        assert_eq!(started["sender_id"], d.agent_a.id);
        winner.send(on("call_hangup", &call_id)).await;
        let ended = expect_call(&mut alice, "call_ended").await;
        assert_eq!(ended["reason"], "hangup");
        assert!(ended["duration_secs"].is_u64(), "{ended}");
        assert_eq!(
            expect_call(&mut winner, "call_ended").await["reason"],
            "hangup"
        );
        let last = system_message(&mut watcher, "call ended · ").await;
        assert!(last["seq"].as_i64() > started["seq"].as_i64());
        let history = call_history(&app, &d.ana, conv).await;
        assert_eq!(history.len(), 2, "{history:?}");
        assert_eq!(
            history[0],
            (started["seq"].as_i64().unwrap(), "call started".into())
        );
        assert!(history[1].1.starts_with("call ended · ") && history[1].1.ends_with(" s"));
    }
);

calls_test!(
    only_the_two_parties_are_rung_never_anyone_else,
    defaults,
    |app: TestApp| async move {
        let (d, ticket_conv) = assigned_ticket(&app).await;
        // Two agents' direct conversation: staff only. Ana shares a ticket with Alice but is no
        // party here; the admin may read Ana's ticket but is no party there.
        let staff_conv = app.direct(&d.agent_a, &d.agent_b).await;
        let mut alice = app.ws(&d.agent_a).await;
        let mut barry = app.ws(&d.agent_b).await;
        let mut ana = app.ws(&d.ana).await;
        let mut admin = app.ws(&d.admin).await;

        alice.send(invite(staff_conv, "audio")).await;
        let call_id = ringing_call_id(&mut alice).await;
        assert_eq!(
            expect_call(&mut barry, "call_incoming").await["call_id"],
            call_id.as_str()
        );
        for bystander in [&mut ana, &mut admin] {
            let heard = call_frames_so_far(bystander).await;
            assert!(heard.is_empty(), "{heard:?}");
        }
        alice.send(on("call_cancel", &call_id)).await;
        assert_eq!(
            expect_call(&mut barry, "call_ended").await["reason"],
            "cancelled"
        );
        assert_eq!(
            expect_call(&mut alice, "call_ended").await["reason"],
            "cancelled"
        );

        // On the ticket: Ana rings, not the admin who may read it.
        alice.send(invite(ticket_conv, "audio")).await;
        expect_call(&mut alice, "call_ringing").await;
        expect_call(&mut ana, "call_incoming").await;
        let heard = call_frames_so_far(&mut admin).await;
        assert!(heard.is_empty(), "{heard:?}");
        let heard = call_frames_so_far(&mut barry).await;
        assert!(heard.is_empty(), "{heard:?}");
    }
);

calls_test!(only_members_may_call, defaults, |app: TestApp| async move {
    let (d, conv) = assigned_ticket(&app).await;
    // Barry (another team) and Bob may not see the ticket; the admin sees it but is no
    // party: each is refused and nobody rings.
    for who in [&d.agent_b, &d.bob, &d.admin] {
        let mut ws = app.ws(who).await;
        ws.send(invite(conv, "audio")).await;
        let refused = expect_call(&mut ws, "error").await;
        assert_eq!(refused["code"], "forbidden", "{refused}");
    }
    let mut ana = app.ws(&d.ana).await;
    let heard = call_frames_so_far(&mut ana).await;
    assert!(heard.is_empty(), "{heard:?}");

    // A ticket nobody is assigned to has nobody to call yet.
    let t = app.open_ticket(&d.ana, "Nobody yet", "low").await;
    ana.send(invite(t.conversation_id, "audio")).await;
    assert_eq!(expect_call(&mut ana, "error").await["code"], "conflict");

    // A call's id is no key for anyone else.
    let mut alice = app.ws(&d.agent_a).await;
    alice.send(invite(conv, "audio")).await;
    let call_id = ringing_call_id(&mut alice).await;
    let mut bob = app.ws(&d.bob).await;
    for kind in ["call_accept", "call_decline", "call_cancel", "call_hangup"] {
        bob.send(on(kind, &call_id)).await;
        assert_eq!(expect_call(&mut bob, "error").await["code"], "not_found");
    }
    // Bad frames get the documented answer.
    bob.send(json!({"type": "call_invite", "conversation_id": conv, "media": "smoke"}))
        .await;
    assert_eq!(
        expect_call(&mut bob, "error").await["code"],
        "invalid_frame"
    );
    let heard = call_frames_so_far(&mut alice).await;
    assert!(heard.is_empty(), "{heard:?}");
});

calls_test!(
    a_callee_in_a_call_is_busy,
    defaults,
    |app: TestApp| async move {
        let (d, conv) = assigned_ticket(&app).await;
        let other_agent = app.user_with_role("Carla", Role::Agent).await;
        let carla_conv = app.direct(&other_agent, &d.ana).await;
        let mut alice = app.ws(&d.agent_a).await;
        let mut ana = app.ws(&d.ana).await;
        let mut carla = app.ws(&other_agent).await;
        let mut watcher = app.ws(&other_agent).await;

        alice.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut alice).await;
        expect_call(&mut ana, "call_incoming").await;

        // Ana is being rung: Carla's call finds her busy and rings nothing.
        carla.send(invite(carla_conv, "video")).await;
        let busy = expect_call(&mut carla, "call_busy").await;
        assert_eq!(busy["user_id"], d.ana.id);
        assert_eq!(busy["conversation_id"], carla_conv);
        let missed = system_message(&mut watcher, "missed call").await;
        assert_eq!(missed["conversation_id"], carla_conv);

        // Answered, still busy; and the caller can't start a second call.
        ana.send(on("call_accept", &call_id)).await;
        expect_call(&mut ana, "call_accepted").await;
        carla.send(invite(carla_conv, "audio")).await;
        expect_call(&mut carla, "call_busy").await;
        alice.send(invite(conv, "audio")).await;
        let mut frames = Vec::new();
        loop {
            let f = next_call_frame(&mut alice).await;
            if f["type"] == "error" {
                assert_eq!(f["code"], "conflict", "{f}");
                break;
            }
            frames.push(f);
        }
        assert!(
            frames.iter().all(|f| f["type"] == "call_accepted"),
            "{frames:?}"
        );
        let heard = call_frames_so_far(&mut ana).await;
        assert!(heard.is_empty(), "{heard:?}");

        // Once it is over, Carla gets through.
        alice.send(on("call_hangup", &call_id)).await;
        expect_call(&mut ana, "call_ended").await;
        carla.send(invite(carla_conv, "audio")).await;
        expect_call(&mut carla, "call_ringing").await;
        expect_call(&mut ana, "call_incoming").await;
    }
);

fn two_invites_a_minute(s: &mut RawSettings) {
    s.call_invites_per_minute = 2;
}

calls_test!(
    invitations_are_rate_limited,
    two_invites_a_minute,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut caller = app.ws(&agent).await;
        let _callee = app.ws(&ana).await;
        for _ in 0..2 {
            caller.send(invite(conv, "audio")).await;
            let id = ringing_call_id(&mut caller).await;
            caller.send(on("call_cancel", &id)).await;
            expect_call(&mut caller, "call_ended").await;
        }
        caller.send(invite(conv, "audio")).await;
        assert_eq!(
            expect_call(&mut caller, "error").await["code"],
            "rate_limited"
        );
    }
);
