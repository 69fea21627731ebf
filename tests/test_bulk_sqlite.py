"""A bulk import's SQLite settings: tuned while it writes, restored after; WAL checkpoints in their own thread,
and a WAL that stays bounded however long the import runs."""
from __future__ import annotations

import os
import sqlite3
import time

from sqlalchemy import text

from genbank_registry.bulk_sqlite import BULK_PRAGMAS, Checkpoints, tuned
from genbank_registry.db import make_engine
from importers.sequences_loader import Options, import_file
from tests.conftest import FIXTURES


def pragmas(conn) -> dict:
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in BULK_PRAGMAS}


def test_a_connection_gets_its_own_settings_back_after_an_import(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.connect() as conn:
        before = pragmas(conn)
        with tuned(conn):
            assert pragmas(conn) == BULK_PRAGMAS
        assert pragmas(conn) == before and before["wal_autocheckpoint"] > 0  # the web still checkpoints
    engine.dispose()


def test_after_an_import_the_pooled_connections_checkpoint_and_cache_as_before(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.connect() as conn:
        before = pragmas(conn)
    from genbank_registry import migrate

    migrate.upgrade(str(engine.url))
    import_file(engine, str(FIXTURES / "sequences" / "fasta" / "its_top50_head40.fasta"), Options(workers=0))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sequence_record").scalar() == 40
        assert pragmas(conn) == before
    engine.dispose()


def fill(conn: sqlite3.Connection, transactions: int, checkpoints: Checkpoints | None, wal: str) -> int:
    """Write `transactions` commits of ~200 KB each; returns the largest WAL seen after a commit."""
    largest = 0
    for i in range(transactions):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t (v) VALUES (?)", [(os.urandom(2000).hex(),) for _ in range(50)])
        conn.execute("COMMIT")
        if checkpoints:
            checkpoints.committed()
        largest = max(largest, os.path.getsize(wal))
    return largest


def writer(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # as the import's connection: only the thread checkpoints
    conn.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    return conn


def test_the_checkpoint_thread_copies_the_wal_into_the_database(tmp_path):
    path = tmp_path / "c.db"
    conn = writer(path)
    engine = make_engine(f"sqlite:///{path}")
    with Checkpoints(engine) as checkpoints:
        fill(conn, 5, checkpoints, f"{path}-wal")
        deadline = time.monotonic() + 10
        while True:  # the thread works on its own time: wait until it has copied every frame
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if (not busy and frames == copied) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
    assert frames > 0 and frames == copied
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 250
    conn.close()
    engine.dispose()


def test_the_wal_stays_bounded_when_the_writer_never_stops(tmp_path):
    path = tmp_path / "b.db"
    unbounded = writer(path)
    # Without checkpoints the WAL grows by every transaction: the measure of what the bound saves.
    grown = fill(unbounded, 60, None, f"{path}-wal")
    unbounded.close()
    os.remove(path)  # closing the last connection removed the WAL
    conn = writer(path)
    engine = make_engine(f"sqlite:///{path}")
    with Checkpoints(engine, wal_limit=1 << 20) as checkpoints:
        largest = fill(conn, 60, checkpoints, f"{path}-wal")
    assert grown > 10 << 20
    # The limit, plus what the writer commits while one checkpoint runs (a few transactions of 200 KB here; the
    # margin is for a busy machine, where the checkpoint thread waits its turn for a core).
    assert largest < 4 << 20
    conn.close()
    engine.dispose()


def test_checkpoints_do_nothing_on_postgresql_and_in_memory(engine):
    with Checkpoints(engine) as checkpoints:
        checkpoints.committed()
    memory = make_engine("sqlite://")
    with Checkpoints(memory) as checkpoints:
        checkpoints.committed()
    memory.dispose()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
