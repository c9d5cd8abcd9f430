//! The desk's SLA settings: first-response and resolution targets per priority and the delay
//! after which a ticket waiting on the customer closes itself. Stored in one database row
//! (`sla_settings`), seeded from `switchboard.toml`'s `[sla]` when the table is empty, and
//! served from memory: a change drops every node's copy (`Control::SlaChanged`), and the next
//! read loads the row again.
//!
//! A change applies to tickets created (or re-prioritised) afterwards: open tickets keep the due
//! times they were given, as a promise already made to the customer is not moved behind their
//! back.

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::Priority;
use crate::audit;
use crate::auth::AuthUser;
use crate::config::SlaTargets;
use crate::db::entities::sla_settings;
use crate::domain::now_ms;
use crate::error::{AppError, AppResult};
use crate::realtime::events::Control;
use crate::state::AppState;

const ROW: i64 = 1;
/// A target longer than a year is a typo, not a promise.
pub const MAX_TARGET_MINUTES: i64 = 365 * 24 * 60;
/// Auto-closing waits at most a year too.
pub const MAX_PENDING_CLOSE_MINUTES: i64 = 365 * 24 * 60;

/// One priority's targets, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    /// 1 to 525,600 (a year).
    pub first_response_minutes: i64,
    /// 1 to 525,600, and at least `first_response_minutes`.
    pub resolution_minutes: i64,
}

/// The desk's SLA settings as the admin API reads and writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaSettings {
    pub urgent: SlaTarget,
    pub high: SlaTarget,
    pub medium: SlaTarget,
    pub low: SlaTarget,
    /// Tickets waiting on the customer (`pending`) this long are closed with a message to the
    /// customer; `null` never. 1 to 525,600.
    pub pending_close_minutes: Option<i64>,
}

impl SlaSettings {
    /// The targets of `priority`, in milliseconds: (first response, resolution).
    pub fn targets_ms(&self, priority: Priority) -> (i64, i64) {
        let t = match priority {
            Priority::Urgent => self.urgent,
            Priority::High => self.high,
            Priority::Medium => self.medium,
            Priority::Low => self.low,
        };
        (
            t.first_response_minutes * 60_000,
            t.resolution_minutes * 60_000,
        )
    }

    /// The file's values: the first value of a new database.
    pub fn from_file(sla: &SlaTargets) -> Self {
        let t = |[first, resolution]: [i64; 2]| SlaTarget {
            first_response_minutes: first,
            resolution_minutes: resolution,
        };
        Self {
            urgent: t(sla.urgent),
            high: t(sla.high),
            medium: t(sla.medium),
            low: t(sla.low),
            pending_close_minutes: None,
        }
    }

    /// Every problem, one per field (`urgent.resolution_minutes`, ...).
    pub fn validate(&self) -> AppResult<()> {
        let mut problems = std::collections::BTreeMap::new();
        for (name, t) in [
            ("urgent", self.urgent),
            ("high", self.high),
            ("medium", self.medium),
            ("low", self.low),
        ] {
            for (field, v) in [
                ("first_response_minutes", t.first_response_minutes),
                ("resolution_minutes", t.resolution_minutes),
            ] {
                if !(1..=MAX_TARGET_MINUTES).contains(&v) {
                    problems.insert(
                        format!("{name}.{field}"),
                        format!("must be 1 to {MAX_TARGET_MINUTES} minutes"),
                    );
                }
            }
            if t.first_response_minutes > t.resolution_minutes {
                problems.insert(
                    format!("{name}.resolution_minutes"),
                    "must not be shorter than the first-response target".to_string(),
                );
            }
        }
        if let Some(v) = self.pending_close_minutes
            && !(1..=MAX_PENDING_CLOSE_MINUTES).contains(&v)
        {
            problems.insert(
                "pending_close_minutes".into(),
                format!("must be 1 to {MAX_PENDING_CLOSE_MINUTES} minutes, or null"),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(problems))
        }
    }

    fn of(m: &sla_settings::Model) -> Self {
        let t = |first, resolution| SlaTarget {
            first_response_minutes: first,
            resolution_minutes: resolution,
        };
        Self {
            urgent: t(m.urgent_first_minutes, m.urgent_resolution_minutes),
            high: t(m.high_first_minutes, m.high_resolution_minutes),
            medium: t(m.medium_first_minutes, m.medium_resolution_minutes),
            low: t(m.low_first_minutes, m.low_resolution_minutes),
            pending_close_minutes: m.pending_close_minutes,
        }
    }

    fn row(&self) -> sla_settings::ActiveModel {
        sla_settings::ActiveModel {
            id: Set(ROW),
            urgent_first_minutes: Set(self.urgent.first_response_minutes),
            urgent_resolution_minutes: Set(self.urgent.resolution_minutes),
            high_first_minutes: Set(self.high.first_response_minutes),
            high_resolution_minutes: Set(self.high.resolution_minutes),
            medium_first_minutes: Set(self.medium.first_response_minutes),
            medium_resolution_minutes: Set(self.medium.resolution_minutes),
            low_first_minutes: Set(self.low.first_response_minutes),
            low_resolution_minutes: Set(self.low.resolution_minutes),
            pending_close_minutes: Set(self.pending_close_minutes),
            updated_at: Set(now_ms()),
        }
    }
}

/// This node's copy of the row. `generation` moves on every invalidation, so a load that
/// started before a change never stores what it read after the change was dropped.
#[derive(Default)]
pub struct SlaCache {
    current: RwLock<Option<SlaSettings>>,
    generation: AtomicU64,
}

impl SlaCache {
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    fn cached(&self) -> Option<SlaSettings> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    fn store(&self, generation: u64, value: SlaSettings) {
        if let Ok(mut c) = self.current.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            *c = Some(value);
        }
    }
}

/// The settings in force: from memory, else from the database (seeding the row from the file
/// the first time).
pub async fn current(state: &AppState) -> AppResult<SlaSettings> {
    if let Some(s) = state.sla.cached() {
        return Ok(s);
    }
    let generation = state.sla.generation.load(Ordering::SeqCst);
    let value = load_or_seed(&state.db, &state.settings.sla).await?;
    state.sla.store(generation, value.clone());
    Ok(value)
}

async fn load_or_seed(db: &DatabaseConnection, file: &SlaTargets) -> AppResult<SlaSettings> {
    if let Some(m) = sla_settings::Entity::find_by_id(ROW).one(db).await? {
        return Ok(SlaSettings::of(&m));
    }
    let seed = SlaSettings::from_file(file);
    // Two nodes may seed at once: the primary key lets one in; the other reads its row.
    if sla_settings::Entity::insert(seed.row())
        .exec(db)
        .await
        .is_err()
    {
        let m = sla_settings::Entity::find_by_id(ROW)
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the SLA settings row could not be seeded"))?;
        return Ok(SlaSettings::of(&m));
    }
    Ok(seed)
}

/// Stores new settings (audited as `me`'s, in the same transaction) and drops every node's copy.
pub async fn replace(state: &AppState, me: &AuthUser, new: SlaSettings) -> AppResult<SlaSettings> {
    new.validate()?;
    // Make sure the row exists, then overwrite it.
    let old = load_or_seed(&state.db, &state.settings.sla).await?;
    let txn = state.db.begin().await?;
    // (update_many: MySQL reports an identical row as not changed, which is not an error here.)
    sla_settings::Entity::update_many()
        .set(new.row())
        .filter(sla_settings::Column::Id.eq(ROW))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry::by(me, audit::action::SLA_TARGETS_CHANGED)
            .target("sla", ROW)
            .details(audit::old_new(&old, &new)),
    )
    .await?;
    txn.commit().await?;
    state.sla.forget();
    state.realtime.publish_control(Control::SlaChanged).await;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_defaults_are_valid_and_bad_values_are_named() {
        let good = SlaSettings::from_file(&SlaTargets::default());
        assert!(good.validate().is_ok());
        let bad = SlaSettings {
            urgent: SlaTarget {
                first_response_minutes: 0,
                resolution_minutes: 10,
            },
            high: SlaTarget {
                first_response_minutes: 60,
                resolution_minutes: 30,
            },
            low: SlaTarget {
                first_response_minutes: 1,
                resolution_minutes: MAX_TARGET_MINUTES + 1,
            },
            pending_close_minutes: Some(0),
            ..good
        };
        let Err(AppError::Validation(problems)) = bad.validate() else {
            panic!("accepted bad targets");
        };
        let keys: Vec<&str> = problems.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "high.resolution_minutes",
                "low.resolution_minutes",
                "pending_close_minutes",
                "urgent.first_response_minutes"
            ]
        );
    }

    #[test]
    fn a_load_that_raced_an_invalidation_is_not_kept() {
        let cache = SlaCache::default();
        let before = cache.generation.load(Ordering::SeqCst);
        cache.forget();
        cache.store(before, SlaSettings::from_file(&SlaTargets::default()));
        assert!(cache.cached().is_none());
        let now = cache.generation.load(Ordering::SeqCst);
        cache.store(now, SlaSettings::from_file(&SlaTargets::default()));
        assert!(cache.cached().is_some());
    }
}
