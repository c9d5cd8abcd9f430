//! "Do not disturb": a daily quiet period in the push preferences. The tests need no clock of
//! their own: they choose a period around the current minute (or away from it) in the user's
//! local time, and the server compares it with its own clock when it sends.

use super::*;

/// The current minute of the day at `offset` minutes from UTC.
fn local_minute(offset: i32) -> i32 {
    let utc = chrono::Utc::now().timestamp().div_euclid(60);
    (utc + i64::from(offset)).rem_euclid(1440) as i32
}

/// A period of `len` minutes starting `from` minutes after now (negative: before), local time
/// at `offset` (it may cross midnight).
fn period(from: i32, len: i32, offset: i32) -> Value {
    let start = (local_minute(offset) + from).rem_euclid(1440);
    json!({
        "start_minute": start,
        "end_minute": (start + len).rem_euclid(1440),
        "utc_offset_minutes": offset,
    })
}

pub async fn set_quiet(app: &TestApp, user: &TestUser, hide: bool, quiet: Value) -> Value {
    let (status, prefs) = put_json(
        app,
        "/api/v1/push/preferences",
        user,
        json!({"hide_previews": hide, "quiet_hours": quiet}),
    )
    .await;
    assert_eq!(status, 200, "{prefs}");
    prefs
}

/// A period around now: two hours, from an hour ago, in UTC+05:30 (any offset would do; a
/// half-hour one checks that minutes, not hours, are compared).
pub fn around_now() -> Value {
    period(-60, 120, 330)
}

push_test!(
    quiet_hours_hold_back_pushes_while_they_last,
    |app: TestApp, service: PushService| async move {
        let (agent, ana, conversation) = app.agent_and_customer().await;
        let device = Device::new(service.endpoint("ana"));
        assert_eq!(subscribe(&app, &ana, device.subscription()).await.0, 201);

        // Inside her quiet period: the message is stored, nothing reaches her device.
        let quiet = around_now();
        let saved = set_quiet(&app, &ana, false, quiet.clone()).await;
        assert_eq!(saved["quiet_hours"], quiet);
        let (status, read) = app.get("/api/v1/push/preferences", Some(&ana.token)).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!(read, json!({"hide_previews": false, "quiet_hours": quiet}));
        app.send_message(&agent, conversation, "At night").await;
        drained(&app).await;
        assert!(service.web().is_empty(), "pushed in quiet hours");

        // A period that starts in an hour (in UTC−03:00): now is outside it, the push goes out.
        set_quiet(&app, &ana, false, period(60, 600, -180)).await;
        app.send_message(&agent, conversation, "In the morning")
            .await;
        let got = service.wait_web(1).await;
        drained(&app).await;
        assert_eq!(got.len(), 1);
        assert_eq!(device.open(&got[0].body)["body"], "In the morning");

        // No quiet hours (`null`): pushed.
        let cleared = set_quiet(&app, &ana, false, Value::Null).await;
        assert_eq!(cleared["quiet_hours"], Value::Null);
        app.send_message(&agent, conversation, "Any time").await;
        service.wait_web(2).await;
        drained(&app).await;
    }
);

push_test!(
    bad_quiet_hours_are_refused_by_field,
    |app: TestApp, _service: PushService| async move {
        let ana = app.register("Ana").await;
        let good = json!({"start_minute": 1320, "end_minute": 420, "utc_offset_minutes": 60});
        let with = |field: &str, value: Value| {
            let mut q = good.clone();
            q[field] = value;
            q
        };
        for (quiet, field) in [
            (with("start_minute", json!(-1)), "quiet_hours.start_minute"),
            (
                with("start_minute", json!(1440)),
                "quiet_hours.start_minute",
            ),
            (with("end_minute", json!(2000)), "quiet_hours.end_minute"),
            (with("end_minute", json!(1320)), "quiet_hours.end_minute"),
            (
                with("utc_offset_minutes", json!(-780)),
                "quiet_hours.utc_offset_minutes",
            ),
            (
                with("utc_offset_minutes", json!(900)),
                "quiet_hours.utc_offset_minutes",
            ),
        ] {
            let (status, answer) = put_json(
                &app,
                "/api/v1/push/preferences",
                &ana,
                json!({"hide_previews": false, "quiet_hours": quiet}),
            )
            .await;
            assert_eq!(status, 400, "{quiet}: {answer}");
            assert_eq!(answer["error"]["code"], "validation_failed", "{answer}");
            assert!(
                answer["error"]["fields"][field].is_string(),
                "{field}: {answer}"
            );
        }
        // Missing or unknown fields, or not numbers: the body is refused as a whole.
        for quiet in [
            json!({"start_minute": 1320, "end_minute": 420}),
            json!({"start_minute": "22:00", "end_minute": 420, "utc_offset_minutes": 0}),
            with("zone", json!("Europe/Paris")),
        ] {
            let (status, answer) = put_json(
                &app,
                "/api/v1/push/preferences",
                &ana,
                json!({"hide_previews": false, "quiet_hours": quiet}),
            )
            .await;
            assert_eq!(status, 400, "{quiet}: {answer}");
            assert_eq!(answer["error"]["code"], "validation_failed", "{answer}");
            assert!(answer["error"]["fields"]["body"].is_string(), "{answer}");
        }
        // Nothing was stored; a good period is.
        let (_, read) = app.get("/api/v1/push/preferences", Some(&ana.token)).await;
        assert_eq!(read["quiet_hours"], Value::Null, "{read}");
        let saved = set_quiet(&app, &ana, true, good.clone()).await;
        assert_eq!(saved, json!({"hide_previews": true, "quiet_hours": good}));
    }
);
