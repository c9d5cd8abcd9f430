//! SLA targets in the database (they were only in `switchboard.toml`, which stays their first
//! value), the desk's auto-close delay for tickets waiting on the customer, and each team's
//! routing rule with its round-robin pointer.

use sea_orm_migration::prelude::*;

use super::{big, big_null, fk, str_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row (`id` 1): the desk's SLA settings. Seeded by the server when the table is empty.
#[derive(DeriveIden, Clone)]
pub enum SlaSettings {
    Table,
    Id,
    /// First-response and resolution targets per priority, in minutes.
    UrgentFirstMinutes,
    UrgentResolutionMinutes,
    HighFirstMinutes,
    HighResolutionMinutes,
    MediumFirstMinutes,
    MediumResolutionMinutes,
    LowFirstMinutes,
    LowResolutionMinutes,
    /// Tickets `pending` this long close themselves; NULL never.
    PendingCloseMinutes,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
pub enum TeamRouting {
    Table,
    TeamId,
    /// `manual`, `round_robin` or `fewest_open`.
    Rule,
    /// Open tickets an agent may hold before routing passes them by; NULL no cap.
    MaxOpen,
    /// An unassigned ticket waiting longer than this escalates; NULL never.
    UnassignedLimitMinutes,
    /// On an SLA breach, after notifying the team: `none`, `raise_priority` or `reassign`.
    OnBreach,
    /// The agent routing assigned last (round-robin goes on after them); 0 none yet.
    LastAgentId,
    /// Bumped by every routing decision: the compare-and-set that makes them one at a time.
    Seq,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SlaSettings::Table)
                .col(
                    ColumnDef::new(SlaSettings::Id)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(big(SlaSettings::UrgentFirstMinutes))
                .col(big(SlaSettings::UrgentResolutionMinutes))
                .col(big(SlaSettings::HighFirstMinutes))
                .col(big(SlaSettings::HighResolutionMinutes))
                .col(big(SlaSettings::MediumFirstMinutes))
                .col(big(SlaSettings::MediumResolutionMinutes))
                .col(big(SlaSettings::LowFirstMinutes))
                .col(big(SlaSettings::LowResolutionMinutes))
                .col(big_null(SlaSettings::PendingCloseMinutes))
                .col(big(SlaSettings::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TeamRouting::Table)
                .col(
                    ColumnDef::new(TeamRouting::TeamId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(str_col(TeamRouting::Rule, 16))
                .col(big_null(TeamRouting::MaxOpen))
                .col(big_null(TeamRouting::UnassignedLimitMinutes))
                .col(str_col(TeamRouting::OnBreach, 16))
                .col(big(TeamRouting::LastAgentId))
                .col(big(TeamRouting::Seq))
                .col(big(TeamRouting::UpdatedAt))
                .foreign_key(&mut fk(
                    TeamRouting::Table,
                    TeamRouting::TeamId,
                    Teams::Table,
                    Teams::Id,
                ))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TeamRouting::Table).take())
            .await?;
        m.drop_table(Table::drop().table(SlaSettings::Table).take())
            .await
    }
}
