//! Support tickets: queue, assignment, status, priority, notes, history and SLA clocks.

pub mod hooks;
pub mod policy;
pub mod routes;
