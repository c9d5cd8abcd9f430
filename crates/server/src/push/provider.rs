//! One interface per way of reaching a device: the worker hands a payload and a subscription to
//! the provider of the subscription's kind and acts on the outcome.

use super::SubscriptionKind;
use super::payload::PushPayload;
use crate::db::entities::push_subscription;

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The subscription no longer exists at the push service (404/410, `DeviceNotRegistered`):
    /// it is deleted.
    Gone(String),
    /// Worth trying again later (network, timeouts, 429, 5xx).
    Retry(String),
    /// Will fail the same way every time (a payload refused, a broken subscription): dropped.
    Failed(String),
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    async fn send(&self, sub: &push_subscription::Model, payload: &PushPayload) -> Outcome;
}

pub struct Providers {
    pub webpush: Box<dyn Provider>,
    pub expo: Box<dyn Provider>,
}

impl Providers {
    pub fn of(&self, kind: SubscriptionKind) -> &dyn Provider {
        match kind {
            SubscriptionKind::Webpush => self.webpush.as_ref(),
            SubscriptionKind::Expo => self.expo.as_ref(),
        }
    }
}

/// Sorts an HTTP status the push services answer with.
pub fn by_status(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        404 | 410 => Outcome::Gone(format!("HTTP {status}")),
        408 | 425 | 429 | 500..=599 => Outcome::Retry(format!("HTTP {status}")),
        _ => Outcome::Failed(format!("HTTP {status}")),
    }
}
