//! How friend requests and contacts are shown on the wire.

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::entities::{friend_request, user};
use crate::domain::to_rfc3339;
use crate::users::view::UserSummary;

/// Stored as its snake_case text, like every vocabulary (see [`crate::domain::Role`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FriendRequestView {
    pub id: i64,
    pub from: UserSummary,
    pub to: UserSummary,
    pub status: RequestStatus,
    pub created_at: String,
}

impl FriendRequestView {
    pub fn new(r: &friend_request::Model, from: &user::Model, to: &user::Model) -> Self {
        Self {
            id: r.id,
            from: UserSummary::new(from),
            to: UserSummary::new(to),
            status: r.status,
            created_at: to_rfc3339(r.created_at),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FriendRequestList {
    /// Pending requests sent to you, newest first.
    pub incoming: Vec<FriendRequestView>,
    /// Pending requests you sent, newest first.
    pub outgoing: Vec<FriendRequestView>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactView {
    pub user: UserSummary,
    /// Whether the contact has an open connection right now.
    pub online: bool,
    /// When you became contacts.
    pub since: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactView>,
}
