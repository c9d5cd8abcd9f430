use sea_orm::entity::prelude::*;

/// A team's routing rule (see `tickets::routing`); no row means `manual`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "team_routing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub team_id: i64,
    pub rule: crate::tickets::routing::RoutingRule,
    pub max_open: Option<i64>,
    pub unassigned_limit_minutes: Option<i64>,
    pub on_breach: crate::tickets::routing::OnBreach,
    pub last_agent_id: i64,
    pub seq: i64,
    pub updated_at: i64,
    /// New customer tickets open in this team (see `tickets::routing::intake`).
    pub intake: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
