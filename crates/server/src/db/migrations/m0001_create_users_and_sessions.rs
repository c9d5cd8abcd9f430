use sea_orm_migration::prelude::*;

use super::{big, big_null, boolean, fk, id, index, str_col, str_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    Role,
    Disabled,
    AvatarKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone)]
pub enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id(Users::Id))
                .col(str_col(Users::Email, 254).unique_key())
                .col(str_col(Users::DisplayName, 64))
                .col(str_col(Users::PasswordHash, 255))
                .col(str_col(Users::Role, 16))
                .col(boolean(Users::Disabled))
                .col(str_null(Users::AvatarKey, 64))
                .col(big(Users::CreatedAt))
                .col(big(Users::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_users_display_name",
            Users::Table,
            &["display_name"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(str_col(Sessions::Id, 36).primary_key())
                .col(big(Sessions::UserId))
                .col(big(Sessions::CreatedAt))
                .col(big(Sessions::ExpiresAt))
                .col(big_null(Sessions::RevokedAt))
                .foreign_key(&mut fk(
                    Sessions::Table,
                    Sessions::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("idx_sessions_user", Sessions::Table, &["user_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(id(RefreshTokens::Id))
                .col(str_col(RefreshTokens::SessionId, 36))
                .col(str_col(RefreshTokens::TokenHash, 64).unique_key())
                .col(big(RefreshTokens::CreatedAt))
                .col(big_null(RefreshTokens::UsedAt))
                .foreign_key(&mut fk(
                    RefreshTokens::Table,
                    RefreshTokens::SessionId,
                    Sessions::Table,
                    Sessions::Id,
                ))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
