"""A bulk import's writes to SQLite: its connection's settings, and WAL checkpoints in a thread of their own.

In WAL mode every page is written twice: appended to the WAL at commit, then copied into the database by a
checkpoint, which SQLite runs inside the commit that takes the WAL past `wal_autocheckpoint` pages. In a
FASTA import that was a sixth of the writer's time, and the writer is the import's bottleneck. Here the
writer's connection does no checkpoints; a thread with its own connection runs a PASSIVE checkpoint after each
commit. It copies frames while the writer goes on appending (sqlite3 releases the GIL inside SQLite), so the
copy and its fsync overlap the writer's work instead of stopping it.

A PASSIVE checkpoint never blocks the writer, but the WAL only starts again from the beginning when a write
transaction begins after a checkpoint has copied everything; a writer that never waits would grow the WAL by
the whole import. So once the WAL holds more than `wal_limit` bytes, `committed()` waits for a checkpoint of
everything committed so far before the next transaction begins. On leaving, the checkpoint the last commit
asked for is waited for; after an error or Ctrl-C a running checkpoint is interrupted instead (SQLite resumes it
next time, or copies what is left when the last connection closes).
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

# The import's page cache (16 MB) keeps memory flat however large the database grows (300 MB for a 1 GB file);
# no memory-mapped reads, whose pages would count as the importer's own; no checkpoints in the writer's commits;
# no foreign-key look-ups per inserted row (two B-tree searches each, a twentieth of the writer's time): the
# importer writes only the taxon, accession and batch ids it has just read or created in the same transaction.
BULK_PRAGMAS = {"cache_size": -16384, "mmap_size": 0, "wal_autocheckpoint": 0, "foreign_keys": 0}


@contextmanager
def tuned(conn: Connection) -> Iterator[None]:
    """BULK_PRAGMAS on an open SQLAlchemy connection for the duration, then its own settings again: the
    connection goes back to the pool, and the web would otherwise search with a small cache and no checkpoints."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cur = conn.connection.driver_connection.cursor()
    try:
        before = {name: cur.execute(f"PRAGMA {name}").fetchone()[0] for name in BULK_PRAGMAS}
        for name, value in BULK_PRAGMAS.items():
            cur.execute(f"PRAGMA {name}={value}")
    finally:
        cur.close()
    try:
        yield
    finally:
        dbapi = conn.connection.driver_connection
        if dbapi is not None and dbapi.in_transaction:
            # SQLite ignores foreign_keys inside a transaction: rather than go back to the pool with the checks
            # off, the connection is thrown away (the caller ends its transaction first, so this is a bug guard).
            conn.invalidate()
        elif dbapi is not None:
            cur = dbapi.cursor()
            try:
                for name, value in before.items():
                    cur.execute(f"PRAGMA {name}={int(value)}")
            finally:
                cur.close()


class Checkpoints:
    """The checkpoint thread of one import (see the module's docstring). Does nothing for PostgreSQL or an
    in-memory database."""

    def __init__(self, engine: Engine, wal_limit: int = 256 << 20):
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.path = database if database and database != ":memory:" and not database.startswith("file:") \
            else None
        self.wal_limit = wal_limit
        self._changed = threading.Condition()
        self._asked = self._done = 0  # checkpoints asked for and finished, counted
        self._wal_bytes = 0  # the WAL's content when the last checkpoint started
        self._stop = False
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Checkpoints":
        if self.path:
            self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._page = self._conn.execute("PRAGMA page_size").fetchone()[0]
            self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
            self._thread.start()
        return self

    def committed(self) -> None:
        """Call after each commit: asks for a checkpoint; when the WAL has passed the limit, waits for it, so that
        the next transaction starts the WAL again from its beginning."""
        if self._thread is None:
            return
        with self._changed:
            self._asked += 1
            self._changed.notify_all()
            if self._wal_bytes > self.wal_limit:
                asked = self._asked
                self._changed.wait_for(lambda: self._done >= asked or self._stop)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._stop)
                if self._stop:
                    return
                asked = self._asked
            try:
                _, frames, _ = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.OperationalError:
                # Interrupted on the way out, or another connection is checkpointing: either way the frames
                # are copied later, by this thread or by SQLite's own automatic checkpoint.
                frames = 0
            with self._changed:
                self._wal_bytes = max(frames, 0) * self._page
                self._done = asked
                self._changed.notify_all()

    def __exit__(self, exc_type, *exc) -> None:
        if self._thread is None:
            return
        with self._changed:
            if exc_type is None:
                # The import's last commit asked for a checkpoint, which has run while the import shut its
                # workers down: the batch's own commit and closing the connections then find the WAL copied.
                self._changed.wait_for(lambda: self._done >= self._asked)
            self._stop = True
            self._changed.notify_all()
        if exc_type is not None:
            self._conn.interrupt()  # an error or Ctrl-C: no waiting for the copy (SQLite resumes it next time)
        self._thread.join()
        self._conn.close()
