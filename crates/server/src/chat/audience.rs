//! Who may use a conversation and who hears it, served from memory.
//!
//! The one audience rule lives here (`ticket_audience`): direct conversations reach their
//! members; a ticket reaches its requester, its assignee, the agents of its team, every admin,
//! and every agent while it has neither team nor assignee (the shared queue). Visibility for
//! a single user is the same rule seen from one side (`tickets::policy::can_view`).
//!
//! Entries are loaded lazily from the database and dropped by the mutations that change them
//! (ticket moves, team membership, role changes, disabling, blocks), on every node through the
//! broker (`Control::Invalidate`). A generation counter keeps a load that raced with an
//! invalidation from storing what it read before it.
//!
//! Concurrent misses of one entry load it once: the others wait for that load (a lock per
//! stripe of conversations, one for the staff list), so a server that just started and gets a
//! thousand first sends at once reads each conversation once, not once per send. A connection's
//! user's teams are loaded when it opens (`warm`), before its first send needs them.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::AuthUser;
use crate::db::entities::{conversation, conversation_member, team_member, ticket, user};
use crate::domain::{ConversationKind, Role};
use crate::error::{AppError, AppResult};
use crate::tickets::policy;

/// A conversation as seen by the hot path.
#[derive(Debug)]
pub struct ConversationFacts {
    pub id: i64,
    pub kind: ConversationKind,
    pub ticket: Option<ticket::Model>,
    /// Direct conversations: the members (who may read and write).
    pub members: Arc<[i64]>,
    /// Everyone who receives its events live (notes: only the staff among them).
    pub audience: Arc<[i64]>,
    /// Direct conversations: one member blocks the other (no new messages).
    pub blocked: bool,
}

impl ConversationFacts {
    pub fn is_direct(&self) -> bool {
        self.kind == ConversationKind::Direct
    }
}

/// The access a user has to a conversation.
pub struct Allowed {
    pub facts: Arc<ConversationFacts>,
    /// Sees (and may write) internal notes.
    pub staff_view: bool,
}

#[derive(Default)]
struct Staff {
    admins: Vec<i64>,
    agents_and_admins: Vec<i64>,
}

/// Locks that make concurrent misses of one conversation load it once.
const LOAD_STRIPES: usize = 16;

#[derive(Default)]
pub struct Audiences {
    conversations: DashMap<i64, Arc<ConversationFacts>>,
    teams_of_user: DashMap<i64, Arc<[i64]>>,
    staff: std::sync::RwLock<Option<Arc<Staff>>>,
    generation: AtomicU64,
    loading_conversations: [tokio::sync::Mutex<()>; LOAD_STRIPES],
    loading_staff: tokio::sync::Mutex<()>,
}

impl Audiences {
    /// Drops one conversation (its ticket changed).
    pub fn forget_conversation(&self, conversation_id: i64) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.conversations.remove(&conversation_id);
    }

    /// Drops everything (roles, teams, blocks or users changed: audiences of many
    /// conversations at once). Rare, and the next use reloads.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.conversations.clear();
        self.teams_of_user.clear();
        *self.staff.write().expect("staff lock") = None;
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The facts of a conversation, or `NotFound`.
    pub async fn facts(
        &self,
        db: &impl ConnectionTrait,
        conversation_id: i64,
    ) -> AppResult<Arc<ConversationFacts>> {
        if let Some(found) = self.conversations.get(&conversation_id) {
            return Ok(found.clone());
        }
        let stripe = conversation_id.rem_euclid(LOAD_STRIPES as i64) as usize;
        let _loading = self.loading_conversations[stripe].lock().await;
        // Loaded by the send this one waited for?
        if let Some(found) = self.conversations.get(&conversation_id) {
            return Ok(found.clone());
        }
        let generation = self.generation();
        let facts = Arc::new(self.load(db, conversation_id).await?);
        if self.generation() == generation {
            self.conversations.insert(conversation_id, facts.clone());
        }
        Ok(facts)
    }

    /// Checks that `user` may read and write the conversation: 404 otherwise.
    pub async fn allow(
        &self,
        db: &impl ConnectionTrait,
        user: &AuthUser,
        conversation_id: i64,
    ) -> AppResult<Allowed> {
        let facts = self.facts(db, conversation_id).await?;
        let allowed = match &facts.ticket {
            Some(t) => {
                let teams = self.teams_of(db, user.id).await?;
                policy::can_view(user, &teams, t)
            }
            None => facts.members.contains(&user.id),
        };
        if !allowed {
            return Err(AppError::NotFound);
        }
        let staff_view = facts.ticket.is_some() && user.is_staff();
        Ok(Allowed { facts, staff_view })
    }

    /// Loads what a user's sends will be checked against (their teams, and the staff list that
    /// tickets' audiences use), so the first send of a new connection finds it in memory.
    pub async fn warm(&self, db: &impl ConnectionTrait, user: &AuthUser) -> AppResult<()> {
        self.teams_of(db, user.id).await?;
        self.staff(db).await?;
        Ok(())
    }

    /// The teams a user belongs to.
    pub async fn teams_of(&self, db: &impl ConnectionTrait, user_id: i64) -> AppResult<Arc<[i64]>> {
        if let Some(found) = self.teams_of_user.get(&user_id) {
            return Ok(found.clone());
        }
        let generation = self.generation();
        let teams: Arc<[i64]> = policy::team_ids(db, user_id).await?.into();
        if self.generation() == generation {
            self.teams_of_user.insert(user_id, teams.clone());
        }
        Ok(teams)
    }

    async fn staff(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Staff>> {
        if let Some(found) = self.staff.read().expect("staff lock").clone() {
            return Ok(found);
        }
        let _loading = self.loading_staff.lock().await;
        if let Some(found) = self.staff.read().expect("staff lock").clone() {
            return Ok(found);
        }
        let generation = self.generation();
        let rows: Vec<(i64, Role)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Role)
            .filter(user::Column::Role.is_in([Role::Agent, Role::Admin]))
            .filter(user::Column::Disabled.eq(false))
            .into_tuple()
            .all(db)
            .await?;
        let staff = Arc::new(Staff {
            admins: rows
                .iter()
                .filter(|(_, r)| *r == Role::Admin)
                .map(|(id, _)| *id)
                .collect(),
            agents_and_admins: rows.iter().map(|(id, _)| *id).collect(),
        });
        if self.generation() == generation {
            *self.staff.write().expect("staff lock") = Some(staff.clone());
        }
        Ok(staff)
    }

    async fn load(
        &self,
        db: &impl ConnectionTrait,
        conversation_id: i64,
    ) -> AppResult<ConversationFacts> {
        let conv = conversation::Entity::find_by_id(conversation_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        if conv.kind == ConversationKind::Ticket {
            let t = ticket::Entity::find()
                .filter(ticket::Column::ConversationId.eq(conv.id))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            let audience = self.ticket_audience(db, &t).await?;
            return Ok(ConversationFacts {
                id: conv.id,
                kind: conv.kind,
                ticket: Some(t),
                members: Arc::from([]),
                audience,
                blocked: false,
            });
        }
        let members: Vec<i64> = conversation_member::Entity::find()
            .select_only()
            .column(conversation_member::Column::UserId)
            .filter(conversation_member::Column::ConversationId.eq(conv.id))
            .into_tuple()
            .all(db)
            .await?;
        let mut blocked = false;
        if let [a, b] = members[..] {
            blocked = crate::social::store::blocked_between(db, a, b).await?;
        }
        let members: Arc<[i64]> = members.into();
        Ok(ConversationFacts {
            id: conv.id,
            kind: conv.kind,
            ticket: None,
            audience: members.clone(),
            members,
            blocked,
        })
    }

    /// The audience rule for tickets (see the module comment).
    pub async fn ticket_audience(
        &self,
        db: &impl ConnectionTrait,
        t: &ticket::Model,
    ) -> AppResult<Arc<[i64]>> {
        let mut to = BTreeSet::from([t.requester_id]);
        to.extend(t.assignee_id);
        if let Some(team) = t.team_id {
            let members: Vec<i64> = team_member::Entity::find()
                .select_only()
                .column(team_member::Column::UserId)
                .filter(team_member::Column::TeamId.eq(team))
                .into_tuple()
                .all(db)
                .await?;
            to.extend(members);
        }
        let staff = self.staff(db).await?;
        if t.assignee_id.is_none() && t.team_id.is_none() {
            to.extend(staff.agents_and_admins.iter().copied());
        } else {
            to.extend(staff.admins.iter().copied());
        }
        Ok(to.into_iter().collect::<Vec<_>>().into())
    }
}

#[cfg(test)]
mod tests {
    //! The decisions, with every cache filled by hand and a database that is not connected:
    //! a test that reached the database would panic. The audience of a ticket with a team reads
    //! the team's members from the database, so it is left to the integration tests.

    use super::*;
    use crate::tickets::fixtures::{REQUESTER, ticket, user};

    const STRANGER: i64 = 2;
    const AGENT: i64 = 10;
    const OTHER_AGENT: i64 = 11;
    const ADMIN: i64 = 20;
    const TEAM: i64 = 100;
    const DIRECT: i64 = 7;
    const TICKET: i64 = crate::tickets::fixtures::TICKET_CONVERSATION;

    /// A direct conversation between REQUESTER and AGENT, a ticket conversation for `t`, the
    /// staff and everyone's teams, all cached.
    fn cached(t: ticket::Model) -> Audiences {
        let audiences = Audiences::default();
        let members: Arc<[i64]> = Arc::from([REQUESTER, AGENT]);
        audiences.conversations.insert(
            DIRECT,
            Arc::new(ConversationFacts {
                id: DIRECT,
                kind: ConversationKind::Direct,
                ticket: None,
                members: members.clone(),
                audience: members,
                blocked: false,
            }),
        );
        audiences.conversations.insert(
            TICKET,
            Arc::new(ConversationFacts {
                id: TICKET,
                kind: ConversationKind::Ticket,
                ticket: Some(t),
                members: Arc::from([]),
                audience: Arc::from([]),
                blocked: false,
            }),
        );
        for id in [REQUESTER, STRANGER, OTHER_AGENT, ADMIN] {
            audiences.teams_of_user.insert(id, Arc::from([]));
        }
        audiences.teams_of_user.insert(AGENT, Arc::from([TEAM]));
        *audiences.staff.write().unwrap() = Some(Arc::new(Staff {
            admins: vec![ADMIN],
            agents_and_admins: vec![AGENT, OTHER_AGENT, ADMIN],
        }));
        audiences
    }

    fn offline() -> sea_orm::DatabaseConnection {
        sea_orm::DatabaseConnection::default()
    }

    #[tokio::test]
    async fn a_direct_conversation_admits_its_members_only_without_staff_view() {
        let audiences = cached(ticket(None, None));
        let db = offline();
        let member = audiences
            .allow(&db, &user(REQUESTER, Role::Customer), DIRECT)
            .await
            .expect("a member");
        assert!(!member.staff_view);
        let agent = audiences
            .allow(&db, &user(AGENT, Role::Agent), DIRECT)
            .await
            .expect("a member");
        assert!(!agent.staff_view, "no notes in a direct conversation");
        for outsider in [user(STRANGER, Role::Customer), user(ADMIN, Role::Admin)] {
            let denied = audiences.allow(&db, &outsider, DIRECT).await;
            assert!(matches!(denied, Err(AppError::NotFound)), "{}", outsider.id);
        }
    }

    #[tokio::test]
    async fn a_ticket_conversation_follows_the_ticket_policy_and_gives_staff_the_notes() {
        let audiences = cached(ticket(None, Some(TEAM)));
        let db = offline();
        let requester = audiences
            .allow(&db, &user(REQUESTER, Role::Customer), TICKET)
            .await
            .expect("the requester");
        assert!(!requester.staff_view, "customers never see notes");
        let agent = audiences
            .allow(&db, &user(AGENT, Role::Agent), TICKET)
            .await
            .expect("an agent of the team");
        assert!(agent.staff_view);
        let admin = audiences
            .allow(&db, &user(ADMIN, Role::Admin), TICKET)
            .await
            .expect("an admin");
        assert!(admin.staff_view);
        for outsider in [
            user(STRANGER, Role::Customer),
            user(OTHER_AGENT, Role::Agent),
        ] {
            let denied = audiences.allow(&db, &outsider, TICKET).await;
            assert!(matches!(denied, Err(AppError::NotFound)), "{}", outsider.id);
        }
    }

    #[tokio::test]
    async fn a_queued_ticket_reaches_its_requester_and_every_agent_and_admin() {
        let t = ticket(None, None);
        let audiences = cached(t.clone());
        let to = audiences.ticket_audience(&offline(), &t).await.unwrap();
        assert_eq!(&to[..], &[REQUESTER, AGENT, OTHER_AGENT, ADMIN]);
    }

    #[tokio::test]
    async fn an_assigned_ticket_reaches_its_requester_its_assignee_and_the_admins() {
        let t = ticket(Some(OTHER_AGENT), None);
        let audiences = cached(t.clone());
        let to = audiences.ticket_audience(&offline(), &t).await.unwrap();
        assert_eq!(&to[..], &[REQUESTER, OTHER_AGENT, ADMIN], "not AGENT");
    }

    #[tokio::test]
    async fn an_audience_names_each_user_once() {
        // An admin who opened a ticket and has it assigned to themselves.
        let mut t = ticket(Some(ADMIN), None);
        t.requester_id = ADMIN;
        let audiences = cached(t.clone());
        let to = audiences.ticket_audience(&offline(), &t).await.unwrap();
        assert_eq!(&to[..], &[ADMIN]);
    }

    /// A miss that waited for another send's load of the same conversation (or of the staff
    /// list) takes what that load stored: the database (offline here) is not read again.
    #[tokio::test]
    async fn a_miss_waiting_for_a_load_uses_what_it_loaded() {
        let audiences = Arc::new(Audiences::default());
        let stripe = TICKET.rem_euclid(LOAD_STRIPES as i64) as usize;
        let loading = audiences.loading_conversations[stripe].lock().await;
        let staff_loading = audiences.loading_staff.lock().await;
        let waiting = tokio::spawn({
            let audiences = audiences.clone();
            async move {
                let facts = audiences.facts(&offline(), TICKET).await;
                let staff = audiences.staff(&offline()).await;
                (facts.map(|f| f.id), staff.map(|s| s.admins.clone()))
            }
        });
        tokio::task::yield_now().await;
        // The load that held the locks stores its results, then lets the waiter go.
        let filled = cached(ticket(None, None));
        let facts = filled.conversations.get(&TICKET).unwrap().clone();
        audiences.conversations.insert(TICKET, facts);
        *audiences.staff.write().unwrap() = filled.staff.read().unwrap().clone();
        drop(loading);
        drop(staff_loading);
        let (facts, staff) = waiting.await.unwrap();
        assert_eq!(facts.expect("from memory"), TICKET);
        assert_eq!(staff.expect("from memory"), vec![ADMIN]);
    }

    #[test]
    fn forgetting_drops_what_was_cached_and_moves_the_generation() {
        let audiences = cached(ticket(None, None));
        let before = audiences.generation();
        audiences.forget_conversation(DIRECT);
        assert!(!audiences.conversations.contains_key(&DIRECT));
        assert!(audiences.conversations.contains_key(&TICKET), "others stay");
        assert_eq!(audiences.teams_of_user.len(), 5, "teams stay");
        assert!(audiences.staff.read().unwrap().is_some(), "staff stays");
        // A load that began before this must not store what it read.
        assert!(audiences.generation() > before);

        let before = audiences.generation();
        audiences.forget_all();
        assert!(audiences.conversations.is_empty());
        assert!(audiences.teams_of_user.is_empty());
        assert!(audiences.staff.read().unwrap().is_none());
        assert!(audiences.generation() > before);
    }
}
