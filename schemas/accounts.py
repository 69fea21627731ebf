"""People, roles, API tokens and audit events: contracts."""
from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from .codes import Label
from .dates import UtcDatetime
from .messages import N_


class Role(StrEnum):
    """Anonymous visitors are the public and have no row; these are signed-in roles, weakest first."""

    RESEARCHER = "researcher"
    CURATOR = "curator"
    ADMIN = "admin"


ROLE_RANK = {Role.RESEARCHER: 1, Role.CURATOR: 2, Role.ADMIN: 3}

ROLE_LABELS = {
    Role.RESEARCHER: Label("Nhà nghiên cứu", "Researcher"),
    Role.CURATOR: Label("Người kiểm duyệt", "Curator"),
    Role.ADMIN: Label("Quản trị viên", "Administrator"),
}

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


class UserBase(SQLModel):
    username: str = Field(max_length=40, index=True, unique=True)
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=200)
    role: str = Field(default=Role.RESEARCHER, max_length=20)
    is_active: bool = True

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        v = (v or "").strip().lower()
        if not _USERNAME.match(v):
            raise ValueError(N_("username %(value)s: 3–40 characters, lower-case letters, digits, '.', '_' or "
                                "'-', starting with a letter or digit", value=repr(v)))
        return v

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if v not in [r.value for r in Role]:
            raise ValueError(N_("role %(value)s is not allowed; allowed: researcher, curator, admin", value=repr(v)))
        return v


class UserCreate(UserBase):
    password: str
    institution_code: str | None = Field(default=None, description="required for researchers")

    @field_validator("password")
    @classmethod
    def _password(cls, v: str) -> str:
        if len(v or "") < 10:
            raise ValueError(N_("password: use at least %(n)s characters", n=10))
        return v


class UserPublic(UserBase):
    id: int
    institution_code: str | None = None
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    username: str
    role: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class AuditVia(StrEnum):
    FORM = "form"
    API = "api"
    IMPORT = "import"
    CLI = "cli"


class AuditEventPublic(SQLModel):
    id: int
    at: UtcDatetime
    actor: str
    via: str
    batch_id: int | None = None
    entity: str
    entity_id: int
    action: str
    changes: dict | None = None
    note: str | None = None
