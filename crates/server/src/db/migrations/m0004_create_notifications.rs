use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::{big, big_null, boolean, fk, id, index, str_col, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    TicketId,
    ConversationId,
    Read,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(id(Notifications::Id))
                .col(big(Notifications::UserId))
                .col(str_col(Notifications::Kind, 32))
                .col(str_col(Notifications::Title, 255))
                .col(text(Notifications::Body))
                .col(big_null(Notifications::TicketId))
                .col(big_null(Notifications::ConversationId))
                .col(boolean(Notifications::Read))
                .col(big(Notifications::CreatedAt))
                .foreign_key(&mut fk(
                    Notifications::Table,
                    Notifications::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_notifications_user",
            Notifications::Table,
            &["user_id", "id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).take())
            .await
    }
}
