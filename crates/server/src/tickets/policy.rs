//! Who may see and change a ticket, in one place. A ticket a user may not see answers 404
//! everywhere, so these return `NotFound`, never `Forbidden`, for invisibility.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::AuthUser;
use crate::db::entities::{team_member, ticket};
use crate::domain::Role;
use crate::error::AppResult;

/// The teams a user belongs to.
pub async fn team_ids(db: &impl ConnectionTrait, user_id: i64) -> AppResult<Vec<i64>> {
    Ok(team_member::Entity::find()
        .select_only()
        .column(team_member::Column::TeamId)
        .filter(team_member::Column::UserId.eq(user_id))
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Customer: their own tickets. Agent: assigned to them, their teams' tickets, and the queue
/// (neither team nor assignee). Admin: every ticket.
pub fn can_view(user: &AuthUser, teams: &[i64], t: &ticket::Model) -> bool {
    can_view_parts(user, teams, t.requester_id, t.assignee_id, t.team_id)
}

/// [`can_view`] from the three columns it depends on, for queries that read only those
/// (the unread counts).
pub fn can_view_parts(
    user: &AuthUser,
    teams: &[i64],
    requester_id: i64,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Customer => requester_id == user.id,
        Role::Agent => {
            requester_id == user.id
                || assignee_id == Some(user.id)
                || team_id.is_some_and(|team| teams.contains(&team))
                || (assignee_id.is_none() && team_id.is_none())
        }
    }
}

/// Agents and admins who may see a ticket may change its status, priority, assignment and tags.
pub fn can_work(user: &AuthUser, teams: &[i64], t: &ticket::Model) -> bool {
    user.is_staff() && can_view(user, teams, t)
}

/// Customers may close and reopen their own tickets.
pub fn can_change_status(user: &AuthUser, teams: &[i64], t: &ticket::Model) -> bool {
    can_work(user, teams, t) || t.requester_id == user.id
}

/// Loads a ticket the user may see, or `None` (answered as 404).
pub async fn visible_ticket(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    ticket_id: i64,
) -> AppResult<Option<(ticket::Model, Vec<i64>)>> {
    let Some(t) = ticket::Entity::find_by_id(ticket_id).one(db).await? else {
        return Ok(None);
    };
    let teams = team_ids(db, user.id).await?;
    Ok(can_view(user, &teams, &t).then_some((t, teams)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::fixtures::{REQUESTER, ticket, user};

    const OTHER_CUSTOMER: i64 = 2;
    const AGENT: i64 = 10;
    const OTHER_AGENT: i64 = 11;
    const ADMIN: i64 = 20;
    const TEAM: i64 = 100;
    const OTHER_TEAM: i64 = 101;

    #[test]
    fn a_customer_sees_only_their_own_tickets() {
        let queued = ticket(None, None);
        assert!(can_view(&user(REQUESTER, Role::Customer), &[], &queued));
        assert!(!can_view(
            &user(OTHER_CUSTOMER, Role::Customer),
            &[],
            &queued
        ));
        // Not even a ticket of a team they are somehow listed in.
        let teamed = ticket(None, Some(TEAM));
        assert!(!can_view(
            &user(OTHER_CUSTOMER, Role::Customer),
            &[TEAM],
            &teamed
        ));
    }

    #[test]
    fn an_agent_sees_the_queue_their_teams_and_what_is_assigned_to_them() {
        let agent = user(AGENT, Role::Agent);
        assert!(
            can_view(&agent, &[], &ticket(None, None)),
            "the shared queue"
        );
        assert!(can_view(&agent, &[TEAM], &ticket(None, Some(TEAM))));
        assert!(can_view(&agent, &[], &ticket(Some(AGENT), None)));
        assert!(
            can_view(&agent, &[], &ticket(Some(AGENT), Some(OTHER_TEAM))),
            "assigned to them in another team"
        );
    }

    #[test]
    fn an_agent_does_not_see_another_teams_or_another_agents_ticket() {
        let agent = user(AGENT, Role::Agent);
        assert!(!can_view(&agent, &[TEAM], &ticket(None, Some(OTHER_TEAM))));
        assert!(!can_view(&agent, &[TEAM], &ticket(Some(OTHER_AGENT), None)));
        assert!(!can_view(
            &agent,
            &[TEAM],
            &ticket(Some(OTHER_AGENT), Some(OTHER_TEAM))
        ));
    }

    #[test]
    fn an_agent_sees_a_ticket_they_opened_themselves() {
        let mut t = ticket(Some(OTHER_AGENT), Some(OTHER_TEAM));
        t.requester_id = AGENT;
        assert!(can_view(&user(AGENT, Role::Agent), &[], &t));
    }

    #[test]
    fn an_admin_sees_every_ticket() {
        let admin = user(ADMIN, Role::Admin);
        for t in [
            ticket(None, None),
            ticket(Some(AGENT), None),
            ticket(None, Some(TEAM)),
            ticket(Some(OTHER_AGENT), Some(OTHER_TEAM)),
        ] {
            assert!(can_view(&admin, &[], &t), "{t:?}");
        }
    }

    #[test]
    fn only_staff_who_see_a_ticket_may_work_it() {
        let teamed = ticket(None, Some(TEAM));
        assert!(can_work(&user(AGENT, Role::Agent), &[TEAM], &teamed));
        assert!(can_work(&user(ADMIN, Role::Admin), &[], &teamed));
        assert!(!can_work(&user(AGENT, Role::Agent), &[OTHER_TEAM], &teamed));
        assert!(
            !can_work(&user(REQUESTER, Role::Customer), &[], &teamed),
            "the requester sees it but may not work it"
        );
    }

    #[test]
    fn the_requester_and_those_who_work_a_ticket_may_change_its_status() {
        let teamed = ticket(None, Some(TEAM));
        assert!(can_change_status(
            &user(REQUESTER, Role::Customer),
            &[],
            &teamed
        ));
        assert!(can_change_status(
            &user(AGENT, Role::Agent),
            &[TEAM],
            &teamed
        ));
        assert!(!can_change_status(
            &user(OTHER_CUSTOMER, Role::Customer),
            &[],
            &teamed
        ));
        assert!(!can_change_status(
            &user(AGENT, Role::Agent),
            &[OTHER_TEAM],
            &teamed
        ));
    }
}
