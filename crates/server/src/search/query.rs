//! The two searches (message bodies, ticket subjects) as SQL, with what differs per database in
//! [`Dialect`]: how a word is matched (FTS5 trigram, pg_trgm `ILIKE`, a `LOCATE` scan) and the
//! spelling of the score. Both sources are ordered by the same key, (score, created_at, kind,
//! id) descending, so a page is the top of each source after the cursor, merged.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Order, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, QueryResult, Value};

use super::terms::Terms;
use crate::auth::AuthUser;
use crate::db::entities::{conversation_member, message, ticket};
use crate::domain::MessageKind;
use crate::error::{AppError, AppResult};
use crate::tickets::domain::Status;

/// Which source a hit came from; the tie-break between equal scores and times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Message = 0,
    Ticket = 1,
}

/// The keyset position: a page holds what sorts after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub score: i64,
    pub created_at: i64,
    pub source: Source,
    pub id: i64,
}

impl Key {
    pub fn encode(&self) -> String {
        let Key {
            score,
            created_at,
            source,
            id,
        } = *self;
        URL_SAFE_NO_PAD.encode(format!("{score}:{created_at}:{}:{id}", source as u8))
    }

    pub fn decode(cursor: &str) -> AppResult<Key> {
        let bad = || AppError::field("cursor", "not a cursor from this API");
        let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let n: Vec<i64> = text
            .split(':')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let source = match n.get(2) {
            Some(0) => Source::Message,
            Some(1) => Source::Ticket,
            _ => return Err(bad()),
        };
        match n[..] {
            [score, created_at, _, id] => Ok(Key {
                score,
                created_at,
                source,
                id,
            }),
            _ => Err(bad()),
        }
    }
}

/// What narrows a search besides visibility.
#[derive(Default)]
pub struct Filters {
    pub conversation: Option<i64>,
    pub ticket_status: Option<Status>,
    pub from: Option<i64>,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

/// A database's way of matching and scoring.
struct Dialect(DbBackend);

impl Dialect {
    /// The `n`th (from 1) value's placeholder in a custom expression.
    fn ph(&self, n: usize) -> String {
        match self.0 {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".into(),
        }
    }

    /// Every word occurs in `column` (a case-insensitive substring). `fts`: on SQLite, the
    /// trigram index of the column; `rows`: whether the index's rows or those waiting for it
    /// are searched (`Rows::Waiting` only where `uses_waiting` says so).
    fn matches(&self, column: &str, fts: &Fts, rows: Rows, words: &[String]) -> Condition {
        let mut all = Condition::all();
        match self.0 {
            DbBackend::Sqlite => {
                // The trigram index finds words of three characters or more; shorter ones are
                // checked on the rows it yields (or, alone, scanned). Each word is one FTS5
                // string ("" escapes a quote), so nothing in it is query syntax.
                let (long, short): (Vec<&String>, Vec<&String>) =
                    words.iter().partition(|w| w.chars().count() >= 3);
                if !long.is_empty() {
                    all = match rows {
                        Rows::Indexed => all.add(fts.matches(&long)),
                        Rows::Waiting => all.add(fts.waiting(column, &long)),
                    };
                }
                for w in short {
                    all = all.add(Expr::cust_with_values(
                        format!("instr({}, lower(?)) > 0", folded(column, w)),
                        [w.clone()],
                    ));
                }
            }
            DbBackend::Postgres => {
                // ILIKE is what the pg_trgm index serves; its wildcards are escaped (backslash is
                // the default escape character).
                for w in words {
                    all = all.add(Expr::cust_with_values(
                        format!("{column} ILIKE $1"),
                        [format!("%{}%", escape_like(w))],
                    ));
                }
            }
            _ => {
                // No wildcards at all: LOCATE finds the literal text.
                for w in words {
                    all = all.add(Expr::cust_with_values(
                        format!("LOCATE(LOWER(?), {}) > 0", folded(column, w)),
                        [w.clone()],
                    ));
                }
            }
        }
        all
    }

    /// Whether the match reads every candidate row's text (no index serves it): words under
    /// three characters on SQLite and PostgreSQL, always on MySQL/MariaDB.
    fn scans(&self, words: &[String]) -> bool {
        match self.0 {
            DbBackend::Sqlite | DbBackend::Postgres => words.iter().all(|w| w.chars().count() < 3),
            _ => true,
        }
    }

    /// Whether a search of `fts` also looks at the rows waiting for the index: on SQLite, when
    /// the index serves the search (a word of three characters or more) and rows can wait.
    fn uses_waiting(&self, fts: &Fts, words: &[String]) -> bool {
        self.0 == DbBackend::Sqlite && fts.waiting.is_some() && !self.scans(words)
    }

    /// The share of `column` the words cover, in thousandths: for each word, the characters its
    /// occurrences take (the length lost when they are removed), over the text's length. It
    /// depends on the row alone, so a cursor stays valid while others write.
    fn score(&self, column: &str, words: &[String]) -> Expr {
        let len = match self.0 {
            DbBackend::Sqlite => "length",
            _ => "char_length",
        };
        let covered = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let p = self.ph(i + 1);
                let text = folded(column, w);
                format!("({len}({text}) - {len}(replace({text}, lower({p}), '')))")
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let sql = match self.0 {
            DbBackend::Sqlite => format!("(({covered}) * 1000 / {len}({column}))"),
            DbBackend::Postgres => format!("CAST(({covered}) * 1000 / {len}({column}) AS BIGINT)"),
            _ => format!("CAST(({covered}) * 1000 DIV {len}({column}) AS SIGNED)"),
        };
        Expr::cust_with_values(sql, words.iter().cloned().map(Value::from))
    }
}

/// `column`, lower-cased for comparing with `word`, unless the word has no letters with case
/// (Chinese, Japanese, Korean, digits): then lowering every row's text would be work for nothing
/// (it is most of the cost of a scan).
fn folded(column: &str, word: &str) -> String {
    if word.chars().any(|c| c.is_lowercase() || c.is_uppercase()) {
        format!("lower({column})")
    } else {
        column.to_string()
    }
}

/// A SQLite FTS5 trigram index over a column.
struct Fts {
    /// The FTS5 table, as the query's FROM names it.
    table: &'static str,
    /// Its name alone: the hidden column that MATCH takes.
    name: &'static str,
    /// The indexed table's row id, as the query names it.
    id: &'static str,
    /// The ids of the rows the index does not hold as they are now (`search::index`), if any.
    waiting: Option<&'static str>,
    /// Of those, the ones the index holds an older text of: left out of its answers.
    changed: Option<&'static str>,
}

/// Messages stored after the indexer's last pass, and messages changed since (edited, deleted,
/// an id used again): `search::index`. Written to be found by the rowid and the changes' key.
const MESSAGES_WAITING: &str = "SELECT id FROM messages WHERE id > coalesce((SELECT indexed_up_to FROM search.index_progress), 0) \
     UNION ALL SELECT message_id FROM message_search_changes \
     WHERE id > coalesce((SELECT changes_up_to FROM search.index_progress), 0)";
const MESSAGES_CHANGED: &str = "SELECT message_id FROM message_search_changes \
     WHERE id > coalesce((SELECT changes_up_to FROM search.index_progress), 0)";

const MESSAGES_FTS: Fts = Fts {
    table: "search.message_index",
    name: "message_index",
    id: "messages.id",
    waiting: Some(MESSAGES_WAITING),
    changed: Some(MESSAGES_CHANGED),
};

const TICKETS_FTS: Fts = Fts {
    table: "tickets_fts",
    name: "tickets_fts",
    id: "tickets.id",
    waiting: None,
    changed: None,
};

/// Which rows of an indexed table a query searches. The two are searched apart and merged
/// (`messages`): one list of both in one `IN` cost the planner its way in by the index (a
/// 1,000,000-message search went from 12 ms to 1.5 s).
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    /// The rows in the index, found through it.
    Indexed,
    /// The rows waiting for the index (stored or changed since its last pass: about a chunk,
    /// `search::index::CHUNK_ROWS`, under load),
    /// found by a scan of their text.
    Waiting,
}

impl Fts {
    /// The indexed rows that hold every one of `words` (three characters or more).
    fn matches(&self, words: &[&String]) -> Expr {
        // Each word is one FTS5 string ("" escapes a quote), so nothing in it is query syntax.
        let phrase = words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ");
        let Fts {
            table, name, id, ..
        } = self;
        let current = match self.changed {
            Some(changed) => format!(" AND {id} NOT IN ({changed})"),
            None => String::new(),
        };
        Expr::cust_with_values(
            format!("{id} IN (SELECT rowid FROM {table} WHERE {name} MATCH ?){current}"),
            [phrase],
        )
    }

    /// The waiting rows whose `column` holds every one of `words`: the same test as a short
    /// word's, on the waiting rows alone.
    fn waiting(&self, column: &str, words: &[&String]) -> Condition {
        let Fts { id, .. } = self;
        let Some(waiting) = self.waiting else {
            // No row of this index ever waits.
            return Condition::any().add(Expr::val(1).eq(0));
        };
        let mut all = Condition::all().add(Expr::cust(format!("{id} IN ({waiting})")));
        for w in words {
            all = all.add(Expr::cust_with_values(
                format!("instr({}, lower(?)) > 0", folded(column, w)),
                [(*w).clone()],
            ));
        }
        all
    }
}

/// `%`, `_` and the escape character itself, escaped for LIKE.
fn escape_like(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Sorts strictly after `key` in the shared order, for a source whose rows all have `source`.
/// What both searches page by: the score, then the time, then the id (newest first), and which
/// source the rows come from.
struct Page {
    score: Expr,
    time: Expr,
    id: Expr,
    source: Source,
}

impl Page {
    /// The time window of the filters, the keyset cursor, the order and the limit.
    fn apply(self, q: &mut SelectStatement, f: &Filters, cursor: Option<&Key>, limit: u64) {
        if let Some(t) = f.after {
            q.and_where(self.time.clone().gt(t));
        }
        if let Some(t) = f.before {
            q.and_where(self.time.clone().lt(t));
        }
        if let Some(key) = cursor {
            q.cond_where(after(
                self.score.clone(),
                self.time.clone(),
                self.id.clone(),
                self.source,
                key,
            ));
        }
        q.order_by_expr(self.score, Order::Desc)
            .order_by_expr(self.time, Order::Desc)
            .order_by_expr(self.id, Order::Desc)
            .limit(limit);
    }
}

fn after(score: Expr, time: Expr, id: Expr, source: Source, key: &Key) -> Condition {
    let same_time = match source.cmp(&key.source) {
        std::cmp::Ordering::Less => Condition::all(),
        std::cmp::Ordering::Greater => Condition::any().add(Expr::val(1).eq(0)),
        std::cmp::Ordering::Equal => Condition::all().add(id.lt(key.id)),
    };
    Condition::any().add(score.clone().lt(key.score)).add(
        Condition::all().add(score.eq(key.score)).add(
            Condition::any()
                .add(time.clone().lt(key.created_at))
                .add(Condition::all().add(time.eq(key.created_at)).add(same_time)),
        ),
    )
}

pub struct MessageRow {
    pub key: Key,
    pub conversation_id: i64,
    pub seq: i64,
    pub sender_id: i64,
    pub kind: MessageKind,
    pub body: String,
    pub ticket: Option<(i64, i64, String)>,
}

pub struct TicketRow {
    pub key: Key,
    pub number: i64,
    pub subject: String,
    pub conversation_id: i64,
    pub requester_id: i64,
}

/// Who sees what, as SQL over `messages` LEFT JOIN `tickets`: a direct conversation's members,
/// a ticket's viewers by the ticket rule; notes only for staff, and only in tickets.
fn visible_messages(me: &AuthUser, teams: &[i64]) -> Condition {
    let members = Query::select()
        .column(conversation_member::Column::ConversationId)
        .from(conversation_member::Entity)
        .and_where(conversation_member::Column::UserId.eq(me.id))
        .take();
    let direct = Condition::all()
        .add(ticket::Column::Id.is_null())
        .add(message::Column::ConversationId.in_subquery(members))
        .add(message::Column::Kind.ne(MessageKind::Note));
    let mut in_ticket = Condition::all()
        .add(ticket::Column::Id.is_not_null())
        .add(crate::tickets::query::visible(me, teams));
    if !me.is_staff() {
        in_ticket = in_ticket.add(message::Column::Kind.ne(MessageKind::Note));
    }
    Condition::any().add(direct).add(in_ticket)
}

/// The conversations the caller may see, as one list (a superset for notes, which
/// `visible_messages` still decides). Added when the match scans, so the scan runs over these
/// conversations' messages through their index rather than over the whole table.
fn visible_conversations(me: &AuthUser, teams: &[i64]) -> Expr {
    let members = Query::select()
        .column(conversation_member::Column::ConversationId)
        .from(conversation_member::Entity)
        .and_where(conversation_member::Column::UserId.eq(me.id))
        .take();
    let mut tickets = Query::select()
        .column(ticket::Column::ConversationId)
        .from(ticket::Entity)
        .cond_where(crate::tickets::query::visible(me, teams))
        .take();
    tickets.union(UnionType::All, members);
    message::Column::ConversationId.in_subquery(tickets)
}

pub async fn messages(
    db: &impl ConnectionTrait,
    me: &AuthUser,
    teams: &[i64],
    terms: &Terms,
    f: &Filters,
    cursor: Option<&Key>,
    limit: u64,
) -> AppResult<Vec<MessageRow>> {
    let dialect = Dialect(db.get_database_backend());
    let words = terms.words();
    let page = |rows| message_page(&dialect, me, teams, words, f, cursor, limit, rows);
    if !dialect.uses_waiting(&MESSAGES_FTS, words) {
        let rows = db.query_all(&page(Rows::Indexed)).await?;
        return rows.iter().map(message_row).collect();
    }
    // The waiting rows first, then the indexed ones: a row the indexer indexes in between is
    // found twice (kept once), never missed.
    let mut found: Vec<MessageRow> = Vec::new();
    for rows in [Rows::Waiting, Rows::Indexed] {
        for row in db.query_all(&page(rows)).await? {
            let row = message_row(&row)?;
            if !found.iter().any(|m| m.key.id == row.key.id) {
                found.push(row);
            }
        }
    }
    found.sort_by_key(|m| std::cmp::Reverse(m.key));
    found.truncate(limit as usize);
    Ok(found)
}

/// The query for one page of matching messages, from the index's rows or the waiting ones.
#[allow(clippy::too_many_arguments)]
fn message_page(
    dialect: &Dialect,
    me: &AuthUser,
    teams: &[i64],
    words: &[String],
    f: &Filters,
    cursor: Option<&Key>,
    limit: u64,
    rows: Rows,
) -> SelectStatement {
    let score = dialect.score("messages.body", words);
    let mut q: SelectStatement = Query::select()
        .column((message::Entity, message::Column::Id))
        .column((message::Entity, message::Column::ConversationId))
        .column((message::Entity, message::Column::Seq))
        .column((message::Entity, message::Column::SenderId))
        .column((message::Entity, message::Column::Kind))
        .column((message::Entity, message::Column::Body))
        .column((message::Entity, message::Column::CreatedAt))
        .expr_as(Expr::col((ticket::Entity, ticket::Column::Id)), "ticket_id")
        .expr_as(
            Expr::col((ticket::Entity, ticket::Column::Number)),
            "ticket_number",
        )
        .expr_as(
            Expr::col((ticket::Entity, ticket::Column::Subject)),
            "ticket_subject",
        )
        .expr_as(score.clone(), "score")
        .from(message::Entity)
        .left_join(
            ticket::Entity,
            Expr::col((ticket::Entity, ticket::Column::ConversationId))
                .equals((message::Entity, message::Column::ConversationId)),
        )
        // Deleted messages keep their row with an empty body.
        .and_where(message::Column::Body.ne(""))
        // Visibility first: where a scan is needed, the text of rows the caller may not see is
        // never read.
        .cond_where(visible_messages(me, teams))
        .cond_where(dialect.matches("messages.body", &MESSAGES_FTS, rows, words))
        .take();
    if dialect.scans(words) {
        q.and_where(visible_conversations(me, teams));
    }
    if let Some(c) = f.conversation {
        q.and_where(message::Column::ConversationId.eq(c));
    }
    if let Some(s) = f.ticket_status {
        q.and_where(ticket::Column::Status.eq(s));
    }
    if let Some(u) = f.from {
        q.and_where(message::Column::SenderId.eq(u));
    }
    let time = Expr::col((message::Entity, message::Column::CreatedAt));
    let id = Expr::col((message::Entity, message::Column::Id));
    let page = Page {
        score,
        time,
        id,
        source: Source::Message,
    };
    page.apply(&mut q, f, cursor, limit);
    q
}

fn message_row(r: &QueryResult) -> AppResult<MessageRow> {
    let kind: String = r.try_get("", "kind")?;
    let kind = crate::domain::parse_text(&kind)
        .ok_or_else(|| anyhow::anyhow!("unknown message kind {kind:?}"))?;
    let ticket_id: Option<i64> = r.try_get("", "ticket_id")?;
    let ticket = match ticket_id {
        Some(id) => Some((
            id,
            r.try_get("", "ticket_number")?,
            r.try_get("", "ticket_subject")?,
        )),
        None => None,
    };
    Ok(MessageRow {
        key: Key {
            score: r.try_get("", "score")?,
            created_at: r.try_get("", "created_at")?,
            source: Source::Message,
            id: r.try_get("", "id")?,
        },
        conversation_id: r.try_get("", "conversation_id")?,
        seq: r.try_get("", "seq")?,
        sender_id: r.try_get("", "sender_id")?,
        kind,
        body: r.try_get("", "body")?,
        ticket,
    })
}

pub async fn tickets(
    db: &impl ConnectionTrait,
    me: &AuthUser,
    teams: &[i64],
    terms: &Terms,
    f: &Filters,
    cursor: Option<&Key>,
    limit: u64,
) -> AppResult<Vec<TicketRow>> {
    let dialect = Dialect(db.get_database_backend());
    let words = terms.words();
    let score = dialect.score("tickets.subject", words);
    let mut q: SelectStatement = Query::select()
        .columns([
            ticket::Column::Id,
            ticket::Column::Number,
            ticket::Column::Subject,
            ticket::Column::ConversationId,
            ticket::Column::RequesterId,
            ticket::Column::CreatedAt,
        ])
        .expr_as(score.clone(), "score")
        .from(ticket::Entity)
        .cond_where(crate::tickets::query::visible(me, teams))
        .cond_where(dialect.matches("tickets.subject", &TICKETS_FTS, Rows::Indexed, words))
        .take();
    if let Some(c) = f.conversation {
        q.and_where(ticket::Column::ConversationId.eq(c));
    }
    if let Some(s) = f.ticket_status {
        q.and_where(ticket::Column::Status.eq(s));
    }
    if let Some(u) = f.from {
        q.and_where(ticket::Column::RequesterId.eq(u));
    }
    let time = Expr::col((ticket::Entity, ticket::Column::CreatedAt));
    let id = Expr::col((ticket::Entity, ticket::Column::Id));
    let page = Page {
        score,
        time,
        id,
        source: Source::Ticket,
    };
    page.apply(&mut q, f, cursor, limit);
    let rows = db.query_all(&q).await?;
    rows.iter()
        .map(|r| {
            Ok(TicketRow {
                key: Key {
                    score: r.try_get("", "score")?,
                    created_at: r.try_get("", "created_at")?,
                    source: Source::Ticket,
                    id: r.try_get("", "id")?,
                },
                number: r.try_get("", "number")?,
                subject: r.try_get("", "subject")?,
                conversation_id: r.try_get("", "conversation_id")?,
                requester_id: r.try_get("", "requester_id")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let k = Key {
            score: 250,
            created_at: 1_700_000_000_123,
            source: Source::Ticket,
            id: 42,
        };
        assert_eq!(Key::decode(&k.encode()).unwrap(), k);
        for bad in [
            "",
            "!!",
            &URL_SAFE_NO_PAD.encode("1:2:3"),
            &URL_SAFE_NO_PAD.encode("1:2:2:3"),
            &URL_SAFE_NO_PAD.encode("1:2:0:3:4"),
            &URL_SAFE_NO_PAD.encode("a:b:0:c"),
        ] {
            assert!(Key::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_order_puts_higher_scores_then_newer_then_tickets_first() {
        let key = |score, created_at, source, id| Key {
            score,
            created_at,
            source,
            id,
        };
        let mut keys = vec![
            key(10, 5, Source::Message, 1),
            key(20, 1, Source::Message, 2),
            key(10, 5, Source::Ticket, 1),
            key(10, 6, Source::Message, 3),
            key(10, 5, Source::Message, 4),
        ];
        keys.sort_by_key(|k| std::cmp::Reverse(*k));
        assert_eq!(
            keys,
            [
                key(20, 1, Source::Message, 2),
                key(10, 6, Source::Message, 3),
                key(10, 5, Source::Ticket, 1),
                key(10, 5, Source::Message, 4),
                key(10, 5, Source::Message, 1),
            ]
        );
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
