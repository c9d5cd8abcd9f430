//! Exports: a user's own data as a zip archive, and a ticket's transcript for admins. Both are
//! recorded in the audit log (`export.user_data`, `export.ticket`).

mod archive;
pub mod routes;
pub mod ticket;
pub mod user_data;

pub use routes::router;
