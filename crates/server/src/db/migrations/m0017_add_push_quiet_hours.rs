//! "Do not disturb": a daily quiet period in each user's push preferences (`push::quiet`).
//! Three nullable columns, all set or none: the local start and end minutes of the day and the
//! user's offset from UTC in minutes.

use sea_orm_migration::prelude::*;

use super::m0015_create_push::PushPreferences;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The variants name the columns, so they share their prefix.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden, Clone)]
enum QuietHours {
    /// Local minute of the day the period starts (0–1439).
    QuietStartMinute,
    /// Local minute of the day it ends, exclusive; less than the start: it crosses midnight.
    QuietEndMinute,
    /// The user's offset from UTC, in minutes.
    QuietUtcOffsetMinutes,
}

fn minute(name: QuietHours) -> ColumnDef {
    ColumnDef::new(name).integer().null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [
            QuietHours::QuietStartMinute,
            QuietHours::QuietEndMinute,
            QuietHours::QuietUtcOffsetMinutes,
        ] {
            m.alter_table(
                Table::alter()
                    .table(PushPreferences::Table)
                    .add_column(minute(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            QuietHours::QuietUtcOffsetMinutes,
            QuietHours::QuietEndMinute,
            QuietHours::QuietStartMinute,
        ] {
            m.alter_table(
                Table::alter()
                    .table(PushPreferences::Table)
                    .drop_column(column)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
