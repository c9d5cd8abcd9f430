//! Customer satisfaction (one rating per ticket) and the indexes the analytics read by: tickets
//! opened in a range (`created_at`) and closed in a range (`closed_at`), so
//! `GET /admin/stats` reads only the tickets of its window instead of the whole table.

use sea_orm_migration::prelude::*;

use super::m0001_create_users_and_sessions::Users;
use super::m0003_create_teams_and_tickets::Tickets;
use super::{big, fk, index, str_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
pub enum TicketRatings {
    Table,
    /// The ticket rated; its primary key, so a ticket is rated once (a second insert fails on
    /// every database, which the API answers with 409).
    TicketId,
    /// The requester who rated it.
    UserId,
    /// 1 to 5.
    Score,
    /// Up to 1,000 characters, or NULL.
    Comment,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TicketRatings::Table)
                .col(big(TicketRatings::TicketId).primary_key())
                .col(big(TicketRatings::UserId))
                .col(big(TicketRatings::Score))
                .col(str_null(TicketRatings::Comment, 1000))
                .col(big(TicketRatings::CreatedAt))
                .foreign_key(&mut fk(
                    TicketRatings::Table,
                    TicketRatings::TicketId,
                    Tickets::Table,
                    Tickets::Id,
                ))
                .foreign_key(&mut fk(
                    TicketRatings::Table,
                    TicketRatings::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .take(),
        )
        .await?;
        // The CSAT figures of a range: ratings given in it.
        m.create_index(index(
            "idx_ticket_ratings_created",
            TicketRatings::Table,
            &["created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_tickets_created",
            Tickets::Table,
            &["created_at"],
        ))
        .await?;
        m.create_index(index("idx_tickets_closed", Tickets::Table, &["closed_at"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_tickets_created", "idx_tickets_closed"] {
            m.drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(TicketRatings::Table).take())
            .await
    }
}
