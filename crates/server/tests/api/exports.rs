//! Exports: a user's own data as a zip archive, a ticket's transcript for admins.

use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::domain::Role;
use switchboard_test_support::{TestApp, TestUser, db_test};

/// Downloads `/me/export` and returns the archive's entries by name.
async fn my_archive(app: &TestApp, user: &TestUser) -> std::collections::BTreeMap<String, Vec<u8>> {
    let resp = app.get_raw("/api/v1/me/export", &user.token, &[]).await;
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "application/zip");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with(&format!(
                "attachment; filename=\"switchboard-export-{}-",
                user.id
            ))
    );
    let bytes = resp.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        out.insert(entry.name().unwrap().to_string(), content);
    }
    out
}

fn json_of(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(
        files
            .get(name)
            .unwrap_or_else(|| panic!("{name} in the archive")),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn post_message(app: &TestApp, user: &TestUser, conversation: i64, body: Value) -> Value {
    let mut body = body;
    body["client_id"] = json!(uuid::Uuid::new_v4().to_string());
    let (s, m) = app
        .post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&user.token),
            body,
        )
        .await;
    assert_eq!(s, 201, "{m}");
    m
}

db_test!(
    a_user_downloads_their_own_data_as_a_zip,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let ana = app.register("Ana").await;
        // Staff may start direct conversations; customers only with their contacts.
        let ben = app.user_with_role("Ben", Role::Agent).await;
        let carl = app.register("Carl").await;

        let (s, file) = app
            .upload(
                Method::POST,
                "/api/v1/files",
                &ana.token,
                "../notes.txt",
                "text/plain",
                b"my own words".to_vec(),
            )
            .await;
        assert_eq!(s, 201, "{file}");
        let (s, ticket) = app
            .post(
                "/api/v1/tickets",
                Some(&ana.token),
                json!({"subject": "Invoice", "body": "where is it?"}),
            )
            .await;
        assert_eq!(s, 201, "{ticket}");
        let conversation = ticket["conversation_id"].as_i64().unwrap();
        post_message(
            &app,
            &ana,
            conversation,
            json!({"body": "see attached", "attachment_ids": [file["id"]]}),
        )
        .await;
        post_message(&app, &admin, conversation, json!({"body": "on it"})).await;
        post_message(
            &app,
            &admin,
            conversation,
            json!({"body": "customer is grumpy", "kind": "note"}),
        )
        .await;
        let direct = app.direct(&ben, &ana).await;
        post_message(&app, &ben, direct, json!({"body": "hi Ana"})).await;
        let other = app.direct(&ben, &carl).await;
        post_message(&app, &carl, other, json!({"body": "between Ben and Carl"})).await;

        let files = my_archive(&app, &ana).await;
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        // The upload already dropped the directory part of the name.
        let stored_as = format!("files/{}-notes.txt", file["id"]);
        assert_eq!(
            names,
            [
                "conversations.json",
                "files.json",
                stored_as.as_str(),
                "messages.json",
                "profile.json",
                "tickets.json"
            ]
        );
        let profile = json_of(&files, "profile.json");
        assert_eq!(profile["user"]["email"], "ana@example.com");
        assert_eq!(profile["user"]["id"], ana.id);

        let conversations = json_of(&files, "conversations.json");
        let ids: Vec<i64> = conversations
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert!(
            ids.contains(&conversation) && ids.contains(&direct) && !ids.contains(&other),
            "{ids:?}"
        );

        let messages = json_of(&files, "messages.json");
        let bodies: Vec<&str> = messages
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        for seen in ["where is it?", "see attached", "on it", "hi Ana"] {
            assert!(bodies.contains(&seen), "{seen} in {bodies:?}");
        }
        assert!(
            !bodies.contains(&"customer is grumpy"),
            "internal notes stay internal"
        );
        assert!(
            !bodies.contains(&"between Ben and Carl"),
            "other people's conversations stay theirs"
        );
        let attached = messages
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["body"] == "see attached")
            .unwrap();
        assert_eq!(attached["attachment_file_ids"], json!([file["id"]]));
        assert_eq!(attached["sender_name"], "Ana");

        let tickets = json_of(&files, "tickets.json");
        assert_eq!(tickets.as_array().unwrap().len(), 1);
        assert_eq!(tickets[0]["subject"], "Invoice");
        let listed = json_of(&files, "files.json");
        assert_eq!(listed[0]["path"], stored_as);
        assert_eq!(listed[0]["included"], true);
        assert_eq!(files[&stored_as], b"my own words");

        // Staff see their notes in their own export.
        let boss = my_archive(&app, &admin).await;
        let bodies = json_of(&boss, "messages.json").to_string();
        assert!(bodies.contains("customer is grumpy"));
        // Carl's archive has nothing of Ana's.
        let theirs = my_archive(&app, &carl).await;
        let all = String::from_utf8_lossy(&theirs.values().flatten().copied().collect::<Vec<u8>>())
            .to_string();
        assert!(
            !all.contains("Invoice") && !all.contains("my own words") && !all.contains("hi Ana")
        );
        assert_eq!(
            json_of(&theirs, "profile.json")["user"]["email"],
            "carl@example.com"
        );

        let (s, b) = app.get("/api/v1/me/export", None).await;
        assert_eq!(s, 401, "{b}");

        let (_, page) = app
            .get(
                "/api/v1/admin/audit?action=export.user_data",
                Some(&admin.token),
            )
            .await;
        let by: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["actor"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(by, [carl.id, admin.id, ana.id]);
        assert_eq!(page["items"][2]["target_id"], ana.id.to_string());
    }
);

db_test!(
    admins_export_a_ticket_as_escaped_html_and_as_json,
    |app: TestApp| async move {
        let admin = app.user_with_role("Boss", Role::Admin).await;
        let agent = app.user_with_role("Ana", Role::Agent).await;
        let carl = app.register("Carl").await;
        let (s, ticket) = app
            .post(
                "/api/v1/tickets",
                Some(&carl.token),
                json!({"subject": "<b>Bold</b> & co", "body": "<script>alert(1)</script>"}),
            )
            .await;
        assert_eq!(s, 201, "{ticket}");
        let id = ticket["id"].as_i64().unwrap();
        let conversation = ticket["conversation_id"].as_i64().unwrap();
        post_message(
            &app,
            &admin,
            conversation,
            json!({"body": "check \"quotes\" & 'apostrophes'", "kind": "note"}),
        )
        .await;
        let (s, _) = app
            .patch(
                &format!("/api/v1/tickets/{id}"),
                Some(&admin.token),
                json!({"version": ticket["version"], "status": "closed"}),
            )
            .await;
        assert_eq!(s, 200);

        let resp = app
            .get_raw(
                &format!("/api/v1/admin/tickets/{id}/export?format=html"),
                &admin.token,
                &[],
            )
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(
            resp.headers()["content-disposition"],
            format!("attachment; filename=\"ticket-{}.html\"", ticket["number"]).as_str()
        );
        assert!(
            resp.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            !html.contains("<script"),
            "no markup from users survives: {html}"
        );
        assert!(html.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; co") && !html.contains("<b>"));
        assert!(html.contains("check &quot;quotes&quot; &amp; &#39;apostrophes&#39;"));
        assert_eq!(
            html.matches("Internal note").count(),
            1,
            "the note is marked: {html}"
        );
        assert!(
            html.contains("Carl closed this ticket") || html.contains("Boss closed this ticket")
        );

        // The default is HTML; JSON has the same content as data.
        let resp = app
            .get_raw(
                &format!("/api/v1/admin/tickets/{id}/export"),
                &admin.token,
                &[],
            )
            .await;
        assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
        let (s, data) = app
            .get(
                &format!("/api/v1/admin/tickets/{id}/export?format=json"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(s, 200, "{data}");
        assert_eq!(data["ticket"]["id"], id);
        assert_eq!(data["ticket"]["status"], "closed");
        let messages = data["messages"].as_array().unwrap();
        assert_eq!(messages[0]["body"], "<script>alert(1)</script>");
        assert_eq!(messages[0]["internal"], false);
        let note = messages.iter().find(|m| m["kind"] == "note").unwrap();
        assert_eq!(note["internal"], true);
        assert_eq!(note["sender_name"], "Boss");
        let events = data["events"].as_array().unwrap();
        assert!(
            events
                .iter()
                .any(|e| e["field"] == "status" && e["new_value"] == "closed"),
            "{events:?}"
        );

        // Admins only; unknown tickets and formats answer like everything else.
        for user in [&agent, &carl] {
            let (s, b) = app
                .get(
                    &format!("/api/v1/admin/tickets/{id}/export?format=json"),
                    Some(&user.token),
                )
                .await;
            assert_eq!(s, 403, "{b}");
            assert_eq!(b["error"]["code"], "forbidden");
        }
        let (s, _) = app
            .get(&format!("/api/v1/admin/tickets/{id}/export"), None)
            .await;
        assert_eq!(s, 401);
        let (s, b) = app
            .get("/api/v1/admin/tickets/999999/export", Some(&admin.token))
            .await;
        assert_eq!(s, 404, "{b}");
        let (s, b) = app
            .get(
                &format!("/api/v1/admin/tickets/{id}/export?format=pdf"),
                Some(&admin.token),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (400, Some("validation_failed"))
        );

        let (_, page) = app
            .get(
                "/api/v1/admin/audit?action=export.ticket",
                Some(&admin.token),
            )
            .await;
        let formats: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["details"]["format"].as_str().unwrap())
            .collect();
        assert_eq!(formats, ["json", "html", "html"]);
        assert_eq!(page["items"][0]["target_id"], id.to_string());
        assert_eq!(page["items"][0]["actor"]["id"], admin.id);
    }
);
