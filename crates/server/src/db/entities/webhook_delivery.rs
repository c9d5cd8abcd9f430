use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub order_key: String,
    pub payload: String,
    pub status: crate::webhooks::DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: i64,
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub latency_ms: Option<i64>,
    pub created_at: i64,
    pub last_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
