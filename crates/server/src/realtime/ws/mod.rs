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
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::{IntoResponse, Response};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::task::JoinHandle;

use super::close;
use super::events::{ClientFrame, Position, ServerFrame};
use super::hub::{ConnHandle, Outbound};
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
    // One copy of the state per connection, shared with the writer by pointer: a copy held by
    // value is ~500 bytes inline in its task (the writer's task fell from 1,920 to 748 bytes in
    // the census without it, BENCHMARKS.md session 8).
    let state = Arc::new(state);
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

async fn run(state: Arc<AppState>, socket: WebSocket) {
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
    let user_id = user.id;
    let handle = ConnHandle::new(
        state.realtime.hub.new_connection_id(),
        user.session_id.clone(),
        user.is_staff(),
        state.realtime.hub.queue_capacity,
    );
    if !positions.is_empty() {
        // Queued before the connection joins the hub: the replay precedes every live event.
        let _ = handle.queue.try_send(Outbound::Resume(positions.into()));
    }
    // Joined in step with the calls (`calls::service::register_device`): a call that rings now
    // reaches this device exactly once.
    let (registered, ringing) = Box::pin(crate::calls::service::register_device(
        &state,
        user_id,
        || state.realtime.hub.register(user_id, handle.clone()),
    ))
    .await;
    let first = match registered {
        Ok(first) => first,
        Err(_) => {
            let _ = send_close(&mut sink, close::TOO_MANY_CONNECTIONS).await;
            return;
        }
    };
    metrics::gauge!("switchboard_ws_connections").increment(1.0);
    // The access its sends will be checked against, in memory before `ready` (a failure only
    // leaves it to the first send to load).
    if let Err(e) = Box::pin(state.audiences.warm(&state.db, &user)).await {
        tracing::debug!(error = %e, "loading a new connection's access failed");
    }
    // Encoded in a block: a local would hold the frame for the connection's whole life.
    let ready: Utf8Bytes = {
        let frame = ServerFrame::Ready {
            user_id,
            connection_id: handle.id.clone(),
        }
        .encode();
        frame.as_ref().into()
    };
    if sink.send(Message::Text(ready)).await.is_err() {
        left(&state, user_id, &handle.id).await;
        return;
    }
    if first && state.realtime.node_presence(user_id, true).await {
        // Boxed like every database call here: inline, its future would size a task's
        // allocation for the connection's whole life.
        Box::pin(crate::presence::announce(&state, user_id, true)).await;
    }
    let writer = tokio::spawn(write_loop(
        state.clone(),
        user.clone(),
        sink,
        handle.clone(),
    ));
    // A call still ringing for this user rings this device too (a phone woken by its push).
    Box::pin(crate::calls::service::ring_new_device(
        &state, user_id, &handle.id, ringing,
    ))
    .await;
    // The connection lives on in a task of its own, sized by its loop alone: this one (axum's,
    // which also holds the upgrade, the socket's handshake and the steps above) ends here and
    // frees its allocation, 3.5 KiB per connection in the census (BENCHMARKS.md, session 8).
    tokio::spawn(live(state, user, stream, handle, writer));
}

/// The rest of a connection's life: its reader, then the end of the writer and the goodbyes.
async fn live(
    state: Arc<AppState>,
    user: AuthUser,
    mut stream: SplitStream<WebSocket>,
    handle: ConnHandle,
    writer: JoinHandle<()>,
) {
    let user_id = user.id;
    if read_loop(&state, user, &mut stream, &handle).await == ReadEnd::WriterCloses {
        // The writer flushes what is queued (acks of committed sends) and then closes.
        let _ = tokio::time::timeout(Duration::from_secs(5), handle.closer.closed()).await;
    }
    handle.closer.close(close::NORMAL);
    let _ = writer.await;
    // A device that goes away hangs up its call (boxed like the other rare futures).
    Box::pin(crate::calls::service::disconnected(
        &state, user_id, &handle.id,
    ))
    .await;
    left(&state, user_id, &handle.id).await;
}

/// The connection is gone: out of the hub, and offline when it was the user's last.
async fn left(state: &AppState, user_id: i64, conn_id: &str) {
    metrics::gauge!("switchboard_ws_connections").decrement(1.0);
    if state.realtime.hub.unregister(user_id, conn_id)
        && state.realtime.node_presence(user_id, false).await
    {
        Box::pin(crate::presence::announce(state, user_id, false)).await;
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
