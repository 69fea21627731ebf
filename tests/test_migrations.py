"""Alembic owns the schema: it upgrades and downgrades on both engines and matches the models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from genbank_registry import migrate
from genbank_registry.db import make_engine
from genbank_registry.models import metadata


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(bare_url):
    migrate.upgrade(bare_url)
    assert migrate.is_up_to_date(bare_url)
    assert set(metadata.tables) <= _tables(bare_url)
    migrate.downgrade(bare_url, "base")
    assert _tables(bare_url) == set()
    assert migrate.current_revisions(bare_url) == set()
    migrate.upgrade(bare_url)
    assert migrate.is_up_to_date(bare_url)


def test_models_and_migrations_agree(db_url):
    """A model change without its migration fails here, on the engine where it would bite."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                        "include_name": migrate.include_name})
            diff = compare_metadata(ctx, metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models differ from the migrated schema; write a migration: {diff}"


def test_every_revision_downgrades_step_by_step(bare_url):
    migrate.upgrade(bare_url)
    while migrate.current_revisions(bare_url):
        migrate.downgrade(bare_url, "-1")
    assert _tables(bare_url) == set()
