//! One WebSocket connection's life: origin check, `auth` within 10 s, `ready`, then a reader
//! (client frames → services) and a writer (hub events → socket, in seq order per
//! conversation). Either side ending ends both.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::{IntoResponse, Response};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::close;
use super::cursor::{Cursors, Decision};
use super::events::{Activity, ClientFrame, EventKind, ServerFrame};
use super::hub::{
    Closer, ConnHandle, InFlight, Outbound, QueuedEvent, is_in_flight, set_in_flight,
};
use crate::auth::AuthUser;
use crate::auth::extractor::authenticate;
use crate::chat::recent::{PageQuery, Recent};
use crate::chat::writer::Reply;
use crate::conversations::service::{self as conversations, SendMessageRequest};
use crate::conversations::store;
use crate::error::AppError;
use crate::state::AppState;

pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Allocated for every connection up front and grown only for a larger frame: a typical
/// client frame (`send`, `typing`, `read`) is a few hundred bytes.
const READ_BUFFER: usize = 1024;
const PING_EVERY: Duration = Duration::from_secs(30);
const DEAD_AFTER: Duration = Duration::from_secs(90);
const REPLAY_PAGE: u64 = 200;

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
) -> Result<(AuthUser, Vec<(i64, i64)>), u16> {
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
        .filter_map(|(k, seq)| Some((k.parse::<i64>().ok()?, seq)))
        .filter(|&(_, seq)| seq >= 0)
        .collect();
    match authenticate(state, &token).await {
        Ok(Some(user)) => Ok((user, positions)),
        Ok(None) => Err(close::UNAUTHORIZED),
        Err(_) => Err(close::INTERNAL_ERROR),
    }
}

#[derive(PartialEq, Eq)]
enum ReadEnd {
    Done,
    /// A `Close` was queued behind the pending frames; the writer ends the connection.
    WriterCloses,
}

async fn read_loop(
    state: &AppState,
    user: AuthUser,
    stream: &mut SplitStream<WebSocket>,
    conn: &ConnHandle,
) -> ReadEnd {
    // The ticket conversation this connection said it is on (`here`): left when it closes.
    let mut here = None;
    let (end, user) = read_frames(state, user, stream, conn, &mut here).await;
    if let Some(conversation_id) = here {
        // Boxed: inline, this future would size the connection's task for its whole life.
        let _ = Box::pin(conversations::here(
            state,
            &user,
            conversation_id,
            Activity::Left,
        ))
        .await;
    }
    end
}

async fn read_frames(
    state: &AppState,
    mut user: AuthUser,
    stream: &mut SplitStream<WebSocket>,
    conn: &ConnHandle,
    here: &mut Option<i64>,
) -> (ReadEnd, AuthUser) {
    let per_second = NonZeroU32::new(state.settings.ws_messages_per_second.max(1)).expect("max(1)");
    let limiter: DefaultDirectRateLimiter = RateLimiter::direct(Quota::per_second(per_second));
    let mut last_seen = Instant::now();
    loop {
        let token_expiry = expiry_instant(user.token_exp);
        let deadline = (last_seen + DEAD_AFTER).min(token_expiry);
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                // Sends this loop queued are still with the writer: wait (bounded) until each
                // is answered, so their acks go out before the close.
                wait_for_answers(conn, Duration::from_secs(5)).await;
                let end = match conn.tx.try_send(Outbound::Close(close::GOING_AWAY)) {
                    Ok(()) => ReadEnd::WriterCloses,
                    Err(_) => {
                        conn.closer.close(close::GOING_AWAY);
                        ReadEnd::Done
                    }
                };
                return (end, user);
            }
            _ = conn.closer.closed() => return (ReadEnd::Done, user),
            _ = tokio::time::sleep_until(deadline) => {
                conn.closer.close(if Instant::now() >= token_expiry { close::UNAUTHORIZED } else { close::GOING_AWAY });
                return (ReadEnd::Done, user);
            }
            frame = stream.next() => match frame {
                None | Some(Ok(Message::Close(_))) => return (ReadEnd::Done, user),
                Some(Err(e)) => {
                    conn.closer.close(close_code_for(&e));
                    return (ReadEnd::Done, user);
                }
                Some(Ok(Message::Text(text))) => {
                    last_seen = Instant::now();
                    if let Some(new_user) = Box::pin(handle_text(state, &user, conn, &limiter, &text, here)).await {
                        user = new_user;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    last_seen = Instant::now();
                    send_error(conn, "invalid_frame", "frames are JSON text", None);
                }
                Some(Ok(_)) => last_seen = Instant::now(),
            }
        }
    }
}

/// Waits until the writer has answered every send of this connection, or `limit` passes.
async fn wait_for_answers(conn: &ConnHandle, limit: Duration) {
    let until = Instant::now() + limit;
    while Instant::now() < until
        && conn
            .in_flight
            .lock()
            .map(|set| !set.is_empty())
            .unwrap_or(false)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn expiry_instant(exp_secs: u64) -> Instant {
    let now_secs = jsonwebtoken::get_current_timestamp();
    Instant::now() + Duration::from_secs(exp_secs.saturating_sub(now_secs))
}

/// Handles one client frame. Returns a renewed user after a successful `auth`.
async fn handle_text(
    state: &AppState,
    user: &AuthUser,
    conn: &ConnHandle,
    limiter: &DefaultDirectRateLimiter,
    text: &str,
    here: &mut Option<i64>,
) -> Option<AuthUser> {
    // Parsed once: a syntax error is `invalid_json`, valid JSON of the wrong shape
    // `invalid_frame`.
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let code = match e.classify() {
                serde_json::error::Category::Data => "invalid_frame",
                _ => "invalid_json",
            };
            send_error(conn, code, &e.to_string(), None);
            return None;
        }
    };
    let limited = !matches!(
        frame,
        ClientFrame::Ping { .. } | ClientFrame::Auth { .. } | ClientFrame::Resume { .. }
    ) && limiter.check().is_err();
    match frame {
        ClientFrame::Auth { token, .. } => match authenticate(state, &token).await {
            Ok(Some(renewed)) if renewed.id == user.id => return Some(renewed),
            _ => conn.closer.close(close::UNAUTHORIZED),
        },
        ClientFrame::Ping { nonce } => queue(
            conn,
            EventKind::Important,
            ServerFrame::Pong { nonce: &nonce }.encode(),
        ),
        ClientFrame::Send { client_id, .. } if limited => send_error(
            conn,
            "rate_limited",
            "too many frames; slow down",
            Some(&client_id),
        ),
        _ if limited => send_error(conn, "rate_limited", "too many frames; slow down", None),
        ClientFrame::Send {
            conversation_id,
            client_id,
            body,
            kind,
            attachment_ids,
        } => {
            let input = SendMessageRequest {
                body,
                client_id: client_id.clone(),
                kind,
                attachment_ids,
            };
            // Pipelined: the send is queued for the writer and this loop reads the next frame;
            // the ack (or error) comes back through the connection's queue.
            set_in_flight(&conn.in_flight, &client_id, true);
            let prepared = conversations::prepare_send(
                state,
                user,
                conversation_id,
                input,
                Reply::Connection(conn.clone()),
            )
            .await;
            let submitted = match prepared {
                Ok(request) => state.writer.submit(request).await,
                Err(e) => Err(e),
            };
            if let Err(e) = submitted {
                set_in_flight(&conn.in_flight, &client_id, false);
                send_app_error(conn, &e, Some(&client_id));
            }
        }
        ClientFrame::Resume { positions } => {
            let mut list = Vec::with_capacity(positions.len());
            for (key, seq) in positions {
                match key.parse::<i64>() {
                    Ok(id) if seq >= 0 => list.push((id, seq)),
                    _ => send_error(
                        conn,
                        "invalid_frame",
                        "positions: conversation id → seq ≥ 0",
                        None,
                    ),
                }
            }
            if conn.tx.try_send(Outbound::Resume(list.into())).is_err() {
                conn.closer.close(close::SLOW_CONSUMER);
            }
        }
        ClientFrame::Typing { conversation_id } => {
            if let Err(e) = conversations::typing(state, user, conversation_id).await {
                send_app_error(conn, &e, None);
            }
        }
        ClientFrame::Here {
            conversation_id,
            activity,
        } => match conversations::here(state, user, conversation_id, activity).await {
            Ok(()) => {
                if activity != Activity::Left {
                    // One ticket at a time per connection: moving on leaves the last one.
                    if let Some(previous) = here.replace(conversation_id)
                        && previous != conversation_id
                    {
                        let _ = conversations::here(state, user, previous, Activity::Left).await;
                    }
                } else if *here == Some(conversation_id) {
                    *here = None;
                }
            }
            Err(e) => send_app_error(conn, &e, None),
        },
        ClientFrame::Read {
            conversation_id,
            seq,
        } => {
            if let Err(e) = conversations::mark_read(state, user, conversation_id, seq).await {
                send_app_error(conn, &e, None);
            }
        }
    }
    None
}

fn queue(conn: &ConnHandle, kind: EventKind, payload: Arc<str>) {
    if conn
        .tx
        .try_send(Outbound::Event(QueuedEvent::new(
            kind,
            payload.as_ref().into(),
        )))
        .is_err()
    {
        conn.closer.close(close::SLOW_CONSUMER);
    }
}

fn send_error(conn: &ConnHandle, code: &str, message: &str, client_id: Option<&str>) {
    queue(
        conn,
        EventKind::Important,
        ServerFrame::Error {
            code,
            message,
            client_id,
        }
        .encode(),
    );
}

/// On the socket a conversation the user can't see is `forbidden` (nothing is stored).
pub fn send_app_error(conn: &ConnHandle, err: &AppError, client_id: Option<&str>) {
    if let AppError::Internal(cause) = err {
        tracing::error!(error = format!("{cause:#}"), "websocket frame failed");
    }
    let (code, message) = match err {
        AppError::NotFound | AppError::Forbidden => (
            "forbidden",
            "you are not a member of this conversation".into(),
        ),
        other => (other.code(), other.public_message()),
    };
    send_error(conn, code, &message, client_id);
}

async fn write_loop(
    state: AppState,
    user: AuthUser,
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Outbound>,
    closer: Arc<Closer>,
    in_flight: InFlight,
) {
    let mut cursors = Cursors::default();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        let step = tokio::select! {
            biased;
            _ = closer.closed() => break,
            _ = ping.tick() => sink.send(Message::Ping(Default::default())).await.map_err(|_| ()),
            item = rx.recv() => match item {
                None => break,
                Some(item) => {
                    tokio::select! {
                        r = Box::pin(write_queued(&state, &user, &mut sink, &mut cursors, &in_flight, item, &mut rx)) => match r {
                            Ok(Some(code)) => { closer.close(code); break }
                            Ok(None) => Ok(()),
                            Err(()) => Err(()),
                        },
                        _ = closer.closed() => break,
                    }
                }
            }
        };
        if step.is_err() {
            closer.close(close::INTERNAL_ERROR);
            break;
        }
    }
    let code = match closer.code() {
        0 => close::NORMAL,
        c => c,
    };
    // A slow client may still drain its socket and learn why it was closed.
    let _ = tokio::time::timeout(Duration::from_secs(10), send_close(&mut sink, code)).await;
}

/// The most frames written between two flushes.
const FLUSH_EVERY: usize = 256;

/// Writes `first` and whatever else is queued already, then flushes once: one syscall for
/// many frames under load, and no delay when idle. Returns the close code of a queued `Close`.
async fn write_queued(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    cursors: &mut Cursors,
    in_flight: &InFlight,
    first: Outbound,
    rx: &mut mpsc::Receiver<Outbound>,
) -> Result<Option<u16>, ()> {
    let mut item = first;
    let mut written = 0;
    let close = loop {
        if let Outbound::Close(code) = item {
            break Some(code);
        }
        write_item(state, user, sink, cursors, in_flight, item).await?;
        written += 1;
        if written >= FLUSH_EVERY {
            break None;
        }
        match rx.try_recv() {
            Ok(next) => item = next,
            Err(_) => break None,
        }
    };
    sink.flush().await.map_err(|_| ())?;
    Ok(close)
}

async fn write_item(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    cursors: &mut Cursors,
    in_flight: &InFlight,
    item: Outbound,
) -> Result<(), ()> {
    match item {
        Outbound::Event(event) => {
            let EventKind::Message {
                conversation_id,
                seq,
            } = event.kind
            else {
                return send_text(sink, event.payload.clone()).await;
            };
            match cursors.on_message(conversation_id, seq) {
                Decision::Duplicate => Ok(()),
                Decision::Deliver => send_text(sink, event.payload.clone()).await,
                Decision::FillGap { after, before } => {
                    fill(state, user, sink, in_flight, conversation_id, after, before).await?;
                    send_text(sink, event.payload.clone()).await
                }
            }
        }
        Outbound::Ack(ack) => {
            if let Decision::FillGap { after, before } =
                cursors.on_message(ack.conversation_id, ack.seq)
            {
                let conversation_id = ack.conversation_id;
                fill(state, user, sink, in_flight, conversation_id, after, before).await?;
            }
            set_in_flight(in_flight, &ack.client_id, false);
            send_text(sink, ack.payload.clone()).await
        }
        Outbound::Resume(positions) => {
            for (conversation_id, position) in positions {
                resume(
                    state,
                    user,
                    sink,
                    cursors,
                    in_flight,
                    conversation_id,
                    position,
                )
                .await?;
            }
            Ok(())
        }
        Outbound::Close(_) => Ok(()),
    }
}

/// Sends the stored messages strictly between `after` and `before`.
async fn fill(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    in_flight: &InFlight,
    conversation_id: i64,
    mut after: i64,
    before: i64,
) -> Result<(), ()> {
    metrics::counter!("switchboard_ws_gap_fills_total").increment(1);
    while after + 1 < before {
        let page = replay_page(state, user, conversation_id, after, Some(before), None).await?;
        let Some(last) = page.last().map(|m| m.seq) else {
            break;
        };
        // This connection's own unacked sends are skipped: their `ack` follows.
        for message in page
            .iter()
            .filter(|m| !is_in_flight(in_flight, user.id, m.sender_id, &m.client_id))
        {
            send_text(sink, message.frame().into()).await?;
        }
        after = last;
    }
    Ok(())
}

/// One page of a replay: from the recent messages in memory when they hold it, else from
/// the database.
async fn replay_page(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
    after: i64,
    before: Option<i64>,
    last_seq: Option<i64>,
) -> Result<Vec<Arc<Recent>>, ()> {
    let query = PageQuery {
        after: Some(after),
        before,
        limit: REPLAY_PAGE as usize,
        with_notes: user.is_staff(),
        last_seq,
    };
    if let Some(page) = state.recent.page(conversation_id, query) {
        return Ok(page);
    }
    let page = store::page(
        &state.db,
        conversation_id,
        Some(after),
        before,
        REPLAY_PAGE,
        user.is_staff(),
    )
    .await
    .map_err(|_| ())?;
    Ok(page.iter().map(|m| Arc::new(Recent::new(m))).collect())
}

/// Replays every message after `position`, then `resumed`. Runs on the writer, so live events
/// that arrive meanwhile wait in the queue and are dropped by the cursor if already replayed.
async fn resume(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    cursors: &mut Cursors,
    in_flight: &InFlight,
    conversation_id: i64,
    position: i64,
) -> Result<(), ()> {
    // Read before the replay: every seq up to here is committed and will be in the replay,
    // so the cursor may skip to it (a customer's cursor skips over trailing internal notes).
    let Ok(_allowed) = state
        .audiences
        .allow(&state.db, user, conversation_id)
        .await
    else {
        let frame = ServerFrame::Error {
            code: "forbidden",
            message: "you are not a member of this conversation",
            client_id: None,
        };
        return send_text(sink, frame.encode().as_ref().into()).await;
    };
    let committed = store::last_seq(&state.db, conversation_id)
        .await
        .map_err(|_| ())?;
    let already = cursors.delivered_live(conversation_id);
    let mut after = position;
    loop {
        let page = replay_page(state, user, conversation_id, after, None, Some(committed)).await?;
        for message in page
            .iter()
            .filter(|m| already.is_none_or(|(a, b)| m.seq < a || m.seq > b))
            .filter(|m| !is_in_flight(in_flight, user.id, m.sender_id, &m.client_id))
        {
            send_text(sink, message.frame().into()).await?;
        }
        let full = page.len() as u64 == REPLAY_PAGE;
        match page.last() {
            Some(m) => after = m.seq,
            None => break,
        }
        if !full {
            break;
        }
    }
    let last_seq = after.max(committed).max(already.map_or(0, |(_, b)| b));
    cursors.reset(conversation_id, last_seq);
    send_text(
        sink,
        ServerFrame::Resumed {
            conversation_id,
            last_seq,
        }
        .encode()
        .as_ref()
        .into(),
    )
    .await
}

/// Queues a frame in the socket's write buffer; `write_queued` flushes.
async fn send_text(sink: &mut SplitSink<WebSocket, Message>, payload: Utf8Bytes) -> Result<(), ()> {
    sink.feed(Message::Text(payload)).await.map_err(|_| ())
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
