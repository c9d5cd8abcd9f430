use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "canned_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The agent it belongs to; [`SHARED`] for the whole desk.
    pub owner_id: i64,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `owner_id` of a response shared by the whole desk.
pub const SHARED: i64 = 0;

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
