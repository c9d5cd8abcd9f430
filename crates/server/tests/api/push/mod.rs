//! Push notifications against a local push service (private targets allowed by the setting):
//! a device's subscription is registered, idempotently, per user; a message to someone with no
//! open socket arrives at their push service encrypted per RFC 8291 and signed with VAPID, and
//! the test decrypts it with the device's private key and checks the signature against the
//! server's public key; notes never reach a customer; hidden previews carry no text; a push
//! service answering 410 (or Expo `DeviceNotRegistered`) removes the subscription; logout
//! removes the session's devices; quiet hours (`quiet`), calls (`calls`) and the pushes for
//! someone connected who leaves a message unread (`nudge`).

mod receiver;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use switchboard::db::entities::push_delivery;
use switchboard_test_support::{Backend, TestApp, TestUser, spawn_app_with};
use web_push_native::Auth;

use receiver::PushService;

/// A server that may push to 127.0.0.1, retrying fast, with Expo at `expo_url`, and the test's
/// own settings.
async fn push_app(
    backend: Backend,
    expo_url: Option<String>,
    customise: fn(&mut switchboard::config::RawSettings),
) -> Option<TestApp> {
    spawn_app_with(backend, |s| {
        s.push_allow_private = true;
        s.push_poll_ms = 100;
        s.push_retry_base_ms = 100;
        if let Some(url) = expo_url {
            s.push_expo_url = url;
        }
        customise(s);
    })
    .await
}

/// One test per database, each with its own push service (and settings of its own).
macro_rules! push_test {
    ($name:ident, $body:expr) => {
        push_test!($name, |_| {}, $body);
    };
    ($name:ident, $customise:expr, $body:expr) => {
        mod $name {
            use super::*;
            async fn run(backend: Backend) {
                let service = PushService::start().await;
                if let Some(app) = push_app(backend, Some(service.expo_url()), $customise).await {
                    ($body)(app, service).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                run(Backend::Mysql).await;
            }
        }
    };
}

mod calls;
mod nudge;
mod quiet;

/// A browser's push subscription: its key pair and auth secret stay here, like in a browser.
struct Device {
    secret: p256::SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Device {
    fn new(endpoint: String) -> Device {
        Device {
            secret: p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng),
            auth: rand::random(),
            endpoint,
        }
    }

    /// What `PushSubscription.toJSON()` gives, plus `kind`.
    fn subscription(&self) -> Value {
        let point = self.secret.public_key().to_encoded_point(false);
        json!({
            "kind": "webpush",
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(point.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            },
        })
    }

    /// Decrypts a push as the browser would.
    fn open(&self, body: &[u8]) -> Value {
        let secret = web_push_native::p256::SecretKey::from_slice(&self.secret.to_bytes()).unwrap();
        let plain = web_push_native::decrypt(body.to_vec(), &secret, &Auth::from(self.auth))
            .expect("the push decrypts with the device's keys");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// The Web Pushes received so far, decrypted: those to the device named "ana", and the rest
/// (Alice's).
fn opened_by(service: &PushService, ana: &Device, alice: &Device) -> (Vec<Value>, Vec<Value>) {
    let (mut to_ana, mut to_alice) = (Vec::new(), Vec::new());
    for r in service.web() {
        match r.device.as_str() {
            "ana" => to_ana.push(ana.open(&r.body)),
            _ => to_alice.push(alice.open(&r.body)),
        }
    }
    (to_ana, to_alice)
}

async fn subscribe(app: &TestApp, user: &TestUser, body: Value) -> (u16, Value) {
    app.post("/api/v1/push/subscriptions", Some(&user.token), body)
        .await
}

async fn put_json(app: &TestApp, path: &str, user: &TestUser, body: Value) -> (u16, Value) {
    let req = app
        .client
        .put(app.url(path))
        .bearer_auth(&user.token)
        .json(&body);
    switchboard_test_support::into_parts(req.send().await.expect("request")).await
}

async fn subscriptions(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let (status, body) = app
        .get("/api/v1/push/subscriptions", Some(&user.token))
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Waits until nothing is left in the push outbox: every queued push was sent (or dropped).
async fn drained(app: &TestApp) {
    for _ in 0..300 {
        let left = push_delivery::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap();
        if left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the push outbox did not drain");
}

async fn wait_online(app: &TestApp, user: &TestUser, online: bool) {
    for _ in 0..300 {
        if app.state.realtime.is_online(user.id) == online {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("user {} never became online={online}", user.id);
}

/// Checks the `Authorization: vapid t=…, k=…` header as a push service does (RFC 8292): `k` is
/// the server's published key, `t` an ES256 JWT signed by it for this origin, not expired.
fn verify_vapid(header: &str, public_key: &str, origin: &str) -> Value {
    let (token, key) = header
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .unwrap_or_else(|| panic!("not a VAPID header: {header}"));
    assert_eq!(key, public_key);
    let point = URL_SAFE_NO_PAD.decode(key).unwrap();
    assert_eq!((point.len(), point[0]), (65, 4));
    let decoding = jsonwebtoken::DecodingKey::from_ec_components(
        &URL_SAFE_NO_PAD.encode(&point[1..33]),
        &URL_SAFE_NO_PAD.encode(&point[33..65]),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[origin]);
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .expect("a valid VAPID signature")
        .claims;
    let now = chrono::Utc::now().timestamp();
    let exp = claims["exp"].as_i64().unwrap();
    assert!(exp > now && exp <= now + 24 * 3600, "{claims}");
    assert!(claims["sub"].as_str().unwrap().starts_with("mailto:"));
    claims
}

push_test!(
    a_message_to_an_offline_user_arrives_encrypted_and_signed,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let (status, key) = app
            .get("/api/v1/push/vapid-public-key", Some(&ana.token))
            .await;
        assert_eq!(status, 200, "{key}");
        let public_key = key["public_key"].as_str().unwrap().to_string();

        let device = Device::new(service.endpoint("ana"));
        let (status, first) = subscribe(&app, &ana, device.subscription()).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["kind"], "webpush");
        assert_eq!(first["this_session"], true);
        // The same browser again: the same subscription.
        let (status, again) = subscribe(&app, &ana, device.subscription()).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["id"], first["id"]);
        assert_eq!(subscriptions(&app, &ana).await.len(), 1);

        app.send_message(&agent, conversation, "Hello Ana").await;
        let got = service.wait_web(1).await;
        let push = &got[0];
        assert_eq!(push.device, "ana");
        assert_eq!(push.header("content-encoding"), "aes128gcm");
        assert_eq!(push.header("content-type"), "application/octet-stream");
        assert!(push.header("ttl").parse::<u64>().unwrap() > 0);
        verify_vapid(push.header("authorization"), &public_key, &service.origin());
        let payload = device.open(&push.body);
        assert_eq!(payload["kind"], "message");
        assert_eq!(payload["title"], "Agent");
        assert_eq!(payload["body"], "Hello Ana");
        assert_eq!(payload["conversation_id"], conversation);
        drained(&app).await;

        // Connected: she reads it live, no push. Gone again: pushed again.
        let ws = app.ws(&ana).await;
        wait_online(&app, &ana, true).await;
        app.send_message(&agent, conversation, "You are here").await;
        drop(ws);
        wait_online(&app, &ana, false).await;
        app.send_message(&agent, conversation, "Back to push").await;
        service.wait_web(2).await;
        drained(&app).await;
        let bodies: Vec<Value> = service
            .web()
            .iter()
            .map(|r| device.open(&r.body)["body"].clone())
            .collect();
        assert_eq!(bodies, [json!("Hello Ana"), json!("Back to push")]);
        // Her own messages never push to her.
        app.send_message(&ana, conversation, "Thanks").await;
        drained(&app).await;
        assert_eq!(service.web().len(), 2);
    }
);

push_test!(
    notes_never_reach_a_customer_and_hidden_previews_carry_no_text,
    |app: TestApp, service: PushService| async move {
        let d = app.desk().await;
        let t = app.open_ticket(&d.ana, "Printer on fire", "high").await;
        let ana = Device::new(service.endpoint("ana"));
        let alice = Device::new(service.endpoint("alice"));
        assert_eq!(subscribe(&app, &d.ana, ana.subscription()).await.0, 201);
        assert_eq!(
            subscribe(&app, &d.agent_a, alice.subscription()).await.0,
            201
        );

        // Assigned to Alice (offline): her device hears of it.
        let (status, body) = app
            .change_ticket(&d.admin, t.id, json!({"assignee_id": d.agent_a.id}))
            .await;
        assert_eq!(status, 200, "{body}");
        // A note mentioning her: she hears of it; Ana never does.
        app.send_note(
            &d.admin,
            t.conversation_id,
            "internal: @Alice call the fire brigade",
        )
        .await;
        app.send_message(&d.admin, t.conversation_id, "We are on our way")
            .await;
        service.wait_web(3).await;
        drained(&app).await;
        let (to_ana, to_alice) = opened_by(&service, &ana, &alice);
        assert_eq!(to_ana.len(), 1, "{to_ana:?}");
        assert_eq!(to_ana[0]["kind"], "ticket_reply");
        assert_eq!(to_ana[0]["body"], "We are on our way");
        assert_eq!(to_ana[0]["ticket_id"], t.id);
        assert!(!to_ana[0].to_string().contains("fire brigade"));
        let mut kinds: Vec<&str> = to_alice
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        kinds.sort_unstable();
        assert_eq!(kinds, ["mention", "ticket_assigned"], "{to_alice:?}");

        // Ana hides previews: the next push says only that there is something.
        let (status, prefs) = put_json(
            &app,
            "/api/v1/push/preferences",
            &d.ana,
            json!({"hide_previews": true}),
        )
        .await;
        assert_eq!((status, prefs["hide_previews"].clone()), (200, json!(true)));
        app.send_message(&d.admin, t.conversation_id, "Your secret code is 1234")
            .await;
        let got = service.wait_web(4).await;
        let hidden = ana.open(&got[3].body);
        assert_eq!(hidden["kind"], "ticket_reply");
        assert!(hidden.get("body").is_none(), "{hidden}");
        let text = hidden.to_string();
        assert!(
            !text.contains("1234") && !text.contains("Printer"),
            "{text}"
        );
    }
);

push_test!(
    a_push_service_error_is_retried_and_a_gone_subscription_removed,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let device = Device::new(service.endpoint("ana"));
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);
        // Unavailable once, then accepted: the same push, sent again.
        service.answer(&[503]);
        app.send_message(&agent, conversation, "Try again").await;
        let got = service.wait_web(2).await;
        drained(&app).await;
        assert_eq!(device.open(&got[0].body), device.open(&got[1].body));
        assert_eq!(subscriptions(&app, &ana).await.len(), 1);
        // The browser unsubscribed: the push service answers 410 and the server forgets it.
        service.answer(&[410]);
        app.send_message(&agent, conversation, "Anyone there?")
            .await;
        service.wait_web(3).await;
        drained(&app).await;
        assert!(subscriptions(&app, &ana).await.is_empty());
        app.send_message(&agent, conversation, "Nobody").await;
        drained(&app).await;
        assert_eq!(service.web().len(), 3);
    }
);

push_test!(
    a_muted_conversation_pushes_no_messages,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let bob = app.register("Bob").await;
        let device = Device::new(service.endpoint("ana"));
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);
        let mute = format!("/api/v1/push/mutes/{conversation}");
        assert_eq!(app.put(&mute, Some(&ana.token)).await.0, 204);
        assert_eq!(
            app.put(&mute, Some(&ana.token)).await.0,
            204,
            "muting again"
        );
        // Someone who can't see the conversation can't mute it (nor learn it exists).
        assert_eq!(app.put(&mute, Some(&bob.token)).await.0, 404);
        assert_eq!(app.delete(&mute, Some(&bob.token)).await.0, 404);
        let (status, list) = app.get("/api/v1/push/mutes", Some(&ana.token)).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["conversation_ids"], json!([conversation]));

        app.send_message(&agent, conversation, "Muted").await;
        drained(&app).await;
        assert!(service.web().is_empty());

        assert_eq!(app.delete(&mute, Some(&ana.token)).await.0, 204);
        app.send_message(&agent, conversation, "Heard").await;
        let got = service.wait_web(1).await;
        drained(&app).await;
        assert_eq!(service.web().len(), 1);
        assert_eq!(device.open(&got[0].body)["body"], "Heard");
    }
);

push_test!(
    expo_tokens_go_through_the_expo_api_until_unregistered,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let token = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]";
        let (status, sub) = subscribe(&app, &ana, json!({"kind": "expo", "token": token})).await;
        assert_eq!(status, 201, "{sub}");
        assert_eq!(sub["token"], token);
        app.send_message(&agent, conversation, "Hello phone").await;
        let got = service.wait_expo(1).await;
        let message = &got[0][0];
        assert_eq!(message["to"], token);
        assert_eq!(message["title"], "Agent");
        assert_eq!(message["body"], "Hello phone");
        assert_eq!(message["data"]["conversation_id"], conversation);
        drained(&app).await;
        // The app was uninstalled.
        service.expo_error(Some("DeviceNotRegistered"));
        app.send_message(&agent, conversation, "Still there?").await;
        service.wait_expo(2).await;
        drained(&app).await;
        assert!(subscriptions(&app, &ana).await.is_empty());
    }
);

push_test!(
    subscriptions_are_checked_private_to_their_user_and_end_with_the_session,
    |app: TestApp, service: PushService| async move {
        let (_agent, ana, _) = app.agent_and_customer().await;
        let bob = app.register("Bob").await;
        let device = Device::new(service.endpoint("ana"));
        let mut bad_keys = device.subscription();
        bad_keys["keys"]["p256dh"] = json!("AAAA");
        let mut bad_auth = device.subscription();
        bad_auth["keys"]["auth"] = json!("c2hvcnQ");
        let mut no_keys = device.subscription();
        no_keys.as_object_mut().unwrap().remove("keys");
        for (body, field) in [
            (bad_keys, "keys.p256dh"),
            (bad_auth, "keys.auth"),
            (no_keys, "keys"),
            (
                json!({"kind": "webpush", "endpoint": "not a url", "keys": device.subscription()["keys"]}),
                "endpoint",
            ),
            (json!({"kind": "expo", "token": "hello"}), "token"),
            (json!({"kind": "expo"}), "token"),
        ] {
            let (status, answer) = subscribe(&app, &ana, body).await;
            assert_eq!(status, 400, "{answer}");
            assert_eq!(answer["error"]["code"], "validation_failed", "{answer}");
            assert!(
                answer["error"]["fields"][field].is_string(),
                "{field}: {answer}"
            );
        }
        let (status, answer) = subscribe(&app, &ana, json!({"kind": "carrier-pigeon"})).await;
        assert_eq!(status, 400, "{answer}");
        let (status, _) = app
            .post("/api/v1/push/subscriptions", None, device.subscription())
            .await;
        assert_eq!(status, 401);

        let (status, mine) = subscribe(&app, &ana, device.subscription()).await;
        assert_eq!(status, 201, "{mine}");
        // Bob sees none of it and can't remove it.
        assert!(subscriptions(&app, &bob).await.is_empty());
        let path = format!("/api/v1/push/subscriptions/{}", mine["id"]);
        assert_eq!(app.delete(&path, Some(&bob.token)).await.0, 404);
        assert_eq!(subscriptions(&app, &ana).await.len(), 1);
        assert_eq!(app.delete(&path, Some(&ana.token)).await.0, 204);
        assert!(subscriptions(&app, &ana).await.is_empty());

        // Two sessions, a device each: logging one out removes its device only.
        let phone = app.login("ana@example.com", "correct horse battery").await;
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);
        let (status, _) = subscribe(
            &app,
            &phone,
            json!({"kind": "expo", "token": "ExponentPushToken[phone]"}),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(subscriptions(&app, &ana).await.len(), 2);
        let (status, _) = app
            .post(
                "/api/v1/auth/logout",
                None,
                json!({"refresh_token": phone.refresh}),
            )
            .await;
        assert_eq!(status, 204);
        let left = subscriptions(&app, &ana).await;
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0]["kind"], "webpush");
        assert_eq!(left[0]["this_session"], true);
    }
);

mod without_the_private_setting {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn loopback_and_plain_http_endpoints_are_refused() {
        let app = switchboard_test_support::spawn_app(Backend::Sqlite).await;
        let ana = app.register("Ana").await;
        for endpoint in [
            "http://127.0.0.1:9/push",
            "https://127.0.0.1/push",
            "https://10.0.0.1/p",
        ] {
            let device = Device::new(endpoint.into());
            let (status, answer) = subscribe(&app, &ana, device.subscription()).await;
            assert_eq!(status, 400, "{answer}");
            assert!(
                answer["error"]["fields"]["endpoint"].is_string(),
                "{answer}"
            );
        }
    }
}
