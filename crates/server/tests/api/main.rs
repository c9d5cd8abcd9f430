//! Integration tests: the real server, a real database (SQLite, PostgreSQL, MariaDB), real HTTP
//! and WebSocket clients.

mod admin;
mod audit;
mod auth;
mod canned;
mod changes;
mod cluster;
mod errors;
mod exports;
mod files;
mod here;
mod history;
mod ops;
mod realtime;
mod search;
mod sla;
mod social;
mod tickets;
mod unread;
mod writer;
