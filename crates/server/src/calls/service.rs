//! The call frames: who may call whom, what each transition tells which devices, and the
//! system messages that record the call in its conversation ("call started", "call ended ·
//! 4 min 12 s", "missed call", "call declined").
//!
//! Every transition takes the registry's lock and, before letting go, queues its system message
//! with the chat writer (a queue push, not a commit): so a call's messages are stored in the
//! order its transitions happened, whichever connections or timers caused them.
//!
//! With several nodes, a call is handled on its home node (the caller's): see `remote`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::EntityTrait;
use tokio::sync::oneshot;

use super::Media;
use super::registry::{Call, EndReason, Refused};
use super::remote::{self, Action, Forwarded};
use crate::auth::AuthUser;
use crate::chat::audience::ConversationFacts;
use crate::chat::writer::{Reply, SendRequest};
use crate::db::entities::user;
use crate::domain::MessageKind;
use crate::error::{AppError, AppResult};
use crate::realtime::events::ServerFrame;
use crate::realtime::hub::ConnHandle;
use crate::realtime::ws::{send_app_error, send_error};
use crate::state::AppState;

/// `call_invite`: rings the conversation's other party on all their devices.
pub async fn invite(
    state: &AppState,
    user: &AuthUser,
    conn: &ConnHandle,
    conversation_id: i64,
    media: Media,
) {
    let (callee, facts) = match callee_of(state, user, conversation_id).await {
        Ok(found) => found,
        Err(e) => return send_app_error(conn, &e, None),
    };
    // Counted once the invitation could ring someone (refusals cost only the frame limit).
    if !state.calls.invites.check(user.id) {
        send_error(conn, "rate_limited", "too many calls; wait a minute", None);
        return;
    }
    // The home node is named in the id: other nodes forward the callee's frames to it.
    let id = format!("{}.{}", state.realtime.node_id, uuid::Uuid::new_v4());
    let mut registry = state.calls.registry.lock().await;
    let invited = registry.invite(id, conversation_id, media, (user.id, &conn.id), callee);
    drop(registry);
    // This node's registry checked its own calls; either user may be in a call homed on
    // another node (a claim in Redis, all or nothing). Nobody knows the id yet: withdrawing
    // the call here races with nothing.
    let invited = match invited {
        Ok(call) => match state.realtime.claim_call(&call.id, [user.id, callee]).await {
            Ok(()) => Ok(call),
            Err(busy) => {
                state.calls.registry.lock().await.withdraw(&call.id);
                Err(if busy == callee {
                    Refused::CalleeBusy
                } else {
                    Refused::CallerBusy
                })
            }
        },
        Err(refused) => Err(refused),
    };
    let call = match invited {
        Ok(call) => call,
        Err(Refused::CalleeBusy) => {
            let frame = ServerFrame::CallBusy {
                conversation_id,
                user_id: callee,
            };
            send_to(state, user.id, Some(&conn.id), None, &frame).await;
            record(state, facts, user.id, "missed call".into()).await;
            return;
        }
        Err(_) => {
            send_error(conn, "conflict", "you are in a call already", None);
            return;
        }
    };
    // Announced under the registry's lock, which a new connection also holds while it joins
    // the hub (`register_device`): a device of this node gets this `call_incoming` or, if it
    // joins after it went out, its own (`ring_new_device`); never both.
    let mut registry = state.calls.registry.lock().await;
    if !registry.announce(&call.id) {
        return; // its caller's device went away meanwhile: it ended
    }
    let ringing = ServerFrame::CallRinging {
        call_id: &call.id,
        conversation_id,
        media,
        callee_id: callee,
    };
    send_to(state, user.id, Some(&conn.id), None, &ringing).await;
    let incoming = ServerFrame::CallIncoming {
        call_id: &call.id,
        conversation_id,
        media,
        caller_id: user.id,
        caller_name: &user.display_name,
    };
    send_to(state, callee, None, None, &incoming).await;
    drop(registry);
    push_to_offline(state, user.id, callee, &facts, media);
    let timer = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(timer.calls.ring_timeout).await;
        let mut registry = timer.calls.registry.lock().await;
        if let Some(call) = registry.timeout(&call.id) {
            ended(&timer, &call, EndReason::Timeout, None).await;
        }
    });
}

/// A callee with no open socket anywhere hears of the call through a push (kind `call`, urgent,
/// living only as long as the call rings). Off the ringing path: one read of the callee's
/// subscriptions (none when they are online), and an insert if they have devices.
fn push_to_offline(
    state: &AppState,
    caller: i64,
    callee: i64,
    facts: &ConversationFacts,
    media: Media,
) {
    if state.realtime.is_online(callee) {
        return;
    }
    let candidate = crate::push::outbox::Candidate::call(
        callee,
        caller,
        facts.id,
        facts.ticket.as_ref().map(|t| t.id),
        media == Media::Video,
    );
    let state = state.clone();
    tokio::spawn(async move {
        let now = crate::domain::now_ms();
        match crate::push::outbox::queue(&state.db, &state.realtime, vec![candidate], now).await {
            Ok(true) => state.push.wake.notify_one(),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, user = callee, "call: could not queue its push"),
        }
    });
}

/// Who `user` calls in the conversation: the ticket's other party (requester ↔ assignee) or
/// the direct conversation's other member. Nobody else is ever rung: not the ticket's team, not
/// the admins who may read it, and so never a customer who is not one of the two.
async fn callee_of(
    state: &AppState,
    user: &AuthUser,
    conversation_id: i64,
) -> AppResult<(i64, Arc<ConversationFacts>)> {
    let facts = state
        .audiences
        .allow(&state.db, user, conversation_id)
        .await?
        .facts;
    let parties: Vec<i64> = match &facts.ticket {
        Some(t) => std::iter::once(t.requester_id)
            .chain(t.assignee_id)
            .collect(),
        None => facts.members.to_vec(),
    };
    if !parties.contains(&user.id) || facts.blocked {
        return Err(AppError::Forbidden);
    }
    let callee = parties
        .into_iter()
        .find(|&p| p != user.id && facts.audience.contains(&p))
        .ok_or_else(|| AppError::Conflict("nobody else to call here (no assignee yet)".into()))?;
    Ok((callee, facts))
}

/// One device (connection) of a user, on this node or another.
#[derive(Clone, Copy, Debug)]
pub struct Device<'a> {
    pub user_id: i64,
    pub conn_id: &'a str,
}

/// A call frame of a device on this node (`call_accept`, `call_decline`, `call_cancel`,
/// `call_hangup`, `call_signal`): handled here when the call is homed here, else forwarded to
/// its home node.
pub async fn act(state: &AppState, user: &AuthUser, conn: &ConnHandle, action: Action) {
    let device = Device {
        user_id: user.id,
        conn_id: &conn.id,
    };
    match remote::home_of(action.call_id()) {
        Some(home) if home != state.realtime.node_id && state.realtime.is_cluster() => {
            if let Action::Accept { call_id } = &action {
                // If it wins the answer, its disconnect must reach the home node.
                state
                    .calls
                    .answered_remotely
                    .insert(conn.id.clone(), call_id.clone());
            }
            let forwarded = Forwarded {
                home: home.to_string(),
                user_id: user.id,
                conn_id: conn.id.clone(),
                action,
            };
            state.realtime.forward_call(forwarded).await;
        }
        _ => at_home(state, device, &action).await,
    }
}

/// A device's call frame, on the call's home node (the device is here or on another node).
pub async fn at_home(state: &AppState, device: Device<'_>, action: &Action) {
    match action {
        Action::Accept { call_id } => accept(state, device, call_id).await,
        Action::Decline { call_id } => end(state, device, call_id, Ending::Decline).await,
        Action::Cancel { call_id } => end(state, device, call_id, Ending::Cancel).await,
        Action::Hangup { call_id } => end(state, device, call_id, Ending::Hangup).await,
        Action::Signal { call_id, data } => signal(state, device, call_id, data).await,
        Action::Disconnected { .. } => disconnected_here(state, device).await,
        Action::Ring { call_id } => ring(state, device, Some(call_id.as_str())).await,
    }
}

/// Whether a call already rang for the user of a connection that just joined the hub.
#[derive(Debug, PartialEq, Eq)]
pub enum Ringing {
    No,
    /// A call of this node, announced before the device joined.
    Here,
    /// A call homed on another node (its id), claimed before the device joined.
    Elsewhere(String),
}

/// How long a new connection waits for Redis to name its user's call.
const CLAIM_LOOKUP: Duration = Duration::from_secs(1);

/// Joins a new connection to the hub (`join`) under the registry's lock, so that it is ordered
/// with every call's announcement (`invite`), and tells whether a call already rings for its
/// user: then `ring_new_device` rings it after `ready`. On several nodes, a call homed elsewhere
/// is found through the user's claim in Redis (one GET per new connection, before `ready`, at
/// most `CLAIM_LOOKUP`): a call claimed after it is announced to this device through the
/// broker. Only a call claimed within that round trip before the device joined may reach it
/// twice (the same `call_id`).
pub async fn register_device<T>(
    state: &AppState,
    user_id: i64,
    join: impl FnOnce() -> T,
) -> (T, Ringing) {
    let (joined, here) = {
        let registry = state.calls.registry.lock().await;
        let joined = join();
        (joined, registry.ringing_for(user_id, None).is_some())
    };
    if here {
        return (joined, Ringing::Here);
    }
    if !state.realtime.is_cluster() {
        return (joined, Ringing::No);
    }
    let claimed = tokio::time::timeout(CLAIM_LOOKUP, state.realtime.call_of(user_id)).await;
    let ringing = match claimed {
        Ok(Some(call_id))
            if remote::home_of(&call_id).is_some_and(|home| home != state.realtime.node_id) =>
        {
            Ringing::Elsewhere(call_id)
        }
        _ => Ringing::No,
    };
    (joined, ringing)
}

/// A device that just connected (its `ready` sent) while its user is rung (`register_device`):
/// it rings too, so a phone woken by the call's push can answer. A call homed on another node
/// is asked of that node, which rings the device if the call still rings.
pub async fn ring_new_device(state: &AppState, user_id: i64, conn_id: &str, ringing: Ringing) {
    let device = Device { user_id, conn_id };
    match ringing {
        Ringing::No => {}
        Ringing::Here => ring(state, device, None).await,
        Ringing::Elsewhere(call_id) => {
            let forwarded = Forwarded {
                home: remote::home_of(&call_id).unwrap_or_default().to_string(),
                user_id,
                conn_id: conn_id.to_string(),
                action: Action::Ring { call_id },
            };
            state.realtime.forward_call(forwarded).await;
        }
    }
}

/// Rings one device of the callee of a call of this node that still rings (of `call_id`, or
/// whichever rings for them). Sent with the registry locked, like every transition's frames:
/// a `call_ended` of this call can't overtake it.
async fn ring(state: &AppState, device: Device<'_>, call_id: Option<&str>) {
    let found = state
        .calls
        .registry
        .lock()
        .await
        .ringing_for(device.user_id, call_id);
    let Some(call) = found else { return };
    // The caller's name, read outside the lock.
    let caller_name = match user::Entity::find_by_id(call.caller).one(&state.db).await {
        Ok(Some(u)) => u.display_name,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, call = %call.id, "call: could not ring a new device");
            return;
        }
    };
    let registry = state.calls.registry.lock().await;
    if registry
        .ringing_for(device.user_id, Some(call.id.as_str()))
        .is_none()
    {
        return;
    }
    let incoming = ServerFrame::CallIncoming {
        call_id: &call.id,
        conversation_id: call.conversation_id,
        media: call.media,
        caller_id: call.caller,
        caller_name: &caller_name,
    };
    send_to(state, device.user_id, Some(device.conn_id), None, &incoming).await;
    drop(registry);
}

/// `call_accept`: the first of the callee's devices wins; the others stop ringing.
async fn accept(state: &AppState, device: Device<'_>, call_id: &str) {
    let mut registry = state.calls.registry.lock().await;
    let call = match registry.accept(call_id, device.user_id, device.conn_id, Instant::now()) {
        Ok(call) => call,
        Err(refused) => return refuse(state, device, refused).await,
    };
    if let Some(facts) = facts_of(state, &call).await {
        record(state, facts, call.caller, "call started".into()).await;
    }
    drop(registry);
    let accepted = ServerFrame::CallAccepted {
        call_id: &call.id,
        conversation_id: call.conversation_id,
    };
    send_to(state, call.caller, Some(&call.caller_conn), None, &accepted).await;
    send_to(state, device.user_id, Some(device.conn_id), None, &accepted).await;
    let elsewhere = ended_frame(&call, EndReason::AnsweredElsewhere, None);
    send_raw(
        state,
        device.user_id,
        None,
        Some(device.conn_id),
        &elsewhere,
    )
    .await;
}

/// What a device asks to end: `call_decline`, `call_cancel` or `call_hangup`.
#[derive(Clone, Copy, Debug)]
pub enum Ending {
    Decline,
    Cancel,
    Hangup,
}

/// `call_decline`, `call_cancel` and `call_hangup`.
async fn end(state: &AppState, device: Device<'_>, call_id: &str, how: Ending) {
    let conn_id = device.conn_id;
    let mut registry = state.calls.registry.lock().await;
    let outcome = match how {
        Ending::Decline => registry
            .decline(call_id, device.user_id)
            .map(|c| (c, EndReason::Declined)),
        Ending::Cancel => registry
            .cancel(call_id, conn_id)
            .map(|c| (c, EndReason::Cancelled)),
        Ending::Hangup => match registry.hangup(call_id, conn_id) {
            Ok(c) => Ok((c, EndReason::Hangup)),
            // The caller hanging up before an answer gives up the call.
            Err(Refused::NotRinging) => registry
                .cancel(call_id, conn_id)
                .map(|c| (c, EndReason::Cancelled)),
            Err(refused) => Err(refused),
        },
    };
    match outcome {
        Ok((call, reason)) => {
            let duration = call.duration(Instant::now());
            ended(state, &call, reason, duration).await;
        }
        Err(refused) => {
            drop(registry);
            refuse(state, device, refused).await
        }
    }
}

/// `call_signal`: relayed to the other device of the answered call, and to nobody else.
async fn signal(state: &AppState, device: Device<'_>, call_id: &str, data: &serde_json::Value) {
    let peer = state
        .calls
        .registry
        .lock()
        .await
        .peer(call_id, device.conn_id);
    match peer {
        Ok((user_id, peer_conn)) => {
            let frame = ServerFrame::CallSignal { call_id, data };
            send_to(state, user_id, Some(&peer_conn), None, &frame).await;
        }
        Err(refused) => refuse(state, device, refused).await,
    }
}

/// A connection of this node closed: the call it was in ends (a callee's device that only
/// rang changes nothing: the others still ring). A device that answered a call homed on
/// another node has its disconnect forwarded there.
pub async fn disconnected(state: &AppState, user_id: i64, conn_id: &str) {
    let device = Device { user_id, conn_id };
    disconnected_here(state, device).await;
    if let Some((_, call_id)) = state.calls.answered_remotely.remove(conn_id)
        && let Some(home) = remote::home_of(&call_id)
    {
        let forwarded = Forwarded {
            home: home.to_string(),
            user_id,
            conn_id: conn_id.to_string(),
            action: Action::Disconnected { call_id },
        };
        state.realtime.forward_call(forwarded).await;
    }
}

/// A device (of this node or another) closed: ends the call of this node it was in.
async fn disconnected_here(state: &AppState, device: Device<'_>) {
    let mut registry = state.calls.registry.lock().await;
    if let Some(call) = registry.disconnected(device.user_id, device.conn_id) {
        let duration = call.duration(Instant::now());
        ended(state, &call, EndReason::Disconnected, duration).await;
    }
}

/// Tells both sides that `call` is over and records it; called with the registry locked (the
/// message is queued in transition order).
async fn ended(state: &AppState, call: &Call, reason: EndReason, duration: Option<Duration>) {
    // Before anyone is told: a device that saw `call_ended` may call again at once, from any
    // node. (One Redis round trip under the registry lock; only its timeouts if Redis is
    // down, and the keys then expire on their own within 15 s.)
    state
        .realtime
        .release_call(&call.id, [call.caller, call.callee])
        .await;
    if let Some(facts) = facts_of(state, call).await {
        let body = match duration {
            Some(d) => format!("call ended · {}", spoken(d)),
            None if reason == EndReason::Declined => "call declined".into(),
            None => "missed call".into(),
        };
        record(state, facts, call.caller, body).await;
    }
    let frame = ended_frame(call, reason, duration);
    send_raw(state, call.caller, Some(&call.caller_conn), None, &frame).await;
    // A ringing call stops ringing everywhere; an answered one ends on the answering device.
    send_raw(
        state,
        call.callee,
        call.callee_conn.as_deref(),
        None,
        &frame,
    )
    .await;
}

fn ended_frame(call: &Call, reason: EndReason, duration: Option<Duration>) -> String {
    ServerFrame::CallEnded {
        call_id: &call.id,
        conversation_id: call.conversation_id,
        reason,
        duration_secs: duration.map(|d| d.as_secs()),
    }
    .encode()
    .to_string()
}

/// "4 min 12 s", "1 h 0 min 5 s", "12 s".
pub fn spoken(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min {s} s"),
    }
}

async fn facts_of(state: &AppState, call: &Call) -> Option<Arc<ConversationFacts>> {
    match state.audiences.facts(&state.db, call.conversation_id).await {
        Ok(facts) => Some(facts),
        Err(e) => {
            tracing::error!(error = %e, call = %call.id, "call: conversation not found to record in");
            None
        }
    }
}

/// Queues a system message with the chat writer (stored with its seq like every message, then
/// published to the conversation); the commit is awaited off the caller's path.
async fn record(state: &AppState, facts: Arc<ConversationFacts>, sender: i64, body: String) {
    let (tx, rx) = oneshot::channel();
    let request = SendRequest {
        sender_id: sender,
        // Only text messages have side effects (first response, notifications).
        sender_is_staff: false,
        kind: MessageKind::System,
        body,
        client_id: uuid::Uuid::new_v4().to_string(),
        attachment_ids: Vec::new(),
        reply_to: None,
        conversation: facts,
        reply: Reply::Caller(tx),
        accepted: std::time::Instant::now(),
    };
    if let Err(e) = state.writer.submit(request).await {
        tracing::error!(error = %e, "call: could not queue its system message");
        return;
    }
    tokio::spawn(async move {
        if let Ok(Err(e)) = rx.await {
            tracing::error!(error = %e, "call: its system message was not stored");
        }
    });
}

/// Refusals go to the device that asked, wherever it is connected.
async fn refuse(state: &AppState, device: Device<'_>, refused: Refused) {
    let (code, message) = match refused {
        Refused::NotRinging => (
            "conflict",
            "the call was answered on another device, or is not answered yet",
        ),
        Refused::CallerBusy => ("conflict", "you are in a call already"),
        Refused::NoSuchCall | Refused::CalleeBusy => ("not_found", "no such call"),
    };
    let frame = ServerFrame::Error {
        code,
        message,
        client_id: None,
    };
    send_to(state, device.user_id, Some(device.conn_id), None, &frame).await;
}

async fn send_to(
    state: &AppState,
    user_id: i64,
    only: Option<&str>,
    except: Option<&str>,
    frame: &ServerFrame<'_>,
) {
    send_raw(state, user_id, only, except, &frame.encode()).await;
}

/// To the user's connections on every node (all, only one, or all but one).
async fn send_raw(
    state: &AppState,
    user_id: i64,
    only: Option<&str>,
    except: Option<&str>,
    frame: &str,
) {
    state
        .realtime
        .send_call_frame(user_id, only, except, frame)
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_speech() {
        assert_eq!(spoken(Duration::from_secs(0)), "0 s");
        assert_eq!(spoken(Duration::from_secs(12)), "12 s");
        assert_eq!(spoken(Duration::from_secs(4 * 60 + 12)), "4 min 12 s");
        assert_eq!(spoken(Duration::from_secs(3600 + 5)), "1 h 0 min 5 s");
    }
}
