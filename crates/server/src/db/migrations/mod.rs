//! Schema migrations, one change each, named for what they do. Column types are pinned where the
//! databases differ: times are BIGINT epoch milliseconds (sub-second precision everywhere, no 2038
//! limit), ids are BIGINT, booleans are `boolean`, JSON is stored as text.

use sea_orm_migration::prelude::*;

mod m0001_create_users_and_sessions;
mod m0002_create_conversations_and_messages;
mod m0003_create_teams_and_tickets;
mod m0004_create_notifications;
mod m0005_create_social_graph;
mod m0006_create_files;
mod m0007_add_ticket_pending_clock;
mod m0008_create_canned_responses;
mod m0009_create_message_changes;
mod m0010_create_search_indexes;
mod m0011_create_audit_log;
mod m0012_create_webhooks;
mod m0013_create_sla_settings_and_team_routing;
mod m0014_create_ticket_ratings_and_stats_indexes;
mod m0015_create_push;
mod m0016_add_intake_team;
mod m0017_add_push_quiet_hours;
mod m0018_cover_stats_indexes;
mod m0019_defer_message_search_index;
mod m0020_search_index_own_file;

/// The main database's log of message changes for the search index (`search::index`).
#[cfg(test)]
pub(crate) use m0020_search_index_own_file::CHANGE_LOG as SEARCH_CHANGE_LOG;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_create_users_and_sessions::Migration),
            Box::new(m0002_create_conversations_and_messages::Migration),
            Box::new(m0003_create_teams_and_tickets::Migration),
            Box::new(m0004_create_notifications::Migration),
            Box::new(m0005_create_social_graph::Migration),
            Box::new(m0006_create_files::Migration),
            Box::new(m0007_add_ticket_pending_clock::Migration),
            Box::new(m0008_create_canned_responses::Migration),
            Box::new(m0009_create_message_changes::Migration),
            Box::new(m0010_create_search_indexes::Migration),
            Box::new(m0011_create_audit_log::Migration),
            Box::new(m0012_create_webhooks::Migration),
            Box::new(m0013_create_sla_settings_and_team_routing::Migration),
            Box::new(m0014_create_ticket_ratings_and_stats_indexes::Migration),
            Box::new(m0015_create_push::Migration),
            Box::new(m0016_add_intake_team::Migration),
            Box::new(m0017_add_push_quiet_hours::Migration),
            Box::new(m0018_cover_stats_indexes::Migration),
            Box::new(m0019_defer_message_search_index::Migration),
            Box::new(m0020_search_index_own_file::Migration),
        ]
    }
}

/// BIGINT auto-increment primary key.
pub fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

/// BIGINT NOT NULL: foreign ids, epoch-millisecond times, counters.
pub fn big<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

/// BIGINT NOT NULL DEFAULT 0: a counter or an amount added to a table that has rows.
pub fn big_zero<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .default(0)
        .take()
}

pub fn big_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().take()
}

pub fn str_col<T: IntoIden>(name: T, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).not_null().take()
}

pub fn str_null<T: IntoIden>(name: T, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).null().take()
}

pub fn text<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

pub fn boolean<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .boolean()
        .not_null()
        .default(false)
        .take()
}

pub fn fk<A: IntoIden, B: IntoIden, C: IntoIden, D: IntoIden>(
    from_table: A,
    from_col: B,
    to_table: C,
    to_col: D,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

pub fn index<T: IntoIden + Clone>(
    name: &str,
    table: T,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    stmt
}
