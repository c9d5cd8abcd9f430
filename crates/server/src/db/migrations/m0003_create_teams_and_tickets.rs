use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::m0002_create_conversations_and_messages::Conversations;
use super::{big, big_null, fk, id, index, str_col, str_null, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum Teams {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum TeamMembers {
    Table,
    TeamId,
    UserId,
}

#[derive(DeriveIden, Clone)]
pub enum Tickets {
    Table,
    Id,
    Number,
    Subject,
    Status,
    Priority,
    /// low 1 … urgent 4: sortable across databases.
    PriorityRank,
    RequesterId,
    AssigneeId,
    TeamId,
    /// JSON array of strings.
    Tags,
    ConversationId,
    Version,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
    FirstResponseAt,
    FirstResponseDue,
    ResolutionDue,
    /// Which SLA notifications were already sent, as bit flags, so each is sent once.
    SlaNotified,
}

#[derive(DeriveIden, Clone)]
pub enum TicketEvents {
    Table,
    Id,
    TicketId,
    ActorId,
    Field,
    OldValue,
    NewValue,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(id(Teams::Id))
                .col(str_col(Teams::Name, 64).unique_key())
                .col(big(Teams::CreatedAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(big(TeamMembers::TeamId))
                .col(big(TeamMembers::UserId))
                .primary_key(
                    Index::create()
                        .col(TeamMembers::TeamId)
                        .col(TeamMembers::UserId),
                )
                .foreign_key(&mut fk(
                    TeamMembers::Table,
                    TeamMembers::TeamId,
                    Teams::Table,
                    Teams::Id,
                ))
                .foreign_key(&mut fk(
                    TeamMembers::Table,
                    TeamMembers::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .col(id(Tickets::Id))
                .col(big(Tickets::Number).unique_key())
                .col(str_col(Tickets::Subject, 200))
                .col(str_col(Tickets::Status, 16))
                .col(str_col(Tickets::Priority, 16))
                .col(big(Tickets::PriorityRank))
                .col(big(Tickets::RequesterId))
                .col(big_null(Tickets::AssigneeId))
                .col(big_null(Tickets::TeamId))
                .col(text(Tickets::Tags))
                .col(big(Tickets::ConversationId).unique_key())
                .col(big(Tickets::Version))
                .col(big(Tickets::CreatedAt))
                .col(big(Tickets::UpdatedAt))
                .col(big_null(Tickets::ClosedAt))
                .col(big_null(Tickets::FirstResponseAt))
                .col(big(Tickets::FirstResponseDue))
                .col(big(Tickets::ResolutionDue))
                .col(big(Tickets::SlaNotified).default(0))
                .foreign_key(&mut fk(
                    Tickets::Table,
                    Tickets::RequesterId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(
                    &mut fk(Tickets::Table, Tickets::AssigneeId, Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull)
                        .take(),
                )
                .foreign_key(
                    &mut fk(Tickets::Table, Tickets::TeamId, Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::SetNull)
                        .take(),
                )
                .foreign_key(&mut fk(
                    Tickets::Table,
                    Tickets::ConversationId,
                    Conversations::Table,
                    Conversations::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_tickets_status_updated",
            Tickets::Table,
            &["status", "updated_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_tickets_requester",
            Tickets::Table,
            &["requester_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_tickets_assignee",
            Tickets::Table,
            &["assignee_id"],
        ))
        .await?;
        m.create_index(index("idx_tickets_team", Tickets::Table, &["team_id"]))
            .await?;
        m.create_table(
            Table::create()
                .table(TicketEvents::Table)
                .col(id(TicketEvents::Id))
                .col(big(TicketEvents::TicketId))
                .col(big(TicketEvents::ActorId))
                .col(str_col(TicketEvents::Field, 32))
                .col(str_null(TicketEvents::OldValue, 255))
                .col(str_null(TicketEvents::NewValue, 255))
                .col(big(TicketEvents::CreatedAt))
                .foreign_key(&mut fk(
                    TicketEvents::Table,
                    TicketEvents::TicketId,
                    Tickets::Table,
                    Tickets::Id,
                ))
                .foreign_key(&mut fk(
                    TicketEvents::Table,
                    TicketEvents::ActorId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_ticket_events_ticket",
            TicketEvents::Table,
            &["ticket_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TicketEvents::Table.into_iden(),
            Tickets::Table.into_iden(),
            TeamMembers::Table.into_iden(),
            Teams::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
