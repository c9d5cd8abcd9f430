//! Messages change after they are stored: edits, deletions (a tombstone keeps the seq),
//! reactions, and replies that point at another message. Every change of a conversation takes
//! the next `last_change` (1, 2, 3 … per conversation, beside `last_seq`), so a client that
//! reconnects replays the changes it missed exactly like the messages.

use sea_orm_migration::prelude::*;

use super::m0002_create_conversations_and_messages::{Conversations, Messages};
use super::{big, big_null, boolean, id, index, str_col, str_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Added {
    /// The conversation's last change number (0: none yet).
    LastChange,
    /// Epoch ms of the deletion; the body is then '' and the attachments are gone.
    DeletedAt,
    /// The message this one answers (same conversation), and its seq, fixed when sent.
    ReplyToId,
    ReplyToSeq,
}

#[derive(DeriveIden, Clone)]
pub enum MessageChanges {
    Table,
    Id,
    ConversationId,
    /// 1, 2, 3 … per conversation, in commit order.
    ChangeSeq,
    MessageId,
    MessageSeq,
    /// `edited`, `deleted`, `reaction_added`, `reaction_removed`.
    Kind,
    ActorId,
    /// An edit's new text, and the text it replaced (both emptied when the message is deleted).
    Body,
    PreviousBody,
    Emoji,
    /// The message is an internal note: its changes reach staff only.
    StaffOnly,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum MessageReactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Conversations::Table)
                .add_column(
                    ColumnDef::new(Added::LastChange)
                        .big_integer()
                        .not_null()
                        .default(0)
                        .take(),
                )
                .take(),
        )
        .await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [Added::DeletedAt, Added::ReplyToId, Added::ReplyToSeq] {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_null(column))
                    .take(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(MessageChanges::Table)
                .col(id(MessageChanges::Id))
                .col(big(MessageChanges::ConversationId))
                .col(big(MessageChanges::ChangeSeq))
                .col(big(MessageChanges::MessageId))
                .col(big(MessageChanges::MessageSeq))
                .col(str_col(MessageChanges::Kind, 32))
                .col(big(MessageChanges::ActorId))
                .col(ColumnDef::new(MessageChanges::Body).text().null().take())
                .col(
                    ColumnDef::new(MessageChanges::PreviousBody)
                        .text()
                        .null()
                        .take(),
                )
                .col(str_null(MessageChanges::Emoji, 64))
                .col(boolean(MessageChanges::StaffOnly))
                .col(big(MessageChanges::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "idx_message_changes_conversation_seq",
                MessageChanges::Table,
                &["conversation_id", "change_seq"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "idx_message_changes_message",
            MessageChanges::Table,
            &["message_id", "change_seq"],
        ))
        .await?;
        let emoji = if m.get_database_backend() == sea_orm::DbBackend::MySql {
            // MariaDB's default collations weigh every character outside the BMP alike: 🎉
            // would equal 👍 in the primary key. Emoji compare by their bytes.
            ColumnDef::new(MessageReactions::Emoji)
                .custom(Alias::new(
                    "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                ))
                .not_null()
                .take()
        } else {
            str_col(MessageReactions::Emoji, 64)
        };
        m.create_table(
            Table::create()
                .table(MessageReactions::Table)
                .col(big(MessageReactions::MessageId))
                .col(big(MessageReactions::UserId))
                .col(emoji)
                .col(big(MessageReactions::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(MessageReactions::MessageId)
                        .col(MessageReactions::UserId)
                        .col(MessageReactions::Emoji),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MessageReactions::Table).take())
            .await?;
        m.drop_table(Table::drop().table(MessageChanges::Table).take())
            .await?;
        for column in [Added::ReplyToSeq, Added::ReplyToId, Added::DeletedAt] {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(column)
                    .take(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Conversations::Table)
                .drop_column(Added::LastChange)
                .take(),
        )
        .await
    }
}
