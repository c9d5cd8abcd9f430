//! Conversations and messages: gapless per-conversation sequence numbers, idempotent sends,
//! history pages and read positions. REST and WebSocket both go through `service`.

pub mod access;
pub mod changes;
pub mod routes;
pub mod service;
pub mod sqlite_page;
pub mod store;
pub mod unread;
pub mod view;
