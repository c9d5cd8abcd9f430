//! How a user is shown on the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::user;
use crate::domain::{Role, to_rfc3339};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    /// Present for yourself, and for agents and admins looking at anyone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub avatar_url: String,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UserSummary {
    pub id: i64,
    pub display_name: String,
    pub role: Role,
    pub avatar_url: String,
}

pub fn avatar_url(u: &user::Model) -> String {
    match &u.avatar_key {
        Some(key) => format!(
            "/api/v1/users/{}/avatar?v={}",
            u.id,
            &key[..key.len().min(12)]
        ),
        None => format!("/api/v1/users/{}/avatar", u.id),
    }
}

impl UserView {
    pub fn new(u: &user::Model, show_email: bool) -> Self {
        Self {
            id: u.id,
            email: show_email.then(|| u.email.clone()),
            display_name: u.display_name.clone(),
            role: u.role,
            disabled: u.disabled,
            avatar_url: avatar_url(u),
            created_at: to_rfc3339(u.created_at),
        }
    }
}

impl UserSummary {
    pub fn new(u: &user::Model) -> Self {
        Self {
            id: u.id,
            display_name: u.display_name.clone(),
            role: u.role,
            avatar_url: avatar_url(u),
        }
    }
}
