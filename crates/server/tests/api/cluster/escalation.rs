//! The desk's settings and sweeps on two nodes: an SLA change made on one node is served by the
//! other at once; a breach swept by both nodes at the same moment is told once; round-robin
//! across nodes deals evenly to agents online on either node.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use switchboard::domain::Role;
use switchboard::tickets::sla;

use super::*;
use crate::escalation::sla_body;
use crate::routing::{put_json, rule, set_routing};

cluster_test!(
    an_sla_change_on_one_node_is_served_by_the_other,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let admin = a.user_with_role("Admin", Role::Admin).await;
        // Node B reads (and keeps in memory) the seeded settings first.
        let (s, before) = b.get("/api/v1/admin/sla", Some(&admin.token)).await;
        assert_eq!((s, &before), (200, &sla_body([60, 480], None)));
        let (s, _) = put_json(a, "/api/v1/admin/sla", &admin, sla_body([7, 70], Some(30))).await;
        assert_eq!(s, 200);
        for _ in 0..100 {
            if b.get("/api/v1/admin/sla", Some(&admin.token)).await.1 == sla_body([7, 70], Some(30))
            {
                // And a ticket opened on node B gets the new targets.
                let ana = b.register("Ana").await;
                let t = b.open_ticket(&ana, "Hi", "urgent").await;
                let t = b.ticket_json(&admin, t.id).await;
                let due = chrono::DateTime::parse_from_rfc3339(
                    t["sla"]["first_response_due"].as_str().unwrap(),
                )
                .unwrap()
                .timestamp_millis();
                let created =
                    chrono::DateTime::parse_from_rfc3339(t["created_at"].as_str().unwrap())
                        .unwrap()
                        .timestamp_millis();
                assert_eq!(due - created, 7 * 60_000);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("node B kept the old SLA settings");
    }
);

cluster_test!(
    a_breach_swept_by_two_nodes_at_once_is_told_once,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let d = a.desk().await;
        let t = a.open_ticket(&d.ana, "Slow", "urgent").await;
        let (s, moved) = a
            .change_ticket(
                &d.admin,
                t.id,
                json!({"team_id": d.team_a, "assignee_id": d.agent_b.id}),
            )
            .await;
        assert_eq!(s, 200, "{moved}");
        let due = chrono::DateTime::parse_from_rfc3339(
            moved["sla"]["first_response_due"].as_str().unwrap(),
        )
        .unwrap()
        .timestamp_millis();
        let (x, y) = tokio::join!(sla::sweep(&a.state, due + 1), sla::sweep(&b.state, due + 1));
        assert_eq!(x.unwrap() + y.unwrap(), 1, "one node wins the claim");
        for who in [&d.agent_a, &d.agent_b] {
            let kinds = a.notification_kinds(who).await;
            let n = kinds.iter().filter(|k| *k == "sla_breached").count();
            assert_eq!(n, 1, "{kinds:?}");
        }
    }
);

cluster_test!(round_robin_is_even_across_nodes, |c: Cluster| async move {
    let (a, b) = (&c.nodes[0], &c.nodes[1]);
    let admin = a.user_with_role("Admin", Role::Admin).await;
    let one = a.user_with_role("One", Role::Agent).await;
    let two = a.user_with_role("Two", Role::Agent).await;
    let ana = a.register("Ana").await;
    let team = a.team_with(&admin, "Desk", &[&one, &two]).await;
    set_routing(a, &admin, team, rule("round_robin", None)).await;
    // One is online on node A, Two on node B: each node sees both.
    let _sockets = [a.ws(&one).await, b.ws(&two).await];
    for _ in 0..100 {
        if a.state.realtime.is_online(two.id) && b.state.realtime.is_online(one.id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(a.open_ticket(&ana, &format!("Q{i}"), "low").await.id);
    }
    // Half the tickets enter the team through node A, half through node B, all at once.
    let moves = ids.iter().enumerate().map(|(i, &id)| {
        let node = if i % 2 == 0 { a } else { b };
        let admin = &admin;
        async move {
            let (s, t) = node
                .patch(
                    &format!("/api/v1/tickets/{id}"),
                    Some(&admin.token),
                    json!({"version": 1, "team_id": team}),
                )
                .await;
            assert_eq!(s, 200, "{t}");
            t["assignee"]["id"].as_i64().expect("assigned")
        }
    });
    let mut per_agent: HashMap<i64, usize> = HashMap::new();
    for who in futures::future::join_all(moves).await {
        *per_agent.entry(who).or_default() += 1;
    }
    assert_eq!(per_agent.get(&one.id), Some(&5), "{per_agent:?}");
    assert_eq!(per_agent.get(&two.id), Some(&5), "{per_agent:?}");
});
