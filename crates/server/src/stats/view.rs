//! The report on the wire, and how the query results become it.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::tickets::view::TeamRef;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct StatsReport {
    /// First day of the window (UTC), `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the window (UTC), inclusive.
    pub to: String,
    /// The `team` filter, if any.
    pub team_id: Option<i64>,
    /// The `agent` filter, if any.
    pub agent_id: Option<i64>,
    /// One entry per day of the window, oldest first.
    pub days: Vec<DayStats>,
    pub totals: Figures,
    /// Per current assignee (unassigned tickets only count in `totals`), by name.
    pub agents: Vec<AgentStats>,
    /// Per current team (tickets with no team only count in `totals`), by name.
    pub teams: Vec<TeamStats>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DayStats {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Tickets created that day.
    pub opened: i64,
    /// Tickets whose (last) closing was that day.
    pub closed: i64,
    /// Tickets open at the end of the day: created by then and not closed by then.
    pub backlog: i64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Figures {
    /// Tickets created in the window.
    pub opened: i64,
    /// Tickets closed in the window.
    pub closed: i64,
    /// Tickets open at the end of the window.
    pub backlog: i64,
    /// From creation to the first staff reply, for tickets opened in the window and answered.
    pub first_response: Durations,
    /// From creation to closing, for tickets closed in the window.
    pub resolution: Durations,
    pub sla: SlaAttainment,
    pub csat: CsatFigures,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Durations {
    /// How many durations were measured.
    pub count: i64,
    /// Nearest-rank median in milliseconds (null when `count` is 0).
    pub median_ms: Option<i64>,
    /// Nearest-rank 90th percentile in milliseconds.
    pub p90_ms: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Attainment {
    /// Tickets that met the target.
    pub met: i64,
    /// Tickets measured.
    pub total: i64,
    /// `met / total`, 0 to 1 (null when `total` is 0).
    pub rate: Option<f64>,
}

impl Attainment {
    fn new(met: i64, total: i64) -> Self {
        Self {
            met,
            total,
            rate: (total > 0).then(|| met as f64 / total as f64),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SlaAttainment {
    /// Tickets opened in the window whose first-response target is decided (answered, or the
    /// due time has passed); met when answered by the due time.
    pub first_response: Attainment,
    /// Tickets closed in the window; met when closed by the resolution due time (which the
    /// time spent `pending` moved).
    pub resolution: Attainment,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CsatFigures {
    /// Ratings given in the window.
    pub count: i64,
    /// Their mean score, 1 to 5, rounded to two decimals (null when `count` is 0).
    pub average: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AgentRef {
    pub id: i64,
    pub display_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AgentStats {
    pub agent: AgentRef,
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TeamStats {
    pub team: TeamRef,
    pub figures: Figures,
}

/// The nearest rank of the `p`th percentile among `n` ordered values: `ceil(n * p / 100)`,
/// from 1. The SQL keeps the rows at these ranks.
pub fn rank(n: i64, p: i64) -> i64 {
    (n * p + 99) / 100
}

/// The query results of one breakdown, by group key.
#[derive(Default)]
pub struct Parts {
    pub opened: HashMap<i64, [i64; 3]>,
    pub closed: HashMap<i64, [i64; 2]>,
    pub backlog: HashMap<i64, [i64; 1]>,
    pub first_response: HashMap<i64, [i64; 3]>,
    pub resolution: HashMap<i64, [i64; 3]>,
    pub csat: HashMap<i64, [i64; 2]>,
}

impl Parts {
    /// Every group key that appears in any figure.
    pub fn keys(&self) -> BTreeSet<i64> {
        let mut keys = BTreeSet::new();
        keys.extend(self.opened.keys());
        keys.extend(self.closed.keys());
        keys.extend(self.backlog.keys());
        keys.extend(self.first_response.keys());
        keys.extend(self.resolution.keys());
        keys.extend(self.csat.keys());
        keys
    }

    pub fn figures(&self, k: i64) -> Figures {
        let durations = |m: &HashMap<i64, [i64; 3]>| match m.get(&k) {
            Some(&[n, median, p90]) if n > 0 => Durations {
                count: n,
                median_ms: Some(median),
                p90_ms: Some(p90),
            },
            _ => Durations::default(),
        };
        let [opened, fr_met, fr_decided] = self.opened.get(&k).copied().unwrap_or_default();
        let [closed, res_met] = self.closed.get(&k).copied().unwrap_or_default();
        let [ratings, score_sum] = self.csat.get(&k).copied().unwrap_or_default();
        Figures {
            opened,
            closed,
            backlog: self.backlog.get(&k).map_or(0, |v| v[0]),
            first_response: durations(&self.first_response),
            resolution: durations(&self.resolution),
            sla: SlaAttainment {
                first_response: Attainment::new(fr_met, fr_decided),
                resolution: Attainment::new(res_met, closed),
            },
            csat: CsatFigures {
                count: ratings,
                average: (ratings > 0)
                    .then(|| (score_sum as f64 / ratings as f64 * 100.0).round() / 100.0),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ranks_round_up() {
        // 1 value: both are it. 4 values: the 2nd and the 4th. 10 values: the 5th and the 9th.
        assert_eq!((rank(1, 50), rank(1, 90)), (1, 1));
        assert_eq!((rank(4, 50), rank(4, 90)), (2, 4));
        assert_eq!((rank(10, 50), rank(10, 90)), (5, 9));
        assert_eq!((rank(11, 50), rank(11, 90)), (6, 10));
        // The SQL's division-free test picks exactly that rank.
        for n in 1..60 {
            for p in [50, 90] {
                let picked: Vec<i64> = (1..=n)
                    .filter(|rn| rn * 100 >= n * p && (rn - 1) * 100 < n * p)
                    .collect();
                assert_eq!(picked, vec![rank(n, p)], "n={n} p={p}");
            }
        }
    }

    #[test]
    fn figures_of_a_group_with_nothing_measured_are_empty_not_zero() {
        let f = Parts::default().figures(7);
        assert_eq!(f.first_response.median_ms, None);
        assert_eq!(f.sla.resolution.rate, None);
        assert_eq!(f.csat.average, None);
    }

    #[test]
    fn csat_average_is_rounded_to_two_decimals() {
        let mut p = Parts::default();
        p.csat.insert(0, [3, 13]);
        assert_eq!(p.figures(0).csat.average, Some(4.33));
        p.opened.insert(0, [5, 3, 4]);
        assert_eq!(p.figures(0).sla.first_response.rate, Some(0.75));
    }
}
