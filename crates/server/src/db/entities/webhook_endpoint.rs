use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    pub secret: String,
    /// Comma separated event types.
    pub events: String,
    pub include_notes: bool,
    pub enabled: bool,
    pub failing_since: Option<i64>,
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Model {
    pub fn subscribes(&self, event: &str) -> bool {
        self.events.split(',').any(|e| e == event)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
