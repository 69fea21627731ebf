"""Background import jobs (registered with every other table by genbank_registry.models)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from genbank_registry.base import utcnow as _utcnow




class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    format: str = Field(max_length=30)
    original_filename: str = Field(max_length=255, description="sanitised; shown to people, never used as a path")
    stored_path: str = Field(max_length=500)
    size_bytes: int = 0
    sha256: str = Field(max_length=64)
    options: dict | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="queued", max_length=20, index=True, description="queued, running, completed, failed")
    attempts: int = 0
    records_done: int = 0
    records_total: int | None = None
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    error: str | None = None
    error_message: dict | None = Field(default=None, sa_column=Column(JSON),
                                       description="the error as {msgid, params}, translated where it is shown")
    created_at: dt.datetime = Field(default_factory=_utcnow, sa_type=DateTime(timezone=True))
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    heartbeat_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
