"""Tables for people, tokens, web sessions and the audit trail (registered with every other table by genbank_registry.models)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Index
from sqlmodel import Field, SQLModel

from genbank_registry.base import timestamp_field as _ts
from schemas.accounts import UserBase




def _when(**kw):
    return Field(default=None, sa_type=DateTime(timezone=True), **kw)


class User(UserBase, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    created_at: dt.datetime = _ts()
    last_login_at: dt.datetime | None = _when()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, description="first characters, to recognise a token in lists")
    token_hash: str = Field(max_length=64, unique=True, index=True, description="SHA-256 of the token")
    role: str = Field(max_length=20, description="scope: never above the owner's role")
    created_at: dt.datetime = _ts()
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: dt.datetime | None = _when()
    last_used_at: dt.datetime | None = _when()


class WebSession(SQLModel, table=True):
    """Server-side sessions: sign-out really ends one, and sign-in always issues a new id (no fixation)."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = _ts()
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a new password, issued by an administrator: stored hashed, expiring, used once."""

    __tablename__ = "password_reset"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True, description="SHA-256 of the link's token")
    issued_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: dt.datetime = _ts()
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    used_at: dt.datetime | None = _when(description="set when used, or when a newer link replaced it")


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per (account, address), per address and per account, in the database so that
    every process sees the same counts. The key is a SHA-256 (no typed username or address is stored)."""

    __tablename__ = "sign_in_throttle"
    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    scope: str = Field(max_length=20, description="pair, address or account")
    failures: int = 0
    last_failure_at: dt.datetime = _ts()
    blocked_until: dt.datetime | None = _when()


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _ts()
    actor: str = Field(max_length=60, description="username, or 'system'")
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    via: str = Field(max_length=20, description="form, api, import or cli")
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    entity: str = Field(max_length=40)
    entity_id: int
    action: str = Field(max_length=30, description="create, update, status, revert, view_exact")
    changes: dict | None = Field(default=None, sa_column=Column(JSON), description="{field: [old, new]}")
    snapshot: dict | None = Field(default=None, sa_column=Column(JSON), description="the record after the change")
    note: str | None = None
