//! Tickets: the permission matrix, live events to exactly the right people, notes that never
//! reach customers, optimistic concurrency, history, SLA clocks, teams and notifications.

mod changes;
mod due_times;
mod opening;
mod queue;
mod visibility;
