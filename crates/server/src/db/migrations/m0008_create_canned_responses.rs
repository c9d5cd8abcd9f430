//! Canned responses: saved replies an agent inserts with `/shortcut`. Personal ones belong to
//! their agent; shared ones (`owner_id` 0) to the whole desk, managed by admins.

use sea_orm_migration::prelude::*;

use super::{big, id, index, str_col, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum CannedResponses {
    Table,
    Id,
    /// The agent it belongs to, or 0 when shared by the whole desk. A number rather than NULL
    /// so that one unique index keeps shortcuts unique per owner on every database (NULLs
    /// never collide in a unique index).
    OwnerId,
    Shortcut,
    Title,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CannedResponses::Table)
                .col(id(CannedResponses::Id))
                .col(big(CannedResponses::OwnerId))
                .col(str_col(CannedResponses::Shortcut, 32))
                .col(str_col(CannedResponses::Title, 128))
                .col(text(CannedResponses::Body))
                .col(big(CannedResponses::CreatedAt))
                .col(big(CannedResponses::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "idx_canned_responses_owner_shortcut",
                CannedResponses::Table,
                &["owner_id", "shortcut"],
            )
            .unique()
            .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CannedResponses::Table).take())
            .await
    }
}
