"""The curation workflow: who may see, edit, submit, publish and withdraw an accession; edits and reverts.

draft → submitted → published → withdrawn (and back to draft from submitted, or to published from withdrawn).
Researchers work on their own institution's drafts and submit them; only curators and admins publish.
Every change is audited with its before and after.
"""
from __future__ import annotations

import datetime as dt

from pydantic import ValidationError
from sqlmodel import Session

from schemas import codes
from schemas.accessions import AccessionBase, AccessionCreate

from genbank_registry.errors import Forbidden, InvalidRecord, NotFound, NotPublic
from genbank_registry.models import Accession, Institution, utcnow
from genbank_registry.accounts.models import AuditEvent
from genbank_registry.accounts import audit
from genbank_registry.accounts.audit import Actor
from genbank_registry.search.text import refresh_search_text

S = codes.PublicationStatus
# (from, to) → may a researcher of the record's institution do it?
TRANSITIONS: dict[tuple[str, str], bool] = {
    (S.DRAFT, S.SUBMITTED): True,
    (S.SUBMITTED, S.DRAFT): True,
    (S.SUBMITTED, S.PUBLISHED): False,
    (S.PUBLISHED, S.WITHDRAWN): False,
    (S.WITHDRAWN, S.PUBLISHED): False,
    (S.WITHDRAWN, S.DRAFT): False,
}


def own(actor: Actor, acc: Accession) -> bool:
    return actor.institution_id is not None and actor.institution_id == acc.institution_id


def can_view(actor: Actor | None, acc: Accession) -> bool:
    """Unpublished records: their institution's researchers and curators only."""
    if acc.publication_status == S.PUBLISHED:
        return True
    return actor is not None and (actor.is_curator or own(actor, acc))


def can_see_exact(actor: Actor | None, acc: Accession) -> bool:
    """Exact localities and personal data: curators, and researchers of the holding institution."""
    return actor is not None and (actor.is_curator or own(actor, acc))


def can_edit(actor: Actor | None, acc: Accession) -> bool:
    if actor is None:
        return False
    if actor.is_curator:
        return True
    return own(actor, acc) and acc.publication_status == S.DRAFT


def check_view(actor: Actor | None, acc: Accession) -> None:
    if not can_view(actor, acc):
        raise NotPublic("this accession is not published")


def transition(session: Session, actor: Actor, acc: Accession, to: str, note: str | None = None) -> Accession:
    frm = acc.publication_status
    if (frm, to) not in TRANSITIONS:
        allowed = ", ".join(t for f, t in TRANSITIONS if f == frm) or "nothing"
        raise InvalidRecord(f"accession {acc.accenumb}", [("publication_status", to,
                                                          f"cannot go from {frm} to {to}; from {frm}: {allowed}")])
    researcher_ok = TRANSITIONS[(frm, to)]
    if not (actor.is_curator or (researcher_ok and own(actor, acc))):
        who = "a curator" if not researcher_ok else "a curator or a researcher of the holding institution"
        raise Forbidden(f"only {who} may move accession {acc.accenumb} from {frm} to {to}")
    before = audit.snapshot(acc)
    acc.publication_status = to
    acc.updated_at = utcnow()
    refresh_search_text(session, acc)  # enters or leaves the public search index with its status
    session.add(acc)
    session.flush()
    audit.record(session, actor, entity="accession", entity_id=acc.id, action="status", before=before,
                 after=audit.snapshot(acc), note=note)
    return acc


def update_accession(session: Session, actor: Actor, acc: Accession, changes: dict,
                     note: str | None = None) -> Accession:
    """Apply `changes` (stored field names) with the importers' validation; audited."""
    if not can_edit(actor, acc):
        raise Forbidden(f"you may not edit accession {acc.accenumb}: researchers edit their institution's drafts, "
                        f"curators edit any record")
    unknown = set(changes) - set(AccessionBase.model_fields) - {"taxon_name", "task_code"}
    if unknown:
        raise InvalidRecord(f"accession {acc.accenumb}", [(f, changes[f], "not an editable field") for f in unknown])
    if "publication_status" in changes and changes["publication_status"] != acc.publication_status:
        raise InvalidRecord(f"accession {acc.accenumb}", [("publication_status", changes["publication_status"],
                                                          "use submit, publish or withdraw to change the status")])
    inst = session.get(Institution, acc.institution_id)
    merged = {f: getattr(acc, f) for f in AccessionBase.model_fields} | {"instcode": inst.code} | changes
    try:
        valid = AccessionCreate.model_validate(merged)
    except ValidationError as exc:
        raise InvalidRecord.from_validation(f"accession {inst.code}:{acc.accenumb}", exc) from None
    before = audit.snapshot(acc)
    for field in AccessionBase.model_fields:
        setattr(acc, field, getattr(valid, field))
    if "taxon_name" in changes:
        from genbank_registry.catalogue.records import resolve_taxon
        taxon = resolve_taxon(session, changes["taxon_name"])
        if taxon is None:
            raise InvalidRecord(f"accession {acc.accenumb}", [("taxon_name", changes["taxon_name"],
                                                              "not in the registry")])
        acc.taxon_id = taxon.id
    after = audit.snapshot(acc)
    if after == before:
        return acc
    acc.updated_at = utcnow()
    refresh_search_text(session, acc)
    session.add(acc)
    session.flush()
    audit.record(session, actor, entity="accession", entity_id=acc.id, action="update", before=before,
                 after=after, note=note)
    return acc


def revert(session: Session, actor: Actor, event_id: int, accession_id: int | None = None) -> Accession:
    """Make the accession as it was right after audit event `event_id`; the revert is itself audited.
    `accession_id` (the one in the URL, whose access was checked) must be the event's accession."""
    event = session.get(AuditEvent, event_id)
    if event is None or event.entity != "accession" or not event.snapshot:
        raise NotFound(f"audit event {event_id} is not a version of an accession")
    if accession_id is not None and event.entity_id != accession_id:
        raise NotFound(f"audit event {event_id} is not a version of accession {accession_id}; "
                       f"open that accession's history to choose one of its versions")
    acc = session.get(Accession, event.entity_id)
    if acc is None:
        raise NotFound(f"accession {event.entity_id} no longer exists")
    if not actor.is_curator:
        raise Forbidden("only curators revert records")
    before = audit.snapshot(acc)
    for field, value in event.snapshot.items():
        if field == "admin_unit_recorded_on" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        setattr(acc, field, value)
    acc.updated_at = utcnow()
    refresh_search_text(session, acc)
    session.add(acc)
    session.flush()
    audit.record(session, actor, entity="accession", entity_id=acc.id, action="revert", before=before,
                 after=audit.snapshot(acc), note=f"reverted to the version of audit event {event_id}")
    return acc


def record_exact_view(session: Session, actor: Actor, acc: Accession) -> None:
    """Curators see exact localities; each such view is on the record."""
    audit.record(session, actor, entity="accession", entity_id=acc.id, action="view_exact")
