//! The writer: the connection's queue to the socket. Messages pass the cursor (each once, in
//! seq order per conversation, a hole filled first); frames are fed into the socket's buffer
//! and flushed once the queue is empty.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures::SinkExt;
use futures::stream::SplitSink;

use super::replay::{fill, fill_changes, resume};
use super::send_close;
use crate::auth::AuthUser;
use crate::realtime::close;
use crate::realtime::cursor::{Cursors, Decision, Stream};
use crate::realtime::events::EventKind;
use crate::realtime::hub::{ConnHandle, InFlight, Outbound, set_in_flight};
use crate::state::AppState;

pub(super) async fn write_loop(
    state: Arc<AppState>,
    user: AuthUser,
    mut sink: SplitSink<WebSocket, Message>,
    conn: ConnHandle,
) {
    let mut cursors = Cursors::default();
    // No timer of its own: the reader queues the 30 s pings (`Outbound::Ping`), so an idle
    // connection's writer waits on its queue and its closer only.
    loop {
        let step = tokio::select! {
            biased;
            _ = conn.closer.closed() => break,
            item = conn.queue.recv() => {
                tokio::select! {
                    r = Box::pin(write_queued(&state, &user, &mut sink, &mut cursors, &conn, item)) => match r {
                        Ok(Some(code)) => { conn.closer.close(code); break }
                        Ok(None) => Ok(()),
                        Err(()) => Err(()),
                    },
                    _ = conn.closer.closed() => break,
                }
            }
        };
        if step.is_err() {
            conn.closer.close(close::INTERNAL_ERROR);
            break;
        }
    }
    let code = match conn.closer.code() {
        0 => close::NORMAL,
        c => c,
    };
    // A slow client may still drain its socket and learn why it was closed (boxed: it runs
    // once, at the end).
    let _ = Box::pin(tokio::time::timeout(
        Duration::from_secs(10),
        send_close(&mut sink, code),
    ))
    .await;
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
    conn: &ConnHandle,
    first: Outbound,
) -> Result<Option<u16>, ()> {
    let mut item = first;
    let mut written = 0;
    // The oldest event of this flush: how long it waited in the queue for this writer.
    let mut oldest: Option<std::time::Instant> = None;
    let close = loop {
        if let Outbound::Close(code) = item {
            break Some(code);
        }
        if let Outbound::Event(event) = &item {
            oldest = Some(oldest.map_or(event.queued_at, |t| t.min(event.queued_at)));
        }
        write_item(state, user, sink, cursors, &conn.in_flight, item).await?;
        written += 1;
        if written >= FLUSH_EVERY {
            break None;
        }
        match conn.queue.try_recv() {
            Some(next) => item = next,
            None => break None,
        }
    };
    sink.flush().await.map_err(|_| ())?;
    if let Some(t) = oldest {
        metrics::histogram!("switchboard_ws_event_wait_seconds").record(t.elapsed().as_secs_f64());
    }
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
        Outbound::Event(event) => match event.kind {
            EventKind::Message {
                conversation_id,
                seq,
            } => match cursors.on_message(conversation_id, seq) {
                Decision::Duplicate => Ok(()),
                Decision::Deliver => send_text(sink, event.payload.clone()).await,
                Decision::FillGap { after, before } => {
                    fill(state, user, sink, in_flight, conversation_id, after, before).await?;
                    send_text(sink, event.payload.clone()).await
                }
            },
            EventKind::Change {
                conversation_id,
                change_seq,
            } => match cursors.on_event(conversation_id, Stream::Changes, change_seq) {
                Decision::Duplicate => Ok(()),
                Decision::Deliver => send_text(sink, event.payload.clone()).await,
                Decision::FillGap { after, before } => {
                    fill_changes(state, user, sink, conversation_id, after, before).await?;
                    send_text(sink, event.payload.clone()).await
                }
            },
            _ => send_text(sink, event.payload.clone()).await,
        },
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
        Outbound::Ping => sink
            .feed(Message::Ping(Default::default()))
            .await
            .map_err(|_| ()),
        Outbound::Close(_) => Ok(()),
    }
}

/// Queues a frame in the socket's write buffer; `write_queued` flushes.
pub(super) async fn send_text(
    sink: &mut SplitSink<WebSocket, Message>,
    payload: Utf8Bytes,
) -> Result<(), ()> {
    sink.feed(Message::Text(payload)).await.map_err(|_| ())
}
