use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    pub change_seq: i64,
    pub message_id: i64,
    pub message_seq: i64,
    pub kind: crate::domain::ChangeKind,
    pub actor_id: i64,
    pub body: Option<String>,
    pub previous_body: Option<String>,
    pub emoji: Option<String>,
    pub staff_only: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
