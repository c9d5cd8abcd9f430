//! Hostile uploads beyond the api suite's cases: a streamed body with no length over the limit,
//! lying types (HTML and SVG dressed as text or images), decompression bombs as attachments
//! (thumbnails), and file names built to traverse paths, inject headers or spoof extensions.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use switchboard_test_support::{Backend, TestApp, TestUser, spawn_app, spawn_app_with};

async fn upload(
    app: &TestApp,
    user: &TestUser,
    name: &str,
    ct: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    app.upload(Method::POST, "/api/v1/files", &user.token, name, ct, bytes)
        .await
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

/// A PNG header declaring `w`×`h` RGB pixels with an almost empty image stream.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// A GIF whose logical screen and single frame are 65535×65535.
fn gif_bomb() -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00]);
    gif.extend_from_slice(&[0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x00]);
    gif.extend_from_slice(&[0x02, 0x02, 0x4c, 0x01, 0x00, 0x3b]);
    gif
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_without_a_length_is_cut_at_the_limit() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.max_upload_bytes = 1024 * 1024)
        .await
        .unwrap();
    let ana = app.register("Ana").await;
    // A chunked multipart body of 4 MiB: no Content-Length to refuse up front.
    let boundary = "XbOuNdArY";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.address.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/v1/files HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n",
        ana.token
    );
    let mut chunks = vec![head.into_bytes()];
    chunks.extend((0..64).map(|_| vec![b'z'; 64 * 1024]));
    chunks.push(tail.into_bytes());
    let _ = tcp.write_all(request.as_bytes()).await;
    for c in chunks {
        let mut framed = format!("{:x}\r\n", c.len()).into_bytes();
        framed.extend_from_slice(&c);
        framed.extend_from_slice(b"\r\n");
        // The server may stop reading once it has refused.
        if tcp.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), tcp.read(&mut answer))
        .await
        .expect("an answer")
        .unwrap_or(0);
    let status = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // Nothing was kept.
    let dir = app.state.settings.data_dir.clone();
    let big_files = walk(&dir)
        .into_iter()
        .filter(|(_, len)| *len > 1024 * 1024)
        .count();
    assert_eq!(big_files, 0, "an over-size upload was stored");
    assert_eq!(app.get("/healthz", None).await.0, 200);
}

fn walk(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                out.push((p, len));
            }
        }
    }
    out
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_types_are_refused_or_served_inert() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let png_head = b"\x89PNG\r\n\x1a\n".to_vec();
    // Claims an image but isn't one: refused.
    for (name, ct, bytes) in [
        ("cat.png", "image/png", html.clone()),
        ("cat.gif", "text/html", html.clone()),
        ("x.jpg", "image/jpeg", svg.clone()),
        ("logo.svg", "image/png", svg.clone()),
    ] {
        let (s, b) = upload(&app, &ana, name, ct, bytes).await;
        assert_eq!(s, 415, "{name} as {ct}: {b}");
    }
    // Accepted as data, then served so that no browser runs it.
    for (name, ct, bytes) in [
        ("page.html", "text/html", html.clone()),
        ("logo.svg", "image/svg+xml", svg.clone()),
        ("notes.txt", "text/plain", html.clone()),
        ("x.bin", "application/octet-stream", png_head.clone()),
    ] {
        let (s, f) = upload(&app, &ana, name, ct, bytes).await;
        if s == 415 || s == 400 {
            continue;
        }
        assert_eq!(s, 201, "{name}: {f}");
        let declared = f["content_type"].as_str().unwrap_or_default();
        assert!(
            !declared.contains("html") && !declared.contains("svg"),
            "{name} is kept as {declared}"
        );
        let resp = app
            .get_raw(f["url"].as_str().unwrap(), &ana.token, &[])
            .await;
        assert_eq!(resp.status(), 200);
        let ct = header(&resp, "content-type");
        assert!(
            !ct.contains("html") && !ct.contains("svg"),
            "{name} served as {ct}"
        );
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{name}");
        let disposition = header(&resp, "content-disposition");
        let csp = header(&resp, "content-security-policy");
        assert!(
            disposition.starts_with("attachment") || csp.contains("sandbox"),
            "{name}: disposition {disposition:?}, csp {csp:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decompression_bombs_as_attachments_cost_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    for (name, ct, bytes) in [
        ("bomb.png", "image/png", png_bomb(30_000, 30_000)),
        ("wide.png", "image/png", png_bomb(1_000_000, 1)),
        ("tall.png", "image/png", png_bomb(1, 4_000_000)),
        ("bomb.gif", "image/gif", gif_bomb()),
    ] {
        let started = Instant::now();
        let (s, f) = upload(&app, &ana, name, ct, bytes).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name} took {:?}",
            started.elapsed()
        );
        assert!(s < 500, "{name}: {s} {f}");
        if s == 201 {
            // Stored as data: a thumbnail must not be rendered from it.
            if let Some(thumb) = f["thumbnail_url"].as_str() {
                let (ts, _) = app.get(thumb, Some(&ana.token)).await;
                assert!(ts < 500, "{name} thumbnail: {ts}");
            }
            let (ts, _) = app
                .get(
                    &format!("/api/v1/files/{}/thumbnail", f["id"]),
                    Some(&ana.token),
                )
                .await;
            assert!(ts < 500, "{name} thumbnail: {ts}");
        } else {
            assert!(matches!(s, 400 | 413 | 415), "{name}: {s} {f}");
        }
        assert_eq!(app.get("/healthz", None).await.0, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_file_names_are_only_metadata() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let long = "a".repeat(1000) + ".txt";
    let names = [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/shadow",
        "..",
        "",
        "a\u{0}b.txt",
        "report\r\nSet-Cookie: pwned=1.txt",
        "quote\"s;.txt",
        "%2e%2e%2fetc%2fpasswd",
        "CON",
        long.as_str(),
        "résumé 履歴書.txt",
    ];
    let mut stored = Vec::new();
    for name in names {
        let (s, f) = upload(&app, &ana, name, "text/plain", b"just text".to_vec()).await;
        if s == 400 && name.contains(['\0', '\r', '\n']) {
            // A name that breaks the multipart header is refused outright: fine.
            continue;
        }
        assert_eq!(s, 201, "{name:?}: {f}");
        let kept = f["name"].as_str().unwrap().to_string();
        assert!(!kept.contains(['/', '\\']), "{name:?} kept as {kept:?}");
        assert!(
            !kept.chars().any(char::is_control),
            "{name:?} kept as {kept:?}"
        );
        assert!(kept.chars().count() <= 255, "{name:?}");
        let resp = app
            .get_raw(f["url"].as_str().unwrap(), &ana.token, &[])
            .await;
        assert_eq!(resp.status(), 200, "{name:?}");
        let disposition = header(&resp, "content-disposition");
        assert!(
            !disposition.contains(['\r', '\n']) && resp.headers().get("set-cookie").is_none(),
            "{name:?}: {disposition}"
        );
        stored.push((name.to_string(), kept));
    }
    // Nothing was written outside the storage, under any of those names.
    let root = app.state.settings.data_dir.clone();
    for (path, _) in walk(&root) {
        let p = path.to_string_lossy().to_string();
        assert!(
            !p.ends_with("passwd") && !p.ends_with("shadow") && !p.ends_with("win.ini"),
            "{p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_controls_are_stripped_from_file_names() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let mut stored = Vec::new();
    for name in [
        "invoice\u{202E}fdp.exe",
        "\u{2066}hidden\u{2069}.txt",
        "a\u{200F}b.txt",
    ] {
        let (s, f) = upload(&app, &ana, name, "text/plain", b"just text".to_vec()).await;
        assert_eq!(s, 201, "{name:?}: {f}");
        stored.push((name, f["name"].as_str().unwrap().to_string()));
    }
    // Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE) make "invoice<RLO>fdp.exe" display
    // as "invoiceexe.pdf".
    let spoofing: Vec<_> = stored
        .iter()
        .filter(|(_, kept)| {
            kept.chars()
                .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        })
        .collect();
    assert!(
        spoofing.is_empty(),
        "bidi controls kept in file names (extension spoofing): {spoofing:?}"
    );
}
