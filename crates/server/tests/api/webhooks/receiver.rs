//! A webhook receiver for the tests: a real axum server on 127.0.0.1 that records what it
//! accepts, and can be told to fail (500), hang, redirect, or not listen at all yet.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Accept,
    Fail,
    /// Answers long after the server's timeout.
    Hang,
    /// 302 to `/elsewhere` (which records what reaches it: nothing should).
    Redirect,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    accepted: Vec<Received>,
    refused: usize,
    elsewhere: usize,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// A port nothing listens on yet: deliveries to it are refused until `listen`.
    pub fn reserve() -> Receiver {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        Receiver {
            addr,
            inner: Arc::new(Mutex::new(Inner {
                mode: Some(Mode::Accept),
                ..Default::default()
            })),
        }
    }

    pub async fn start(mode: Mode) -> Receiver {
        let r = Receiver::reserve();
        r.set_mode(mode);
        r.listen().await;
        r
    }

    pub async fn listen(&self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        let app = Router::new()
            .route("/hook", post(hook))
            .route("/elsewhere", post(elsewhere))
            .with_state(self.inner.clone());
        // Runs until the test's runtime ends.
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().unwrap().mode = Some(mode);
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.inner.lock().unwrap().accepted.clone()
    }

    pub fn refused(&self) -> usize {
        self.inner.lock().unwrap().refused
    }

    pub fn elsewhere(&self) -> usize {
        self.inner.lock().unwrap().elsewhere
    }

    /// Waits until `n` deliveries were accepted.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.accepted();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {n} deliveries, got {:?}",
            self.accepted()
                .iter()
                .map(|r| r.body.clone())
                .collect::<Vec<_>>()
        );
    }
}

async fn hook(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mode = inner.lock().unwrap().mode.unwrap_or(Mode::Accept);
    match mode {
        Mode::Accept => {
            inner
                .lock()
                .unwrap()
                .accepted
                .push(Received { headers, body });
            StatusCode::NO_CONTENT.into_response()
        }
        Mode::Fail => {
            inner.lock().unwrap().refused += 1;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Mode::Hang => {
            inner.lock().unwrap().refused += 1;
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Mode::Redirect => Redirect::temporary("/elsewhere").into_response(),
    }
}

async fn elsewhere(State(inner): State<Arc<Mutex<Inner>>>) -> StatusCode {
    inner.lock().unwrap().elsewhere += 1;
    StatusCode::NO_CONTENT
}

/// Verifies `Switchboard-Signature: t=…,v1=…` as a receiver would (see the README).
pub fn verify(secret: &str, received: &Received) -> bool {
    let header = received.header("switchboard-signature");
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let Ok(sent) = t.parse::<i64>() else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - sent).abs() > 300 {
        return false;
    }
    let Ok(given) = hex::decode(v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    mac.verify_slice(&given).is_ok()
}
