//! Clients on different nodes: messages, typing, reads and presence cross nodes; many senders
//! on two nodes get gapless seqs; a ticket moved on one node changes who hears it on the other.

use std::time::Duration;

use serde_json::json;
use switchboard::domain::Role;

use switchboard_test_support::Backend;

use super::*;

cluster_test!(
    clients_on_two_nodes_talk_type_read_and_see_presence,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        let mut agent_ws = a.ws(&agent).await;
        let mut ana_ws = b.ws(&ana).await;
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(true))
        );
        assert!(
            a.state.realtime.is_online(ana.id),
            "node A knows Ana is online on node B"
        );

        let (_, frame) = send_frame(conv, "from node A");
        agent_ws.send(frame).await;
        assert_eq!(agent_ws.recv_type("ack").await["message"]["seq"], 1);
        assert_eq!(
            ana_ws.recv_type("message").await["message"]["body"],
            "from node A"
        );

        ana_ws
            .send(json!({"type": "typing", "conversation_id": conv}))
            .await;
        assert_eq!(agent_ws.recv_type("typing").await["user_id"], ana.id);
        ana_ws
            .send(json!({"type": "read", "conversation_id": conv, "seq": 1}))
            .await;
        assert_eq!(agent_ws.recv_type("read").await["seq"], 1);

        // A ticket opened through node B reaches the agent's queue on node A.
        let t = b.open_ticket(&ana, "Cross-node", "medium").await;
        assert_eq!(agent_ws.recv_type("ticket").await["ticket"]["id"], t.id);

        drop(ana_ws);
        let p = agent_ws.recv_type("presence").await;
        assert_eq!(
            (p["user_id"].as_i64(), p["online"].as_bool()),
            (Some(ana.id), Some(false))
        );
    }
);

cluster_test!(
    fifty_senders_on_two_nodes_get_one_gapless_order,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        // Readers give a position, as the app does: a connection that knows nothing of a
        // conversation starts at the first message it sees, and a message committed on the
        // other node may reach it after the next one committed here (docs/protocol.md).
        let mut readers = [
            a.ws_from(&agent, &[(conv, 0)]).await,
            b.ws_from(&ana, &[(conv, 0)]).await,
        ];
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (node, user) = if i % 2 == 0 { (a, &agent) } else { (b, &ana) };
            let mut ws = connect(&node.ws_url, user).await;
            tasks.push(tokio::spawn(async move {
                for n in 0..20 {
                    ws.send(send_frame(conv, &format!("s{i} m{n}")).1).await;
                }
                let mut acked = 0;
                while acked < 20 {
                    // Fifty writers queue on one row lock: a single one may wait a while.
                    let f = ws
                        .try_recv(Duration::from_secs(60))
                        .await
                        .expect("an ack within 60 s");
                    if f["type"] == "ack" {
                        acked += 1;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut orders = Vec::new();
        for (i, r) in readers.iter_mut().enumerate() {
            let mut order = Vec::new();
            while order.len() < 1000 {
                let Some(f) = r.try_recv(Duration::from_secs(60)).await else {
                    let mut seqs: Vec<i64> = order.iter().map(|x: &(i64, i64)| x.0).collect();
                    seqs.sort();
                    let missing: Vec<i64> = (1..=1000)
                        .filter(|s| seqs.binary_search(s).is_err())
                        .collect();
                    panic!(
                        "reader {i}: {} messages within 60 s; missing {missing:?}",
                        order.len()
                    );
                };
                if f["type"] == "message" {
                    order.push((
                        f["message"]["seq"].as_i64().unwrap(),
                        f["message"]["id"].as_i64().unwrap(),
                    ));
                }
            }
            orders.push(order);
        }
        assert_eq!(
            orders[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            (1..=1000).collect::<Vec<_>>()
        );
        assert_eq!(
            orders[0], orders[1],
            "readers on both nodes see the same order"
        );
    }
);

cluster_test!(
    a_ticket_moved_on_one_node_changes_who_hears_it_on_the_other,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let admin = a.user_with_role("Admin", Role::Admin).await;
        let alice = a.user_with_role("Alice", Role::Agent).await;
        let barry = a.user_with_role("Barry", Role::Agent).await;
        let ana = a.register("Ana").await;
        let teams = [
            a.team_with(&admin, "Billing", &[&alice]).await,
            a.team_with(&admin, "Tech", &[&barry]).await,
        ];
        let t = a.open_ticket(&ana, "Invoice", "medium").await;
        let (ticket, conv) = (t.id, t.conversation_id);
        let move_to = async |team: i64| {
            let (_, cur) = a
                .get(&format!("/api/v1/tickets/{ticket}"), Some(&admin.token))
                .await;
            let (s, t) = a
                .patch(
                    &format!("/api/v1/tickets/{ticket}"),
                    Some(&admin.token),
                    json!({"version": cur["version"], "team_id": team}),
                )
                .await;
            assert_eq!(s, 200, "{t}");
        };
        move_to(teams[0]).await;
        // Everyone on node B; node B sends, so node B's cached audience decides.
        let mut alice_ws = b.ws(&alice).await;
        let mut barry_ws = b.ws(&barry).await;
        let mut ana_ws = b.ws(&ana).await;
        ana_ws.send(send_frame(conv, "to billing").1).await;
        ana_ws.recv_type("ack").await;
        while alice_ws.recv_type("message").await["message"]["body"] != "to billing" {}

        // Moved through node A. Its invalidation reaches node B before the ticket event that
        // follows it on the same broker stream.
        move_to(teams[1]).await;
        barry_ws.recv_type("ticket").await;
        ana_ws.send(send_frame(conv, "to tech").1).await;
        ana_ws.recv_type("ack").await;
        while barry_ws.recv_type("message").await["message"]["body"] != "to tech" {}
        let mut alice_after = Vec::new();
        while let Some(f) = alice_ws.try_recv(Duration::from_millis(700)).await {
            alice_after.push(f);
        }
        assert!(
            !alice_after
                .iter()
                .any(|f| f["type"] == "message" && f["message"]["body"] == "to tech"),
            "node B stopped sending the ticket to the old team: {alice_after:?}"
        );
    }
);

cluster_test!(
    a_change_on_one_node_reaches_the_other_and_its_history,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        // Stored through node B, so node B's recent messages hold it.
        let m = b.send_message(&ana, conv, "helo").await;
        let last = m.seq + 1;
        let newest = format!("before_seq={last}");
        assert_eq!(b.messages(&agent, conv, &newest).await[0]["body"], "helo");
        let mut ana_ws = b.ws(&ana).await;

        // Edited and reacted to through node A.
        let (s, edited) = a
            .patch(
                &format!("/api/v1/messages/{}", m.id),
                Some(&ana.token),
                json!({"body": "hello"}),
            )
            .await;
        assert_eq!(s, 200, "{edited}");
        let f = ana_ws.recv_type("message_updated").await;
        assert_eq!(f["change"]["body"], "hello");
        // Node B dropped what it held: its newest page is the message as it is now.
        assert_eq!(b.messages(&agent, conv, &newest).await[0]["body"], "hello");

        let (s, _) = a
            .put(
                &format!("/api/v1/messages/{}/reactions/%F0%9F%91%8D", m.id),
                Some(&agent.token),
            )
            .await;
        assert_eq!(s, 200);
        let f = ana_ws.recv_type("reaction").await;
        assert_eq!(f["change"]["change_seq"], 2);
        assert_eq!(
            b.messages(&ana, conv, &newest).await[0]["reactions"][0]["user_ids"],
            json!([agent.id])
        );
    }
);
