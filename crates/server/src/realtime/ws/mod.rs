//! One WebSocket connection's life: origin check, `auth` within 10 s, `ready`, then a reader
//! (client frames → services) and a writer (hub events → socket, in seq order per
//! conversation). Either side ending ends both.
//!
//! - this file: the upgrade, authentication and the connection's life;
//! - `reader`: client frames, validated and handed on (a `send` is queued for the message writer
//!   and the next frame is read at once: pipelined);
//! - `writer`: queued frames to the socket, in seq order per conversation, one flush for many;
//! - `replay`: `resume` and gap fills, a page per call, from memory when it holds the page.

mod reader;
mod replay;
mod writer;

pub use reader::{send_app_error, send_error};

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::{IntoResponse, Response};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use super::close;
use super::events::{ClientFrame, Position, ServerFrame};
use super::hub::{Closer, ConnHandle, InFlight, Outbound};
use crate::auth::AuthUser;
use crate::auth::extractor::authenticate;
use crate::error::AppError;
use crate::state::AppState;
use reader::{ReadEnd, read_loop};
use writer::write_loop;

pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Allocated for every connection up front and grown only for a larger frame: a typical
/// client frame (`send`, `typing`, `read`) is a few hundred bytes.
const READ_BUFFER: usize = 1024;

/// `GET /api/v1/ws`: upgrades after checking the `Origin` header.
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&state, &headers) {
        metrics::counter!("switchboard_ws_rejected_origin_total").increment(1);
        return AppError::Forbidden.into_response();
    }
    // Frames are fed into an 8 KiB write buffer (allocated on first use) and flushed when the
    // queue is empty or the buffer is full: one syscall for many frames.
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| run(state, socket))
}

/// Browsers always send `Origin`: it must be this server's own origin or an allowed one.
/// Clients that send none (native apps, tools) are not browsers and can't be hijacked.
pub fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if state.settings.allowed_origins.iter().any(|o| o == origin) {
        return true;
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

async fn run(state: AppState, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    // The large, rarely running futures (authentication, a frame's handling, a batch of writes)
    // are boxed, so an idle connection's task holds only the small loop states.
    let (user, positions) = match Box::pin(wait_for_auth(&state, &mut stream)).await {
        Ok(found) => found,
        Err(code) => {
            let _ = send_close(&mut sink, code).await;
            return;
        }
    };
    let conn_id = state.realtime.hub.new_connection_id();
    let (tx, rx) = mpsc::channel(state.realtime.hub.queue_capacity);
    let closer = Arc::new(Closer::default());
    let handle = ConnHandle {
        id: conn_id.clone(),
        session_id: user.session_id.clone(),
        staff: user.is_staff(),
        tx,
        closer,
        in_flight: InFlight::default(),
    };
    if !positions.is_empty() {
        // Queued before the connection joins the hub: the replay precedes every live event.
        let _ = handle.tx.try_send(Outbound::Resume(positions.into()));
    }
    let first = match state.realtime.hub.register(user.id, handle.clone()) {
        Ok(first) => first,
        Err(_) => {
            let _ = send_close(&mut sink, close::TOO_MANY_CONNECTIONS).await;
            return;
        }
    };
    metrics::gauge!("switchboard_ws_connections").increment(1.0);
    let ready = ServerFrame::Ready {
        user_id: user.id,
        connection_id: conn_id.clone(),
    }
    .encode();
    if sink
        .send(Message::Text(ready.as_ref().into()))
        .await
        .is_ok()
    {
        if first && state.realtime.node_presence(user.id, true).await {
            // Boxed like every database call here: inline, its future would size this
            // task's allocation for the connection's whole life.
            Box::pin(crate::presence::announce(&state, user.id, true)).await;
        }
        let writer = tokio::spawn(write_loop(
            state.clone(),
            user.clone(),
            sink,
            rx,
            handle.closer.clone(),
            handle.in_flight.clone(),
        ));
        if read_loop(&state, user.clone(), &mut stream, &handle).await == ReadEnd::WriterCloses {
            // The writer flushes what is queued (acks of committed sends) and then closes.
            let _ = tokio::time::timeout(Duration::from_secs(5), handle.closer.closed()).await;
        }
        handle.closer.close(close::NORMAL);
        let _ = writer.await;
        // A device that goes away hangs up its call (boxed like the other rare futures).
        Box::pin(crate::calls::service::disconnected(
            &state, user.id, &conn_id,
        ))
        .await;
    }
    metrics::gauge!("switchboard_ws_connections").decrement(1.0);
    if state.realtime.hub.unregister(user.id, &conn_id)
        && state.realtime.node_presence(user.id, false).await
    {
        Box::pin(crate::presence::announce(&state, user.id, false)).await;
    }
}

/// The first frame must be `auth` with a valid access token, within 10 seconds.
async fn wait_for_auth(
    state: &AppState,
    stream: &mut SplitStream<WebSocket>,
) -> Result<(AuthUser, Vec<(i64, Position)>), u16> {
    let frame = match tokio::time::timeout(
        Duration::from_secs(state.settings.ws_auth_timeout_secs),
        stream.next(),
    )
    .await
    {
        Err(_) => return Err(close::AUTH_TIMEOUT),
        Ok(None) => return Err(close::NORMAL),
        Ok(Some(Err(e))) => return Err(close_code_for(&e)),
        Ok(Some(Ok(frame))) => frame,
    };
    let Message::Text(text) = frame else {
        return Err(close::UNAUTHORIZED);
    };
    let Ok(ClientFrame::Auth { token, resume }) = serde_json::from_str::<ClientFrame>(&text) else {
        return Err(close::UNAUTHORIZED);
    };
    let positions = resume
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, position)| Some((k.parse::<i64>().ok()?, position)))
        .filter(|(_, position)| position.is_valid())
        .collect();
    match authenticate(state, &token).await {
        Ok(Some(user)) => Ok((user, positions)),
        Ok(None) => Err(close::UNAUTHORIZED),
        Err(_) => Err(close::INTERNAL_ERROR),
    }
}

async fn send_close(
    sink: &mut SplitSink<WebSocket, Message>,
    code: u16,
) -> Result<(), axum::Error> {
    let sent = sink
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: close::reason(code).into(),
        })))
        .await;
    if sent.is_err() {
        // The client closed first: tungstenite has queued its reply to the client's Close
        // frame; flushing writes it (RFC 6455 §5.5.1).
        sink.flush().await?;
    }
    sink.close().await
}

/// Maps a read error to the RFC 6455 close code.
fn close_code_for(err: &axum::Error) -> u16 {
    use std::error::Error as _;
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<tungstenite::Error>() {
            return match t {
                tungstenite::Error::Capacity(_) => close::FRAME_TOO_LARGE,
                tungstenite::Error::Utf8(_) => close::INVALID_TEXT,
                tungstenite::Error::Protocol(_) => close::PROTOCOL_ERROR,
                _ => close::INTERNAL_ERROR,
            };
        }
        source = e.source();
    }
    close::INTERNAL_ERROR
}
