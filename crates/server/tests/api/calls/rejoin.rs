//! A device that connects while its user is rung (a phone woken by the call's push) rings too
//! and can answer; once the ring is over, a new device hears nothing of the call.

use super::*;

fn three_second_ring(s: &mut RawSettings) {
    s.call_ring_timeout_secs = 3;
}

calls_test!(
    a_device_that_connects_during_the_ring_is_rung_and_answers,
    three_second_ring,
    |app: TestApp| async move {
        let (d, conv) = assigned_ticket(&app).await;
        let mut alice = app.ws(&d.agent_a).await;
        // Ana has no socket when Alice calls.
        alice.send(invite(conv, "video")).await;
        let call_id = ringing_call_id(&mut alice).await;

        // Her phone connects while it rings: it is rung, and its answer takes the call.
        let mut phone = app.ws(&d.ana).await;
        let incoming = expect_call(&mut phone, "call_incoming").await;
        assert_eq!(incoming["call_id"], call_id.as_str());
        assert_eq!(incoming["conversation_id"], conv);
        assert_eq!(incoming["caller_id"], d.agent_a.id);
        assert_eq!(incoming["caller_name"], "Alice");
        assert_eq!(incoming["media"], "video");
        phone.send(on("call_accept", &call_id)).await;
        expect_call(&mut phone, "call_accepted").await;
        expect_call(&mut alice, "call_accepted").await;
        // Answered: a device connecting now is not rung.
        let mut laptop = app.ws(&d.ana).await;
        let heard = call_frames_so_far(&mut laptop).await;
        assert!(heard.is_empty(), "{heard:?}");
        phone.send(on("call_hangup", &call_id)).await;
        expect_call(&mut alice, "call_ended").await;
        drop((phone, laptop));

        // Called again and nobody answers: after the ring timed out, nothing is replayed.
        alice.send(invite(conv, "audio")).await;
        let again = expect_call(&mut alice, "call_ringing").await;
        let ended = expect_call(&mut alice, "call_ended").await;
        assert_eq!(ended["call_id"], again["call_id"]);
        assert_eq!(ended["reason"], "timeout");
        let mut late = app.ws(&d.ana).await;
        let heard = call_frames_so_far(&mut late).await;
        assert!(heard.is_empty(), "{heard:?}");
    }
);
