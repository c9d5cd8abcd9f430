//! "Do not disturb": a daily quiet period per user, during which nothing is pushed to their
//! devices except call invites.
//!
//! The period is two minutes of the day (`start_minute` inclusive, `end_minute` exclusive) in
//! the user's local time, given as a fixed offset from UTC in minutes. A fixed offset rather
//! than an IANA zone name: it needs no time zone database (chrono-tz is not a dependency and
//! would add one to the binary), and the app knows it (`-Date.getTimezoneOffset()`). The cost:
//! after a daylight saving change the period is an hour off until the app sends the new offset
//! (it does whenever the preferences are saved, and when it opens with a different offset).
//!
//! A period may cross midnight (22:00–07:00 is `start_minute` 1320, `end_minute` 420). Start
//! and end must differ: an empty or all-day period is refused rather than guessed at.
//!
//! Call invites ring through: a call is someone waiting on the line now (for a support agent on
//! call duty, the reason the phone is on at night), and it can be declined. Everything else in
//! the period is dropped, not postponed: a morning full of night-old pushes is noise, and the
//! app shows what is unread when it opens.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

pub const MINUTES_PER_DAY: i32 = 24 * 60;
/// UTC−12:00 to UTC+14:00, the offsets in use.
pub const OFFSETS: std::ops::RangeInclusive<i32> = -12 * 60..=14 * 60;

/// A daily quiet period in the user's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// Local minute of the day it starts (0–1439), e.g. 1320 for 22:00.
    pub start_minute: i32,
    /// Local minute of the day it ends, exclusive (0–1439), e.g. 420 for 07:00. Less than
    /// `start_minute`: the period crosses midnight. Must differ from `start_minute`.
    pub end_minute: i32,
    /// The user's offset from UTC in minutes (−720 to 840), e.g. 60 for UTC+01:00.
    pub utc_offset_minutes: i32,
}

impl QuietHours {
    /// The problems of a period the user sent, named by field.
    pub fn check(&self) -> Result<(), AppError> {
        let minute = |name: &str, value: i32| {
            if (0..MINUTES_PER_DAY).contains(&value) {
                Ok(())
            } else {
                Err(AppError::field(
                    &format!("quiet_hours.{name}"),
                    "must be a minute of the day, 0 to 1439",
                ))
            }
        };
        minute("start_minute", self.start_minute)?;
        minute("end_minute", self.end_minute)?;
        if self.start_minute == self.end_minute {
            return Err(AppError::field(
                "quiet_hours.end_minute",
                "must differ from start_minute",
            ));
        }
        if !OFFSETS.contains(&self.utc_offset_minutes) {
            return Err(AppError::field(
                "quiet_hours.utc_offset_minutes",
                "must be between -720 and 840",
            ));
        }
        Ok(())
    }

    /// Whether the instant `now_ms` (epoch milliseconds) falls in the period.
    pub fn contains(&self, now_ms: i64) -> bool {
        let utc_minute = now_ms.div_euclid(60_000);
        let local =
            (utc_minute + i64::from(self.utc_offset_minutes)).rem_euclid(MINUTES_PER_DAY.into());
        let (start, end) = (i64::from(self.start_minute), i64::from(self.end_minute));
        if start < end {
            start <= local && local < end
        } else {
            // Crosses midnight: from start to the end of the day, and from 0 to end.
            local >= start || local < end
        }
    }

    /// From the stored columns: all three set, or none.
    pub fn from_columns(
        start: Option<i32>,
        end: Option<i32>,
        offset: Option<i32>,
    ) -> Option<QuietHours> {
        Some(QuietHours {
            start_minute: start?,
            end_minute: end?,
            utc_offset_minutes: offset?,
        })
    }
}

/// Whether a push of `kind` is held back by `quiet` at `now_ms`.
pub fn silences(quiet: Option<&QuietHours>, kind: &str, now_ms: i64) -> bool {
    kind != "call" && quiet.is_some_and(|q| q.contains(now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch milliseconds of a UTC time of day (on 1 January 1970).
    fn at(hour: i64, minute: i64) -> i64 {
        (hour * 60 + minute) * 60_000
    }

    fn period(start: i32, end: i32, offset: i32) -> QuietHours {
        QuietHours {
            start_minute: start,
            end_minute: end,
            utc_offset_minutes: offset,
        }
    }

    #[test]
    fn a_period_within_a_day_holds_from_its_start_to_before_its_end() {
        let lunch = period(12 * 60, 13 * 60, 0);
        assert!(!lunch.contains(at(11, 59)));
        assert!(lunch.contains(at(12, 0)));
        assert!(lunch.contains(at(12, 59)));
        assert!(!lunch.contains(at(13, 0)));
    }

    #[test]
    fn a_night_crosses_midnight() {
        let night = period(22 * 60, 7 * 60, 0);
        assert!(night.contains(at(22, 0)));
        assert!(night.contains(at(23, 59)));
        assert!(night.contains(at(0, 0)));
        assert!(night.contains(at(6, 59)));
        assert!(!night.contains(at(7, 0)));
        assert!(!night.contains(at(12, 0)));
        assert!(!night.contains(at(21, 59)));
    }

    #[test]
    fn the_offset_moves_the_period_to_local_time() {
        // 22:00–07:00 in UTC+02:00 is 20:00–05:00 UTC.
        let night = period(22 * 60, 7 * 60, 120);
        assert!(night.contains(at(20, 0)));
        assert!(!night.contains(at(19, 59)));
        assert!(night.contains(at(4, 59)));
        assert!(!night.contains(at(5, 0)));
        // UTC−05:00: 03:00–08:00 local is 08:00–13:00 UTC; before the epoch too.
        let early = period(3 * 60, 8 * 60, -300);
        assert!(early.contains(at(8, 0)));
        assert!(!early.contains(at(13, 0)));
        assert!(early.contains(at(8, 0) - 86_400_000));
    }

    #[test]
    fn calls_ring_through() {
        let always = period(0, MINUTES_PER_DAY - 1, 0);
        assert!(silences(Some(&always), "message", at(1, 0)));
        assert!(silences(Some(&always), "mention", at(1, 0)));
        assert!(!silences(Some(&always), "call", at(1, 0)));
        assert!(!silences(None, "message", at(1, 0)));
    }

    #[test]
    fn bad_periods_are_named() {
        let field = |q: QuietHours| match q.check() {
            Err(AppError::Validation(fields)) => fields.into_keys().next().unwrap(),
            other => panic!("{other:?}"),
        };
        assert!(period(1320, 420, 60).check().is_ok());
        assert!(period(0, 1439, -720).check().is_ok());
        assert_eq!(field(period(-1, 420, 0)), "quiet_hours.start_minute");
        assert_eq!(field(period(0, 1440, 0)), "quiet_hours.end_minute");
        assert_eq!(field(period(60, 60, 0)), "quiet_hours.end_minute");
        assert_eq!(field(period(0, 60, 900)), "quiet_hours.utc_offset_minutes");
    }
}
