//! Calls across nodes: the call lives on the caller's node (its home); the callee's devices on
//! other nodes ring, answer, signal and hang up through the broker (`calls::remote`).

use serde_json::json;
use switchboard::domain::Role;

use crate::calls::{
    call_frames_so_far, call_history, expect_call, invite, next_call_frame, on, ringing_call_id,
    system_message,
};

use super::*;

cluster_test!(
    a_callee_device_on_another_node_answers_signals_and_hangs_up,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        let mut caller = a.ws(&agent).await;
        let mut phone = a.ws(&ana).await; // the callee's device on the caller's node
        let mut laptop = b.ws(&ana).await; // and on the other node
        let mut watcher = b.ws(&ana).await;

        caller.send(invite(conv, "video")).await;
        let ringing = expect_call(&mut caller, "call_ringing").await;
        let call_id = ringing["call_id"].as_str().unwrap().to_string();
        for ws in [&mut phone, &mut laptop] {
            let incoming = expect_call(ws, "call_incoming").await;
            assert_eq!(incoming["call_id"], call_id.as_str());
            assert_eq!(incoming["caller_id"], agent.id);
            assert_eq!(incoming["media"], "video");
        }

        // The device on node B wins the answer; the one on node A stops ringing.
        laptop.send(on("call_accept", &call_id)).await;
        assert_eq!(
            expect_call(&mut laptop, "call_accepted").await["call_id"],
            call_id.as_str()
        );
        assert_eq!(
            expect_call(&mut caller, "call_accepted").await["call_id"],
            call_id.as_str()
        );
        let elsewhere = expect_call(&mut phone, "call_ended").await;
        assert_eq!(elsewhere["reason"], "answered_elsewhere");
        assert_eq!(elsewhere["call_id"], call_id.as_str());
        let started = system_message(&mut watcher, "call started").await;

        // Too late on node A: the answer is taken (the refusal comes from the home node).
        phone.send(on("call_accept", &call_id)).await;
        assert_eq!(expect_call(&mut phone, "error").await["code"], "conflict");

        // Signals go between the caller and the answering device, both ways, in order.
        for n in 0..3 {
            caller
                .send(json!({"type": "call_signal", "call_id": call_id, "data": {"sdp": n}}))
                .await;
        }
        for n in 0..3 {
            let got = expect_call(&mut laptop, "call_signal").await;
            assert_eq!(got["data"], json!({"sdp": n}));
        }
        laptop
            .send(json!({"type": "call_signal", "call_id": call_id, "data": {"candidate": "c"}}))
            .await;
        let got = expect_call(&mut caller, "call_signal").await;
        assert_eq!(got["data"], json!({"candidate": "c"}));
        assert_eq!(got["call_id"], call_id.as_str());

        // Hanging up on node B ends it on both nodes, recorded once.
        laptop.send(on("call_hangup", &call_id)).await;
        for ws in [&mut caller, &mut laptop] {
            let ended = expect_call(ws, "call_ended").await;
            assert_eq!(ended["reason"], "hangup");
            assert!(ended["duration_secs"].is_u64(), "{ended}");
        }
        let ended = system_message(&mut watcher, "call ended · ").await;
        assert_eq!(
            call_history(a, &agent, conv).await,
            vec![
                (started["seq"].as_i64().unwrap(), "call started".to_string()),
                (
                    ended["seq"].as_i64().unwrap(),
                    ended["body"].as_str().unwrap().to_string()
                ),
            ]
        );
        // The device on node A saw no signal and no second end; the others nothing more.
        for ws in [&mut phone, &mut caller, &mut laptop] {
            assert_eq!(
                call_frames_so_far(ws).await,
                Vec::<serde_json::Value>::new()
            );
        }
        // Over on the home node too: a new call can ring.
        caller.send(invite(conv, "audio")).await;
        expect_call(&mut caller, "call_ringing").await;
        assert_eq!(a.state.calls.in_progress().await, 1);
        assert_eq!(b.state.calls.in_progress().await, 0);
    }
);

cluster_test!(
    a_device_on_another_node_declines_or_goes_away,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        let mut caller = a.ws(&agent).await;
        let mut laptop = b.ws(&ana).await;
        let mut watcher = a.ws(&ana).await;

        // A decline on node B stops the ringing on node A.
        caller.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut caller).await;
        expect_call(&mut laptop, "call_incoming").await;
        laptop.send(on("call_decline", &call_id)).await;
        for ws in [&mut caller, &mut laptop] {
            assert_eq!(expect_call(ws, "call_ended").await["reason"], "declined");
        }
        system_message(&mut watcher, "call declined").await;
        // An unknown call asked of node A from node B: the refusal comes back to that device.
        laptop.send(on("call_hangup", &call_id)).await;
        assert_eq!(expect_call(&mut laptop, "error").await["code"], "not_found");

        // The answering device on node B disconnects: the call ends on node A.
        caller.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut caller).await;
        expect_call(&mut laptop, "call_incoming").await;
        laptop.send(on("call_accept", &call_id)).await;
        expect_call(&mut laptop, "call_accepted").await;
        expect_call(&mut caller, "call_accepted").await;
        drop(laptop);
        let ended = next_call_frame(&mut caller).await;
        assert_eq!(ended["type"], "call_ended", "{ended}");
        assert_eq!(ended["reason"], "disconnected");
        system_message(&mut watcher, "call ended · ").await;
        assert_eq!(a.state.calls.in_progress().await, 0);
    }
);

cluster_test!(
    a_user_in_a_call_on_one_node_is_busy_on_the_other,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        let bob = a.user_with_role("Bob", Role::Agent).await;
        let bob_conv = a.direct(&bob, &ana).await;
        let mut agent_ws = a.ws(&agent).await;
        let mut bob_ws = b.ws(&bob).await;
        let mut ana_ws = b.ws(&ana).await;
        let mut watcher = a.ws(&agent).await;

        // Bob calls Ana on node B: the call's home is B.
        bob_ws.send(invite(bob_conv, "audio")).await;
        let call_id = ringing_call_id(&mut bob_ws).await;
        expect_call(&mut ana_ws, "call_incoming").await;

        // The agent's call on node A finds her busy and rings nothing.
        agent_ws.send(invite(conv, "video")).await;
        let busy = expect_call(&mut agent_ws, "call_busy").await;
        assert_eq!(busy["user_id"], ana.id);
        assert_eq!(busy["conversation_id"], conv);
        let missed = system_message(&mut watcher, "missed call").await;
        assert_eq!(missed["conversation_id"], conv);
        assert_eq!(a.state.calls.in_progress().await, 0);

        // Answered on B: still busy. Bob, in that call, can't start one from node A either.
        ana_ws.send(on("call_accept", &call_id)).await;
        expect_call(&mut ana_ws, "call_accepted").await;
        expect_call(&mut bob_ws, "call_accepted").await;
        agent_ws.send(invite(conv, "audio")).await;
        expect_call(&mut agent_ws, "call_busy").await;
        let mut bob_on_a = a.ws(&bob).await;
        bob_on_a.send(invite(bob_conv, "audio")).await;
        assert_eq!(
            expect_call(&mut bob_on_a, "error").await["code"],
            "conflict"
        );

        // Over on B: free on A.
        bob_ws.send(on("call_hangup", &call_id)).await;
        expect_call(&mut ana_ws, "call_ended").await;
        expect_call(&mut bob_ws, "call_ended").await;
        agent_ws.send(invite(conv, "audio")).await;
        expect_call(&mut agent_ws, "call_ringing").await;
        let incoming = expect_call(&mut ana_ws, "call_incoming").await;
        assert_eq!(incoming["caller_id"], agent.id);
    }
);

fn short_ring(s: &mut switchboard::config::RawSettings) {
    s.call_ring_timeout_secs = 1;
}

/// The home node's ring timer ends a call that rings only on the other node, records it once,
/// and frees both users on every node.
async fn unanswered_on_the_other_node_times_out(c: Cluster) {
    let (a, b) = (&c.nodes[0], &c.nodes[1]);
    let (agent, ana, conv) = a.agent_and_customer().await;
    let mut caller = a.ws(&agent).await;
    let mut laptop = b.ws(&ana).await;
    let mut watcher = b.ws(&agent).await;
    caller.send(invite(conv, "audio")).await;
    let call_id = ringing_call_id(&mut caller).await;
    expect_call(&mut laptop, "call_incoming").await;
    for ws in [&mut caller, &mut laptop] {
        let ended = expect_call(ws, "call_ended").await;
        assert_eq!(ended["reason"], "timeout");
        assert_eq!(ended["call_id"], call_id.as_str());
    }
    let missed = system_message(&mut watcher, "missed call").await;
    assert_eq!(
        call_history(b, &ana, conv).await,
        vec![(missed["seq"].as_i64().unwrap(), "missed call".to_string())]
    );
    // Free again on both nodes: Ana can call back from node B.
    laptop.send(invite(conv, "audio")).await;
    expect_call(&mut laptop, "call_ringing").await;
    assert_eq!(
        expect_call(&mut caller, "call_incoming").await["caller_id"],
        ana.id
    );
}

mod unanswered_on_the_other_node_times_out {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        if let Some(c) = Cluster::start_with(Backend::Postgres, 2, false, short_ring).await {
            unanswered_on_the_other_node_times_out(c).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn mysql() {
        if let Some(c) = Cluster::start_with(Backend::Mysql, 2, false, short_ring).await {
            unanswered_on_the_other_node_times_out(c).await;
        }
    }
}

cluster_test!(
    a_callee_device_connecting_to_another_node_during_the_ring_is_rung,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        let mut caller = a.ws(&agent).await;
        let mut laptop = b.ws(&ana).await;
        caller.send(invite(conv, "audio")).await;
        let call_id = ringing_call_id(&mut caller).await;
        // The invite has reached node B (her laptop rings there)…
        expect_call(&mut laptop, "call_incoming").await;
        // …then her phone connects to node B: node B finds her call's claim and the call's
        // home node rings the phone, once.
        let mut phone = b.ws(&ana).await;
        let incoming = expect_call(&mut phone, "call_incoming").await;
        assert_eq!(incoming["call_id"], call_id.as_str());
        assert_eq!(incoming["caller_name"], "Agent");
        phone.send(on("call_accept", &call_id)).await;
        expect_call(&mut phone, "call_accepted").await;
        expect_call(&mut caller, "call_accepted").await;
        let elsewhere = expect_call(&mut laptop, "call_ended").await;
        assert_eq!(elsewhere["reason"], "answered_elsewhere");
    }
);
