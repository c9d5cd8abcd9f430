#!/usr/bin/env python3
"""Fills a stopped Switchboard SQLite database with N messages for the search benchmark.

Writes straight into the tables, spread over the existing ticket conversations, sent by
each ticket's requester, with sequence numbers continuing each conversation's. Bodies are 6 to
20 words from a support-desk vocabulary; the words the bench queries for are mixed in at known
rates (see RARE). Deterministic (seeded). The message search index is the server's to build:
its file (`<database>-search`) is removed here, and the server's search indexer builds it again
from the messages when it starts (`search::index`); search-bench.sh waits for it.

    python3 scripts/search-bench-fill.py DB_PATH [MESSAGES]
"""

import os
import random
import sqlite3
import sys
import time
import uuid

COMMON = """the a to and of is it for on in my your we you this that with be have not can
please thanks hello hi order account ticket issue help support team update today tomorrow
yesterday email phone app login page error screen button link file photo problem question
answer time day week month customer agent reply message send sent check checked working
broken fixed again still new old price plan billing card payment charge shipping delivery
package address name number code reset change settings profile download upload install
version device laptop mobile browser chrome firefox network slow fast crash bug feature
request cancel subscription trial renewal discount coupon report export import data backup
restore sync calendar contact list search filter sort notification alert sound dark mode
language translation""".split()

# (text, share of messages that contain it): what the default bench queries find.
RARE = [
    ("password", 0.05),
    ("invoice", 0.02),
    ("refund policy", 0.01),
    ("請求書", 0.01),
    ("發票", 0.01),
]


def body(rng: random.Random) -> str:
    words = [rng.choice(COMMON) for _ in range(rng.randint(6, 20))]
    for text, share in RARE:
        if rng.random() < share:
            words.insert(rng.randrange(len(words) + 1), text)
    if rng.random() < 0.1:
        words.append(f"INV-{rng.randrange(100000):05d}")
    return " ".join(words)


def main() -> None:
    path = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = random.Random(15)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    tickets = db.execute(
        "SELECT t.conversation_id, t.requester_id, c.last_seq FROM tickets t "
        "JOIN conversations c ON c.id = t.conversation_id ORDER BY t.id"
    ).fetchall()
    if not tickets:
        sys.exit("no tickets: run `switchboard-bench setup` first")
    seqs = {conv: last for conv, _, last in tickets}
    now = int(time.time() * 1000)
    start = now - total  # one message a millisecond, ending now
    t0 = time.time()
    db.execute("BEGIN")
    batch = []
    for i in range(total):
        conv, sender, _ = tickets[i % len(tickets)]
        seqs[conv] += 1
        batch.append((conv, seqs[conv], sender, body(rng), str(uuid.UUID(int=rng.getrandbits(128))), start + i))
        if len(batch) == 10_000:
            db.executemany(
                "INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, created_at) "
                "VALUES (?, ?, ?, 'text', ?, ?, ?)",
                batch,
            )
            batch.clear()
            if (i + 1) % 100_000 == 0:
                print(f"  {i + 1} messages, {time.time() - t0:.0f} s", file=sys.stderr)
    if batch:
        db.executemany(
            "INSERT INTO messages (conversation_id, seq, sender_id, kind, body, client_id, created_at) "
            "VALUES (?, ?, ?, 'text', ?, ?, ?)",
            batch,
        )
    db.executemany(
        "UPDATE conversations SET last_seq = ?, last_message_at = ? WHERE id = ?",
        [(seq, now, conv) for conv, seq in seqs.items()],
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}-search{suffix}"):
            os.remove(f"{path}-search{suffix}")
    n = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    print(f"filled {total} messages in {time.time() - t0:.0f} s; the database holds {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
