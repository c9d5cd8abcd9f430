//! The audit log: an append-only record of security-relevant and administrative actions (who,
//! what, on what, when, from where). Nothing in the API updates or deletes its rows.

use sea_orm_migration::prelude::*;

use super::{big, big_null, id, index, str_col, str_null, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum AuditLog {
    Table,
    Id,
    CreatedAt,
    /// The user who acted; NULL when nobody is signed in (a failed sign-in).
    ActorId,
    /// The email a failed sign-in tried (the actor is unknown then).
    ActorEmail,
    /// A stable dotted name, e.g. `user.role_changed`.
    Action,
    TargetKind,
    /// Text, so that non-numeric ids (sessions) fit too.
    TargetId,
    /// A small JSON object (old/new values).
    Details,
    /// The client address as the server sees it.
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(id(AuditLog::Id))
                .col(big(AuditLog::CreatedAt))
                .col(big_null(AuditLog::ActorId))
                .col(str_null(AuditLog::ActorEmail, 254))
                .col(str_col(AuditLog::Action, 64))
                .col(str_null(AuditLog::TargetKind, 32))
                .col(str_null(AuditLog::TargetId, 64))
                .col(text(AuditLog::Details))
                .col(str_null(AuditLog::Ip, 45))
                .take(),
        )
        .await?;
        // The filters the admin screen offers, each read newest first (by id).
        for (name, cols) in [
            ("idx_audit_log_created_at", &["created_at"][..]),
            ("idx_audit_log_actor", &["actor_id", "id"][..]),
            ("idx_audit_log_action", &["action", "id"][..]),
            (
                "idx_audit_log_target",
                &["target_kind", "target_id", "id"][..],
            ),
        ] {
            m.create_index(index(name, AuditLog::Table, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).take())
            .await
    }
}
