//! One change to a ticket, and everything that follows from it: the history row, the sentence
//! the conversation shows, and who is notified. A PATCH turns into a list of these; each kind
//! of change is written down once, here, and the compiler checks every `match` over them.

use super::domain::{Priority, Status};
use crate::domain::text_of;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketChange {
    Status {
        from: Status,
        to: Status,
    },
    Priority {
        from: Priority,
        to: Priority,
    },
    /// `to_name`: the new assignee's display name (None when unassigned).
    Assignee {
        from: Option<i64>,
        to: Option<i64>,
        to_name: Option<String>,
    },
    /// `to_name`: the new team's name (None when the team was removed).
    Team {
        from: Option<i64>,
        to: Option<i64>,
        to_name: Option<String>,
    },
    /// The tags as stored (a JSON array), before and after, and the new list.
    Tags {
        from: String,
        to: String,
        tags: Vec<String>,
    },
}

/// Who hears of a change in their notification feed (beyond the live `ticket` frame that
/// everyone who sees the ticket gets).
#[derive(Debug, PartialEq, Eq)]
pub enum Recipients {
    Users(Vec<i64>),
    /// Every member of this team, but the actor.
    Team(i64),
}

/// A notification to send about a change.
#[derive(Debug, PartialEq, Eq)]
pub struct ChangeNotice {
    pub to: Recipients,
    pub kind: &'static str,
    pub title: String,
}

/// The ticket as the notification needs it, after the change.
pub struct After<'a> {
    pub number: i64,
    pub subject: &'a str,
    pub requester_id: i64,
    pub assignee_id: Option<i64>,
}

impl TicketChange {
    /// The history entry: field, old value, new value (as `GET /tickets/{id}/events` shows).
    pub fn history(&self) -> (&'static str, Option<String>, Option<String>) {
        let id = |v: &Option<i64>| v.map(|v| v.to_string());
        match self {
            Self::Status { from, to } => ("status", Some(text_of(*from)), Some(text_of(*to))),
            Self::Priority { from, to } => ("priority", Some(text_of(*from)), Some(text_of(*to))),
            Self::Assignee { from, to, .. } => ("assignee", id(from), id(to)),
            Self::Team { from, to, .. } => ("team", id(from), id(to)),
            Self::Tags { from, to, .. } => ("tags", Some(from.clone()), Some(to.clone())),
        }
    }

    /// The audit-log action of this change; tags are kept in the ticket's history only.
    pub fn audit_action(&self) -> Option<&'static str> {
        use crate::audit::action;
        match self {
            Self::Status { .. } => Some(action::TICKET_STATUS_CHANGED),
            Self::Priority { .. } => Some(action::TICKET_PRIORITY_CHANGED),
            Self::Assignee { .. } => Some(action::TICKET_ASSIGNEE_CHANGED),
            Self::Team { .. } => Some(action::TICKET_TEAM_CHANGED),
            Self::Tags { .. } => None,
        }
    }

    /// The system message in the ticket's conversation, e.g. "Ana closed this ticket".
    pub fn sentence(&self, actor: &str, actor_id: i64) -> String {
        match self {
            Self::Status {
                to: Status::Closed, ..
            } => format!("{actor} closed this ticket"),
            Self::Status {
                from: Status::Closed,
                to: Status::Open,
            } => format!("{actor} reopened this ticket"),
            Self::Status { to, .. } => format!("{actor} changed the status to {}", to.label()),
            Self::Priority { to, .. } => {
                format!("{actor} changed the priority to {}", text_of(*to))
            }
            Self::Assignee { to: Some(id), .. } if *id == actor_id => {
                format!("{actor} took this ticket")
            }
            Self::Assignee {
                to: Some(_),
                to_name,
                ..
            } => format!(
                "{actor} assigned this to {}",
                to_name.as_deref().unwrap_or("someone")
            ),
            Self::Assignee { to: None, .. } => format!("{actor} unassigned this ticket"),
            Self::Team {
                to: Some(_),
                to_name,
                ..
            } => format!(
                "{actor} moved this to the {} team",
                to_name.as_deref().unwrap_or_default()
            ),
            Self::Team { to: None, .. } => format!("{actor} removed the team"),
            Self::Tags { tags, .. } => format!("{actor} set the tags to {}", tags.join(", ")),
        }
    }

    /// Who is told in their notification feed: the new assignee, the new team, and for a
    /// status change the requester (or, when the requester made it, the assignee). The actor
    /// is never told of their own change.
    pub fn notice(&self, actor_id: i64, after: &After) -> Option<ChangeNotice> {
        let not_actor = |id: Option<i64>| id.filter(|&id| id != actor_id);
        let (to, kind, title) = match self {
            Self::Assignee { to, .. } => (
                Recipients::Users(not_actor(*to).into_iter().collect()),
                "ticket_assigned",
                format!("#{} assigned to you", after.number),
            ),
            Self::Team { to: Some(team), .. } => (
                Recipients::Team(*team),
                "ticket_created",
                format!("#{} is in your team's queue", after.number),
            ),
            Self::Status { .. } => {
                let who = if after.requester_id != actor_id {
                    Some(after.requester_id)
                } else {
                    after.assignee_id
                };
                (
                    Recipients::Users(who.into_iter().collect()),
                    "ticket_status",
                    format!("#{}: {}", after.number, after.subject),
                )
            }
            Self::Team { to: None, .. } | Self::Priority { .. } | Self::Tags { .. } => {
                return None;
            }
        };
        match &to {
            Recipients::Users(ids) if ids.is_empty() => None,
            _ => Some(ChangeNotice { to, kind, title }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: i64 = 1;
    const BEN: i64 = 2;
    const CUSTOMER: i64 = 3;

    fn after(assignee_id: Option<i64>) -> After<'static> {
        After {
            number: 7,
            subject: "Printer on fire",
            requester_id: CUSTOMER,
            assignee_id,
        }
    }

    fn status(from: Status, to: Status) -> TicketChange {
        TicketChange::Status { from, to }
    }

    #[test]
    fn status_sentences_name_closing_and_reopening() {
        use Status::*;
        assert_eq!(
            status(Open, Closed).sentence("Ana", ANA),
            "Ana closed this ticket"
        );
        assert_eq!(
            status(Closed, Open).sentence("Ana", ANA),
            "Ana reopened this ticket"
        );
        assert_eq!(
            status(Pending, Open).sentence("Ana", ANA),
            "Ana changed the status to open"
        );
        assert_eq!(
            status(Open, Pending).sentence("Ana", ANA),
            "Ana changed the status to waiting on the customer"
        );
        assert_eq!(
            status(Open, InProgress).history(),
            ("status", Some("open".into()), Some("in_progress".into()))
        );
    }

    #[test]
    fn taking_a_ticket_reads_differently_from_assigning_it() {
        let take = TicketChange::Assignee {
            from: None,
            to: Some(ANA),
            to_name: Some("Ana".into()),
        };
        assert_eq!(take.sentence("Ana", ANA), "Ana took this ticket");
        assert_eq!(take.notice(ANA, &after(Some(ANA))), None, "nobody to tell");

        let assign = TicketChange::Assignee {
            from: Some(ANA),
            to: Some(BEN),
            to_name: Some("Ben".into()),
        };
        assert_eq!(assign.sentence("Ana", ANA), "Ana assigned this to Ben");
        assert_eq!(
            assign.history(),
            ("assignee", Some("1".into()), Some("2".into()))
        );
        let notice = assign.notice(ANA, &after(Some(BEN))).unwrap();
        assert_eq!(notice.to, Recipients::Users(vec![BEN]));
        assert_eq!(notice.kind, "ticket_assigned");
        assert_eq!(notice.title, "#7 assigned to you");
    }

    #[test]
    fn a_status_change_tells_the_other_side() {
        let close = status(Status::Open, Status::Closed);
        // An agent closes: the requester hears of it.
        let by_agent = close.notice(ANA, &after(Some(ANA))).unwrap();
        assert_eq!(by_agent.to, Recipients::Users(vec![CUSTOMER]));
        assert_eq!(by_agent.title, "#7: Printer on fire");
        // The requester closes: the assignee hears of it, or nobody when there is none.
        let by_requester = close.notice(CUSTOMER, &after(Some(BEN))).unwrap();
        assert_eq!(by_requester.to, Recipients::Users(vec![BEN]));
        assert_eq!(close.notice(CUSTOMER, &after(None)), None);
    }

    #[test]
    fn a_team_hears_of_a_ticket_moved_to_it_and_nothing_else_notifies() {
        let moved = TicketChange::Team {
            from: None,
            to: Some(4),
            to_name: Some("Billing".into()),
        };
        assert_eq!(
            moved.sentence("Ana", ANA),
            "Ana moved this to the Billing team"
        );
        assert_eq!(
            moved.notice(ANA, &after(None)).unwrap().to,
            Recipients::Team(4)
        );
        let removed = TicketChange::Team {
            from: Some(4),
            to: None,
            to_name: None,
        };
        assert_eq!(removed.sentence("Ana", ANA), "Ana removed the team");
        assert_eq!(removed.notice(ANA, &after(None)), None);
        let priority = TicketChange::Priority {
            from: Priority::Low,
            to: Priority::Urgent,
        };
        assert_eq!(
            priority.sentence("Ana", ANA),
            "Ana changed the priority to urgent"
        );
        assert_eq!(priority.notice(ANA, &after(None)), None);
        let tags = TicketChange::Tags {
            from: "[]".into(),
            to: r#"["a","b"]"#.into(),
            tags: vec!["a".into(), "b".into()],
        };
        assert_eq!(tags.sentence("Ana", ANA), "Ana set the tags to a, b");
        assert_eq!(tags.notice(ANA, &after(None)), None);
    }
}
