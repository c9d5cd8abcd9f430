//! Accounts and tokens: passwords, JWT access tokens, rotating refresh tokens, rate limits.

pub mod extractor;
pub mod invite;
pub mod password;
pub mod ratelimit;
pub mod routes;
pub mod service;
pub mod sessions;
pub mod tokens;

pub use extractor::AuthUser;
