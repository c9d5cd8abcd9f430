//! Users: the account as others see it, your own profile, and the admin's user management.

pub mod account;
pub mod admin_create;
pub mod admin_routes;
pub mod routes;
pub mod view;
