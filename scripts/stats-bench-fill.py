#!/usr/bin/env python3
"""Fills a stopped Switchboard SQLite database with N tickets for the analytics benchmark.

Each ticket gets its own conversation, a creation time spread over the last 365 days, a
priority's SLA due times, a first staff reply for 95% of them (minutes to hours later), a closing
for 80% (hours to days later), one of the existing agents as assignee and that agent's team, and a
rating 1..5 for a third of the closed ones. Requesters are the existing customers. Deterministic
(seeded). Run scripts/search-bench-fill.py afterwards for the messages.

    python3 scripts/stats-bench-fill.py DB_PATH [TICKETS]
"""

import random
import sqlite3
import sys
import time

H = 3_600_000
# (first response, resolution) targets in ms, per priority: the server's defaults.
TARGETS = {"low": (24 * H, 120 * H), "medium": (8 * H, 72 * H), "high": (4 * H, 24 * H), "urgent": (H, 8 * H)}
RANK = {"low": 1, "medium": 2, "high": 3, "urgent": 4}


def main() -> None:
    path = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(16)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    customers = [r[0] for r in db.execute("SELECT id FROM users WHERE role = 'customer'")]
    staff = db.execute(
        "SELECT tm.user_id, tm.team_id FROM team_members tm JOIN users u ON u.id = tm.user_id "
        "WHERE u.role = 'agent' ORDER BY tm.user_id"
    ).fetchall()
    if not customers or not staff:
        sys.exit("no customers or agents in teams: run `switchboard-bench setup` first")
    next_number = (db.execute("SELECT COALESCE(MAX(number), 0) FROM tickets").fetchone()[0]) + 1
    now = int(time.time() * 1000)
    t0 = time.time()
    db.execute("BEGIN")
    for i in range(total):
        created = now - rng.randrange(365 * 24 * H)
        priority = rng.choice(list(TARGETS))
        first_target, resolve_target = TARGETS[priority]
        assignee, team = rng.choice(staff)
        first_at = created + int(rng.expovariate(1 / (2 * H))) if rng.random() < 0.95 else None
        closed_at = created + int(rng.expovariate(1 / (30 * H))) if rng.random() < 0.8 else None
        if first_at is not None and first_at > now:
            first_at = None
        if closed_at is not None and (closed_at > now or (first_at and closed_at < first_at)):
            closed_at = None
        cur = db.execute(
            "INSERT INTO conversations (kind, direct_key, last_seq, created_at, last_message_at) "
            "VALUES ('ticket', NULL, 0, ?, ?)",
            (created, created),
        )
        conv = cur.lastrowid
        db.execute(
            "INSERT INTO tickets (number, subject, status, priority, priority_rank, requester_id, "
            "assignee_id, team_id, tags, conversation_id, version, created_at, updated_at, closed_at, "
            "first_response_at, first_response_due, resolution_due, sla_notified, pending_since, "
            "sla_paused_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, 1, ?, ?, ?, ?, ?, ?, 0, NULL, 0)",
            (
                next_number + i,
                f"Bench ticket {i}",
                "closed" if closed_at else "open",
                priority,
                RANK[priority],
                rng.choice(customers),
                assignee,
                team,
                conv,
                created,
                closed_at or first_at or created,
                closed_at,
                first_at,
                created + first_target,
                created + resolve_target,
            ),
        )
        if closed_at and rng.random() < 1 / 3:
            ticket_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            requester = db.execute("SELECT requester_id FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]
            db.execute(
                "INSERT INTO ticket_ratings (ticket_id, user_id, score, comment, created_at) VALUES (?, ?, ?, NULL, ?)",
                (ticket_id, requester, rng.choice([1, 2, 3, 4, 4, 5, 5, 5]), min(now, closed_at + rng.randrange(48 * H))),
            )
        if (i + 1) % 50_000 == 0:
            print(f"  {i + 1} tickets, {time.time() - t0:.0f} s", file=sys.stderr)
    db.execute("COMMIT")
    n = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    print(f"filled {total} tickets in {time.time() - t0:.0f} s; the database holds {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
