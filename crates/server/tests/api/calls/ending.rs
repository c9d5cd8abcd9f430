//! How calls end (decline, cancel, time-out, a device going away) and what the conversation
//! keeps of them.

use super::*;

calls_test!(
    declining_stops_the_ringing_everywhere,
    defaults,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut caller = app.ws(&agent).await;
        let mut phone = app.ws(&ana).await;
        let mut laptop = app.ws(&ana).await;
        let mut watcher = app.ws(&ana).await;
        caller.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut caller).await;
        expect_call(&mut phone, "call_incoming").await;
        expect_call(&mut laptop, "call_incoming").await;

        laptop.send(on("call_decline", &call_id)).await;
        for ws in [&mut caller, &mut phone, &mut laptop] {
            let ended = expect_call(ws, "call_ended").await;
            assert_eq!(ended["reason"], "declined");
            assert_eq!(ended["call_id"], call_id.as_str());
            assert!(ended.get("duration_secs").is_none(), "{ended}");
        }
        // It is over: answering now finds nothing.
        phone.send(on("call_accept", &call_id)).await;
        assert_eq!(expect_call(&mut phone, "error").await["code"], "not_found");
        let declined = system_message(&mut watcher, "call declined").await;
        assert_eq!(declined["sender_id"], agent.id);
        assert_eq!(
            call_history(&app, &agent, conv).await,
            vec![(
                declined["seq"].as_i64().unwrap(),
                "call declined".to_string()
            )]
        );
    }
);

fn short_ring(s: &mut RawSettings) {
    s.call_ring_timeout_secs = SHORT.as_secs();
}

calls_test!(
    an_unanswered_call_times_out_as_a_missed_call_in_history_and_resume,
    short_ring,
    |app: TestApp| async move {
        let (d, conv) = assigned_ticket(&app).await;
        let mut alice = app.ws(&d.agent_a).await;
        let mut ana = app.ws(&d.ana).await;
        let mut watcher = app.ws(&d.ana).await;
        alice.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut alice).await;
        expect_call(&mut ana, "call_incoming").await;
        for ws in [&mut alice, &mut ana] {
            let ended = expect_call(ws, "call_ended").await;
            assert_eq!(ended["reason"], "timeout");
            assert_eq!(ended["call_id"], call_id.as_str());
        }
        let missed = system_message(&mut watcher, "missed call").await;
        let seq = missed["seq"].as_i64().unwrap();
        assert_eq!(
            call_history(&app, &d.ana, conv).await,
            vec![(seq, "missed call".to_string())]
        );

        // A device coming back resumes past it, and the missed call is replayed with its seq.
        let mut back = app.ws_from(&d.ana, &[(conv, seq - 1)]).await;
        let replayed = back.recv_type("message").await;
        assert_eq!(replayed["message"]["seq"], seq);
        assert_eq!(replayed["message"]["body"], "missed call");
        assert_eq!(replayed["message"]["kind"], "system");
        // Ana has not seen it: it counts as unread for her.
        let (status, unread) = app
            .get("/api/v1/conversations/unread", Some(&d.ana.token))
            .await;
        assert_eq!(status, 200, "{unread}");
        let entry = unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["conversation_id"] == conv)
            .cloned()
            .unwrap();
        assert!(entry["unread_count"].as_i64().unwrap() >= 1, "{entry}");
        // The call is gone: answering late finds nothing.
        ana.send(on("call_accept", &call_id)).await;
        assert_eq!(expect_call(&mut ana, "error").await["code"], "not_found");
    }
);

calls_test!(
    a_device_that_goes_away_hangs_up_its_call,
    defaults,
    |app: TestApp| async move {
        let (agent, ana, conv) = app.agent_and_customer().await;
        let mut caller = app.ws(&agent).await;
        let mut phone = app.ws(&ana).await;
        let mut laptop = app.ws(&ana).await;
        let mut watcher = app.ws(&agent).await;

        // A ringing device of the callee that goes away changes nothing: the other still rings.
        caller.send(invite(conv, "video")).await;
        let call_id = ringing_call_id(&mut caller).await;
        expect_call(&mut phone, "call_incoming").await;
        expect_call(&mut laptop, "call_incoming").await;
        drop(phone);
        laptop.send(on("call_accept", &call_id)).await;
        expect_call(&mut laptop, "call_accepted").await;
        expect_call(&mut caller, "call_accepted").await;

        // The answering device goes away: the call ends for the caller, with its duration.
        laptop.stream.close(None).await.unwrap();
        drop(laptop);
        let ended = expect_call(&mut caller, "call_ended").await;
        assert_eq!(ended["reason"], "disconnected");
        assert!(ended["duration_secs"].is_u64(), "{ended}");
        system_message(&mut watcher, "call ended · ").await;

        // The caller's device goes away while ringing: the callee stops ringing, a missed call.
        let mut tablet = app.ws(&ana).await;
        let mut second = app.ws(&agent).await;
        second.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut second).await;
        expect_call(&mut tablet, "call_incoming").await;
        second.stream.close(None).await.unwrap();
        drop(second);
        let ended = expect_call(&mut tablet, "call_ended").await;
        assert_eq!(ended["reason"], "disconnected");
        assert_eq!(ended["call_id"], call_id.as_str());
        system_message(&mut watcher, "missed call").await;
        let bodies: Vec<String> = call_history(&app, &ana, conv)
            .await
            .into_iter()
            .map(|(_, body)| body)
            .collect();
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert_eq!(bodies[0], "call started");
        assert!(bodies[1].starts_with("call ended · "));
        assert_eq!(bodies[2], "missed call");
        // Both are free again.
        caller.send(invite(conv, "audio")).await;
        expect_call(&mut caller, "call_ringing").await;
    }
);
