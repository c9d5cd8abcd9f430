//! Integration tests: the real server, a real database (SQLite, PostgreSQL, MariaDB), real HTTP
//! and WebSocket clients.

mod admin;
mod audit;
mod auth;
mod calls;
mod canned;
mod changes;
mod cluster;
mod csat;
mod errors;
mod escalation;
mod exports;
mod files;
mod here;
mod history;
mod invites;
mod ops;
mod push;
mod realtime;
mod routing;
mod search;
mod sla;
mod social;
mod stats;
mod tickets;
mod unread;
mod webhooks;
mod writer;
