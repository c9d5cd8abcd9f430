use sea_orm::entity::prelude::*;

/// A user's push preferences; no row means the defaults.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub hide_previews: bool,
    /// "Do not disturb" (`push::quiet`): all three set, or none.
    pub quiet_start_minute: Option<i32>,
    pub quiet_end_minute: Option<i32>,
    pub quiet_utc_offset_minutes: Option<i32>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
