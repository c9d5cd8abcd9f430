use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::m0002_create_conversations_and_messages::Messages;
use super::{big, boolean, fk, id, index, str_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum Files {
    Table,
    Id,
    UploaderId,
    Name,
    ContentType,
    Size,
    /// SHA-256 of the content: the key in the blob store.
    Sha256,
    IsImage,
    HasThumbnail,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum MessageAttachments {
    Table,
    MessageId,
    FileId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Files::Table)
                .col(id(Files::Id))
                .col(big(Files::UploaderId))
                .col(str_col(Files::Name, 255))
                .col(str_col(Files::ContentType, 127))
                .col(big(Files::Size))
                .col(str_col(Files::Sha256, 64))
                .col(boolean(Files::IsImage))
                .col(boolean(Files::HasThumbnail))
                .col(big(Files::CreatedAt))
                .foreign_key(&mut fk(
                    Files::Table,
                    Files::UploaderId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MessageAttachments::Table)
                .col(big(MessageAttachments::MessageId))
                .col(big(MessageAttachments::FileId))
                .primary_key(
                    Index::create()
                        .col(MessageAttachments::MessageId)
                        .col(MessageAttachments::FileId),
                )
                .foreign_key(&mut fk(
                    MessageAttachments::Table,
                    MessageAttachments::MessageId,
                    Messages::Table,
                    Messages::Id,
                ))
                .foreign_key(&mut fk(
                    MessageAttachments::Table,
                    MessageAttachments::FileId,
                    Files::Table,
                    Files::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_attachments_file",
            MessageAttachments::Table,
            &["file_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MessageAttachments::Table).take())
            .await?;
        m.drop_table(Table::drop().table(Files::Table).take()).await
    }
}
