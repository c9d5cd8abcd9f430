//! Property tests: the WebSocket frame decoder, request validation and cursor parsing never
//! panic, whatever the input, and what they accept obeys their documented rules.
//! `PROPTEST_CASES` raises the number of cases (scripts/soak.sh does).

use proptest::prelude::*;
use serde_json::{Value, json};
use switchboard::domain::{DisplayName, Email, Password};
use switchboard::realtime::events::ClientFrame;
use switchboard::tickets::domain::{parse_subject, parse_tags};
use switchboard::tickets::query::decode_cursor;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".*".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects that look like frames: a real type and real field names with random values.
fn frame_like() -> impl Strategy<Value = Value> {
    let types = prop::sample::select(vec![
        "auth", "send", "resume", "typing", "read", "ping", "ack", "Auth", "", "send ",
    ]);
    let fields = prop::collection::btree_map(
        prop::sample::select(vec![
            "token",
            "conversation_id",
            "client_id",
            "body",
            "kind",
            "attachment_ids",
            "positions",
            "seq",
            "nonce",
            "type",
            "extra",
        ]),
        any_json(),
        0..6,
    );
    (types, fields).prop_map(|(t, fields)| {
        let mut obj: serde_json::Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        obj.insert("type".into(), json!(t));
        Value::Object(obj)
    })
}

proptest! {
    #[test]
    fn frame_decoder_never_panics_on_text(s in ".*") {
        let _ = serde_json::from_str::<ClientFrame>(&s);
    }

    #[test]
    fn frame_decoder_never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<ClientFrame>(&b);
    }

    #[test]
    fn frame_decoder_never_panics_on_json(v in any_json()) {
        let _ = serde_json::from_str::<ClientFrame>(&v.to_string());
        let _ = serde_json::from_value::<ClientFrame>(v);
    }

    #[test]
    fn frame_decoder_never_panics_on_frame_like_objects(v in frame_like()) {
        let text = v.to_string();
        if let Ok(frame) = serde_json::from_str::<ClientFrame>(&text) {
            // What it accepts is well-typed.
            if let ClientFrame::Send { client_id, .. } = &frame {
                prop_assert!(v["client_id"].as_str() == Some(client_id.as_str()));
            }
            let _ = format!("{frame:?}");
        }
    }

    #[test]
    fn emails_are_normalised_and_idempotent(s in ".{0,300}") {
        if let Ok(e) = Email::parse(&s) {
            let e2 = Email::parse(e.as_str()).expect("a parsed email parses again");
            prop_assert_eq!(e2.as_str(), e.as_str());
            prop_assert_eq!(e.as_str().matches('@').count(), 1);
            prop_assert!(!e.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
            prop_assert!(e.as_str().len() <= 254);
        }
    }

    #[test]
    fn emails_like_addresses(local in "[a-zA-Z0-9._%+-]{1,30}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
        let raw = format!("  {local}@{domain} ");
        let e = Email::parse(&raw).expect("a plain address is valid");
        prop_assert_eq!(e.as_str(), format!("{local}@{domain}").to_lowercase());
    }

    #[test]
    fn display_names_are_bounded(s in ".{0,100}") {
        if let Ok(n) = DisplayName::parse(&s) {
            let len = n.as_str().chars().count();
            prop_assert!((1..=64).contains(&len));
            prop_assert!(!n.as_str().chars().any(char::is_control));
            prop_assert_eq!(n.as_str(), n.as_str().trim());
        }
    }

    #[test]
    fn passwords_are_kept_exactly(s in ".{0,200}") {
        let len = s.chars().count();
        match Password::parse(s.clone()) {
            Ok(p) => {
                prop_assert!((8..=128).contains(&len));
                prop_assert_eq!(p.expose(), s.as_str());
            }
            Err(_) => prop_assert!(!(8..=128).contains(&len)),
        }
    }

    #[test]
    fn subjects_are_bounded(s in ".{0,300}") {
        if let Ok(subject) = parse_subject(&s) {
            let len = subject.chars().count();
            prop_assert!((1..=200).contains(&len));
            prop_assert!(!subject.chars().any(char::is_control));
            prop_assert_eq!(subject.as_str(), subject.trim());
        }
    }

    #[test]
    fn tags_are_normalised(raw in prop::collection::vec(".{0,40}", 0..30)) {
        if let Ok(tags) = parse_tags(&raw) {
            prop_assert!(tags.len() <= 20);
            prop_assert!(tags.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
            for t in &tags {
                let len = t.chars().count();
                prop_assert!((1..=32).contains(&len) && !t.contains(','));
            }
        }
    }

    #[test]
    fn cursors_never_panic(s in ".{0,100}") {
        let _ = decode_cursor(&s);
    }

    #[test]
    fn cursors_never_panic_on_base64_of_anything(s in ".{0,100}") {
        let _ = decode_cursor(&crate::b64(s.as_bytes()));
    }

    #[test]
    fn cursors_round_trip(a in any::<i64>(), b in any::<i64>(), c in any::<i64>()) {
        let cursor = crate::b64(format!("{a}:{b}:{c}").as_bytes());
        prop_assert_eq!(decode_cursor(&cursor).ok(), Some((a, b, c)));
    }
}

#[test]
fn deeply_nested_frames_are_an_error_not_a_stack_overflow() {
    for depth in [100, 1_000, 100_000] {
        let text = "[".repeat(depth) + &"]".repeat(depth);
        assert!(serde_json::from_str::<ClientFrame>(&text).is_err());
        let obj = "{\"type\":".repeat(depth) + "1" + &"}".repeat(depth);
        assert!(serde_json::from_str::<ClientFrame>(&obj).is_err());
    }
}
