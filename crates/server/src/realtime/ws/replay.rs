//! Replays: `resume` (every message after a position, then `resumed`) and gap fills (the
//! messages strictly between two seqs). A page per call, from the recent messages in memory
//! when they hold the whole page, else one query.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use futures::stream::SplitSink;

use super::writer::send_text;
use crate::auth::AuthUser;
use crate::chat::recent::{PageQuery, Recent};
use crate::conversations::store;
use crate::realtime::cursor::{Cursors, Stream};
use crate::realtime::events::{Position, ServerFrame};
use crate::realtime::hub::{InFlight, is_in_flight};
use crate::state::AppState;

const REPLAY_PAGE: u64 = 200;

/// Sends the stored messages strictly between `after` and `before`.
pub(super) async fn fill(
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
    let bounds = store::PageBounds {
        conversation_id,
        after: Some(after),
        before,
        limit: REPLAY_PAGE,
        with_notes: user.is_staff(),
    };
    let page = store::read_page(state, bounds).await.map_err(|_| ())?;
    Ok(page.iter().map(|m| Arc::new(Recent::new(m))).collect())
}

/// Replays every message after `position`, then `resumed`. Runs on the writer, so live events
/// that arrive meanwhile wait in the queue and are dropped by the cursor if already replayed.
pub(super) async fn resume(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    cursors: &mut Cursors,
    in_flight: &InFlight,
    conversation_id: i64,
    position: Position,
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
    let already = cursors.delivered_live(conversation_id, Stream::Messages);
    let mut after = position.seq();
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
    cursors.reset(conversation_id, Stream::Messages, last_seq);
    let last_change = match position.change() {
        Some(from) => {
            Some(replay_changes(state, user, sink, cursors, conversation_id, from).await?)
        }
        None => None,
    };
    send_text(
        sink,
        ServerFrame::Resumed {
            conversation_id,
            last_seq,
            last_change,
        }
        .encode()
        .as_ref()
        .into(),
    )
    .await
}

/// Replays the changes after `from` (after the messages: a change may be about one of them),
/// skipping those already delivered live; returns the position reached.
async fn replay_changes(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    cursors: &mut Cursors,
    conversation_id: i64,
    from: i64,
) -> Result<i64, ()> {
    let committed = store::last_change(&state.db, conversation_id)
        .await
        .map_err(|_| ())?;
    let already = cursors.delivered_live(conversation_id, Stream::Changes);
    let mut after = from;
    loop {
        let page = store::changes(
            &state.db,
            conversation_id,
            after,
            None,
            REPLAY_PAGE,
            user.is_staff(),
        )
        .await
        .map_err(|_| ())?;
        for change in page
            .iter()
            .filter(|c| already.is_none_or(|(a, b)| c.change_seq < a || c.change_seq > b))
        {
            send_text(sink, ServerFrame::change(change).encode().as_ref().into()).await?;
        }
        match page.last() {
            Some(c) if page.len() as u64 == REPLAY_PAGE => after = c.change_seq,
            _ => break,
        }
    }
    let last = committed.max(from).max(already.map_or(0, |(_, b)| b));
    cursors.reset(conversation_id, Stream::Changes, last);
    Ok(last)
}

/// Sends the stored changes strictly between `after` and `before`.
pub(super) async fn fill_changes(
    state: &AppState,
    user: &AuthUser,
    sink: &mut SplitSink<WebSocket, Message>,
    conversation_id: i64,
    mut after: i64,
    before: i64,
) -> Result<(), ()> {
    metrics::counter!("switchboard_ws_gap_fills_total").increment(1);
    while after + 1 < before {
        let page = store::changes(
            &state.db,
            conversation_id,
            after,
            Some(before),
            REPLAY_PAGE,
            user.is_staff(),
        )
        .await
        .map_err(|_| ())?;
        let Some(last) = page.last().map(|c| c.change_seq) else {
            break;
        };
        for change in &page {
            send_text(sink, ServerFrame::change(change).encode().as_ref().into()).await?;
        }
        after = last;
    }
    Ok(())
}
