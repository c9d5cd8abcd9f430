//! The analytics read tickets by when they were created and when they were closed. The plain
//! `created_at` and `closed_at` indexes (m0014) find a window's tickets, but every query then
//! looked each one up in the table for its team, assignee and times: one random read per
//! ticket, twenty queries a report (a year's window: 100,000 look-ups each). These two indexes
//! carry the columns the queries read, so a report scans two indexes in order and never the
//! table (BENCHMARKS.md, "Analytics").

use sea_orm_migration::prelude::*;

use super::index;
use super::m0003_create_teams_and_tickets::Tickets;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tickets opened in a window: counts, first-response attainment and durations.
const OPENED: &[&str] = &[
    "created_at",
    "team_id",
    "assignee_id",
    "first_response_at",
    "first_response_due",
    "closed_at",
];
/// Tickets closed in a window (and the backlog: closed after a moment): counts, resolution
/// attainment and durations.
const CLOSED: &[&str] = &[
    "closed_at",
    "created_at",
    "team_id",
    "assignee_id",
    "resolution_due",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("idx_tickets_opened_stats", Tickets::Table, OPENED))
            .await?;
        m.create_index(index("idx_tickets_closed_stats", Tickets::Table, CLOSED))
            .await?;
        // The narrower ones are prefixes of these: every query they served, these serve.
        for name in ["idx_tickets_created", "idx_tickets_closed"] {
            m.drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "idx_tickets_created",
            Tickets::Table,
            &["created_at"],
        ))
        .await?;
        m.create_index(index("idx_tickets_closed", Tickets::Table, &["closed_at"]))
            .await?;
        for name in ["idx_tickets_opened_stats", "idx_tickets_closed_stats"] {
            m.drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
