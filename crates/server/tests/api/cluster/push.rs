//! Push across nodes: someone connected to another node counts as connected (the cluster-wide
//! presence), so a message sent through this node queues no push for them; once they leave,
//! it does.

use std::time::Duration;

use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use switchboard::db::entities::{push_delivery, push_subscription};

use super::*;

/// A Web Push subscription stored directly: the nodes refuse the only endpoints a test could
/// reach, and this one never resolves (what is queued for it stays queued, retried).
async fn subscribe(app: &TestApp, user_id: i64) {
    let now = switchboard::domain::now_ms();
    push_subscription::ActiveModel {
        user_id: Set(user_id),
        session_id: Set("cluster".into()),
        kind: Set(switchboard::push::SubscriptionKind::Webpush),
        device_key: Set(uuid::Uuid::new_v4().simple().to_string()),
        endpoint: Set(Some("https://push.invalid/ana".into())),
        p256dh: Set(Some(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
                .into(),
        )),
        auth: Set(Some("BTBZMqHH6r4Tts7J_aSIgg".into())),
        token: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
}

async fn queued(app: &TestApp) -> u64 {
    push_delivery::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

cluster_test!(
    someone_connected_to_another_node_gets_no_push,
    |c: Cluster| async move {
        let (a, b) = (&c.nodes[0], &c.nodes[1]);
        let (agent, ana, conv) = a.agent_and_customer().await;
        subscribe(a, ana.id).await;
        let ana_ws = b.ws(&ana).await;
        for _ in 0..250 {
            if a.state.realtime.is_online(ana.id) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            a.state.realtime.is_online(ana.id),
            "node A sees Ana on node B"
        );
        // Queued (or not) in the message's own transaction: known once the send answers.
        a.send_message(&agent, conv, "You are on node B").await;
        assert_eq!(queued(a).await, 0);

        drop(ana_ws);
        for _ in 0..250 {
            if !a.state.realtime.is_online(ana.id) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!a.state.realtime.is_online(ana.id));
        a.send_message(&agent, conv, "Now you are gone").await;
        assert_eq!(queued(a).await, 1);
    }
);
