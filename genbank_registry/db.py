"""Engines and sessions. SQLite is the embedded default; PostgreSQL is chosen by URL."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the only PostgreSQL driver we install)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url_or_engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(normalize_url(str(url_or_engine)))
    return url.get_backend_name() == "sqlite"


class _SQLiteCompiler(SQLiteCompiler):
    """Renders `Select.with_hint(table, "INDEXED BY …", "sqlite")`, which SQLAlchemy leaves out for SQLite."""

    def get_from_hint_text(self, table, text):
        return text


def make_engine(url: str, echo: bool = False) -> Engine:
    url = normalize_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        engine.dialect.statement_compiler = _SQLiteCompiler

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Foreign keys are off by default in SQLite; WAL lets the web read while an import writes.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # Only a new, empty database takes it (before WAL): a bulk import writes and syncs a quarter as many
            # pages as with the default 4 KB.
            cur.execute("PRAGMA page_size=16384")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Searches read many index rows: map the file and keep a larger page cache (64 MB) in memory.
            cur.execute("PRAGMA mmap_size=268435456")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: nothing is half-written."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def without_empty_columns(names: Sequence[str], rows: list[tuple]) -> tuple[Sequence[str], list[tuple]]:
    """`names` and `rows` less the columns that are None in every row, for a bulk INSERT through sqlite3.

    Python's sqlite3 binds None through its adapter look-up, several times slower than a value, and most
    columns of a bulk import are empty in a whole chunk (a FASTA file fills no source qualifiers, a passport
    sheet a dozen MCPD columns). Left out of the INSERT they are NULL all the same, as long as the table gives
    them no server default.
    """
    keep = [i for i, column in enumerate(zip(*rows)) if column.count(None) != len(column)]
    if not rows or len(keep) == len(names):
        return names, rows
    pick = itemgetter(*keep)
    rows = [pick(row) for row in rows] if len(keep) > 1 else [(pick(row),) for row in rows]
    return [names[i] for i in keep], rows
