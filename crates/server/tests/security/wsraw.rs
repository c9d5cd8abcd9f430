//! WebSocket abuse on a plain TCP socket with hand-built frames: every malformed frame gets the
//! RFC 6455 close code, before and after `auth`, the server never falls over, and other
//! connections and `/healthz` carry on. Floods of connections and frames hit the limits.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use switchboard_test_support::{Backend, TestApp, TestUser, spawn_app, spawn_app_with};

pub struct RawWs {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// One frame as a client would send it (`masked`) or a broken client might.
pub fn frame(fin: bool, rsv: u8, opcode: u8, masked: bool, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | ((rsv & 7) << 4) | (opcode & 0x0f)];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let key: [u8; 4] = rand::random();
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

pub fn text(payload: &[u8]) -> Vec<u8> {
    frame(true, 0, 1, true, payload)
}

impl RawWs {
    pub async fn connect(app: &TestApp) -> RawWs {
        let addr = app.address.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&addr).await.expect("tcp connect");
        let key = crate::b64(&rand::random::<[u8; 16]>());
        let request = format!(
            "GET /api/v1/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}=\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = RawWs {
            stream,
            buf: Vec::new(),
        };
        let head = raw.read_until_headers().await;
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        raw
    }

    async fn read_until_headers(&mut self) -> String {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_string();
                self.buf.drain(..end + 4);
                return head;
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk))
                .await
                .expect("headers in time")
                .expect("read");
            assert!(n > 0, "connection closed during the handshake");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub async fn authenticate(&mut self, user: &TestUser) {
        self.send(&text(
            json!({"type": "auth", "token": user.token})
                .to_string()
                .as_bytes(),
        ))
        .await;
        loop {
            let (op, payload) = self.read_frame().await.expect("ready");
            if op == 1 && String::from_utf8_lossy(&payload).contains("\"ready\"") {
                return;
            }
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        // The server may already have closed; what it answered is read afterwards.
        let _ = self.stream.write_all(bytes).await;
    }

    /// The next server frame (opcode, payload), or `None` at EOF / after 10 s.
    pub async fn read_frame(&mut self) -> Option<(u8, Vec<u8>)> {
        self.read_frame_within(Duration::from_secs(10)).await
    }

    pub async fn read_frame_within(&mut self, wait: Duration) -> Option<(u8, Vec<u8>)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some((op, payload, used)) = parse(&self.buf) {
                self.buf.drain(..used);
                return Some((op, payload));
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => n,
                _ => return None,
            };
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads until the server's close frame and returns its code (`None`: closed without one).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            let (op, payload) = self.read_frame().await?;
            if op == 8 {
                return (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
            }
        }
    }
}

/// A server frame: unmasked; returns opcode, payload and bytes used.
fn parse(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let op = buf[0] & 0x0f;
    let masked = buf[1] & 0x80 != 0;
    let (len, mut at) = match buf[1] & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    assert!(!masked, "server frames are never masked");
    let _ = &mut at;
    let end = at + len;
    if buf.len() < end {
        return None;
    }
    Some((op, buf[at..end].to_vec(), end))
}

/// Each abuse case: a label, the bytes, and the close codes RFC 6455 allows for it.
pub fn cases() -> Vec<(&'static str, Vec<u8>, &'static [u16])> {
    let big = vec![b'a'; 64 * 1024 + 1];
    let mut fragments = frame(false, 0, 1, true, &[b'a'; 1024]);
    for _ in 0..98 {
        fragments.extend(frame(false, 0, 0, true, &[b'a'; 1024]));
    }
    fragments.extend(frame(true, 0, 0, true, &[b'a'; 1024]));
    let mut huge_header = vec![0x81, 0x80 | 127];
    huge_header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    huge_header.extend_from_slice(&[1, 2, 3, 4]);
    let mut split_utf8 = frame(
        false,
        0,
        1,
        true,
        b"{\"type\":\"ping\",\"nonce\":\"\xe2\x82",
    );
    split_utf8.extend(frame(true, 0, 0, true, b"\x28\"}"));
    let mut interleaved = frame(false, 0, 1, true, b"{\"type\":");
    interleaved.extend(text(b"{}"));
    vec![
        (
            "reserved opcode 0x3",
            frame(true, 0, 0x3, true, b"x"),
            &[1002],
        ),
        (
            "reserved control opcode 0xB",
            frame(true, 0, 0xB, true, b"x"),
            &[1002],
        ),
        (
            "RSV1 without an extension",
            frame(true, 4, 1, true, b"{}"),
            &[1002],
        ),
        ("RSV3", frame(true, 1, 1, true, b"{}"), &[1002]),
        (
            "unmasked client frame",
            frame(true, 0, 1, false, b"{}"),
            &[1002],
        ),
        (
            "ping with 126 bytes",
            frame(true, 0, 9, true, &[0; 126]),
            &[1002],
        ),
        ("fragmented ping", frame(false, 0, 9, true, b"x"), &[1002]),
        (
            "close with 200 bytes",
            frame(true, 0, 8, true, &[3; 200]),
            &[1002],
        ),
        (
            "continuation without a start",
            frame(true, 0, 0, true, b"x"),
            &[1002],
        ),
        (
            "a new text frame inside a fragmented one",
            interleaved,
            &[1002],
        ),
        (
            "close with a one-byte payload",
            frame(true, 0, 8, true, &[3]),
            &[1002],
        ),
        (
            "invalid UTF-8",
            text(&[b'"', 0xff, 0xfe, 0x80, b'"']),
            &[1007],
        ),
        ("invalid UTF-8 across fragments", split_utf8, &[1007]),
        ("one frame of 64 KiB + 1", text(&big), &[1009]),
        ("100 fragments of 1 KiB", fragments, &[1009]),
        ("a frame header declaring 2^62 bytes", huge_header, &[1009]),
    ]
}

async fn check_cases(app: &TestApp, user: Option<&TestUser>, stage: &str) -> (usize, Vec<String>) {
    let mut wrong = Vec::new();
    let all = cases();
    for (label, bytes, codes) in &all {
        let mut ws = RawWs::connect(app).await;
        if let Some(u) = user {
            ws.authenticate(u).await;
        }
        ws.send(bytes).await;
        let code = ws.close_code().await;
        if std::env::var("DEBUG_FLOOD").is_ok() {
            eprintln!("{label}: {code:?} rest {:?}", ws.buf);
        }
        if !code.is_some_and(|c| codes.contains(&c)) {
            wrong.push(format!(
                "{stage}: {label}: closed with {code:?}, RFC 6455 says {codes:?}"
            ));
        }
    }
    (all.len(), wrong)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_get_the_rfc_6455_close_code_and_harm_no_one() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let agent = app
        .user_with_role("Agent", switchboard::domain::Role::Agent)
        .await;
    let conv = app.direct(&agent, &ana).await;
    let mut bystander = app.ws(&agent).await;

    let (n1, mut wrong) = check_cases(&app, None, "before auth").await;
    let (n2, wrong2) = check_cases(&app, Some(&ana), "after auth").await;
    wrong.extend(wrong2);

    // A binary frame is answered, not fatal.
    let mut ws = RawWs::connect(&app).await;
    ws.authenticate(&ana).await;
    ws.send(&frame(true, 0, 2, true, b"\x00\x01")).await;
    let (op, payload) = ws.read_frame().await.expect("an answer");
    assert_eq!(op, 1);
    assert!(String::from_utf8_lossy(&payload).contains("invalid_frame"));
    // A ping frame is answered with a pong carrying the same payload.
    ws.send(&frame(true, 0, 9, true, b"hello")).await;
    let (op, payload) = ws.read_frame().await.expect("a pong");
    assert_eq!((op, payload.as_slice()), (10, &b"hello"[..]));

    // Everyone else is fine.
    bystander
        .send(json!({"type": "ping", "nonce": "still here"}))
        .await;
    assert_eq!(bystander.recv_type("pong").await["nonce"], "still here");
    let (s, _) = app.send(&ana, conv, "after the storm").await;
    assert_eq!(s, 201);
    assert_eq!(
        bystander.recv_type("message").await["message"]["body"],
        "after the storm"
    );
    assert_eq!(app.get("/healthz", None).await.0, 200);
    crate::figures(&format!(
        "ws-abuse cases={} wrong_close_codes={}",
        n1 + n2,
        wrong.len()
    ));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn healthz_latency(app: &TestApp, stop: tokio::sync::watch::Receiver<bool>) -> Vec<Duration> {
    let mut out = Vec::new();
    let client = reqwest::Client::new();
    while !*stop.borrow() {
        let t = Instant::now();
        let r = client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz");
        assert_eq!(r.status(), 200);
        out.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

/// An authenticated socket for `user` once the server has noticed the sockets the test just
/// dropped: until it has, the user is still at the connection cap and is refused with 1008.
async fn connect_once_under_cap(app: &TestApp, user: &TestUser) -> RawWs {
    for _ in 0..100 {
        let mut ws = RawWs::connect(app).await;
        ws.send(&text(
            json!({"type": "auth", "token": user.token})
                .to_string()
                .as_bytes(),
        ))
        .await;
        loop {
            match ws.read_frame().await {
                Some((1, p)) if String::from_utf8_lossy(&p).contains("\"ready\"") => return ws,
                Some((8, p)) => {
                    assert_eq!(
                        u16::from_be_bytes([p[0], p[1]]),
                        1008,
                        "only the cap refuses"
                    );
                    break;
                }
                Some(_) => continue,
                None => panic!("the connection closed without an answer"),
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the dropped sockets were never released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_hit_the_limits_and_healthz_stays_fast() {
    let app = std::sync::Arc::new(
        spawn_app_with(Backend::Sqlite, |s| {
            s.ws_messages_per_second = 50;
            s.ws_max_connections_per_user = 20;
            s.ws_auth_timeout_secs = 3;
        })
        .await
        .unwrap(),
    );
    let ana = app.register("Ana").await;
    let agent = app
        .user_with_role("Agent", switchboard::domain::Role::Agent)
        .await;
    let conv = app.direct(&agent, &ana).await;
    let mut watcher = app.ws(&agent).await;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let probe_app = app.clone();
    let prober = tokio::spawn(async move { healthz_latency(&probe_app, stop_rx).await });

    // 1. Connections: 200 sockets that never authenticate, and 40 for one user (cap 20).
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(RawWs::connect(&app).await);
    }
    let mut kept = Vec::new();
    let mut refused = 0;
    for _ in 0..40 {
        let mut ws = RawWs::connect(&app).await;
        ws.send(&text(
            json!({"type": "auth", "token": ana.token})
                .to_string()
                .as_bytes(),
        ))
        .await;
        let (op, payload) = ws.read_frame().await.expect("an answer");
        if op == 8 {
            assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 1008);
            refused += 1;
        } else {
            kept.push(ws);
        }
    }
    assert_eq!((kept.len(), refused), (20, 20));
    // The unauthenticated ones are closed with 4408 once their time is up.
    let mut timed_out = 0;
    for ws in idle.iter_mut().take(20) {
        if ws.close_code().await == Some(4408) {
            timed_out += 1;
        }
    }
    assert_eq!(timed_out, 20);
    drop(idle);
    drop(kept);

    // 2. Frames: 3000 typing frames as fast as one socket can write them (limit 50/s).
    let mut flooder = connect_once_under_cap(&app, &ana).await;
    let started = Instant::now();
    let one = text(
        json!({"type": "typing", "conversation_id": conv})
            .to_string()
            .as_bytes(),
    );
    let mut burst = Vec::new();
    for _ in 0..3000 {
        burst.extend_from_slice(&one);
    }
    flooder.send(&burst).await;
    let mut limited = 0;
    let mut relayed = 0;
    // Count the refusals until the flooder hears nothing more for a while. A flooder that
    // outpaces its own socket may instead be cut off (1013), which also holds the limit.
    let mut cut_off = None;
    while let Some((op, p)) = flooder.read_frame_within(Duration::from_millis(1500)).await {
        if op == 1 && String::from_utf8_lossy(&p).contains("rate_limited") {
            limited += 1;
        }
        if op == 8 {
            cut_off = (p.len() >= 2).then(|| u16::from_be_bytes([p[0], p[1]]));
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    while let Some(f) = watcher.try_recv(Duration::from_millis(500)).await {
        if f["type"] == "typing" {
            relayed += 1;
        }
    }
    let allowed = (50.0 * (elapsed + 1.5)) as usize + 50;
    assert!(
        relayed <= allowed,
        "{relayed} typing frames relayed in {elapsed:.1}s (limit 50/s)"
    );
    match cut_off {
        None => assert!(limited >= 3000 - allowed, "only {limited} frames limited"),
        Some(code) => assert_eq!(code, 1013, "the flooder was closed with {code}"),
    }
    // The flooder (reconnecting if it was cut off) works again once it slows down.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    if cut_off.is_some() {
        flooder = RawWs::connect(&app).await;
        flooder.authenticate(&ana).await;
    }
    flooder
        .send(&text(br#"{"type":"ping","nonce":"alive"}"#))
        .await;
    loop {
        let (_, p) = flooder.read_frame().await.expect("pong");
        if String::from_utf8_lossy(&p).contains("alive") {
            break;
        }
    }

    stop_tx.send(true).unwrap();
    let latencies = prober.await.unwrap();
    let worst = p99(latencies.clone());
    crate::figures(&format!(
        "ws-flood idle_sockets=200 over_cap_refused={refused} typing_sent=3000 limited={limited} cut_off={cut_off:?} relayed={relayed} healthz_samples={} healthz_p99_ms={}",
        latencies.len(),
        worst.as_millis()
    ));
    assert!(
        worst < Duration::from_millis(500),
        "healthz p99 {worst:?} under the flood"
    );
}

/// RFC 6455 §5.5.1: an endpoint that receives a Close frame MUST answer with one; §7.4.1: 1005
/// must never be on the wire, so receiving it is a protocol error (1002).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_frame_is_answered_with_a_close_frame() {
    let app = spawn_app(Backend::Sqlite).await;
    let ana = app.register("Ana").await;
    let mut wrong = Vec::new();
    for (label, code, expect) in [
        ("normal close", 1000u16, 1000u16),
        ("1005 on the wire", 1005, 1002),
    ] {
        for authed in [false, true] {
            let mut ws = RawWs::connect(&app).await;
            if authed {
                ws.authenticate(&ana).await;
            }
            ws.send(&frame(true, 0, 8, true, &code.to_be_bytes())).await;
            let got = ws.close_code().await;
            if got != Some(expect) {
                wrong.push(format!(
                    "{label} (authenticated: {authed}): answered {got:?}, expected {expect}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
