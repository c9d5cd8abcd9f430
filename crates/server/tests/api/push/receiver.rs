//! A push service for the tests: a real axum server on 127.0.0.1 that plays both a Web Push
//! service (`POST /push/{device}`, answering with the statuses it is given, then 201) and the
//! Expo push API (`POST /--/api/v2/push/send`). It records what it is sent.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Received {
    pub device: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    /// Web Push answers to give, in order; 201 when empty.
    statuses: VecDeque<u16>,
    /// Every Web Push request, whatever it was answered.
    web: Vec<Received>,
    /// Expo: `details.error` to answer with (none: ok).
    expo_error: Option<String>,
    expo: Vec<Value>,
}

#[derive(Clone)]
pub struct PushService {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl PushService {
    pub async fn start() -> PushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/push/{device}", post(web_push))
            .route("/--/api/v2/push/send", post(expo))
            .with_state(inner.clone());
        // Runs until the test's runtime ends.
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        PushService { addr, inner }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn endpoint(&self, device: &str) -> String {
        format!("http://{}/push/{device}", self.addr)
    }

    pub fn expo_url(&self) -> String {
        format!("http://{}/--/api/v2/push/send", self.addr)
    }

    /// The next Web Push answers (then 201 again).
    pub fn answer(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().statuses = statuses.iter().copied().collect();
    }

    pub fn expo_error(&self, code: Option<&str>) {
        self.inner.lock().unwrap().expo_error = code.map(str::to_string);
    }

    pub fn web(&self) -> Vec<Received> {
        self.inner.lock().unwrap().web.clone()
    }

    pub fn expo(&self) -> Vec<Value> {
        self.inner.lock().unwrap().expo.clone()
    }

    /// Waits until `n` Web Push requests have arrived.
    pub async fn wait_web(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.web();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} web pushes, got {}", self.web().len());
    }

    pub async fn wait_expo(&self, n: usize) -> Vec<Value> {
        for _ in 0..300 {
            let got = self.expo();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} expo pushes, got {:?}", self.expo());
    }
}

async fn web_push(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inner = inner.lock().unwrap();
    inner.web.push(Received {
        device,
        headers,
        body: body.to_vec(),
    });
    let status = inner.statuses.pop_front().unwrap_or(201);
    StatusCode::from_u16(status).unwrap()
}

async fn expo(State(inner): State<Arc<Mutex<Inner>>>, Json(body): Json<Value>) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.expo.push(body);
    let ticket = match &inner.expo_error {
        None => json!({"status": "ok", "id": "ticket-1"}),
        Some(code) => json!({"status": "error", "message": "no", "details": {"error": code}}),
    };
    Json(json!({"data": [ticket]})).into_response()
}
