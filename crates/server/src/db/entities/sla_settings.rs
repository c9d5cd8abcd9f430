use sea_orm::entity::prelude::*;

/// The desk's SLA settings: one row, `id` 1 (see `tickets::targets`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub urgent_first_minutes: i64,
    pub urgent_resolution_minutes: i64,
    pub high_first_minutes: i64,
    pub high_resolution_minutes: i64,
    pub medium_first_minutes: i64,
    pub medium_resolution_minutes: i64,
    pub low_first_minutes: i64,
    pub low_resolution_minutes: i64,
    pub pending_close_minutes: Option<i64>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
