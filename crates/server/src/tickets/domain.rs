//! Ticket vocabulary: statuses, priorities, validated subjects and tags.

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::SlaTargets;
use crate::error::AppError;

/// Stored as its snake_case text, like every vocabulary (see [`crate::domain::Role`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    InProgress,
    /// Waiting on the customer: the resolution clock is paused; the customer's next message
    /// turns the ticket back to `open`.
    Pending,
    Closed,
}

impl Status {
    /// Words for system messages: "Ana changed the status to in progress".
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in progress",
            Status::Pending => "waiting on the customer",
            Status::Closed => "closed",
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// Stored beside the name so every database can sort by it.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
            Priority::Urgent => 4,
        }
    }

    /// First-response and resolution targets, in milliseconds.
    pub fn targets_ms(self, sla: &SlaTargets) -> (i64, i64) {
        let [first, resolve] = match self {
            Priority::Low => sla.low,
            Priority::Medium => sla.medium,
            Priority::High => sla.high,
            Priority::Urgent => sla.urgent,
        };
        (first * 60_000, resolve * 60_000)
    }
}

/// 1 to 200 characters after trimming.
pub fn parse_subject(raw: &str) -> Result<String, AppError> {
    let subject = raw.trim();
    let len = subject.chars().count();
    if len == 0 || len > 200 || subject.chars().any(char::is_control) {
        return Err(AppError::field("subject", "must be 1 to 200 characters"));
    }
    Ok(subject.to_string())
}

/// At most 20 tags of 1 to 32 characters; trimmed, lower-cased, de-duplicated, sorted.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, AppError> {
    let mut tags: Vec<String> = raw.iter().map(|t| t.trim().to_lowercase()).collect();
    tags.sort();
    tags.dedup();
    if tags.len() > 20
        || tags
            .iter()
            .any(|t| t.is_empty() || t.chars().count() > 32 || t.contains(','))
    {
        return Err(AppError::field(
            "tags",
            "at most 20 tags of 1 to 32 characters, no commas",
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_tags_are_validated() {
        assert!(parse_subject("  ").is_err());
        assert!(parse_subject(&"x".repeat(201)).is_err());
        assert_eq!(
            parse_subject(" Printer on fire ").unwrap(),
            "Printer on fire"
        );
        assert_eq!(
            parse_tags(&["B".into(), "a".into(), "b".into()]).unwrap(),
            vec!["a", "b"]
        );
        assert!(parse_tags(&["".into()]).is_err());
    }

    #[test]
    fn sla_targets_follow_priority() {
        let sla = SlaTargets::default();
        assert_eq!(
            Priority::Urgent.targets_ms(&sla),
            (3_600_000, 8 * 3_600_000)
        );
        assert_eq!(
            Priority::Low.targets_ms(&sla),
            (24 * 3_600_000, 5 * 24 * 3_600_000)
        );
        assert!(Priority::Urgent.rank() > Priority::Low.rank());
    }
}
