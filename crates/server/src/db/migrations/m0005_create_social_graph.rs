use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::{big, fk, id, index, str_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum FriendRequests {
    Table,
    Id,
    FromUserId,
    ToUserId,
    Status,
    CreatedAt,
    UpdatedAt,
}

/// One row per direction: (a, b) and (b, a).
#[derive(DeriveIden, Clone)]
pub enum Contacts {
    Table,
    UserId,
    ContactId,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FriendRequests::Table)
                .col(id(FriendRequests::Id))
                .col(big(FriendRequests::FromUserId))
                .col(big(FriendRequests::ToUserId))
                .col(str_col(FriendRequests::Status, 16))
                .col(big(FriendRequests::CreatedAt))
                .col(big(FriendRequests::UpdatedAt))
                .foreign_key(&mut fk(
                    FriendRequests::Table,
                    FriendRequests::FromUserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    FriendRequests::Table,
                    FriendRequests::ToUserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_friend_requests_to",
            FriendRequests::Table,
            &["to_user_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "idx_friend_requests_from",
            FriendRequests::Table,
            &["from_user_id", "status"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(big(Contacts::UserId))
                .col(big(Contacts::ContactId))
                .col(big(Contacts::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(Contacts::UserId)
                        .col(Contacts::ContactId),
                )
                .foreign_key(&mut fk(
                    Contacts::Table,
                    Contacts::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    Contacts::Table,
                    Contacts::ContactId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Blocks::Table)
                .col(big(Blocks::BlockerId))
                .col(big(Blocks::BlockedId))
                .col(big(Blocks::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(Blocks::BlockerId)
                        .col(Blocks::BlockedId),
                )
                .foreign_key(&mut fk(
                    Blocks::Table,
                    Blocks::BlockerId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    Blocks::Table,
                    Blocks::BlockedId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Blocks::Table.into_iden(),
            Contacts::Table.into_iden(),
            FriendRequests::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
