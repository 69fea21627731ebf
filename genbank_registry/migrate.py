"""Alembic owns the schema. These helpers run it from the CLI and the tests without an alembic.ini."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from genbank_registry.db import make_engine, normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


# Objects the models cannot describe, left alone by autogenerate and by the models-agree test: the search
# migration's FTS5 table (and its shadow tables) and trigram index, and Procrastinate's job-queue tables on
# PostgreSQL, applied from that library's own SQL.
UNMODELLED_PREFIXES = ("accession_fts", "ix_accession_search_trgm", "procrastinate_")


def include_name(name, type_, parent_names) -> bool:
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes in passwords.
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def revision(url: str, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=autogenerate)


def current_revisions(target: str | Engine) -> set[str]:
    """The database's revisions; `target` is a URL, or an engine the caller keeps using."""
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        if engine is not target:
            engine.dispose()


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def is_up_to_date(url: str) -> bool:
    return current_revisions(url) == head_revisions()
