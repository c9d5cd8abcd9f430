use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::{big, big_null, fk, id, index, str_col, str_null, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum Conversations {
    Table,
    Id,
    Kind,
    /// `min_user_id:max_user_id` for direct conversations, so a pair has exactly one.
    DirectKey,
    LastSeq,
    CreatedAt,
    LastMessageAt,
}

#[derive(DeriveIden, Clone)]
pub enum ConversationMembers {
    Table,
    ConversationId,
    UserId,
    LastReadSeq,
    JoinedAt,
}

#[derive(DeriveIden, Clone)]
pub enum Messages {
    Table,
    Id,
    ConversationId,
    Seq,
    SenderId,
    Kind,
    Body,
    ClientId,
    CreatedAt,
    EditedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Conversations::Table)
                .col(id(Conversations::Id))
                .col(str_col(Conversations::Kind, 16))
                .col(str_null(Conversations::DirectKey, 64).unique_key())
                .col(big(Conversations::LastSeq).default(0))
                .col(big(Conversations::CreatedAt))
                .col(big(Conversations::LastMessageAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ConversationMembers::Table)
                .col(big(ConversationMembers::ConversationId))
                .col(big(ConversationMembers::UserId))
                .col(big(ConversationMembers::LastReadSeq).default(0))
                .col(big(ConversationMembers::JoinedAt))
                .primary_key(
                    Index::create()
                        .col(ConversationMembers::ConversationId)
                        .col(ConversationMembers::UserId),
                )
                .foreign_key(&mut fk(
                    ConversationMembers::Table,
                    ConversationMembers::ConversationId,
                    Conversations::Table,
                    Conversations::Id,
                ))
                .foreign_key(&mut fk(
                    ConversationMembers::Table,
                    ConversationMembers::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_members_user",
            ConversationMembers::Table,
            &["user_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Messages::Table)
                .col(id(Messages::Id))
                .col(big(Messages::ConversationId))
                .col(big(Messages::Seq))
                .col(big(Messages::SenderId))
                .col(str_col(Messages::Kind, 16))
                .col(text(Messages::Body))
                .col(str_col(Messages::ClientId, 36))
                .col(big(Messages::CreatedAt))
                .col(big_null(Messages::EditedAt))
                .foreign_key(&mut fk(
                    Messages::Table,
                    Messages::ConversationId,
                    Conversations::Table,
                    Conversations::Id,
                ))
                .foreign_key(&mut fk(
                    Messages::Table,
                    Messages::SenderId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "uq_messages_conversation_seq",
                Messages::Table,
                &["conversation_id", "seq"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(
            index(
                "uq_messages_sender_client_id",
                Messages::Table,
                &["sender_id", "client_id"],
            )
            .unique()
            .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Messages::Table.into_iden(),
            ConversationMembers::Table.into_iden(),
            Conversations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
