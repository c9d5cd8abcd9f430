//! Webhooks against a real receiver on 127.0.0.1 (private targets allowed by the setting):
//! signed deliveries, recorded and replayable; a receiver that is down, failing or hanging
//! still gets every event exactly once, in order per ticket; redirects are not followed; an
//! endpoint failing for the whole retry window is disabled and the admins told. Without the
//! setting, private and plain-HTTP targets are refused; only admins reach these routes.

mod receiver;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{Value, json};
use switchboard::domain::Role;
use switchboard_test_support::{Backend, TestApp, TestUser, db_test, spawn_app_with};

use receiver::{Mode, Receiver, verify};

/// A server that may call 127.0.0.1, retrying fast.
async fn hooks_app(backend: Backend, window_secs: u64) -> Option<TestApp> {
    spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhook_retry_base_ms = 100;
        s.webhook_poll_ms = 100;
        s.webhook_timeout_secs = 1;
        s.webhook_retry_window_secs = window_secs;
    })
    .await
}

/// One test per database with `hooks_app`.
macro_rules! hooks_test {
    ($name:ident, $window:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = hooks_app(Backend::Sqlite, $window).await.unwrap();
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = hooks_app(Backend::Postgres, $window).await {
                    ($body)(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                if let Some(app) = hooks_app(Backend::Mysql, $window).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

const ALL: [&str; 4] = [
    "ticket.created",
    "ticket.updated",
    "message.created",
    "user.created",
];

/// Registers an endpoint; returns `(id, secret)`.
async fn register(app: &TestApp, admin: &TestUser, url: &str, events: &[&str]) -> (i64, String) {
    let (status, body) = app
        .post(
            "/api/v1/admin/webhooks",
            Some(&admin.token),
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{body}");
    (body["webhook"]["id"].as_i64().unwrap(), secret)
}

async fn deliveries(app: &TestApp, admin: &TestUser, id: i64) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/admin/webhooks/{id}/deliveries?limit=200"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Polls the endpoint's deliveries until `done` holds.
async fn wait_deliveries(
    app: &TestApp,
    admin: &TestUser,
    id: i64,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..300 {
        let list = deliveries(app, admin, id).await;
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: {:#?}", deliveries(app, admin, id).await);
}

fn types(got: &[receiver::Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect()
}

hooks_test!(
    deliveries_are_signed_recorded_and_replayable,
    3600,
    |app: TestApp| async move {
        let d = app.desk().await;
        let rx = Receiver::start(Mode::Accept).await;
        let (hook, secret) = register(&app, &d.admin, &rx.url(), &ALL).await;

        let carl = app.register("Carl").await;
        let t = app.open_ticket(&carl, "Printer on fire", "high").await;
        // A note first: were it queued, it would reach the receiver before the reply.
        app.send_note(
            &d.admin,
            t.conversation_id,
            "internal: call the fire brigade",
        )
        .await;
        app.send_message(&d.admin, t.conversation_id, "On our way")
            .await;
        let (status, body) = app
            .change_ticket(&d.admin, t.id, json!({"status": "pending"}))
            .await;
        assert_eq!(status, 200, "{body}");

        let got = rx.wait_for(4).await;
        // One ticket's events in order (the user's have a key of their own).
        let ticket_events: Vec<String> = types(&got)
            .into_iter()
            .filter(|t| t != "user.created")
            .collect();
        assert_eq!(
            ticket_events,
            ["ticket.created", "message.created", "ticket.updated"]
        );
        let of = |kind: &str| {
            got.iter()
                .find(|r| r.json()["type"] == kind)
                .unwrap_or_else(|| panic!("no {kind}"))
                .json()
        };
        for r in &got {
            assert!(verify(&secret, r), "signature of {}", r.body);
            assert!(!verify("whsec_wrong", r));
            let body = r.json();
            assert_eq!(r.header("switchboard-event"), body["type"]);
            assert_eq!(r.header("switchboard-event-id"), body["id"]);
            assert_eq!(r.header("content-type"), "application/json");
        }
        let ids: HashSet<&str> = got
            .iter()
            .map(|r| r.header("switchboard-event-id"))
            .collect();
        assert_eq!(ids.len(), 4, "each event has its own id");
        let user = of("user.created");
        assert_eq!(user["data"]["user"]["id"], carl.id);
        assert_eq!(user["data"]["user"]["role"], "customer");
        let created = of("ticket.created");
        assert_eq!(created["data"]["ticket"]["id"], t.id);
        assert_eq!(created["data"]["ticket"]["subject"], "Printer on fire");
        assert_eq!(created["data"]["body"], "It is broken");
        let message = of("message.created");
        assert_eq!(message["data"]["message"]["body"], "On our way");
        assert_eq!(message["data"]["message"]["kind"], "text");
        assert_eq!(message["data"]["message"]["ticket_id"], t.id);
        assert_eq!(of("ticket.updated")["data"]["ticket"]["status"], "pending");

        // Recorded for the admin: delivered, one attempt, a latency, the answer's status. (The
        // receiver holds a delivery before the worker records its answer: wait for the record.)
        let list = wait_deliveries(&app, &d.admin, hook, "all four recorded", |l| {
            l.len() == 4 && l.iter().all(|d| d["status"] != "pending")
        })
        .await;
        assert_eq!(list.len(), 4);
        for item in &list {
            assert_eq!(item["status"], "delivered", "{item}");
            assert_eq!(item["attempts"], 1);
            assert_eq!(item["response_status"], 204);
            assert!(item["latency_ms"].as_i64().is_some(), "{item}");
            assert!(item["error"].is_null());
        }

        // Replay: the same event (id and body) again, as a new delivery.
        let first = list.last().unwrap();
        let (status, replay) = app
            .post(
                &format!(
                    "/api/v1/admin/webhooks/{hook}/deliveries/{}/replay",
                    first["id"]
                ),
                Some(&d.admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{replay}");
        assert_eq!(replay["status"], "pending");
        let got = rx.wait_for(5).await;
        assert_eq!(got[4].body, first["payload"].as_str().unwrap());
        assert_eq!(got[4].header("switchboard-event-id"), first["event_id"]);
        assert!(verify(&secret, &got[4]));

        // A test event, then notes once the endpoint asks for them.
        let (status, body) = app
            .post(
                &format!("/api/v1/admin/webhooks/{hook}/test"),
                Some(&d.admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(types(&rx.wait_for(6).await)[5], "webhook.test");
        let (status, body) = app
            .patch(
                &format!("/api/v1/admin/webhooks/{hook}"),
                Some(&d.admin.token),
                json!({"include_notes": true}),
            )
            .await;
        assert_eq!((status, body["include_notes"].as_bool()), (200, Some(true)));
        for _ in 0..100 {
            let subs = app.state.webhooks.message_subscribers();
            if subs.iter().any(|s| s.include_notes) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        app.send_note(&d.admin, t.conversation_id, "second note")
            .await;
        let got = rx.wait_for(7).await;
        assert_eq!(got[6].json()["data"]["message"]["kind"], "note");

        // Unknown ids are 404s, not 500s.
        let (status, _) = app
            .post(
                &format!("/api/v1/admin/webhooks/{hook}/deliveries/999999/replay"),
                Some(&d.admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = app
            .get(
                "/api/v1/admin/webhooks/999999/deliveries",
                Some(&d.admin.token),
            )
            .await;
        assert_eq!(status, 404);

        // Deleting it stops the deliveries.
        let (status, _) = app
            .delete(
                &format!("/api/v1/admin/webhooks/{hook}"),
                Some(&d.admin.token),
            )
            .await;
        assert_eq!(status, 204);
        for _ in 0..100 {
            if app.state.webhooks.message_subscribers().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        app.send_message(&d.admin, t.conversation_id, "after the delete")
            .await;
        app.register("Dora").await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(rx.accepted().len(), 7);
    }
);

hooks_test!(
    a_receiver_down_failing_or_hanging_gets_every_event_once_in_order,
    3600,
    |app: TestApp| async move {
        let d = app.desk().await;
        let rx = Receiver::reserve();
        let (hook, secret) = register(
            &app,
            &d.admin,
            &rx.url(),
            &["ticket.created", "message.created", "ticket.updated"],
        )
        .await;

        // Two tickets, each with a few replies, while nothing listens.
        let t1 = app.open_ticket(&d.ana, "First", "low").await;
        let t2 = app.open_ticket(&d.bob, "Second", "low").await;
        for i in 0..3 {
            app.send_message(&d.ana, t1.conversation_id, &format!("ana {i}"))
                .await;
            app.send_message(&d.bob, t2.conversation_id, &format!("bob {i}"))
                .await;
        }
        let expected = 2 + 6;
        // Refused connections are recorded and retried.
        wait_deliveries(&app, &d.admin, hook, "retried refusals", |list| {
            list.len() == expected
                && list.iter().any(|x| {
                    x["attempts"].as_i64() >= Some(2)
                        && x["status"] == "pending"
                        && x["error"].is_string()
                })
        })
        .await;

        // Up, but failing with 500: recorded with the status, retried.
        rx.set_mode(Mode::Fail);
        rx.listen().await;
        wait_deliveries(&app, &d.admin, hook, "a 500 recorded", |list| {
            list.iter().any(|x| x["response_status"] == 500)
        })
        .await;
        assert!(rx.refused() > 0);

        // Hanging: the attempt times out (1 s here), recorded, retried.
        rx.set_mode(Mode::Hang);
        wait_deliveries(&app, &d.admin, hook, "a timeout recorded", |list| {
            list.iter()
                .any(|x| x["error"].as_str().is_some_and(|e| e.contains("timed out")))
        })
        .await;

        // Healthy again: everything arrives, once each, in order per ticket.
        rx.set_mode(Mode::Accept);
        let got = rx.wait_for(expected).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        let got_later = rx.accepted();
        assert_eq!(
            got_later.len(),
            expected,
            "no duplicates: {:?}",
            types(&got_later)
        );
        let ids: HashSet<&str> = got
            .iter()
            .map(|r| r.header("switchboard-event-id"))
            .collect();
        assert_eq!(ids.len(), expected);
        let mut per_ticket: HashMap<i64, Vec<String>> = HashMap::new();
        for r in &got {
            assert!(verify(&secret, r));
            let body = r.json();
            let (conversation, what) = match body["type"].as_str().unwrap() {
                "ticket.created" => (
                    body["data"]["ticket"]["conversation_id"].as_i64().unwrap(),
                    "created".to_string(),
                ),
                "message.created" => (
                    body["data"]["message"]["conversation_id"].as_i64().unwrap(),
                    body["data"]["message"]["body"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                ),
                other => panic!("unexpected {other}"),
            };
            per_ticket.entry(conversation).or_default().push(what);
        }
        assert_eq!(
            per_ticket[&t1.conversation_id],
            ["created", "ana 0", "ana 1", "ana 2"]
        );
        assert_eq!(
            per_ticket[&t2.conversation_id],
            ["created", "bob 0", "bob 1", "bob 2"]
        );
        let list = wait_deliveries(&app, &d.admin, hook, "all delivered", |list| {
            list.iter().all(|x| x["status"] == "delivered")
        })
        .await;
        assert!(list.iter().all(|x| x["error"].is_null()));
        let (_, endpoint) = app
            .get("/api/v1/admin/webhooks", Some(&d.admin.token))
            .await;
        assert!(
            endpoint["items"][0]["failing_since"].is_null(),
            "{endpoint}"
        );
        assert_eq!(endpoint["items"][0]["enabled"], true);
    }
);

hooks_test!(
    redirects_are_not_followed_and_a_failing_endpoint_is_disabled,
    2,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let rx = Receiver::start(Mode::Redirect).await;
        let (hook, _) = register(&app, &admin, &rx.url(), &["user.created"]).await;
        app.register("Eve").await;

        // The retry window here is 2 s: the delivery fails, the endpoint is disabled.
        let list = wait_deliveries(&app, &admin, hook, "failed for good", |list| {
            list.first().is_some_and(|x| x["status"] == "failed")
        })
        .await;
        assert_eq!(list[0]["response_status"], 307);
        assert!(
            list[0]["error"].as_str().unwrap().contains("redirect"),
            "{}",
            list[0]
        );
        assert!(list[0]["attempts"].as_i64().unwrap() >= 2);
        assert_eq!(rx.elsewhere(), 0, "the redirect was not followed");
        let mut endpoint = json!(null);
        for _ in 0..100 {
            let (_, body) = app.get("/api/v1/admin/webhooks", Some(&admin.token)).await;
            endpoint = body["items"][0].clone();
            if endpoint["enabled"] == false {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(endpoint["enabled"], false, "{endpoint}");
        assert!(endpoint["disabled_reason"].is_string());
        // The admins are told (just after the endpoint is switched off).
        let mut told = false;
        for _ in 0..100 {
            told = app
                .notification_kinds(&admin)
                .await
                .contains(&"webhook_disabled".to_string());
            if told {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(told, "no webhook_disabled notification");

        // Disabled: new events are not queued for it.
        app.register("Finn").await;
        let list = deliveries(&app, &admin, hook).await;
        assert_eq!(list.len(), 1, "{list:?}");

        // Fixed and enabled again: the failed delivery goes out on replay, new events too.
        rx.set_mode(Mode::Accept);
        let (status, body) = app
            .patch(
                &format!("/api/v1/admin/webhooks/{hook}"),
                Some(&admin.token),
                json!({"enabled": true}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body["disabled_reason"].is_null() && body["failing_since"].is_null());
        let failed = list[0]["id"].as_i64().unwrap();
        let (status, _) = app
            .post(
                &format!("/api/v1/admin/webhooks/{hook}/deliveries/{failed}/replay"),
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(status, 201);
        app.register("Gus").await;
        let got = rx.wait_for(2).await;
        let names: HashSet<String> = got
            .iter()
            .map(|r| {
                r.json()["data"]["user"]["display_name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names, HashSet::from(["Eve".into(), "Gus".into()]));
    }
);

db_test!(
    private_targets_are_refused_and_only_admins_reach_webhooks,
    |app: TestApp| async move {
        let admin = app.user_with_role("Admin", Role::Admin).await;
        let agent = app.user_with_role("Agent", Role::Agent).await;
        let ana = app.register("Ana").await;

        for (url, why) in [
            ("http://example.com/hook", "https"),
            ("ftp://example.com/hook", "https"),
            ("https://127.0.0.1/hook", "private"),
            ("https://10.0.0.8/hook", "private"),
            ("https://192.168.1.1/hook", "private"),
            ("https://169.254.169.254/latest/meta-data", "private"),
            ("https://[::1]:8443/hook", "private"),
            ("https://[::ffff:127.0.0.1]/hook", "private"),
            ("https://localhost/hook", "private"),
            ("https://user:pw@example.com/hook", "credentials"),
            ("not a url", "URL"),
        ] {
            let (status, body) = app
                .post(
                    "/api/v1/admin/webhooks",
                    Some(&admin.token),
                    json!({"url": url, "events": ["ticket.created"]}),
                )
                .await;
            assert_eq!(status, 400, "{url}: {body}");
            assert_eq!(body["error"]["code"], "validation_failed");
            let problem = body["error"]["fields"]["url"].as_str().unwrap();
            assert!(problem.contains(why), "{url}: {problem}");
        }
        for events in [
            json!([]),
            json!(["ticket.deleted"]),
            json!(["webhook.test"]),
        ] {
            let (status, body) = app
                .post(
                    "/api/v1/admin/webhooks",
                    Some(&admin.token),
                    json!({"url": "https://example.com/hook", "events": events}),
                )
                .await;
            assert_eq!(status, 400, "{body}");
            assert!(body["error"]["fields"]["events"].is_string(), "{body}");
        }
        let (status, body) = app
            .post(
                "/api/v1/admin/webhooks",
                Some(&admin.token),
                json!({"url": "https://example.com/hook", "events": ["ticket.created"], "secret": "mine"}),
            )
            .await;
        assert_eq!(status, 400, "unknown fields are refused: {body}");
        let (_, list) = app.get("/api/v1/admin/webhooks", Some(&admin.token)).await;
        assert_eq!(list["items"], json!([]), "nothing was stored");

        // Not admins: 403 on every route, whatever the id.
        for who in [&agent, &ana] {
            let token = Some(who.token.as_str());
            let checks = [
                app.get("/api/v1/admin/webhooks", token).await,
                app.post(
                    "/api/v1/admin/webhooks",
                    token,
                    json!({"url": "https://example.com/hook", "events": ["ticket.created"]}),
                )
                .await,
                app.patch("/api/v1/admin/webhooks/1", token, json!({"enabled": false}))
                    .await,
                app.delete("/api/v1/admin/webhooks/1", token).await,
                app.get("/api/v1/admin/webhooks/1/deliveries", token).await,
                app.post(
                    "/api/v1/admin/webhooks/1/deliveries/1/replay",
                    token,
                    json!({}),
                )
                .await,
                app.post("/api/v1/admin/webhooks/1/test", token, json!({}))
                    .await,
            ];
            for (status, body) in checks {
                assert_eq!(status, 403, "{body}");
                assert_eq!(body["error"]["code"], "forbidden");
            }
        }
        let (status, _) = app.get("/api/v1/admin/webhooks", None).await;
        assert_eq!(status, 401);
    }
);

hooks_test!(
    webhook_sla_and_routing_changes_are_audited,
    60,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let (s, created) = app
            .post(
                "/api/v1/admin/webhooks",
                Some(&admin.token),
                json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}),
            )
            .await;
        assert_eq!(s, 201, "{created}");
        let id = created["webhook"]["id"].as_i64().unwrap();
        let path = format!("/api/v1/admin/webhooks/{id}");
        let (s, _) = app
            .patch(&path, Some(&admin.token), json!({"enabled": false}))
            .await;
        assert_eq!(s, 200);
        let (s, _) = app.delete(&path, Some(&admin.token)).await;
        assert_eq!(s, 204);

        let (s, sla) = app.get("/api/v1/admin/sla", Some(&admin.token)).await;
        assert_eq!(s, 200, "{sla}");
        let mut changed = sla.clone();
        changed["urgent"]["first_response_minutes"] = json!(30);
        let (s, _) = crate::routing::put_json(&app, "/api/v1/admin/sla", &admin, changed).await;
        assert_eq!(s, 200);

        let team = app.team_with(&admin, "Billing", &[]).await;
        let rule = json!({"rule": "round_robin", "max_open": 5,
            "unassigned_limit_minutes": null, "on_breach": "notify"});
        let routing = format!("/api/v1/admin/teams/{team}/routing");
        let (s, _) = crate::routing::put_json(&app, &routing, &admin, rule).await;
        assert_eq!(s, 200);

        let (s, page) = app
            .get(
                "/api/v1/admin/audit?action_prefix=webhook.",
                Some(&admin.token),
            )
            .await;
        assert_eq!(s, 200, "{page}");
        let actions: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["webhook.deleted", "webhook.changed", "webhook.created"],
            "newest first"
        );
        let entry = |action: &'static str| {
            let app = &app;
            let admin = &admin;
            async move {
                let (_, page) = app
                    .get(
                        &format!("/api/v1/admin/audit?action={action}"),
                        Some(&admin.token),
                    )
                    .await;
                page["items"][0].clone()
            }
        };
        let e = entry("webhook.changed").await;
        assert_eq!(e["target_id"], id.to_string());
        assert_eq!(e["details"]["enabled"], false);
        assert_eq!(e["ip"], "127.0.0.1");
        let e = entry("sla.targets_changed").await;
        assert_eq!(e["details"]["old"]["urgent"], sla["urgent"]);
        assert_eq!(e["details"]["new"]["urgent"]["first_response_minutes"], 30);
        let e = entry("team.routing_changed").await;
        assert_eq!(e["target_kind"], "team");
        assert_eq!(e["target_id"], team.to_string());
        assert_eq!(e["details"]["rule"], "round_robin");
    }
);
