//! The intake team: the one team new customer tickets open in, so its routing rule assigns them
//! at once. A flag on the team's routing row: deleting the team deletes the row, and with it
//! the intake (tickets then open without a team, as before).

use sea_orm_migration::prelude::*;

use super::boolean;
use super::m0013_create_sla_settings_and_team_routing::TeamRouting;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Intake {
    /// New customer tickets open in this team (at most one row is true).
    Intake,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TeamRouting::Table)
                .add_column(boolean(Intake::Intake))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TeamRouting::Table)
                .drop_column(Intake::Intake)
                .take(),
        )
        .await
    }
}
