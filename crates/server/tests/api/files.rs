//! Tests for avatars and attachments.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::Method;
use serde_json::{Value, json};

use switchboard_test_support::db_test;
use switchboard_test_support::{Backend, TestApp, TestUser, spawn_app_with};

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

pub(crate) fn picture(format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encode test image");
    out.into_inner()
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A tiny PNG that declares 30000×30000 pixels (2.7 GB once decoded).
fn decompression_bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 30_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

async fn put_avatar(
    app: &TestApp,
    user: &TestUser,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    app.upload(
        Method::PUT,
        "/api/v1/users/me/avatar",
        &user.token,
        name,
        content_type,
        bytes,
    )
    .await
}

pub(crate) async fn upload(
    app: &TestApp,
    user: &TestUser,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    app.upload(
        Method::POST,
        "/api/v1/files",
        &user.token,
        name,
        content_type,
        bytes,
    )
    .await
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

db_test!(
    avatars_accept_png_jpeg_webp_and_gif,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        let (s, _) = app
            .patch(
                "/api/v1/users/me",
                Some(&ana.token),
                json!({"display_name": "Ana Lima"}),
            )
            .await;
        assert_eq!(s, 200);

        // Without an upload: generated initials.
        let path = format!("/api/v1/users/{}/avatar", ana.id);
        let resp = app.get_raw(&path, &ben.token, &[]).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "content-type"), "image/svg+xml");
        let etag = header(&resp, "etag");
        assert!(!etag.is_empty());
        assert!(resp.text().await.unwrap().contains(">AL</text>"));
        let resp = app
            .get_raw(&path, &ben.token, &[("if-none-match", &etag)])
            .await;
        assert_eq!(resp.status(), 304);

        for (format, name, declared) in [
            (ImageFormat::Png, "me.png", "image/png"),
            (ImageFormat::Jpeg, "me.jpg", "image/jpeg"),
            (ImageFormat::WebP, "me.webp", "image/webp"),
            (ImageFormat::Gif, "me.gif", "image/gif"),
        ] {
            let (s, user) = put_avatar(&app, &ana, name, declared, picture(format)).await;
            assert_eq!(s, 200, "{format:?}: {user}");
            let url = user["avatar_url"].as_str().unwrap().to_string();
            assert!(url.contains("?v="), "{url}");
            assert_eq!(user["email"], ana.email);

            let resp = app.get_raw(&url, &ben.token, &[]).await;
            assert_eq!(resp.status(), 200, "{format:?}");
            assert_eq!(header(&resp, "content-type"), "image/png");
            assert!(header(&resp, "cache-control").contains("immutable"));
            let etag = header(&resp, "etag");
            let img = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
            assert_eq!((img.width(), img.height()), (256, 256));
            let resp = app
                .get_raw(&url, &ben.token, &[("if-none-match", &etag)])
                .await;
            assert_eq!(resp.status(), 304, "{format:?}");

            let resp = app
                .get_raw(&format!("{url}&size=64"), &ben.token, &[])
                .await;
            assert_eq!(resp.status(), 200);
            let img = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
            assert_eq!((img.width(), img.height()), (64, 64));
        }
        let (s, b) = app.get(&format!("{path}?size=100"), Some(&ben.token)).await;
        assert_eq!(s, 400);
        assert_error(&b, "validation_failed");
        let (s, b) = app
            .get("/api/v1/users/999999/avatar", Some(&ben.token))
            .await;
        assert_eq!(s, 404);
        assert_error(&b, "not_found");
    }
);

db_test!(
    avatars_refuse_oversized_fake_and_bomb_files,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;

        let mut big = picture(ImageFormat::Png);
        big.resize(6 * 1024 * 1024, 0);
        let (s, b) = put_avatar(&app, &ana, "big.png", "image/png", big).await;
        assert_refused_as_too_large(s, &b);

        let text = b"I am not a picture at all".to_vec();
        let (s, b) = put_avatar(&app, &ana, "me.png", "image/png", text.clone()).await;
        assert_eq!(s, 415, "{b}");
        assert_error(&b, "unsupported_media_type");
        let (s, b) = put_avatar(&app, &ana, "me.txt", "text/plain", text).await;
        assert_eq!(s, 415, "{b}");

        let png_named_jpg = picture(ImageFormat::Png);
        let (s, b) = put_avatar(&app, &ana, "me.jpg", "image/jpeg", png_named_jpg).await;
        assert_eq!(s, 415, "a lying extension: {b}");

        let (s, b) = put_avatar(&app, &ana, "bomb.png", "image/png", decompression_bomb()).await;
        assert_eq!(s, 400, "{b}");
        assert_error(&b, "validation_failed");
        let message = b["error"]["message"].as_str().unwrap();
        assert!(message.contains("too large"), "{message}");
        assert!(message.contains("30000×30000"), "{message}");

        let (s, b) = app.put_json_as_avatar(&ana.token).await;
        assert_eq!(s, 415, "{b}");

        let (_, me) = app.get("/api/v1/users/me", Some(&ana.token)).await;
        assert!(!me["avatar_url"].as_str().unwrap().contains("?v="), "{me}");
    }
);

trait AvatarJson {
    async fn put_json_as_avatar(&self, token: &str) -> (u16, Value);
}

impl AvatarJson for TestApp {
    async fn put_json_as_avatar(&self, token: &str) -> (u16, Value) {
        let resp = self
            .client
            .put(self.url("/api/v1/users/me/avatar"))
            .bearer_auth(token)
            .json(&json!({"file": "x"}))
            .send()
            .await
            .unwrap();
        switchboard_test_support::into_parts(resp).await
    }
}

async fn contacts(app: &TestApp, a: &TestUser, b: &TestUser) {
    let (s, r) = app
        .post(
            "/api/v1/friend-requests",
            Some(&a.token),
            json!({"to_user_id": b.id}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app
        .post(
            &format!("/api/v1/friend-requests/{}/accept", r["id"]),
            Some(&b.token),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

db_test!(
    members_download_attachments_and_outsiders_get_404,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        let cat = app.register("Cat").await;
        contacts(&app, &ana, &ben).await;
        let conversation = app.direct(&ana, &ben).await;
        let mut ben_ws = app.ws(&ben).await;

        let (s, text) = upload(
            &app,
            &ana,
            "../../etc/notes.txt",
            "text/plain",
            b"hello world".to_vec(),
        )
        .await;
        assert_eq!(s, 201, "{text}");
        assert_eq!(text["name"], "notes.txt", "names are metadata only");
        assert_eq!(text["content_type"], "text/plain; charset=utf-8");
        assert_eq!(text["size"], 11);
        assert_eq!(text["is_image"], false);
        assert!(text.get("thumbnail_url").is_none(), "{text}");
        let photo_bytes = picture(ImageFormat::Png);
        let (s, photo) = upload(&app, &ana, "photo.png", "image/png", photo_bytes.clone()).await;
        assert_eq!(s, 201, "{photo}");
        assert_eq!(photo["is_image"], true);
        assert_eq!(photo["content_type"], "image/png");
        let thumbnail_url = photo["thumbnail_url"].as_str().unwrap().to_string();

        // Refusals: a lying type, no file, not multipart, someone else's file.
        let (s, b) = upload(&app, &ana, "photo.jpg", "image/jpeg", photo_bytes.clone()).await;
        assert_eq!(s, 415, "{b}");
        assert_error(&b, "unsupported_media_type");
        let (s, b) = app
            .post("/api/v1/files", Some(&ana.token), json!({"file": "x"}))
            .await;
        assert_eq!(s, 415, "{b}");
        assert_error(&b, "unsupported_media_type");
        let (s, b) = app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                Some(&ben.token),
                json!({"body": "mine now", "client_id": uuid::Uuid::new_v4().to_string(),
                       "attachment_ids": [text["id"]]}),
            )
            .await;
        assert_eq!(s, 400, "{b}");
        assert_error(&b, "validation_failed");

        // Before it is attached, only the uploader sees it.
        let file_url = text["url"].as_str().unwrap().to_string();
        let (s, b) = app.get(&file_url, Some(&ben.token)).await;
        assert_eq!(s, 404, "{b}");

        let (s, message) = app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                Some(&ana.token),
                json!({"body": "the notes and a photo", "client_id": uuid::Uuid::new_v4().to_string(),
                       "attachment_ids": [text["id"], photo["id"]]}),
            )
            .await;
        assert_eq!(s, 201, "{message}");
        let attached: Vec<&Value> = message["attachments"].as_array().unwrap().iter().collect();
        assert_eq!(attached.len(), 2, "{message}");
        assert!(
            attached
                .iter()
                .any(|f| f["id"] == photo["id"] && f["is_image"] == true)
        );
        let live = ben_ws.recv_type("message").await;
        assert_eq!(live["message"]["attachments"].as_array().unwrap().len(), 2);
        let history = app.messages(&ben, conversation, "").await;
        assert_eq!(history[0]["attachments"].as_array().unwrap().len(), 2);

        let resp = app.get_raw(&file_url, &ben.token, &[]).await;
        assert_eq!(resp.status(), 200);
        assert!(header(&resp, "content-disposition").starts_with("attachment;"));
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
        assert_eq!(header(&resp, "content-type"), "text/plain; charset=utf-8");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), b"hello world");

        let resp = app
            .get_raw(photo["url"].as_str().unwrap(), &ben.token, &[])
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "content-type"), "image/png");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), &photo_bytes[..]);
        let resp = app.get_raw(&thumbnail_url, &ben.token, &[]).await;
        assert_eq!(resp.status(), 200);
        assert!(header(&resp, "content-type").starts_with("image/"));
        let thumb = image::load_from_memory(&resp.bytes().await.unwrap()).unwrap();
        assert!(thumb.width() <= 320 && thumb.height() <= 320);

        for path in [
            file_url.as_str(),
            photo["url"].as_str().unwrap(),
            &thumbnail_url,
        ] {
            let (s, b) = app.get(path, Some(&cat.token)).await;
            assert_eq!(s, 404, "{path}: {b}");
            assert_error(&b, "not_found");
        }
        let (s, b) = app
            .get(
                &format!("/api/v1/files/{}/thumbnail", text["id"]),
                Some(&ben.token),
            )
            .await;
        assert_eq!(s, 404, "no thumbnail for text: {b}");
        let (s, _) = app.get("/api/v1/files/999999", Some(&ben.token)).await;
        assert_eq!(s, 404);

        // The WebSocket door takes attachments too.
        let (_, again) = upload(&app, &ana, "again.txt", "text/plain", b"more".to_vec()).await;
        let mut ana_ws = app.ws(&ana).await;
        let client_id = uuid::Uuid::new_v4().to_string();
        ana_ws
            .send(
                json!({"type": "send", "conversation_id": conversation, "client_id": client_id,
                         "body": "one more", "attachment_ids": [again["id"]]}),
            )
            .await;
        let ack = ana_ws.recv_type("ack").await;
        assert_eq!(ack["message"]["attachments"][0]["id"], again["id"], "{ack}");
        let (s, _) = app
            .get(again["url"].as_str().unwrap(), Some(&ben.token))
            .await;
        assert_eq!(s, 200);

        let (_, openapi) = app.get("/openapi.json", None).await;
        for path in [
            "/api/v1/files",
            "/api/v1/files/{id}",
            "/api/v1/files/{id}/thumbnail",
            "/api/v1/users/me/avatar",
            "/api/v1/users/{id}/avatar",
        ] {
            assert!(openapi["paths"][path].is_object(), "{path} is documented");
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_over_the_limit_are_refused_with_413() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.max_upload_bytes = 1024 * 1024)
        .await
        .unwrap();
    let ana = app.register("Ana").await;
    let (s, b) = upload(
        &app,
        &ana,
        "big.bin",
        "application/octet-stream",
        vec![7u8; 3 * 1024 * 1024],
    )
    .await;
    assert_refused_as_too_large(s, &b);
    let (s, b) = upload(
        &app,
        &ana,
        "ok.bin",
        "application/octet-stream",
        vec![7u8; 1024 * 1024],
    )
    .await;
    assert_eq!(s, 201, "exactly the limit is fine: {b}");
    assert_eq!(b["content_type"], "application/octet-stream");
}

db_test!(
    files_on_internal_notes_stay_with_staff,
    |app: TestApp| async move {
        let customer = app.register("Cust").await;
        let agent = app
            .user_with_role("Agent", switchboard::domain::Role::Agent)
            .await;
        let other_agent = app
            .user_with_role("Other", switchboard::domain::Role::Agent)
            .await;
        let conversation = app
            .open_ticket(&customer, "Printer", "low")
            .await
            .conversation_id;

        let (s, shot) = upload(
            &app,
            &customer,
            "jam.png",
            "image/png",
            picture(ImageFormat::Png),
        )
        .await;
        assert_eq!(s, 201, "{shot}");
        let (s, b) = app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                Some(&customer.token),
                json!({"body": "see", "client_id": uuid::Uuid::new_v4().to_string(),
                       "attachment_ids": [shot["id"]]}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let (s, _) = app
            .get(shot["url"].as_str().unwrap(), Some(&agent.token))
            .await;
        assert_eq!(s, 200, "agents who see the ticket get the customer's file");

        let (s, internal) = upload(
            &app,
            &agent,
            "internal.txt",
            "text/plain",
            b"staff only".to_vec(),
        )
        .await;
        assert_eq!(s, 201, "{internal}");
        let (s, b) = app
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                Some(&agent.token),
                json!({"body": "note", "kind": "note", "client_id": uuid::Uuid::new_v4().to_string(),
                       "attachment_ids": [internal["id"]]}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        let url = internal["url"].as_str().unwrap();
        let (s, _) = app.get(url, Some(&other_agent.token)).await;
        assert_eq!(s, 200, "other staff see note files");
        let (s, b) = app.get(url, Some(&customer.token)).await;
        assert_eq!(s, 404, "customers never get files attached to notes: {b}");
        assert_error(&b, "not_found");
    }
);

/// 413 `payload_too_large`, or the connection closed by the server before the client finished
/// writing the body (it answered 413 without reading the rest, as it should).
fn assert_refused_as_too_large(status: u16, body: &serde_json::Value) {
    if status == 0 {
        assert_eq!(body["closed_early"], true, "{body}");
        return;
    }
    assert_eq!(status, 413, "{body}");
    assert_error(body, "payload_too_large");
}

db_test!(
    an_image_with_an_empty_body_is_a_valid_message,
    |app: TestApp| async move {
        let ana = app.register("Ana").await;
        let ben = app.register("Ben").await;
        contacts(&app, &ana, &ben).await;
        let conversation = app.direct(&ana, &ben).await;
        let mut ben_ws = app.ws(&ben).await;
        let path = format!("/api/v1/conversations/{conversation}/messages");

        let (s, photo) = upload(
            &app,
            &ana,
            "photo.png",
            "image/png",
            picture(ImageFormat::Png),
        )
        .await;
        assert_eq!(s, 201, "{photo}");
        let (s, message) = app
            .post(
                &path,
                Some(&ana.token),
                json!({"body": "", "client_id": uuid::Uuid::new_v4().to_string(),
                       "attachment_ids": [photo["id"]]}),
            )
            .await;
        assert_eq!(s, 201, "an image needs no caption: {message}");
        assert_eq!(message["body"], "");
        assert_eq!(message["attachments"][0]["id"], photo["id"]);
        let live = ben_ws.recv_type("message").await;
        assert_eq!(
            live["message"]["attachments"][0]["id"], photo["id"],
            "{live}"
        );

        // The WebSocket door too.
        let (_, second) = upload(
            &app,
            &ana,
            "two.png",
            "image/png",
            picture(ImageFormat::Png),
        )
        .await;
        let mut ana_ws = app.ws(&ana).await;
        ana_ws
            .send(json!({"type": "send", "conversation_id": conversation,
                         "client_id": uuid::Uuid::new_v4().to_string(), "body": "",
                         "attachment_ids": [second["id"]]}))
            .await;
        let ack = ana_ws.recv_type("ack").await;
        assert_eq!(ack["message"]["body"], "", "{ack}");

        // Without attachments an empty (or blank) body is still refused, with the reason.
        for body in ["", "   "] {
            let (s, b) = app
                .post(
                    &path,
                    Some(&ana.token),
                    json!({"body": body, "client_id": uuid::Uuid::new_v4().to_string()}),
                )
                .await;
            assert_eq!(s, 400, "{b}");
            assert_error(&b, "validation_failed");
            assert!(b["error"]["fields"]["body"].is_string(), "{b}");
        }
    }
);
