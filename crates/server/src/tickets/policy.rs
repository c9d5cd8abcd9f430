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
    match user.role {
        Role::Admin => true,
        Role::Customer => t.requester_id == user.id,
        Role::Agent => {
            t.requester_id == user.id
                || t.assignee_id == Some(user.id)
                || t.team_id.is_some_and(|team| teams.contains(&team))
                || (t.assignee_id.is_none() && t.team_id.is_none())
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
