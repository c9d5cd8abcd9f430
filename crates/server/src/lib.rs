//! Switchboard: a self-hosted real-time support chat server.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod canned;
pub mod chat;
pub mod config;
pub mod conversations;
pub mod db;
pub mod domain;
pub mod error;
pub mod exports;
pub mod files;
pub mod http;
pub mod notifications;
pub mod presence;
pub mod realtime;
pub mod search;
pub mod seed;
pub mod social;
pub mod startup;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod tickets;
pub mod users;
pub mod webhooks;
