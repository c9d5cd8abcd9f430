//! Support tickets: queue, assignment, status, priority, notes, history and SLA clocks.

pub mod change;
pub mod csat;
pub mod domain;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod follow;
pub mod policy;
pub mod query;
pub mod routes;
pub mod routing;
pub mod service;
pub mod sla;
pub mod targets;
pub mod teams;
pub mod view;
