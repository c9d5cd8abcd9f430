//! The analytics queries: plain SQL that SQLite, PostgreSQL and MariaDB all run, with the few
//! spellings that differ (integer division, casts to a 64-bit integer, placeholders) in
//! [`Dialect`]. Each query returns one row per group: the whole desk ([`Group::Total`]), each
//! agent (the current assignee) or each team (the current team).
//!
//! Percentiles: no percentile function exists on all three (SQLite has none), so each group's
//! values are numbered in order (`ROW_NUMBER() OVER (PARTITION BY group ORDER BY value)`) next to
//! the group's size, and the rows at the nearest ranks `ceil(n * p / 100)` are kept (see
//! [`super::view::rank`]); that rank test is written without division, so integer arithmetic on
//! every database gives the same rows.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use super::range::{DAY_MS, Window};
use crate::error::AppResult;

/// What the tickets are narrowed to (`team=`, `agent=`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    pub team: Option<i64>,
    pub agent: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// One row, key 0.
    Total,
    /// Per current assignee (unassigned tickets left out).
    Agent,
    /// Per current team (tickets with no team left out).
    Team,
}

impl Group {
    fn column(self) -> Option<&'static str> {
        match self {
            Group::Total => None,
            Group::Agent => Some("t.assignee_id"),
            Group::Team => Some("t.team_id"),
        }
    }
}

/// Which duration a percentile query reads.
#[derive(Clone, Copy, Debug)]
pub enum Duration {
    /// `first_response_at - created_at`, tickets opened in the window and answered.
    FirstResponse,
    /// `closed_at - created_at`, tickets closed in the window.
    Resolution,
}

struct Dialect(DbBackend);

impl Dialect {
    /// A 64-bit signed integer on every database (MariaDB's SUM is DECIMAL, PostgreSQL's
    /// literals are 32-bit), so every column reads as `i64`.
    fn bigint(&self, e: &str) -> String {
        match self.0 {
            DbBackend::MySql => format!("CAST({e} AS SIGNED)"),
            DbBackend::Postgres => format!("CAST({e} AS BIGINT)"),
            _ => e.to_string(),
        }
    }

    /// Integer division of a non-negative `e` (MariaDB's `/` gives a decimal).
    fn div(&self, e: &str, by: i64) -> String {
        match self.0 {
            DbBackend::MySql => format!("({e}) DIV {by}"),
            _ => format!("({e}) / {by}"),
        }
    }
}

/// SQL text and its values, with the backend's placeholders.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, v: i64) -> &mut Self {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => self.text.push_str(&format!("${}", self.values.len())),
            _ => self.text.push('?'),
        }
        self
    }

    /// `AND col >= from AND col < to`.
    fn within(&mut self, col: &str, w: &Window) -> &mut Self {
        self.push(&format!(" AND {col} >= "))
            .bind(w.start_ms())
            .push(&format!(" AND {col} < "))
            .bind(w.end_ms())
    }

    fn scope(&mut self, s: Scope, g: Group) -> &mut Self {
        if let Some(team) = s.team {
            self.push(" AND t.team_id = ").bind(team);
        }
        if let Some(agent) = s.agent {
            self.push(" AND t.assignee_id = ").bind(agent);
        }
        if let Some(col) = g.column() {
            self.push(&format!(" AND {col} IS NOT NULL"));
        }
        self
    }

    fn group_by(&mut self, g: Group) -> &mut Self {
        if let Some(col) = g.column() {
            self.push(&format!(" GROUP BY {col}"));
        }
        self
    }
}

pub struct Stats<'a, C> {
    db: &'a C,
    d: Dialect,
    scope: Scope,
    window: Window,
}

fn int(row: &QueryResult, col: &str) -> AppResult<i64> {
    Ok(row.try_get::<i64>("", col)?)
}

impl<'a, C: ConnectionTrait> Stats<'a, C> {
    pub fn new(db: &'a C, scope: Scope, window: Window) -> Self {
        Self {
            db,
            d: Dialect(db.get_database_backend()),
            scope,
            window,
        }
    }

    fn sql(&self) -> Sql {
        Sql::new(self.d.0)
    }

    fn key(&self, g: Group) -> String {
        self.d.bigint(g.column().unwrap_or("0"))
    }

    async fn rows(&self, q: Sql) -> AppResult<Vec<QueryResult>> {
        Ok(self
            .db
            .query_all_raw(Statement::from_sql_and_values(q.backend, q.text, q.values))
            .await?)
    }

    /// Per group: tickets opened in the window; of them, those whose first response met its
    /// target, and those whose first-response target is decided (answered, or its due time
    /// passed by `now`).
    pub async fn opened(&self, g: Group, now: i64) -> AppResult<HashMap<i64, [i64; 3]>> {
        let b = |e: &str| self.d.bigint(e);
        let mut q = self.sql();
        // `now` is an i64 of ours, written as a literal.
        q.push(&format!(
            "SELECT {} AS k, {} AS n, {} AS met, {} AS decided FROM tickets t WHERE 1 = 1",
            self.key(g),
            b("COUNT(*)"),
            b("COUNT(CASE WHEN t.first_response_at IS NOT NULL \
               AND t.first_response_at <= t.first_response_due THEN 1 END)"),
            b(&format!(
                "COUNT(CASE WHEN t.first_response_at IS NOT NULL \
                 OR t.first_response_due < {now} THEN 1 END)"
            )),
        ))
        .within("t.created_at", &self.window)
        .scope(self.scope, g)
        .group_by(g);
        self.keyed(q, &["n", "met", "decided"]).await
    }

    /// Per group: tickets closed in the window, and those closed by their resolution due time.
    pub async fn closed(&self, g: Group) -> AppResult<HashMap<i64, [i64; 2]>> {
        let b = |e: &str| self.d.bigint(e);
        let mut q = self.sql();
        q.push(&format!(
            "SELECT {} AS k, {} AS n, {} AS met FROM tickets t WHERE 1 = 1",
            self.key(g),
            b("COUNT(*)"),
            b("COUNT(CASE WHEN t.closed_at <= t.resolution_due THEN 1 END)"),
        ))
        .within("t.closed_at", &self.window)
        .scope(self.scope, g)
        .group_by(g);
        self.keyed(q, &["n", "met"]).await
    }

    /// Per group: tickets open at `at` (created before it, and not closed before it).
    ///
    /// Written as two searches that the `closed_at` index answers (still open; closed at or
    /// after `at`), added up per group: the plain `closed_at IS NULL OR closed_at >= at`
    /// reads every ticket created before `at`, the whole history for a recent `at`
    /// (133–190 ms against 8–21 ms on 100,000 tickets, BENCHMARKS.md "Analytics").
    pub async fn open_at(&self, g: Group, at: i64) -> AppResult<HashMap<i64, [i64; 1]>> {
        // `closed_after`: None for the tickets still open, Some(at) for those closed since.
        let part = |q: &mut Sql, closed_after: Option<i64>| {
            q.push(&format!(
                "SELECT {} AS k, {} AS n FROM tickets t WHERE ",
                self.key(g),
                self.d.bigint("COUNT(*)"),
            ));
            match closed_after {
                None => q.push("t.closed_at IS NULL"),
                Some(at) => q.push("t.closed_at >= ").bind(at),
            };
            q.push(" AND t.created_at < ")
                .bind(at)
                .scope(self.scope, g)
                .group_by(g);
        };
        let mut q = self.sql();
        q.push(&format!(
            "SELECT k, {} AS n FROM (",
            self.d.bigint("SUM(n)")
        ));
        part(&mut q, None);
        q.push(" UNION ALL ");
        part(&mut q, Some(at));
        q.push(") x GROUP BY k");
        self.keyed(q, &["n"]).await
    }

    /// Per group: ratings given in the window, and the sum of their scores.
    pub async fn csat(&self, g: Group) -> AppResult<HashMap<i64, [i64; 2]>> {
        let mut q = self.sql();
        q.push(&format!(
            "SELECT {} AS k, {} AS n, {} AS total FROM ticket_ratings r \
             JOIN tickets t ON t.id = r.ticket_id WHERE 1 = 1",
            self.key(g),
            self.d.bigint("COUNT(*)"),
            self.d.bigint("COALESCE(SUM(r.score), 0)"),
        ))
        .within("r.created_at", &self.window)
        .scope(self.scope, g)
        .group_by(g);
        self.keyed(q, &["n", "total"]).await
    }

    /// Per group: the values at the nearest ranks of the 50th and 90th percentiles, and the
    /// number of values: `[n, median, p90]`.
    pub async fn percentiles(&self, g: Group, what: Duration) -> AppResult<HashMap<i64, [i64; 3]>> {
        let (value, col, extra) = match what {
            Duration::FirstResponse => (
                "t.first_response_at - t.created_at",
                "t.created_at",
                " AND t.first_response_at IS NOT NULL",
            ),
            Duration::Resolution => ("t.closed_at - t.created_at", "t.closed_at", ""),
        };
        let partition = g
            .column()
            .map(|c| format!("PARTITION BY {c} "))
            .unwrap_or_default();
        // rn is the nearest rank ceil(n * p / 100) exactly when rn * 100 >= n * p > (rn - 1) * 100.
        let at = |p: i64| format!("(rn * 100 >= n * {p} AND (rn - 1) * 100 < n * {p})");
        let mut q = self.sql();
        q.push(&format!(
            "SELECT k, v, n, {} AS is_median, {} AS is_p90 FROM (\
             SELECT {} AS k, {} AS v, \
             {} AS rn, {} AS n \
             FROM tickets t WHERE 1 = 1{extra}",
            self.d
                .bigint(&format!("CASE WHEN {} THEN 1 ELSE 0 END", at(50))),
            self.d
                .bigint(&format!("CASE WHEN {} THEN 1 ELSE 0 END", at(90))),
            self.key(g),
            self.d.bigint(value),
            self.d
                .bigint(&format!("ROW_NUMBER() OVER ({partition}ORDER BY {value})")),
            self.d.bigint(&format!("COUNT(*) OVER ({partition})")),
        ))
        .within(col, &self.window)
        .scope(self.scope, g)
        .push(&format!(") x WHERE {} OR {}", at(50), at(90)));
        let mut out: HashMap<i64, [i64; 3]> = HashMap::new();
        for r in self.rows(q).await? {
            let e = out.entry(int(&r, "k")?).or_default();
            let v = int(&r, "v")?;
            e[0] = int(&r, "n")?;
            if int(&r, "is_median")? == 1 {
                e[1] = v;
            }
            if int(&r, "is_p90")? == 1 {
                e[2] = v;
            }
        }
        Ok(out)
    }

    /// Tickets opened (`created_at`) or closed (`closed_at`) on each day of the window.
    pub async fn per_day(&self, col: &str) -> AppResult<Vec<i64>> {
        let mut q = self.sql();
        // The window's start is an i64 of ours, written as a literal so the day expression has
        // no placeholder (PostgreSQL groups by it as written).
        let day = self.d.bigint(
            &self
                .d
                .div(&format!("{col} - {}", self.window.start_ms()), DAY_MS),
        );
        q.push(&format!(
            "SELECT {day} AS d, {} AS n FROM tickets t WHERE 1 = 1",
            self.d.bigint("COUNT(*)")
        ))
        .within(col, &self.window)
        .scope(self.scope, Group::Total)
        .push(&format!(" GROUP BY {day}"));
        let mut out = vec![0; self.window.days as usize];
        for r in self.rows(q).await? {
            if let Some(slot) = usize::try_from(int(&r, "d")?)
                .ok()
                .and_then(|d| out.get_mut(d))
            {
                *slot = int(&r, "n")?;
            }
        }
        Ok(out)
    }

    async fn keyed<const N: usize>(
        &self,
        q: Sql,
        cols: &[&str; N],
    ) -> AppResult<HashMap<i64, [i64; N]>> {
        let mut out = HashMap::new();
        for r in self.rows(q).await? {
            let mut vals = [0; N];
            for (slot, col) in vals.iter_mut().zip(cols) {
                *slot = int(&r, col)?;
            }
            out.insert(int(&r, "k")?, vals);
        }
        Ok(out)
    }
}
