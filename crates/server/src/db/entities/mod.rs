//! SeaORM entities, one per table (see `migrations` for the column types).

pub mod audit_entry;
pub mod block;
pub mod canned_response;
pub mod contact;
pub mod conversation;
pub mod conversation_member;
pub mod file;
pub mod friend_request;
pub mod message;
pub mod message_attachment;
pub mod message_change;
pub mod message_reaction;
pub mod notification;
pub mod refresh_token;
pub mod session;
pub mod sla_settings;
pub mod team;
pub mod team_member;
pub mod team_routing;
pub mod ticket;
pub mod ticket_event;
pub mod ticket_rating;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_endpoint;
