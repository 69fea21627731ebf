"""Curator pages for taxa and their conservation assessments."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, select

from genbank_registry.errors import Forbidden, InvalidRecord
from genbank_registry.models import ConservationAssessment, Taxon, VernacularName
from genbank_registry.catalogue import taxon_curation
from schemas.text import fold

from ..auth import FormUserDep, Principal, UserDep
from ..deps import RecordId, SessionDep
from ..templating import render
from .curation import form_dict, http_errors

router = APIRouter(prefix="/curation/taxa", include_in_schema=False)
EDITABLE = ("authorship", "rank", "kingdom", "family", "ncbi_taxon_id", "gbif_key", "verified")


def _curator(principal: Principal) -> Principal:
    if principal.role not in ("curator", "admin"):
        raise HTTPException(status_code=403, detail="only curators edit taxa and conservation assessments")
    return principal


def _taxon(session: Session, taxon_id: int) -> Taxon:
    taxon = session.get(Taxon, taxon_id)
    if taxon is None:
        raise HTTPException(status_code=404, detail="no such taxon")
    return taxon


def _context(session: Session, taxon: Taxon, problems=None) -> dict:
    names = session.exec(select(VernacularName).where(VernacularName.taxon_id == taxon.id)).all()
    assessments = session.exec(select(ConservationAssessment).where(ConservationAssessment.taxon_id == taxon.id)
                               .order_by(ConservationAssessment.scheme)).all()
    return {"taxon": taxon, "fields": EDITABLE, "names": names, "assessments": assessments,
            "parent": session.get(Taxon, taxon.parent_id) if taxon.parent_id else None,
            "accepted": session.get(Taxon, taxon.accepted_id) if taxon.accepted_id else None,
            "problems": problems or []}


@router.get("", response_class=HTMLResponse)
def taxa(request: Request, session: SessionDep, principal: UserDep, q: str | None = None):
    _curator(principal)
    stmt = select(Taxon).order_by(Taxon.scientific_name).limit(200)
    if q:
        stmt = stmt.where(Taxon.name_folded.contains(fold(q)))
    return render(request, "curation/taxa.html", {"taxa": session.exec(stmt).all(), "q": q or ""})


@router.get("/{taxon_id}", response_class=HTMLResponse)
def taxon_page(request: Request, session: SessionDep, principal: UserDep, taxon_id: RecordId):
    _curator(principal)
    return render(request, "curation/taxon.html", _context(session, _taxon(session, taxon_id)))


@router.post("/{taxon_id}", response_class=HTMLResponse)
def taxon_update(request: Request, session: SessionDep, principal: FormUserDep, taxon_id: RecordId,
                 form: Annotated[dict, Depends(form_dict)]):
    _curator(principal)
    taxon = _taxon(session, taxon_id)
    changes = {f: (form[f].strip() or None) for f in EDITABLE + ("parent_name", "accepted_name") if f in form}
    changes["verified"] = form.get("verified") == "on"
    for key in ("parent_name", "accepted_name"):
        current = _context(session, taxon)["parent" if key == "parent_name" else "accepted"]
        if changes.get(key) == (current.scientific_name if current else None):
            changes.pop(key, None)
    try:
        taxon_curation.update_taxon(session, principal.actor(), taxon, changes)
        session.commit()
    except (InvalidRecord, Forbidden) as exc:
        session.rollback()
        problems = exc.problems if isinstance(exc, InvalidRecord) else [("", "", str(exc))]
        return render(request, "curation/taxon.html", _context(session, _taxon(session, taxon_id), problems),
                      status_code=422)
    return RedirectResponse(f"/curation/taxa/{taxon_id}", status_code=303)


@router.post("/{taxon_id}/assessments", response_class=HTMLResponse)
def assessment_set(request: Request, session: SessionDep, principal: FormUserDep, taxon_id: RecordId,
                   scheme: Annotated[str, Form()], code: Annotated[str, Form()],
                   source_document: Annotated[str | None, Form()] = None,
                   assessed_on: Annotated[str | None, Form()] = None):
    _curator(principal)
    taxon = _taxon(session, taxon_id)
    try:
        taxon_curation.set_assessment(session, principal.actor(), {
            "taxon_name": taxon.scientific_name, "scheme": scheme, "code": code.strip(),
            "source_document": source_document or None, "assessed_on": assessed_on or None})
        session.commit()
    except InvalidRecord as exc:
        session.rollback()
        return render(request, "curation/taxon.html", _context(session, _taxon(session, taxon_id), exc.problems),
                      status_code=422)
    return RedirectResponse(f"/curation/taxa/{taxon_id}", status_code=303)


@router.post("/{taxon_id}/assessments/{assessment_id}/delete")
def assessment_delete(session: SessionDep, principal: FormUserDep, taxon_id: RecordId, assessment_id: RecordId):
    _curator(principal)
    with http_errors():
        taxon_curation.delete_assessment(session, principal.actor(), assessment_id)
    session.commit()
    return RedirectResponse(f"/curation/taxa/{taxon_id}", status_code=303)


