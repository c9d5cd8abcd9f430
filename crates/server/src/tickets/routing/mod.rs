//! Routing: who gets a ticket that enters a team unassigned. Each team has a rule (`manual`,
//! `round_robin`, `fewest_open`), an optional cap of open tickets per agent, an optional limit
//! on how long a ticket may wait unassigned before it escalates, and what an SLA breach does
//! beyond notifying the team.
//!
//! Only the team's agents and admins who are online (an open WebSocket on any node, see
//! `realtime::Realtime::is_online`), not disabled and under the cap are considered. When no one
//! is, the ticket stays unassigned in the team's queue; it is not routed again later by itself
//! (the queue is there for people to pick from) and escalates once past the team's limit.
//!
//! One team may be the desk's intake: new customer tickets open in it (instead of with no team)
//! and are routed by its rule the moment they are created.

pub mod assign;
pub mod escalate;
pub mod routes;

/// The intake team, if an admin named one: the flagged routing row set last whose team still
/// exists (the row goes with its team).
pub async fn intake_team(db: &impl sea_orm::ConnectionTrait) -> Result<Option<i64>, DbErr> {
    use crate::db::entities::team_routing;
    use sea_orm::QueryOrder;
    Ok(team_routing::Entity::find()
        .filter(team_routing::Column::Intake.eq(true))
        .order_by_desc(team_routing::Column::UpdatedAt)
        .one(db)
        .await?
        .map(|row| row.team_id))
}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RoutingRule {
    /// Nobody is assigned automatically.
    Manual,
    /// In turn, by agent id, going on after the agent assigned last.
    RoundRobin,
    /// The agent with the fewest open (not closed) assigned tickets; ties in turn.
    FewestOpen,
}

/// What an SLA breach does beyond notifying the team (once per breach).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OnBreach {
    /// Only the notification.
    Notify,
    /// Raise the priority one step (up to urgent).
    RaisePriority,
    /// Hand the ticket to another online agent of the team, by the team's rule (round-robin
    /// when the rule is manual).
    Reassign,
}

/// An agent routing may pick: their id and how many open tickets they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub open: i64,
}

/// Picks the agent for the next ticket. `candidates`: the online agents of the team, any
/// order; `last`: the agent routing picked last (round-robin goes on after them); `cap`: the
/// most open tickets an agent may hold; `except`: an agent not to pick (a reassignment).
pub fn pick(
    rule: RoutingRule,
    candidates: &[Candidate],
    cap: Option<i64>,
    last: i64,
    except: Option<i64>,
) -> Option<i64> {
    let mut able: Vec<Candidate> = candidates
        .iter()
        .copied()
        .filter(|c| cap.is_none_or(|cap| c.open < cap) && Some(c.id) != except)
        .collect();
    able.sort_by_key(|c| c.id);
    // The turn: agents after `last` first, then from the start again.
    let turn = |c: &Candidate| (c.id <= last, c.id);
    match rule {
        RoutingRule::Manual => None,
        RoutingRule::RoundRobin => able.iter().min_by_key(|c| turn(c)).map(|c| c.id),
        RoutingRule::FewestOpen => able.iter().min_by_key(|c| (c.open, turn(c))).map(|c| c.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, open: i64) -> Candidate {
        Candidate { id, open }
    }

    #[test]
    fn round_robin_goes_on_after_the_last_and_wraps() {
        let team = [c(7, 0), c(3, 5), c(5, 1)];
        assert_eq!(pick(RoutingRule::RoundRobin, &team, None, 0, None), Some(3));
        assert_eq!(pick(RoutingRule::RoundRobin, &team, None, 3, None), Some(5));
        assert_eq!(pick(RoutingRule::RoundRobin, &team, None, 5, None), Some(7));
        assert_eq!(pick(RoutingRule::RoundRobin, &team, None, 7, None), Some(3));
        // The last one left the team: the next id still takes the turn.
        assert_eq!(pick(RoutingRule::RoundRobin, &team, None, 4, None), Some(5));
    }

    #[test]
    fn fewest_open_takes_the_least_loaded_and_breaks_ties_in_turn() {
        let team = [c(1, 4), c(2, 2), c(3, 2)];
        assert_eq!(pick(RoutingRule::FewestOpen, &team, None, 0, None), Some(2));
        assert_eq!(pick(RoutingRule::FewestOpen, &team, None, 2, None), Some(3));
    }

    #[test]
    fn the_cap_and_the_exception_leave_agents_out() {
        let team = [c(1, 3), c(2, 2)];
        assert_eq!(
            pick(RoutingRule::RoundRobin, &team, Some(3), 0, None),
            Some(2)
        );
        assert_eq!(pick(RoutingRule::RoundRobin, &team, Some(2), 0, None), None);
        assert_eq!(
            pick(RoutingRule::FewestOpen, &team, None, 0, Some(2)),
            Some(1)
        );
        assert_eq!(pick(RoutingRule::Manual, &team, None, 0, None), None);
        assert_eq!(pick(RoutingRule::RoundRobin, &[], None, 0, None), None);
    }
}
