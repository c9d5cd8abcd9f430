//! Validated newtypes and small enums shared by every domain. A handler never works with an
//! unvalidated string: it parses into one of these first.

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// RFC 3339 with milliseconds, as every time is shown on the wire.
pub fn to_rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Stored as the same snake_case text it has on the wire: `DeriveActiveEnum` maps the column,
/// serde the JSON, so there is no string table to keep in step and the compiler checks every
/// match. The other stored vocabularies below follow the same pattern.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    Admin,
}

impl Role {
    /// Agents and admins work tickets and see internal notes.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Admin)
    }
}

/// A direct conversation between two users, or the conversation of a ticket.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Direct,
    Ticket,
}

/// What a message is: written by a user, an internal note (staff only), or written by the
/// server about a ticket's change.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Note,
    System,
}

/// What happened to a stored message: each takes the conversation's next change number.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Edited,
    Deleted,
    ReactionAdded,
    ReactionRemoved,
}

/// A stored vocabulary's text: what the column holds and the wire shows.
pub fn text_of<E: sea_orm::ActiveEnum<Value = String>>(value: E) -> String {
    value.to_value()
}

/// Parses a stored vocabulary from its text (query parameters, the command line).
pub fn parse_text<E: sea_orm::ActiveEnum<Value = String>>(raw: &str) -> Option<E> {
    E::try_from_value(&raw.to_owned()).ok()
}

/// A lower-cased, trimmed email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, AppError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(email))
        } else {
            Err(AppError::field("email", "not a valid email address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 1 to 64 characters after trimming, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, AppError> {
        let name = raw.trim();
        let len = name.chars().count();
        if len == 0 || len > 64 {
            return Err(AppError::field(
                "display_name",
                "must be 1 to 64 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::field(
                "display_name",
                "must not contain control characters",
            ));
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 8 to 128 characters, taken as given (never trimmed or truncated).
pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Password, AppError> {
        let len = raw.chars().count();
        if !(8..=128).contains(&len) {
            return Err(AppError::field("password", "must be 8 to 128 characters"));
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "@x.com",
            "ana@",
            "a b@x.com",
            "ana@.com",
            "a@b@c",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_names_are_bounded() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse(&"x".repeat(65)).is_err());
        assert_eq!(DisplayName::parse(" Ana ").unwrap().as_str(), "Ana");
    }

    #[test]
    fn passwords_are_bounded_but_not_trimmed() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("x".repeat(129)).is_err());
        assert_eq!(
            Password::parse(" 12345678 ".into()).unwrap().expose(),
            " 12345678 "
        );
    }
}
