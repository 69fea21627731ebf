"""What every table module shares: the metadata with its constraint naming convention, and timestamps."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData
from sqlmodel import Field, SQLModel

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop constraints by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def timestamp_field(**kw):
    """A timezone-aware column that defaults to the moment the row is made."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)
