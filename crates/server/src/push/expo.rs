//! The Expo push API (what the Android app's `expo-notifications` token is for): one JSON POST
//! per push to `push_expo_url`. Expo forwards to FCM (Android) and APNs. Its answer is per
//! message: `{"data": [{"status": "ok"}]}`, or `"error"` with `details.error`;
//! `DeviceNotRegistered` means the app was uninstalled or the token is gone.

use serde_json::{Value, json};

use super::payload::PushPayload;
use super::provider::{Outcome, Provider, by_status};
use crate::db::entities::push_subscription;
use crate::error::describe;

pub struct Expo {
    pub client: reqwest::Client,
    /// The operator's setting (not user input): no address check.
    pub url: String,
    /// The TTL of a call's push: how long a call rings.
    pub call_ttl_secs: u64,
}

#[async_trait::async_trait]
impl Provider for Expo {
    async fn send(&self, sub: &push_subscription::Model, payload: &PushPayload) -> Outcome {
        let Some(token) = &sub.token else {
            return Outcome::Gone("expo subscription without a token".into());
        };
        let priority = if payload.is_urgent() {
            "high"
        } else {
            "default"
        };
        let mut message = json!({
            "to": token,
            "title": payload.title,
            "body": payload.body,
            "data": payload,
            "priority": priority,
            "sound": "default",
            "channelId": "default",
        });
        if payload.is_call() {
            // Expo's `ttl` (seconds): not delivered once the call stopped ringing.
            message["ttl"] = json!(self.call_ttl_secs);
        }
        let message = json!([message]);
        let request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(message.to_string());
        let resp = match request.send().await {
            Ok(resp) => resp,
            Err(e) if e.is_timeout() => return Outcome::Retry("timed out".into()),
            Err(e) => return Outcome::Retry(describe(&e)),
        };
        let status = resp.status().as_u16();
        if !resp.status().is_success() {
            return by_status(status);
        }
        let answer = match resp.bytes().await {
            Ok(bytes) => serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string()),
            Err(e) => Err(describe(&e)),
        };
        match answer {
            Ok(answer) => ticket_outcome(&answer),
            Err(e) => Outcome::Retry(format!("unreadable answer: {e}")),
        }
    }
}

/// The outcome of our one message from Expo's answer.
fn ticket_outcome(answer: &Value) -> Outcome {
    let ticket = &answer["data"][0];
    match ticket["status"].as_str() {
        Some("ok") => Outcome::Delivered,
        Some("error") => {
            let code = ticket["details"]["error"].as_str().unwrap_or_default();
            let message = ticket["message"].as_str().unwrap_or_default();
            let text = format!("{code} {message}").trim().to_string();
            match code {
                "DeviceNotRegistered" => Outcome::Gone(text),
                "MessageRateExceeded" => Outcome::Retry(text),
                _ => Outcome::Failed(text),
            }
        }
        _ => Outcome::Retry(format!("unexpected answer: {answer}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expo_answers_are_sorted() {
        assert_eq!(
            ticket_outcome(&json!({"data": [{"status": "ok", "id": "x"}]})),
            Outcome::Delivered
        );
        assert!(matches!(
            ticket_outcome(
                &json!({"data": [{"status": "error", "message": "gone", "details": {"error": "DeviceNotRegistered"}}]})
            ),
            Outcome::Gone(_)
        ));
        assert!(matches!(
            ticket_outcome(
                &json!({"data": [{"status": "error", "details": {"error": "MessageRateExceeded"}}]})
            ),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            ticket_outcome(
                &json!({"data": [{"status": "error", "details": {"error": "MessageTooBig"}}]})
            ),
            Outcome::Failed(_)
        ));
        assert!(matches!(
            ticket_outcome(&json!({"errors": []})),
            Outcome::Retry(_)
        ));
    }
}
