#!/usr/bin/env python3
"""Waits until a running server's search indexer has indexed every message of its SQLite
database (`search::index`: it builds the index of messages written straight into the
database), and prints how long that took.

    python3 scripts/lib/wait-for-search-index.py DB_PATH
"""

import sqlite3
import sys
import time

path = sys.argv[1]
last = (
    sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    .execute("SELECT max(id) FROM messages")
    .fetchone()[0]
    or 0
)
t0 = time.time()
while True:
    try:
        done = (
            sqlite3.connect(f"file:{path}-search?mode=ro", uri=True)
            .execute("SELECT indexed_up_to FROM index_progress")
            .fetchone()[0]
        )
    except sqlite3.Error:
        done = 0
    if done >= last:
        break
    if time.time() - t0 > 900:
        sys.exit("the search index did not catch up within 15 minutes")
    time.sleep(0.5)
print(f"== index: {last} messages indexed by the server in {time.time() - t0:.1f} s")
