//! Push notifications: the devices' subscriptions, the outbox of pushes, each user's push
//! preferences and muted conversations. An outbox row is written in the transaction of the change it announces (a
//! message, an assignment), so a crash neither loses a push nor invents one; the push worker
//! (`push::worker`) sends it afterwards and deletes it.

use sea_orm_migration::prelude::*;

use super::{big, big_null, big_zero, boolean, id, index, str_col, str_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum PushSubscriptions {
    Table,
    Id,
    UserId,
    /// The session that registered it: logging that session out removes it.
    SessionId,
    /// `webpush` or `expo`.
    Kind,
    /// SHA-256 (hex) of the endpoint or token: unique, so registering again is idempotent
    /// (an endpoint is up to 2048 characters, too long for a unique index on MySQL).
    DeviceKey,
    /// Web Push: the push service URL.
    Endpoint,
    /// Web Push: the browser's P-256 public key (base64url, uncompressed point).
    P256dh,
    /// Web Push: the 16-byte authentication secret (base64url).
    Auth,
    /// Expo: the device's push token.
    Token,
    CreatedAt,
    UpdatedAt,
}

/// No foreign key to the subscriptions: the worker drops rows whose subscription is gone (a
/// subscription removed between the queueing and the send).
#[derive(DeriveIden, Clone)]
pub enum PushDeliveries {
    Table,
    Id,
    SubscriptionId,
    UserId,
    /// `message`, `ticket_assigned`, `mention`, `ticket_reply`.
    Kind,
    Title,
    /// The message text (cut); left out at send time when the user hides previews.
    Body,
    ConversationId,
    TicketId,
    Attempts,
    NextAttemptAt,
    /// A worker owns the row until then.
    LeaseUntil,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum PushPreferences {
    Table,
    UserId,
    /// Pushes carry no message text nor ticket subject.
    HidePreviews,
    UpdatedAt,
}

/// A conversation whose messages and replies a user does not want pushed (mentions and
/// assignments still are).
#[derive(DeriveIden, Clone)]
pub enum PushMutes {
    Table,
    UserId,
    ConversationId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PushSubscriptions::Table)
                .col(id(PushSubscriptions::Id))
                .col(big(PushSubscriptions::UserId))
                .col(str_col(PushSubscriptions::SessionId, 36))
                .col(str_col(PushSubscriptions::Kind, 16))
                .col(str_col(PushSubscriptions::DeviceKey, 64))
                .col(str_null(PushSubscriptions::Endpoint, 2048))
                .col(str_null(PushSubscriptions::P256dh, 128))
                .col(str_null(PushSubscriptions::Auth, 64))
                .col(str_null(PushSubscriptions::Token, 255))
                .col(big(PushSubscriptions::CreatedAt))
                .col(big(PushSubscriptions::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "idx_push_subscriptions_device_key",
                PushSubscriptions::Table,
                &["device_key"],
            )
            .unique()
            .take(),
        )
        .await?;
        // The writer's look-up: the subscriptions of the offline recipients.
        m.create_index(
            index(
                "idx_push_subscriptions_user",
                PushSubscriptions::Table,
                &["user_id", "session_id"],
            )
            .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PushDeliveries::Table)
                .col(id(PushDeliveries::Id))
                .col(big(PushDeliveries::SubscriptionId))
                .col(big(PushDeliveries::UserId))
                .col(str_col(PushDeliveries::Kind, 32))
                .col(str_col(PushDeliveries::Title, 255))
                .col(str_col(PushDeliveries::Body, 1000))
                .col(big_null(PushDeliveries::ConversationId))
                .col(big_null(PushDeliveries::TicketId))
                .col(big_zero(PushDeliveries::Attempts))
                .col(big(PushDeliveries::NextAttemptAt))
                .col(big_zero(PushDeliveries::LeaseUntil))
                .col(str_null(PushDeliveries::LastError, 255))
                .col(big(PushDeliveries::CreatedAt))
                .take(),
        )
        .await?;
        // The worker's scan: rows that are due.
        m.create_index(
            index(
                "idx_push_deliveries_due",
                PushDeliveries::Table,
                &["next_attempt_at"],
            )
            .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PushPreferences::Table)
                .col(big(PushPreferences::UserId).primary_key())
                .col(boolean(PushPreferences::HidePreviews))
                .col(big(PushPreferences::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PushMutes::Table)
                .col(big(PushMutes::UserId))
                .col(big(PushMutes::ConversationId))
                .col(big(PushMutes::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(PushMutes::UserId)
                        .col(PushMutes::ConversationId),
                )
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PushMutes::Table).take())
            .await?;
        m.drop_table(Table::drop().table(PushPreferences::Table).take())
            .await?;
        m.drop_table(Table::drop().table(PushDeliveries::Table).take())
            .await?;
        m.drop_table(Table::drop().table(PushSubscriptions::Table).take())
            .await
    }
}
