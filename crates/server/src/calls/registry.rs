//! The calls in progress, as a plain state machine: no I/O, no clock of its own (instants are
//! passed in), so every transition is unit-tested below. `service` turns each outcome into
//! frames and system messages.
//!
//! A user is in at most one call at a time (ringing or answered), on one device: the caller's
//! device that invited, and the callee's device that accepted first.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Media;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub id: String,
    pub conversation_id: i64,
    pub media: Media,
    pub caller: i64,
    pub caller_conn: String,
    pub callee: i64,
    /// The callee's device that accepted; `None` while ringing.
    pub callee_conn: Option<String>,
    /// When the callee accepted.
    pub answered_at: Option<Instant>,
    /// Its `call_incoming` went out to the callee's devices connected then (`announce`): from
    /// then on a device that connects is rung on its own (`ringing_for`).
    pub announced: bool,
}

impl Call {
    pub fn is_ringing(&self) -> bool {
        self.answered_at.is_none()
    }

    /// How long the call lasted, from the answer to `now`.
    pub fn duration(&self, now: Instant) -> Option<Duration> {
        self.answered_at.map(|t| now.saturating_duration_since(t))
    }

    /// The other device of an answered call, seen from `conn`: `(user, connection)`.
    pub fn peer_of(&self, conn: &str) -> Option<(i64, &str)> {
        let callee_conn = self.callee_conn.as_deref()?;
        if conn == self.caller_conn {
            Some((self.callee, callee_conn))
        } else if conn == callee_conn {
            Some((self.caller, &self.caller_conn))
        } else {
            None
        }
    }
}

/// Why a transition was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The caller is in a call already.
    CallerBusy,
    /// The callee is in a call already (ringing or answered).
    CalleeBusy,
    /// No such call, or not one this user (or device) takes part in.
    NoSuchCall,
    /// The call was answered already (on another device) or is no longer ringing.
    NotRinging,
}

/// How a call ended, as the `reason` of `call_ended`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The callee declined (on any of their devices).
    Declined,
    /// The caller gave up before an answer.
    Cancelled,
    /// Nobody answered within the ring timeout.
    Timeout,
    /// One side hung up an answered call.
    Hangup,
    /// A device in the call disconnected.
    Disconnected,
    /// To the callee's other devices: the call was answered on another one.
    AnsweredElsewhere,
}

#[derive(Default)]
pub struct Registry {
    calls: HashMap<String, Call>,
    /// Each user's call: at most one.
    of_user: HashMap<i64, String>,
}

impl Registry {
    pub fn invite(
        &mut self,
        id: String,
        conversation_id: i64,
        media: Media,
        (caller, caller_conn): (i64, &str),
        callee: i64,
    ) -> Result<Call, Refused> {
        if self.of_user.contains_key(&caller) {
            return Err(Refused::CallerBusy);
        }
        if self.of_user.contains_key(&callee) {
            return Err(Refused::CalleeBusy);
        }
        let call = Call {
            id: id.clone(),
            conversation_id,
            media,
            caller,
            caller_conn: caller_conn.to_string(),
            callee,
            callee_conn: None,
            answered_at: None,
            announced: false,
        };
        self.of_user.insert(caller, id.clone());
        self.of_user.insert(callee, id.clone());
        self.calls.insert(id, call.clone());
        Ok(call)
    }

    /// The callee accepts on `conn`: the first device to do so wins.
    pub fn accept(
        &mut self,
        id: &str,
        user: i64,
        conn: &str,
        now: Instant,
    ) -> Result<Call, Refused> {
        let call = self.calls.get_mut(id).ok_or(Refused::NoSuchCall)?;
        if call.callee != user {
            return Err(Refused::NoSuchCall);
        }
        if !call.is_ringing() {
            return Err(Refused::NotRinging);
        }
        call.callee_conn = Some(conn.to_string());
        call.answered_at = Some(now);
        Ok(call.clone())
    }

    /// The callee declines a ringing call (on any of their devices).
    pub fn decline(&mut self, id: &str, user: i64) -> Result<Call, Refused> {
        self.end_if(id, |c| c.callee == user, true)
    }

    /// The caller's device gives up before an answer.
    pub fn cancel(&mut self, id: &str, conn: &str) -> Result<Call, Refused> {
        self.end_if(id, |c| c.caller_conn == conn, true)
    }

    /// A device in an answered call hangs up.
    pub fn hangup(&mut self, id: &str, conn: &str) -> Result<Call, Refused> {
        let in_call = |c: &Call| c.peer_of(conn).is_some();
        match self.calls.get(id) {
            Some(c) if in_call(c) => Ok(self.remove(id).expect("present")),
            Some(c) if c.is_ringing() && c.caller_conn == conn => Err(Refused::NotRinging),
            _ => Err(Refused::NoSuchCall),
        }
    }

    /// The ring timed out: ends the call only if it is still ringing.
    pub fn timeout(&mut self, id: &str) -> Option<Call> {
        self.end_if(id, |_| true, true).ok()
    }

    /// A connection closed: ends the call it was in (as the caller's device, or the callee's
    /// answering device). A callee's device that was only ringing leaves the call alone.
    pub fn disconnected(&mut self, user: i64, conn: &str) -> Option<Call> {
        let id = self.of_user.get(&user)?.clone();
        let call = self.calls.get(&id)?;
        let involved = call.caller_conn == conn || call.callee_conn.as_deref() == Some(conn);
        if involved { self.remove(&id) } else { None }
    }

    /// Where to relay a signal from `conn`: the other device of its answered call.
    pub fn peer(&self, id: &str, conn: &str) -> Result<(i64, String), Refused> {
        let call = self.calls.get(id).ok_or(Refused::NoSuchCall)?;
        match call.peer_of(conn) {
            Some((user, peer)) => Ok((user, peer.to_string())),
            None if call.is_ringing() && call.caller_conn == conn => Err(Refused::NotRinging),
            None => Err(Refused::NoSuchCall),
        }
    }

    /// The call is being announced to the callee's connected devices: false if it no longer
    /// rings (its caller went away meanwhile).
    pub fn announce(&mut self, id: &str) -> bool {
        match self.calls.get_mut(id) {
            Some(call) if call.is_ringing() => {
                call.announced = true;
                true
            }
            _ => false,
        }
    }

    /// The announced call ringing for `callee` (of any id, or of `id` only), if they are its
    /// callee: a device of theirs that connects now is rung on its own.
    pub fn ringing_for(&self, callee: i64, id: Option<&str>) -> Option<Call> {
        let of_user = self.of_user.get(&callee)?;
        if id.is_some_and(|id| id != of_user) {
            return None;
        }
        self.calls
            .get(of_user)
            .filter(|c| c.callee == callee && c.is_ringing() && c.announced)
            .cloned()
    }

    /// Forgets a call that never rang (refused by another node's claim).
    pub fn withdraw(&mut self, id: &str) -> Option<Call> {
        self.remove(id)
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    fn end_if(
        &mut self,
        id: &str,
        allowed: impl Fn(&Call) -> bool,
        ringing_only: bool,
    ) -> Result<Call, Refused> {
        let call = self.calls.get(id).ok_or(Refused::NoSuchCall)?;
        if !allowed(call) {
            return Err(Refused::NoSuchCall);
        }
        if ringing_only && !call.is_ringing() {
            return Err(Refused::NotRinging);
        }
        Ok(self.remove(id).expect("present"))
    }

    fn remove(&mut self, id: &str) -> Option<Call> {
        let call = self.calls.remove(id)?;
        for user in [call.caller, call.callee] {
            if self.of_user.get(&user).is_some_and(|c| c == id) {
                self.of_user.remove(&user);
            }
        }
        Some(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLER: i64 = 1;
    const CALLEE: i64 = 2;

    fn ringing() -> (Registry, Call) {
        let mut r = Registry::default();
        let call = r
            .invite(
                "c1".into(),
                10,
                Media::Audio,
                (CALLER, "caller-phone"),
                CALLEE,
            )
            .unwrap();
        (r, call)
    }

    #[test]
    fn the_first_device_to_accept_wins() {
        let (mut r, _) = ringing();
        let now = Instant::now();
        let won = r.accept("c1", CALLEE, "callee-laptop", now).unwrap();
        assert_eq!(won.callee_conn.as_deref(), Some("callee-laptop"));
        assert_eq!(
            r.accept("c1", CALLEE, "callee-phone", now),
            Err(Refused::NotRinging)
        );
        assert_eq!(
            r.peer("c1", "caller-phone").unwrap(),
            (CALLEE, "callee-laptop".to_string())
        );
        assert_eq!(
            r.peer("c1", "callee-laptop").unwrap(),
            (CALLER, "caller-phone".to_string())
        );
        assert_eq!(r.peer("c1", "callee-phone"), Err(Refused::NoSuchCall));
    }

    #[test]
    fn only_the_callee_accepts_or_declines() {
        let (mut r, _) = ringing();
        let now = Instant::now();
        assert_eq!(r.accept("c1", CALLER, "x", now), Err(Refused::NoSuchCall));
        assert_eq!(r.accept("c1", 3, "x", now), Err(Refused::NoSuchCall));
        assert_eq!(r.decline("c1", 3), Err(Refused::NoSuchCall));
        assert_eq!(r.cancel("c1", "callee-phone"), Err(Refused::NoSuchCall));
        assert!(r.decline("c1", CALLEE).is_ok());
        assert!(r.is_empty());
    }

    #[test]
    fn a_user_in_a_call_is_busy_either_way() {
        let (mut r, _) = ringing();
        let busy = r.invite("c2".into(), 11, Media::Video, (3, "x"), CALLEE);
        assert_eq!(busy, Err(Refused::CalleeBusy));
        let busy = r.invite("c3".into(), 11, Media::Video, (CALLER, "y"), 3);
        assert_eq!(busy, Err(Refused::CallerBusy));
        assert_eq!(r.len(), 1);
        r.timeout("c1").unwrap();
        assert!(
            r.invite("c4".into(), 11, Media::Video, (3, "x"), CALLEE)
                .is_ok()
        );
    }

    #[test]
    fn timeout_and_cancel_only_end_a_ringing_call() {
        let (mut r, _) = ringing();
        r.accept("c1", CALLEE, "callee-phone", Instant::now())
            .unwrap();
        assert!(r.timeout("c1").is_none());
        assert_eq!(r.cancel("c1", "caller-phone"), Err(Refused::NotRinging));
        let ended = r.hangup("c1", "callee-phone").unwrap();
        assert!(ended.duration(Instant::now()).is_some());
        assert!(r.is_empty());
    }

    #[test]
    fn hangup_needs_an_answered_call_and_a_device_in_it() {
        let (mut r, _) = ringing();
        assert_eq!(r.hangup("c1", "caller-phone"), Err(Refused::NotRinging));
        assert_eq!(r.hangup("c1", "callee-phone"), Err(Refused::NoSuchCall));
        r.accept("c1", CALLEE, "callee-phone", Instant::now())
            .unwrap();
        assert_eq!(r.hangup("c1", "callee-laptop"), Err(Refused::NoSuchCall));
        assert!(r.hangup("c1", "caller-phone").is_ok());
    }

    #[test]
    fn a_disconnect_ends_only_the_call_of_that_device() {
        let (mut r, _) = ringing();
        // A callee device that was only ringing: the others still ring.
        assert!(r.disconnected(CALLEE, "callee-phone").is_none());
        assert!(r.disconnected(CALLER, "caller-laptop").is_none());
        assert!(r.disconnected(CALLER, "caller-phone").is_some());
        assert!(r.is_empty());

        let (mut r, _) = ringing();
        r.accept("c1", CALLEE, "callee-phone", Instant::now())
            .unwrap();
        assert!(r.disconnected(CALLEE, "callee-laptop").is_none());
        let ended = r.disconnected(CALLEE, "callee-phone").unwrap();
        assert!(!ended.is_ringing());
        assert!(
            r.invite("c2".into(), 1, Media::Audio, (CALLEE, "a"), CALLER)
                .is_ok()
        );
    }

    #[test]
    fn only_a_callee_still_ringing_is_rung_again() {
        let (mut r, _) = ringing();
        assert_eq!(r.ringing_for(CALLEE, None), None, "not announced yet");
        assert!(r.announce("c1"));
        let call = r.ringing_for(CALLEE, None).unwrap();
        assert!(call.announced);
        assert_eq!(r.ringing_for(CALLEE, Some("c1")), Some(call));
        assert_eq!(r.ringing_for(CALLEE, Some("c2")), None);
        assert_eq!(r.ringing_for(CALLER, None), None, "the caller is not rung");
        r.accept("c1", CALLEE, "callee-phone", Instant::now())
            .unwrap();
        assert_eq!(r.ringing_for(CALLEE, None), None, "answered");
        assert!(!r.announce("c1"), "answered: nothing to announce");
        let (mut r, _) = ringing();
        r.announce("c1");
        r.timeout("c1").unwrap();
        assert_eq!(r.ringing_for(CALLEE, None), None, "timed out");
        assert!(!r.announce("c1"));
    }

    #[test]
    fn signals_wait_for_the_answer() {
        let (r, _) = ringing();
        assert_eq!(r.peer("c1", "caller-phone"), Err(Refused::NotRinging));
        assert_eq!(r.peer("nope", "caller-phone"), Err(Refused::NoSuchCall));
    }
}
