//! The world the sweep runs in: five people, the objects each owns, the canaries in them, and a
//! snapshot of everything that must not change.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use switchboard::domain::Role;

use switchboard_test_support::{TestApp, TestUser};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Who {
    Admin,
    AgentA,
    AgentB,
    Ana,
    Bob,
}

pub(super) const EVERYONE: [Who; 5] = [Who::Admin, Who::AgentA, Who::AgentB, Who::Ana, Who::Bob];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Ticket,
    Conversation,
    File,
    FriendRequest,
    Notification,
    Team,
    TeamMember,
    AdminUser,
    /// A webhook endpoint (admins only).
    AdminWebhook,
    /// A webhook endpoint and one of its deliveries (admins only).
    AdminWebhookDelivery,
    /// A ticket through an admin-only route (exports): admins only, whoever else sees it.
    AdminTicket,
    /// A canned response: its owner's, or (shared) every staff member's.
    CannedResponse,
    /// A stored message (edit, delete, versions): whoever sees it.
    Message,
    /// A message and an emoji (reactions).
    MessageReaction,
    /// Readable by every signed-in user (avatars).
    PublicUser,
    /// Acts on the caller's own relations (contacts, blocks): any id is fine, nothing leaks.
    SelfScoped,
    /// A device's push subscription: its owner's only.
    PushSubscription,
}

#[derive(Clone, Debug)]
pub(super) struct Obj {
    pub(super) kind: Kind,
    pub(super) label: String,
    pub(super) ids: Vec<i64>,
    pub(super) allowed: Vec<Who>,
}

pub(super) struct World {
    pub(super) users: BTreeMap<Who, TestUser>,
    pub(super) canaries: Vec<(String, Vec<Who>)>,
    pub(super) objects: Vec<Obj>,
    pub(super) ticket_versions: BTreeMap<i64, i64>,
    pub(super) conversations: Vec<(String, i64, Vec<Who>)>,
    pub(super) tickets: Vec<i64>,
}

impl World {
    pub(super) fn user(&self, who: Who) -> &TestUser {
        &self.users[&who]
    }

    pub(super) fn canary(&mut self, label: &str, visible: &[Who]) -> String {
        let c = format!(
            "CANARY{}{}",
            label.replace(' ', ""),
            uuid::Uuid::new_v4().simple()
        );
        self.canaries.push((c.clone(), visible.to_vec()));
        c
    }

    /// The canaries `who` may not see that occur in `bytes`.
    pub(super) fn leaks(&self, who: Option<Who>, bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        self.canaries
            .iter()
            .filter(|(c, visible)| who.is_none_or(|w| !visible.contains(&w)) && text.contains(c))
            .map(|(c, _)| c.clone())
            .collect()
    }
}

pub(super) async fn seed(app: &TestApp) -> World {
    let mut users = BTreeMap::new();
    users.insert(Who::Admin, app.user_with_role("Admin", Role::Admin).await);
    users.insert(Who::AgentA, app.user_with_role("Alice", Role::Agent).await);
    users.insert(Who::AgentB, app.user_with_role("Barry", Role::Agent).await);
    users.insert(Who::Ana, app.register("Ana").await);
    users.insert(Who::Bob, app.register("Bob").await);
    let mut w = World {
        users,
        canaries: Vec::new(),
        objects: Vec::new(),
        ticket_versions: BTreeMap::new(),
        conversations: Vec::new(),
        tickets: Vec::new(),
    };
    let admin = w.user(Who::Admin).clone();

    // Teams: A holds Alice, B holds Barry.
    let mut teams = Vec::new();
    for (name, agent) in [("Billing", Who::AgentA), ("Tech", Who::AgentB)] {
        let (s, team) = app
            .post("/api/v1/teams", Some(&admin.token), json!({"name": name}))
            .await;
        assert_eq!(s, 201, "{team}");
        let id = team["id"].as_i64().unwrap();
        let (s, team) = app
            .post(
                &format!("/api/v1/teams/{id}/members"),
                Some(&admin.token),
                json!({"user_id": w.user(agent).id}),
            )
            .await;
        assert_eq!(s, 200, "{team}");
        teams.push(id);
        w.objects.push(Obj {
            kind: Kind::Team,
            label: format!("team {name}"),
            ids: vec![id],
            allowed: vec![Who::Admin],
        });
        w.objects.push(Obj {
            kind: Kind::TeamMember,
            label: format!("team {name} member"),
            ids: vec![id, w.user(agent).id],
            allowed: vec![Who::Admin],
        });
    }

    // A ticket per customer, in the team of one agent and assigned to them.
    for (customer, agent, team) in [
        (Who::Ana, Who::AgentA, teams[0]),
        (Who::Bob, Who::AgentB, teams[1]),
    ] {
        let c = w.user(customer).clone();
        let a = w.user(agent).clone();
        let (s, t) = app
            .post(
                "/api/v1/tickets",
                Some(&c.token),
                json!({"subject": "Help please", "body": "It is broken", "priority": "high"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let id = t["id"].as_i64().unwrap();
        let conv = t["conversation_id"].as_i64().unwrap();
        let (s, t) = app
            .patch(
                &format!("/api/v1/tickets/{id}"),
                Some(&admin.token),
                json!({"version": t["version"], "team_id": team, "assignee_id": a.id}),
            )
            .await;
        assert_eq!(s, 200, "{t}");
        let viewers = vec![customer, agent, Who::Admin];
        let staff = vec![agent, Who::Admin];

        // The customer's message with an attachment.
        let body = w.canary(&format!("{customer:?}ticketmsg"), &viewers);
        let fname = w.canary(&format!("{customer:?}fname"), &viewers);
        let content = w.canary(&format!("{customer:?}fbytes"), &viewers);
        let file = upload(
            app,
            &c,
            &format!("{fname}.txt"),
            content.as_bytes().to_vec(),
        )
        .await;
        let asked = post_message(app, &c, conv, &body, None, &[file]).await;
        w.message(format!("{customer:?}'s ticket message"), asked, &viewers);
        // The agent's reply and an internal note with a file of its own.
        let reply = w.canary(&format!("{agent:?}reply"), &viewers);
        post_message(app, &a, conv, &reply, None, &[]).await;
        let note = w.canary(&format!("{agent:?}note"), &staff);
        let note_name = w.canary(&format!("{agent:?}notefname"), &staff);
        let note_bytes = w.canary(&format!("{agent:?}notefbytes"), &staff);
        let note_file = upload(
            app,
            &a,
            &format!("{note_name}.txt"),
            note_bytes.as_bytes().to_vec(),
        )
        .await;
        let noted = post_message(app, &a, conv, &note, Some("note"), &[note_file]).await;
        w.message(format!("{agent:?}'s note"), noted, &staff);

        let (_, now) = app
            .get(&format!("/api/v1/tickets/{id}"), Some(&admin.token))
            .await;
        w.ticket_versions
            .insert(id, now["version"].as_i64().unwrap());
        w.tickets.push(id);
        w.objects.push(Obj {
            kind: Kind::Ticket,
            label: format!("{customer:?}'s ticket"),
            ids: vec![id],
            allowed: viewers.clone(),
        });
        w.objects.push(Obj {
            kind: Kind::AdminTicket,
            label: format!("{customer:?}'s ticket (admin route)"),
            ids: vec![id],
            allowed: vec![Who::Admin],
        });
        w.objects.push(Obj {
            kind: Kind::Conversation,
            label: format!("{customer:?}'s ticket conversation"),
            ids: vec![conv],
            allowed: viewers.clone(),
        });
        w.conversations
            .push((format!("{customer:?}'s ticket"), conv, viewers.clone()));
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{customer:?}'s attachment"),
            ids: vec![file],
            allowed: viewers.clone(),
        });
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{agent:?}'s note attachment"),
            ids: vec![note_file],
            allowed: staff.clone(),
        });

        // A direct conversation between the agent and the customer (not even admins see it).
        let direct = app.direct(&a, &c).await;
        let pair = vec![agent, customer];
        let from_agent = w.canary(&format!("{agent:?}direct"), &pair);
        post_message(app, &a, direct, &from_agent, None, &[]).await;
        let from_customer = w.canary(&format!("{customer:?}direct"), &pair);
        let dname = w.canary(&format!("{customer:?}dfname"), &pair);
        let dbytes = w.canary(&format!("{customer:?}dfbytes"), &pair);
        let dfile = upload(app, &c, &format!("{dname}.txt"), dbytes.into_bytes()).await;
        let said = post_message(app, &c, direct, &from_customer, None, &[dfile]).await;
        w.message(format!("{customer:?}'s direct message"), said, &pair);
        w.objects.push(Obj {
            kind: Kind::Conversation,
            label: format!("{agent:?}–{customer:?} direct"),
            ids: vec![direct],
            allowed: pair.clone(),
        });
        w.conversations.push((
            format!("{agent:?}–{customer:?} direct"),
            direct,
            pair.clone(),
        ));
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{customer:?}'s direct attachment"),
            ids: vec![dfile],
            allowed: pair,
        });
    }

    // Files never attached: only their uploader.
    for who in [Who::Bob, Who::Admin, Who::AgentA] {
        let u = w.user(who).clone();
        let name = w.canary(&format!("{who:?}loosename"), &[who]);
        let bytes = w.canary(&format!("{who:?}loosebytes"), &[who]);
        let id = upload(app, &u, &format!("{name}.txt"), bytes.into_bytes()).await;
        w.objects.push(Obj {
            kind: Kind::File,
            label: format!("{who:?}'s unattached file"),
            ids: vec![id],
            allowed: vec![who],
        });
    }

    // A pending friend request from Bob to Ana.
    let (s, fr) = app
        .post(
            "/api/v1/friend-requests",
            Some(&w.user(Who::Bob).token),
            json!({"to_user_id": w.user(Who::Ana).id}),
        )
        .await;
    assert_eq!(s, 201, "{fr}");
    w.objects.push(Obj {
        kind: Kind::FriendRequest,
        label: "Bob → Ana friend request".into(),
        ids: vec![fr["id"].as_i64().unwrap()],
        allowed: vec![Who::Bob, Who::Ana],
    });

    // Everyone's notifications, and every user for the user routes.
    for who in EVERYONE {
        let u = w.user(who).clone();
        let (s, list) = app.get("/api/v1/notifications", Some(&u.token)).await;
        assert_eq!(s, 200, "{list}");
        for n in list["items"].as_array().unwrap() {
            w.objects.push(Obj {
                kind: Kind::Notification,
                label: format!("{who:?}'s notification {}", n["kind"]),
                ids: vec![n["id"].as_i64().unwrap()],
                allowed: vec![who],
            });
        }
        w.objects.push(Obj {
            kind: Kind::AdminUser,
            label: format!("user {who:?}"),
            ids: vec![u.id],
            allowed: vec![Who::Admin],
        });
        for kind in [Kind::PublicUser, Kind::SelfScoped] {
            w.objects.push(Obj {
                kind,
                label: format!("user {who:?}"),
                ids: vec![u.id],
                allowed: EVERYONE.to_vec(),
            });
        }
    }
    assert!(
        w.objects.iter().any(|o| o.kind == Kind::Notification),
        "assignments notify the agents"
    );

    // Each agent's own canned response, and one the admin shares with the desk.
    let staff = [Who::Admin, Who::AgentA, Who::AgentB];
    for (owner, shared, allowed) in [
        (Who::AgentA, false, vec![Who::AgentA]),
        (Who::AgentB, false, vec![Who::AgentB]),
        (Who::Admin, true, staff.to_vec()),
    ] {
        let body = w.canary(&format!("canned {owner:?}"), &allowed);
        let (s, r) = app
            .post(
                "/api/v1/canned-responses",
                Some(&w.user(owner).token),
                json!({"shortcut": "hello", "title": "Hello", "body": body, "shared": shared}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        w.objects.push(Obj {
            kind: Kind::CannedResponse,
            label: format!("{owner:?}'s canned response (shared: {shared})"),
            ids: vec![r["id"].as_i64().unwrap()],
            allowed,
        });
    }

    // A webhook endpoint with one delivery, stored directly (the sweep's server refuses the
    // only reachable targets, private ones) and disabled, so the worker leaves it as it is.
    let (hook, delivery) = webhook(app).await;
    w.objects.push(Obj {
        kind: Kind::AdminWebhook,
        label: "webhook endpoint".into(),
        ids: vec![hook],
        allowed: vec![Who::Admin],
    });
    w.objects.push(Obj {
        kind: Kind::AdminWebhookDelivery,
        label: "webhook delivery".into(),
        ids: vec![hook, delivery],
        allowed: vec![Who::Admin],
    });

    // Ana's push subscription, stored directly (the sweep's server refuses the endpoints it
    // could reach) at an address that never resolves.
    let endpoint = format!(
        "https://push.invalid/{}",
        w.canary("push endpoint", &[Who::Ana])
    );
    let sub = push_subscription(app, w.user(Who::Ana).id, endpoint).await;
    w.objects.push(Obj {
        kind: Kind::PushSubscription,
        label: "Ana's push subscription".into(),
        ids: vec![sub],
        allowed: vec![Who::Ana],
    });
    w
}

async fn push_subscription(app: &TestApp, user_id: i64, endpoint: String) -> i64 {
    use sea_orm::{ActiveModelTrait, Set};
    use switchboard::db::entities::push_subscription;
    let now = switchboard::domain::now_ms();
    push_subscription::ActiveModel {
        user_id: Set(user_id),
        session_id: Set("sweep".into()),
        kind: Set(switchboard::push::SubscriptionKind::Webpush),
        device_key: Set(uuid::Uuid::new_v4().simple().to_string()),
        endpoint: Set(Some(endpoint)),
        // The RFC 8291 example's browser keys.
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
    .unwrap()
    .id
}

async fn webhook(app: &TestApp) -> (i64, i64) {
    use sea_orm::{ActiveModelTrait, Set};
    use switchboard::db::entities::webhook_endpoint;
    let now = switchboard::domain::now_ms();
    let hook = webhook_endpoint::ActiveModel {
        url: Set("https://hooks.example.com/switchboard".into()),
        secret: Set(switchboard::webhooks::signature::new_secret()),
        events: Set("ticket.created".into()),
        include_notes: Set(false),
        enabled: Set(false),
        failing_since: Set(None),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let event = switchboard::webhooks::events::Event::test(hook.id, now);
    let delivery = switchboard::webhooks::outbox::queue_one(&app.state.db, hook.id, &event, now)
        .await
        .unwrap();
    (hook.id, delivery.id)
}

pub(super) async fn upload(app: &TestApp, user: &TestUser, name: &str, bytes: Vec<u8>) -> i64 {
    let (s, f) = app
        .upload(
            reqwest::Method::POST,
            "/api/v1/files",
            &user.token,
            name,
            "text/plain",
            bytes,
        )
        .await;
    assert_eq!(s, 201, "{f}");
    f["id"].as_i64().unwrap()
}

pub(super) async fn post_message(
    app: &TestApp,
    user: &TestUser,
    conversation: i64,
    body: &str,
    kind: Option<&str>,
    files: &[i64],
) -> i64 {
    let mut payload = json!({"body": body, "client_id": uuid::Uuid::new_v4().to_string(), "attachment_ids": files});
    if let Some(k) = kind {
        payload["kind"] = json!(k);
    }
    let (s, m) = app
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&user.token),
            payload,
        )
        .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_i64().unwrap()
}

impl World {
    /// A message, as the objects of the message routes: those who see it may change it
    /// (or are refused by a rule the API tests check), no one else learns it exists.
    fn message(&mut self, label: String, id: i64, allowed: &[Who]) {
        for (kind, ids) in [
            (Kind::Message, vec![id]),
            (Kind::MessageReaction, vec![id, 1]),
        ] {
            self.objects.push(Obj {
                kind,
                label: label.clone(),
                ids,
                allowed: allowed.to_vec(),
            });
        }
    }
}

/// What must not change whatever the sweep tries.
pub(super) async fn snapshot(app: &TestApp, w: &World) -> Value {
    let admin = &w.user(Who::Admin).token;
    let mut out = serde_json::Map::new();
    for id in &w.tickets {
        out.insert(
            format!("ticket {id}"),
            app.get(&format!("/api/v1/tickets/{id}"), Some(admin))
                .await
                .1,
        );
        out.insert(
            format!("ticket {id} events"),
            app.get(&format!("/api/v1/tickets/{id}/events"), Some(admin))
                .await
                .1,
        );
    }
    for (label, conv, members) in &w.conversations {
        let who = w.user(members[0]);
        out.insert(
            format!("{label} messages"),
            app.get(
                &format!("/api/v1/conversations/{conv}/messages?limit=200"),
                Some(&who.token),
            )
            .await
            .1,
        );
        for m in members {
            out.insert(
                format!("{label} as {m:?}"),
                app.get(
                    &format!("/api/v1/conversations/{conv}"),
                    Some(&w.user(*m).token),
                )
                .await
                .1,
            );
        }
    }
    out.insert(
        "teams".into(),
        app.get("/api/v1/teams", Some(admin)).await.1,
    );
    for who in [Who::Admin, Who::AgentA, Who::AgentB] {
        out.insert(
            format!("{who:?} canned responses"),
            app.get("/api/v1/canned-responses", Some(&w.user(who).token))
                .await
                .1,
        );
    }
    out.insert(
        "Ana's push subscriptions".into(),
        app.get("/api/v1/push/subscriptions", Some(&w.user(Who::Ana).token))
            .await
            .1,
    );
    out.insert(
        "webhooks".into(),
        app.get("/api/v1/admin/webhooks", Some(admin)).await.1,
    );
    out.insert(
        "users".into(),
        app.get("/api/v1/admin/users?limit=100", Some(admin))
            .await
            .1,
    );
    for who in EVERYONE {
        let t = &w.user(who).token;
        out.insert(
            format!("{who:?} notifications"),
            app.get("/api/v1/notifications", Some(t)).await.1,
        );
        out.insert(
            format!("{who:?} friend requests"),
            app.get("/api/v1/friend-requests", Some(t)).await.1,
        );
        out.insert(
            format!("{who:?} contacts"),
            app.get("/api/v1/contacts", Some(t)).await.1,
        );
    }
    Value::Object(out)
}
