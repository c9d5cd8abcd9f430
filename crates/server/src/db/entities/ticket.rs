use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: crate::tickets::domain::Status,
    pub priority: crate::tickets::domain::Priority,
    pub priority_rank: i64,
    pub requester_id: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub tags: String,
    pub conversation_id: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub first_response_due: i64,
    pub resolution_due: i64,
    pub sla_notified: i64,
    /// When the ticket became `pending` (its resolution clock paused); None otherwise.
    pub pending_since: Option<i64>,
    /// Time the resolution clock spent paused in earlier `pending` spells.
    pub sla_paused_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
