//! The authorization sweep. Five people (two customers, two agents in different teams, an admin)
//! each own tickets, conversations, messages, internal notes, files, friend requests and
//! notifications seeded with canary strings. Every route of `/openapi.json` that takes an id is
//! replayed by every identity that may not see the object, and every authenticated route with
//! no, expired, forged and unsigned tokens; every WebSocket frame that takes an id likewise.
//! Answers must be refusals (404 or 403; 401 without a valid token) indistinguishable from an
//! unknown id, and no canary may appear in any response body, header or WebSocket frame of
//! someone who may not see it. Nothing may change.
//!
//! Here the sweep itself; world.rs seeds the five people and what they own (and snapshots what
//! must not change); probe.rs classifies routes, replays them and collects what comes back.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use switchboard_test_support::TestApp;
use switchboard_test_support::db_test;

mod probe;
mod world;

use probe::*;
use world::*;

db_test!(
    every_id_route_and_frame_refuses_everyone_else_and_leaks_nothing,
    |app: TestApp| async move {
        let mut w = seed(&app).await;
        let (s, spec) = app.get("/openapi.json", None).await;
        assert_eq!(s, 200);
        let before = snapshot(&app, &w).await;

        // Positive controls: the people allowed see the canaries (else the sweep proves nothing).
        for obj in w.objects.iter().filter(|o| o.kind == Kind::Conversation) {
            for who in &obj.allowed {
                let p = probe(
                    &app,
                    "GET",
                    &format!("/api/v1/conversations/{}/messages?limit=200", obj.ids[0]),
                    Some(&format!("Bearer {}", w.user(*who).token)),
                    &Value::Null,
                )
                .await;
                assert_eq!(p.status, 200, "{who:?} reads {}", obj.label);
                let text = String::from_utf8_lossy(&p.bytes);
                let visible = w
                    .canaries
                    .iter()
                    .filter(|(c, v)| v.contains(who) && text.contains(c.as_str()))
                    .count();
                assert!(visible > 0, "{who:?} sees canaries in {}", obj.label);
            }
        }
        for obj in w.objects.iter().filter(|o| o.kind == Kind::File) {
            for who in &obj.allowed {
                let p = probe(
                    &app,
                    "GET",
                    &format!("/api/v1/files/{}", obj.ids[0]),
                    Some(&format!("Bearer {}", w.user(*who).token)),
                    &Value::Null,
                )
                .await;
                assert_eq!(p.status, 200, "{who:?} downloads {}", obj.label);
            }
        }

        // Search finds each person's own canaries (the leak checks below would pass vacuously
        // on a search that found nothing).
        for who in EVERYONE {
            let (s, page) = app
                .get("/api/v1/search?q=CANARY&limit=50", Some(&w.user(who).token))
                .await;
            assert_eq!(s, 200, "{page}");
            let text = String::from_utf8_lossy(&with_snippets_joined(page.to_string().as_bytes()))
                .into_owned();
            assert!(
                w.canaries
                    .iter()
                    .any(|(c, v)| v.contains(&who) && text.contains(c.as_str())),
                "{who:?} finds their canaries by search: {page}"
            );
        }

        // Live sockets for everyone during the whole sweep.
        let mut collectors = BTreeMap::new();
        for who in EVERYONE {
            collectors.insert(who, Collector::open(&app, w.user(who)).await);
        }

        // Forged, expired and unsigned tokens of a real user.
        let ana = w.user(Who::Ana).clone();
        let mut claims = crate::claims_of(&ana.token);
        claims["exp"] = json!(crate::now_secs() - 3600);
        claims["iat"] = json!(crate::now_secs() - 7200);
        let expired = crate::sign(
            jsonwebtoken::Algorithm::HS256,
            &claims,
            crate::TEST_SECRET.as_bytes(),
        );
        let real = crate::claims_of(&ana.token);
        let forged = crate::sign(
            jsonwebtoken::Algorithm::HS256,
            &real,
            b"another-secret-another-secret-another-secret",
        );
        let mut admin_claims = real.clone();
        admin_claims["sub"] = json!(w.user(Who::Admin).id.to_string());
        let unsigned_admin = crate::unsigned(&admin_claims);
        let bad_auth: Vec<(&str, Option<String>)> = vec![
            ("no token", None),
            ("garbage", Some("Bearer garbage".into())),
            ("expired", Some(format!("Bearer {expired}"))),
            ("forged", Some(format!("Bearer {forged}"))),
            (
                "alg none as admin",
                Some(format!("Bearer {unsigned_admin}")),
            ),
            ("refresh token", Some(format!("Bearer {}", ana.refresh))),
            ("basic scheme", Some(format!("Basic {}", ana.token))),
        ];

        let mut tally = Tally::default();
        let mut swept_routes = 0;
        for (template, ops) in spec["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let method = method.to_uppercase();
                let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
                let params = template.matches('{').count();
                let kind = if params > 0 {
                    let kind = classify(template);
                    if kind.is_none() {
                        tally.fail(format!(
                            "{method} {template} takes an id but the sweep does not know what it names: add it to classify()"
                        ));
                        continue;
                    }
                    kind
                } else {
                    None
                };
                swept_routes += 1;
                let objects: Vec<Obj> = match kind {
                    Some(k) => w.objects.iter().filter(|o| o.kind == k).cloned().collect(),
                    None => vec![Obj {
                        kind: Kind::SelfScoped,
                        label: "no id".into(),
                        ids: vec![],
                        allowed: EVERYONE.to_vec(),
                    }],
                };

                // Without a valid token: 401 on every protected route, whatever the id.
                if secured {
                    for obj in objects.iter().take(3) {
                        let path = fill(template, &obj.ids);
                        for (label, auth) in &bad_auth {
                            for body in bodies(&method, template, &w, None, obj) {
                                let p = probe(&app, &method, &path, auth.as_deref(), &body).await;
                                tally.tried += 1;
                                let leaks = w.leaks(None, &p.bytes);
                                if p.status == 401 && leaks.is_empty() {
                                    tally.refused += 1;
                                } else {
                                    tally.leaked += usize::from(!leaks.is_empty());
                                    tally.fail(format!(
                                        "{method} {path} with {label}: {} (leaks {leaks:?}) {}",
                                        p.status,
                                        String::from_utf8_lossy(&p.bytes)
                                            .chars()
                                            .take(300)
                                            .collect::<String>()
                                    ));
                                }
                            }
                        }
                    }
                }
                let Some(kind) = kind else { continue };

                // Every identity against every object it may not see, and an unknown id.
                for who in EVERYONE {
                    let auth = format!("Bearer {}", w.user(who).token);
                    let unknown_ids = vec![987_654_321; params];
                    let unknown = Obj {
                        kind,
                        label: "unknown".into(),
                        ids: unknown_ids.clone(),
                        allowed: vec![],
                    };
                    for obj in &objects {
                        let shared = matches!(kind, Kind::PublicUser | Kind::SelfScoped);
                        if obj.allowed.contains(&who) && !shared {
                            continue;
                        }
                        let path = fill(template, &obj.ids);
                        for (i, body) in bodies(&method, template, &w, Some(who), obj)
                            .into_iter()
                            .enumerate()
                        {
                            let p = probe(&app, &method, &path, Some(&auth), &body).await;
                            tally.tried += 1;
                            let leaks = w.leaks(Some(who), &p.bytes);
                            let show = || {
                                String::from_utf8_lossy(&p.bytes)
                                    .chars()
                                    .take(400)
                                    .collect::<String>()
                            };
                            if !leaks.is_empty() {
                                tally.leaked += 1;
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): leaks {leaks:?}: {}",
                                    obj.label,
                                    show()
                                ));
                                continue;
                            }
                            if p.status >= 500 {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} {}",
                                    obj.label,
                                    p.status,
                                    show()
                                ));
                                continue;
                            }
                            if shared {
                                tally.refused += 1;
                                continue;
                            }
                            let baseline_body = bodies(&method, template, &w, Some(who), &unknown)
                                .into_iter()
                                .nth(i)
                                .unwrap_or(Value::Null);
                            let base = probe(
                                &app,
                                &method,
                                &fill(template, &unknown_ids),
                                Some(&auth),
                                &baseline_body,
                            )
                            .await;
                            if !matches!(p.status, 403 | 404) {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} instead of 403/404: {}",
                                    obj.label,
                                    p.status,
                                    show()
                                ));
                            } else if p.status != base.status {
                                tally.fail(format!(
                                    "{who:?} {method} {path} ({}): {} but {} for an unknown id (an existence oracle)",
                                    obj.label, p.status, base.status
                                ));
                            } else {
                                tally.refused += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(
            swept_routes >= 40,
            "only {swept_routes} routes in /openapi.json"
        );

        // Admin-only writes that take no id (new accounts, new teams): 403 for everyone else.
        let admin_creates = [
            (
                "/api/v1/admin/users",
                json!({"email": "pwned@example.com", "display_name": "PWNED", "role": "admin"}),
            ),
            ("/api/v1/teams", json!({"name": "PWNED"})),
        ];
        for who in EVERYONE.into_iter().filter(|w| *w != Who::Admin) {
            let auth = format!("Bearer {}", w.user(who).token);
            for (path, body) in &admin_creates {
                let p = probe(&app, "POST", path, Some(&auth), body).await;
                tally.tried += 1;
                if p.status == 403 {
                    tally.refused += 1;
                } else {
                    tally.fail(format!("{who:?} POST {path}: {} instead of 403", p.status));
                }
            }
        }

        // Lists and searches, as everyone: only what each may see.
        let ids: Vec<i64> = EVERYONE.iter().map(|x| w.user(*x).id).collect();
        let mut list_paths = vec![
            "/api/v1/tickets?limit=100".to_string(),
            "/api/v1/tickets?status=open&limit=100".into(),
            "/api/v1/tickets?assignee=none".into(),
            "/api/v1/tickets?q=CANARY".into(),
            "/api/v1/conversations".into(),
            "/api/v1/conversations/unread".into(),
            "/api/v1/notifications".into(),
            "/api/v1/friend-requests".into(),
            "/api/v1/contacts".into(),
            "/api/v1/users?q=a".into(),
            "/api/v1/users?q=".into(),
            "/api/v1/users/me".into(),
            "/api/v1/teams".into(),
            "/api/v1/admin/users?limit=100".into(),
            "/api/v1/admin/stats".into(),
        ];
        for id in &ids {
            list_paths.push(format!("/api/v1/tickets?requester={id}"));
            list_paths.push(format!("/api/v1/tickets?assignee={id}"));
        }
        for obj in w.objects.iter().filter(|o| o.kind == Kind::Team) {
            list_paths.push(format!("/api/v1/tickets?team={}", obj.ids[0]));
            list_paths.push(format!("/api/v1/admin/stats?team={}", obj.ids[0]));
        }
        list_paths.extend(search_paths(&w));
        for who in EVERYONE {
            let auth = format!("Bearer {}", w.user(who).token);
            for path in &list_paths {
                let p = probe(&app, "GET", path, Some(&auth), &Value::Null).await;
                tally.tried += 1;
                let leaks = w.leaks(Some(who), &with_snippets_joined(&p.bytes));
                if !leaks.is_empty() || p.status >= 500 {
                    tally.leaked += usize::from(!leaks.is_empty());
                    tally.fail(format!("{who:?} GET {path}: {} leaks {leaks:?}", p.status));
                } else {
                    tally.refused += 1;
                }
            }
        }
        // Counts must not reveal tickets one can't see.
        for (who, other) in [(Who::Bob, Who::Ana), (Who::Ana, Who::Bob)] {
            let (_, list) = app
                .get(
                    &format!("/api/v1/tickets?requester={}", w.user(other).id),
                    Some(&w.user(who).token),
                )
                .await;
            let counted: i64 = ["open", "in_progress", "closed"]
                .iter()
                .map(|k| list["counts"][k].as_i64().unwrap_or(0))
                .sum();
            if !list["items"].as_array().is_some_and(Vec::is_empty) || counted != 0 {
                tally.fail(format!(
                    "{who:?} sees {other:?}'s tickets in a filtered list: {list}"
                ));
            }
        }

        // WebSocket frames that take ids, from every identity at every conversation it can't see.
        let conversations = w.conversations.clone();
        for who in EVERYONE {
            let mut ws = app.ws(w.user(who)).await;
            for (label, conv, members) in &conversations {
                if members.contains(&who) {
                    continue;
                }
                let client_id = uuid::Uuid::new_v4().to_string();
                let frames = [
                    json!({"type": "send", "conversation_id": conv, "client_id": client_id, "body": "PWNED"}),
                    json!({"type": "send", "conversation_id": conv, "client_id": client_id, "body": "PWNED", "kind": "note"}),
                    json!({"type": "typing", "conversation_id": conv}),
                    json!({"type": "read", "conversation_id": conv, "seq": 1}),
                    json!({"type": "resume", "positions": {conv.to_string(): 0}}),
                    json!({"type": "call_invite", "conversation_id": conv, "media": "video"}),
                ];
                for frame in frames {
                    ws.send(frame.clone()).await;
                    tally.tried += 1;
                    let answer = next_answer(&mut ws).await;
                    let leaks = w.leaks(Some(who), answer.to_string().as_bytes());
                    if answer["type"] == "error"
                        && answer["code"] == "forbidden"
                        && leaks.is_empty()
                    {
                        tally.refused += 1;
                    } else {
                        tally.leaked += usize::from(!leaks.is_empty());
                        tally.fail(format!("{who:?} WS {frame} on {label}: {answer}"));
                    }
                }
            }
            ws.send(json!({"type": "ping", "nonce": "end"})).await;
            loop {
                let f = ws.recv().await;
                let leaks = w.leaks(Some(who), f.to_string().as_bytes());
                if !leaks.is_empty() {
                    tally.leaked += 1;
                    tally.fail(format!("{who:?} WS got {f}"));
                }
                if f["type"] == "pong" {
                    break;
                }
            }
        }

        // What the sweep must not have changed (before the live messages below change it).
        let after = snapshot(&app, &w).await;
        let mut changed = Vec::new();
        let (Value::Object(b), Value::Object(mut a)) = (before, after) else {
            unreachable!()
        };
        for (k, v) in b {
            let now = a.remove(&k).unwrap_or(Value::Null);
            if v != now {
                changed.push(format!("{k}: {v} → {now}"));
            }
        }
        if !changed.is_empty() {
            tally.fail(format!("the sweep changed state: {changed:#?}"));
        }

        // Fresh canaries sent live while everyone listens: only the right sockets get them.
        let mut live = Vec::new();
        for (label, conv, members) in &conversations {
            let author = members[0];
            let text = w.canary(
                &format!("live{}", label.replace(['\'', ' ', '–'], "")),
                members,
            );
            post_message(&app, w.user(author), *conv, &text, None, &[]).await;
            live.push((text, members.clone()));
            if label.ends_with("ticket") {
                let staff: Vec<Who> = members
                    .iter()
                    .copied()
                    .filter(|m| !matches!(m, Who::Ana | Who::Bob))
                    .collect();
                let agent = staff.iter().copied().find(|m| *m != Who::Admin).unwrap();
                let note = w.canary("livenote", &staff);
                post_message(&app, w.user(agent), *conv, &note, Some("note"), &[]).await;
                live.push((note, staff));
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        for (text, receivers) in &live {
            for who in receivers {
                while !collectors[who].text().contains(text.as_str()) {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{who:?} never got the live frame {text}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut frames_seen = 0;
        for (who, c) in &collectors {
            let text = c.text();
            frames_seen += c.frames.lock().unwrap().len();
            let leaks = w.leaks(Some(*who), text.as_bytes());
            if !leaks.is_empty() {
                tally.leaked += 1;
                tally.fail(format!("{who:?}'s socket received {leaks:?}"));
            }
            c.task.abort();
        }

        crate::figures(&format!(
            "authz backend={:?} routes={swept_routes} probes={} refused={} leaked={} ws_frames_checked={frames_seen} failures={}",
            app.backend,
            tally.tried,
            tally.refused,
            tally.leaked,
            tally.failures.len()
        ));
        assert!(
            tally.failures.is_empty(),
            "{} failures:\n{}",
            tally.failures.len(),
            tally.failures.join("\n")
        );
    }
);

#[test]
fn classify_knows_the_documented_prefixes() {
    assert_eq!(classify("/api/v1/tickets/{id}/events"), Some(Kind::Ticket));
    assert_eq!(
        classify("/api/v1/teams/{id}/members/{user_id}"),
        Some(Kind::TeamMember)
    );
    assert_eq!(classify("/api/v1/widgets/{id}"), None);
    assert_eq!(fill("/a/{id}/b/{user_id}", &[1, 2]), "/a/1/b/2");
}
