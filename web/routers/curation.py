"""Curation: a researcher's drafts, the curators' queue, edit forms, status changes, history and revert.

Pages take form posts with a CSRF token; the same actions are in the JSON API for token-holding scripts.
Exact localities and personal data appear only here, to those allowed to see them, and a curator's view of a
sensitive record is recorded in the audit trail.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from genbank_registry.errors import Forbidden, InvalidRecord, NotFound, NotPublic
from genbank_registry.models import Accession, Institution, Taxon
from genbank_registry.jobs.models import ImportJob
from genbank_registry.accounts import audit
from genbank_registry.catalogue import curation
from genbank_registry.sequences import curation as sequence_curation
from genbank_registry.catalogue.sensitivity import SensitivityResolver
from schemas.accounts import AuditEventPublic

from ..auth import FormUserDep, Principal, TokenUserDep, UserDep
from ..deps import RecordId, SessionDep
from ..templating import render

router = APIRouter(prefix="/curation", include_in_schema=False)
api = APIRouter(prefix="/api/v1/curation", tags=["curation"])

# The fields the edit form offers, in the order people fill them in.
EDITABLE = ("accename", "cropname", "sampstat", "collsrc", "storage", "mlsstat", "conservation_mode",
            "lifecycle_stage", "colldate", "acqdate", "collsite", "commune", "district_code", "declatitude",
            "declongitude", "coorduncert", "elevation", "remarks", "public_remarks", "private_remarks")
CURATOR_ONLY = ("sensitivity_override",)


def _load(session: Session, principal: Principal, accession_id: int) -> Accession:
    acc = session.get(Accession, accession_id)
    if acc is None:
        raise HTTPException(status_code=404, detail="no such accession")
    try:
        actor = principal.actor()
        curation.check_view(actor, acc)
        if not curation.can_see_exact(actor, acc):
            raise NotPublic("not yours to curate")
    except NotPublic:
        raise HTTPException(status_code=404, detail="no such accession") from None
    return acc


@contextmanager
def http_errors():
    """The core's errors as HTTP answers: forbidden 403, invalid 422, missing 404."""
    try:
        yield
    except Forbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except InvalidRecord as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def _worklist(session: Session, principal: Principal) -> list[tuple[Accession, str]]:
    stmt = select(Accession, Institution.code).join(Institution, Institution.id == Accession.institution_id)
    if principal.role in ("curator", "admin"):
        stmt = stmt.where(Accession.publication_status.in_(["draft", "submitted", "withdrawn"]))
    else:
        stmt = stmt.where(Accession.institution_id == principal.user.institution_id,
                          Accession.publication_status.in_(["draft", "submitted"]))
    return list(session.exec(stmt.order_by(Accession.publication_status.desc(), Accession.updated_at.desc())))


@router.get("", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, principal: UserDep):
    batches = []
    if principal.role in ("curator", "admin"):
        for batch, n in sequence_curation.batches_waiting(session):
            job = session.exec(select(ImportJob).where(ImportJob.batch_id == batch.id)).first()
            batches.append({"batch": batch, "count": n, "job_id": job.id if job else None})
    return render(request, "curation/index.html", {"rows": _worklist(session, principal), "principal": principal,
                                                   "sequence_batches": batches})


def _form_context(session: Session, principal: Principal, acc: Accession, problems=None, values=None) -> dict:
    taxon = session.get(Taxon, acc.taxon_id) if acc.taxon_id else None
    actor = principal.actor()
    allowed = [t for (f, t), researcher_ok in curation.TRANSITIONS.items()
               if f == acc.publication_status and (actor.is_curator or (researcher_ok and curation.own(actor, acc)))]
    return {"acc": acc, "taxon": taxon, "inst": session.get(Institution, acc.institution_id),
            "fields": EDITABLE + (CURATOR_ONLY if actor.is_curator else ()),
            "values": values or {f: getattr(acc, f) for f in EDITABLE + CURATOR_ONLY},
            "can_edit": curation.can_edit(actor, acc), "transitions": allowed, "problems": problems or [],
            "sensitivity": SensitivityResolver(session).accession_category(acc), "principal": principal}


@router.get("/accessions/{accession_id}", response_class=HTMLResponse)
def accession_page(request: Request, session: SessionDep, principal: UserDep, accession_id: RecordId):
    acc = _load(session, principal, accession_id)
    context = _form_context(session, principal, acc)
    if principal.actor().is_curator and context["sensitivity"] is not None:
        curation.record_exact_view(session, principal.actor(), acc)
        session.commit()
    return render(request, "curation/accession.html", context)


def _changes_from_form(form: dict[str, Any], acc: Accession, fields) -> dict:
    changes = {}
    for field in fields:
        if field not in form:
            continue
        raw = form[field].strip() if isinstance(form[field], str) else form[field]
        value = None if raw == "" else raw
        current = getattr(acc, field)
        if (value if value is None else str(value)) != (current if current is None else str(current)):
            changes[field] = value
    return changes


async def form_dict(request: Request) -> dict:
    """The whole posted form (the edit form's fields depend on the role)."""
    return dict(await request.form())


@router.post("/accessions/{accession_id}", response_class=HTMLResponse)
def accession_update(request: Request, session: SessionDep, principal: FormUserDep, accession_id: RecordId,
                     form: Annotated[dict, Depends(form_dict)]):
    acc = _load(session, principal, accession_id)
    fields = EDITABLE + (CURATOR_ONLY if principal.actor().is_curator else ())
    changes = _changes_from_form(form, acc, fields)
    try:
        curation.update_accession(session, principal.actor(), acc, changes)
        session.commit()
    except (InvalidRecord, Forbidden) as exc:
        session.rollback()
        problems = exc.problems if isinstance(exc, InvalidRecord) else [("", "", str(exc))]
        values = {f: form.get(f, getattr(acc, f)) for f in fields}
        return render(request, "curation/accession.html", _form_context(session, principal, acc, problems, values),
                      status_code=422)
    return RedirectResponse(f"/curation/accessions/{accession_id}?saved=1", status_code=303)


@router.post("/accessions/{accession_id}/status")
def accession_status(session: SessionDep, principal: FormUserDep, accession_id: RecordId,
                     status: Annotated[str, Form()], note: Annotated[str | None, Form()] = None):
    acc = _load(session, principal, accession_id)
    with http_errors():
        curation.transition(session, principal.actor(), acc, status, note=note)
    session.commit()
    return RedirectResponse(f"/curation/accessions/{accession_id}", status_code=303)


@router.get("/accessions/{accession_id}/history", response_class=HTMLResponse)
def accession_history(request: Request, session: SessionDep, principal: UserDep, accession_id: RecordId):
    acc = _load(session, principal, accession_id)
    events = audit.history(session, "accession", acc.id)
    return render(request, "curation/history.html", {"acc": acc, "events": events, "principal": principal,
                                                      "can_revert": principal.actor().is_curator})


@router.post("/accessions/{accession_id}/revert/{event_id}")
def accession_revert(session: SessionDep, principal: FormUserDep, accession_id: RecordId, event_id: RecordId):
    _load(session, principal, accession_id)
    with http_errors():
        curation.revert(session, principal.actor(), event_id, accession_id)
    session.commit()
    return RedirectResponse(f"/curation/accessions/{accession_id}/history", status_code=303)


# --- JSON API for scripts (Authorization: Bearer gbr_…) --------------------------------------------

@api.post("/accessions/{accession_id}/status", response_model=dict)
def api_status(session: SessionDep, principal: TokenUserDep, accession_id: RecordId,
               status: Annotated[str, Body(embed=True)], note: Annotated[str | None, Body(embed=True)] = None):
    acc = _load(session, principal, accession_id)
    with http_errors():
        curation.transition(session, principal.actor(), acc, status, note=note)
    session.commit()
    return {"id": acc.id, "publication_status": acc.publication_status}


@api.patch("/accessions/{accession_id}", response_model=dict)
def api_update(session: SessionDep, principal: TokenUserDep, accession_id: RecordId, changes: dict[str, Any] = Body(...)):
    acc = _load(session, principal, accession_id)
    with http_errors():
        curation.update_accession(session, principal.actor(), acc, changes)
    session.commit()
    return {"id": acc.id, "updated": sorted(changes)}


@api.post("/accessions/{accession_id}/revert/{event_id}", response_model=dict)
def api_revert(session: SessionDep, principal: TokenUserDep, accession_id: int, event_id: int):
    """Curators: the accession as it was right after one of its own audit events."""
    acc = _load(session, principal, accession_id)
    with http_errors():
        curation.revert(session, principal.actor(), event_id, accession_id)
    session.commit()
    return {"id": acc.id, "reverted_to": event_id}


@api.get("/accessions/{accession_id}/history", response_model=list[AuditEventPublic])
def api_history(session: SessionDep, principal: TokenUserDep, accession_id: RecordId):
    acc = _load(session, principal, accession_id)
    return [AuditEventPublic.model_validate(e, from_attributes=True) for e in audit.history(session, "accession",
                                                                                             acc.id)]
