//! WebSocket close codes: the one list, each with the reason sent in its close frame.
//! docs/protocol.md's table of close codes is checked against [`ALL`] by a test.

/// Normal close (the client closed, or asked for nothing more).
pub const NORMAL: u16 = 1000;
/// The server is shutting down; in-flight sends were committed and acked first.
pub const GOING_AWAY: u16 = 1001;
/// The client broke the WebSocket protocol.
pub const PROTOCOL_ERROR: u16 = 1002;
/// A text frame that is not UTF-8.
pub const INVALID_TEXT: u16 = 1007;
/// The user already has the most connections allowed.
pub const TOO_MANY_CONNECTIONS: u16 = 1008;
/// A frame larger than the limit (64 KiB).
pub const FRAME_TOO_LARGE: u16 = 1009;
/// The server failed (e.g. the database during authentication): reconnect later.
pub const INTERNAL_ERROR: u16 = 1011;
/// Events may have been missed on their way between nodes: reconnect and `resume`.
pub const RESUME: u16 = 1012;
/// The client stopped reading and its outbound queue filled up: reconnect and `resume`.
pub const SLOW_CONSUMER: u16 = 1013;
/// Bad, expired or revoked token; the user logged out or was disabled.
pub const UNAUTHORIZED: u16 = 4401;
/// No `auth` frame in time.
pub const AUTH_TIMEOUT: u16 = 4408;

/// Every code the server sends.
pub const ALL: [u16; 11] = [
    NORMAL,
    GOING_AWAY,
    PROTOCOL_ERROR,
    INVALID_TEXT,
    TOO_MANY_CONNECTIONS,
    FRAME_TOO_LARGE,
    INTERNAL_ERROR,
    RESUME,
    SLOW_CONSUMER,
    UNAUTHORIZED,
    AUTH_TIMEOUT,
];

/// The reason sent with `code` in the close frame.
pub fn reason(code: u16) -> &'static str {
    match code {
        GOING_AWAY => "going away",
        PROTOCOL_ERROR => "protocol error",
        INVALID_TEXT => "text frame is not UTF-8",
        TOO_MANY_CONNECTIONS => "too many connections",
        FRAME_TOO_LARGE => "frame too large",
        INTERNAL_ERROR => "internal error; reconnect later",
        RESUME => "service restart: reconnect and resume",
        SLOW_CONSUMER => "outbound queue full; reconnect and resume",
        UNAUTHORIZED => "unauthorized",
        AUTH_TIMEOUT => "no auth frame in time",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes in the "Close codes" table of docs/protocol.md.
    fn documented() -> Vec<u16> {
        let doc = include_str!("../../../../docs/protocol.md");
        let table = doc
            .split("### Close codes")
            .nth(1)
            .expect("docs/protocol.md has a Close codes section");
        table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.trim_matches('|').split('|').next()?.trim().parse().ok())
            .collect()
    }

    #[test]
    fn the_protocol_documents_exactly_the_codes_the_server_sends() {
        let mut sent = ALL.to_vec();
        sent.sort_unstable();
        let mut documented = documented();
        documented.sort_unstable();
        assert_eq!(documented, sent);
    }

    #[test]
    fn every_code_but_normal_says_why() {
        for code in ALL.into_iter().filter(|&c| c != NORMAL) {
            assert!(!reason(code).is_empty(), "{code}");
        }
    }
}
