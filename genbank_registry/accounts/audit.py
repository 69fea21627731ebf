"""The audit trail: who changed what, when, from what to what, and through which form, API call or import."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from schemas.accounts import AuditVia, Role
from schemas.accessions import AccessionBase

from genbank_registry.models import Accession
from genbank_registry.accounts.models import AuditEvent

# What an accession "is" for history and revert: every stored passport field and its links.
ACCESSION_FIELDS = tuple(AccessionBase.model_fields) + ("institution_id", "taxon_id", "task_id")


@dataclass(frozen=True)
class Actor:
    """Who is acting. `system` is the CLI and seeding; web and API requests carry the signed-in user."""

    username: str
    role: str | None = None
    user_id: int | None = None
    institution_id: int | None = None
    via: str = AuditVia.CLI
    batch_id: int | None = None

    @property
    def is_curator(self) -> bool:
        return self.role in (Role.CURATOR, Role.ADMIN)


SYSTEM = Actor(username="system", role=Role.ADMIN)


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(acc: Accession) -> dict:
    return {f: _jsonable(getattr(acc, f)) for f in ACCESSION_FIELDS}


def diff(before: dict | None, after: dict) -> dict:
    before = before or {}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(session: Session, actor: Actor, *, entity: str, entity_id: int, action: str,
           before: dict | None = None, after: dict | None = None, note: str | None = None) -> AuditEvent:
    event = AuditEvent(actor=actor.username, actor_id=actor.user_id, via=actor.via, batch_id=actor.batch_id,
                       entity=entity, entity_id=entity_id, action=action,
                       changes=diff(before, after) if after is not None else None, snapshot=after, note=note)
    session.add(event)
    session.flush()
    return event


def history(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                             .order_by(AuditEvent.id)))
