//! HTTP plumbing shared by every route: extractors, middleware, operations endpoints, docs.

pub mod docs;
pub mod extract;
pub mod middleware;
pub mod ops;
pub mod web;
