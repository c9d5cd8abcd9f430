//! Help-desk analytics for admins (`GET /api/v1/admin/stats`): tickets opened and closed per
//! day, the backlog, first-response and resolution times (median, p90), SLA attainment and
//! CSAT, in total and per agent and per team. Every figure is computed by the database (one
//! grouped query per figure and breakdown, the same SQL on SQLite, PostgreSQL and MariaDB) over
//! the tickets of the window, which the `created_at` and `closed_at` indexes find.
//! The definitions are in README.md, "Analytics".

pub mod range;
pub mod routes;
pub mod sql;
pub mod view;

pub use routes::router;
