//! The reader: client frames in, validated and handed on. It never waits for the database to
//! store a send: the send is queued for the message writer and the next frame is read; the
//! `ack` or `error` comes back through the connection's queue.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures::StreamExt;
use futures::stream::SplitStream;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::close_code_for;
use crate::auth::AuthUser;
use crate::auth::extractor::authenticate;
use crate::calls::remote::Action;
use crate::calls::service as calls;
use crate::chat::writer::Reply;
use crate::conversations::service::{self as conversations, SendMessageRequest};
use crate::error::AppError;
use crate::realtime::close;
use crate::realtime::events::{Activity, ClientFrame, EventKind, ServerFrame};
use crate::realtime::hub::{ConnHandle, Outbound, QueuedEvent, set_in_flight};
use crate::state::AppState;

const DEAD_AFTER: Duration = Duration::from_secs(90);
/// The server's WebSocket pings: queued for the writer from this loop's one timer.
const PING_EVERY: Duration = Duration::from_secs(30);

#[derive(PartialEq, Eq)]
pub(super) enum ReadEnd {
    Done,
    /// A `Close` was queued behind the pending frames; the writer ends the connection.
    WriterCloses,
}

pub(super) async fn read_loop(
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
    let mut next_ping = last_seen + PING_EVERY;
    loop {
        let token_expiry = expiry_instant(user.token_exp);
        let deadline = (last_seen + DEAD_AFTER).min(token_expiry);
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                // Sends this loop queued are still with the writer: wait (bounded) until each
                // is answered, so their acks go out before the close.
                wait_for_answers(conn, Duration::from_secs(5)).await;
                let end = match conn.queue.try_send(Outbound::Close(close::GOING_AWAY)) {
                    Ok(()) => ReadEnd::WriterCloses,
                    Err(_) => {
                        conn.closer.close(close::GOING_AWAY);
                        ReadEnd::Done
                    }
                };
                return (end, user);
            }
            _ = conn.closer.closed() => return (ReadEnd::Done, user),
            _ = tokio::time::sleep_until(deadline.min(next_ping)) => {
                let now = Instant::now();
                if now < deadline {
                    // A full queue skips this ping: the writer is busy and the client is
                    // judged by what it sends, not by pongs.
                    next_ping = now + PING_EVERY;
                    let _ = conn.queue.try_send(Outbound::Ping);
                    continue;
                }
                conn.closer.close(if now >= token_expiry { close::UNAUTHORIZED } else { close::GOING_AWAY });
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
            reply_to,
        } => {
            let input = SendMessageRequest {
                body,
                client_id: client_id.clone(),
                kind,
                attachment_ids,
                reply_to,
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
            for (key, position) in positions {
                match key.parse::<i64>() {
                    Ok(id) if position.is_valid() => list.push((id, position)),
                    _ => send_error(
                        conn,
                        "invalid_frame",
                        "positions: conversation id → seq ≥ 0 or {seq, change} ≥ 0",
                        None,
                    ),
                }
            }
            if conn.queue.try_send(Outbound::Resume(list.into())).is_err() {
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
        ClientFrame::CallInvite {
            conversation_id,
            media,
        } => calls::invite(state, user, conn, conversation_id, media).await,
        ClientFrame::CallAccept { call_id } => {
            calls::act(state, user, conn, Action::Accept { call_id }).await
        }
        ClientFrame::CallDecline { call_id } => {
            calls::act(state, user, conn, Action::Decline { call_id }).await
        }
        ClientFrame::CallCancel { call_id } => {
            calls::act(state, user, conn, Action::Cancel { call_id }).await
        }
        ClientFrame::CallHangup { call_id } => {
            calls::act(state, user, conn, Action::Hangup { call_id }).await
        }
        ClientFrame::CallSignal { call_id, data } => {
            calls::act(state, user, conn, Action::Signal { call_id, data }).await
        }
    }
    None
}

fn queue(conn: &ConnHandle, kind: EventKind, payload: Arc<str>) {
    if conn
        .queue
        .try_send(Outbound::Event(QueuedEvent::new(
            kind,
            payload.as_ref().into(),
        )))
        .is_err()
    {
        conn.closer.close(close::SLOW_CONSUMER);
    }
}

/// Queues an `error` frame for this connection.
pub fn send_error(conn: &ConnHandle, code: &str, message: &str, client_id: Option<&str>) {
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
