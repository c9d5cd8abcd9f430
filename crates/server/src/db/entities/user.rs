use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: crate::domain::Role,
    pub disabled: bool,
    pub avatar_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A user's id and display name, read by column name (safe on every connection, the chat
/// writer's SQLite proxy included: `db::sqlite_writer`).
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct Name {
    pub id: i64,
    pub display_name: String,
}
