//! The `pending` status ("waiting on customer") pauses the resolution clock: when it started, and
//! how long the clock has been paused before (so a priority change keeps the paused time).

use sea_orm_migration::prelude::*;

use super::m0003_create_teams_and_tickets::Tickets;
use super::{big_null, big_zero, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum PendingClock {
    /// Epoch ms at which the ticket became `pending`; NULL otherwise.
    PendingSince,
    /// Milliseconds the resolution clock spent paused in earlier `pending` spells.
    SlaPausedMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(big_null(PendingClock::PendingSince))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(big_zero(PendingClock::SlaPausedMs))
                .take(),
        )
        .await?;
        // The SLA sweep's `… due <= soon` ranges (an OR of the two: each side uses its index).
        // `sort=sla` orders by a CASE over both, which no index serves: it sorts the filtered
        // tickets.
        m.create_index(index(
            "idx_tickets_first_response_due",
            Tickets::Table,
            &["first_response_due"],
        ))
        .await?;
        m.create_index(index(
            "idx_tickets_resolution_due",
            Tickets::Table,
            &["resolution_due"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_tickets_first_response_due",
            "idx_tickets_resolution_due",
        ] {
            m.drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        for col in [PendingClock::PendingSince, PendingClock::SlaPausedMs] {
            m.alter_table(Table::alter().table(Tickets::Table).drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
