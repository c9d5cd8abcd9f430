//! The window a report covers: whole UTC days, `from` to `to` inclusive, at most
//! [`MAX_DAYS`] of them.

use chrono::{Days, NaiveDate, Utc};

use crate::error::{AppError, AppResult};

/// Longest window: a leap year.
pub const MAX_DAYS: i64 = 366;
/// Length of the default window (ending today).
pub const DEFAULT_DAYS: i64 = 30;
pub const DAY_MS: i64 = 86_400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    /// Number of days, 1 to [`MAX_DAYS`].
    pub days: i64,
}

impl Window {
    /// Parses `from` and `to` (`YYYY-MM-DD`); either may be absent: `to` defaults to today
    /// (UTC), `from` to 30 days ending at `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> AppResult<Self> {
        let date = |name: &str, v: &str| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::field(name, "must be a date, YYYY-MM-DD"))
        };
        let to = match to {
            Some(v) => date("to", v)?,
            None => today,
        };
        let from = match from {
            Some(v) => date("from", v)?,
            None => to
                .checked_sub_days(Days::new(DEFAULT_DAYS as u64 - 1))
                .unwrap_or(to),
        };
        if from > to {
            return Err(AppError::field("from", "must not be after to"));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(AppError::field("to", "the range is at most 366 days"));
        }
        Ok(Self { from, days })
    }

    pub fn today() -> NaiveDate {
        Utc::now().date_naive()
    }

    /// Epoch ms of the window's first instant.
    pub fn start_ms(&self) -> i64 {
        self.from
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_millis()
    }

    /// Epoch ms just past the window (the start of the day after `to`).
    pub fn end_ms(&self) -> i64 {
        self.start_ms() + self.days * DAY_MS
    }

    pub fn to(&self) -> NaiveDate {
        self.day(self.days - 1)
    }

    /// The `i`th day of the window (0 = `from`).
    pub fn day(&self, i: i64) -> NaiveDate {
        self.from
            .checked_add_days(Days::new(i as u64))
            .unwrap_or(self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_window_is_whole_utc_days_from_and_to_inclusive() {
        let w = Window::parse(Some("2026-03-01"), Some("2026-03-03"), d("2026-12-01")).unwrap();
        assert_eq!(w.days, 3);
        assert_eq!(w.start_ms(), 1_772_323_200_000);
        assert_eq!(w.end_ms() - w.start_ms(), 3 * DAY_MS);
        assert_eq!(w.to(), d("2026-03-03"));
        let one = Window::parse(Some("2026-03-01"), Some("2026-03-01"), d("2026-12-01")).unwrap();
        assert_eq!(one.days, 1);
    }

    #[test]
    fn the_default_window_is_the_last_thirty_days() {
        let w = Window::parse(None, None, d("2026-12-01")).unwrap();
        assert_eq!(
            (w.from, w.to(), w.days),
            (d("2026-11-02"), d("2026-12-01"), 30)
        );
    }

    #[test]
    fn a_reversed_overlong_or_malformed_range_is_refused() {
        let today = d("2026-12-01");
        assert!(Window::parse(Some("2026-03-02"), Some("2026-03-01"), today).is_err());
        assert!(Window::parse(Some("2016-01-01"), Some("2026-01-01"), today).is_err());
        // 366 days is allowed, 367 is not.
        assert!(Window::parse(Some("2024-01-01"), Some("2024-12-31"), today).is_ok());
        assert!(Window::parse(Some("2024-01-01"), Some("2025-01-01"), today).is_err());
        assert!(Window::parse(Some("yesterday"), None, today).is_err());
        assert!(Window::parse(Some("2026-02-30"), None, today).is_err());
    }
}
