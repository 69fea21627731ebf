"""Downloads: the blank MCPD template and the published catalogue as MCPD CSV and as a Darwin Core Archive.

Built by the same core writers as `genbank-registry export …`, from public forms only: no drafts, no personal
data, sensitive localities generalised or withheld.
"""
from __future__ import annotations

import io

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from genbank_registry.models import Institution
from genbank_registry.standards import dwca_export
from genbank_registry.standards import insdc_export
from genbank_registry.standards.mcpd_export import published_forms, template_bytes, write_mcpd
from genbank_registry.surveys.export import public_survey_rows
from schemas import codes

from ..deps import SessionDep
from ..templating import render

router = APIRouter()
_TYPES = {"csv": "text/csv; charset=utf-8",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "zip": "application/zip",
          "tsv": "text/tab-separated-values; charset=utf-8"}


def _file(content: bytes, name: str, kind: str) -> Response:
    return Response(content, media_type=_TYPES[kind], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _check(session, institution: str | None, category: str | None) -> None:
    if category and category not in {c.value for c in codes.Category}:
        raise HTTPException(404)
    if institution and session.exec(select(Institution).where(Institution.code == institution.upper())).first() is None:
        raise HTTPException(404)


@router.get("/downloads", response_class=HTMLResponse, include_in_schema=False)
def downloads(request: Request, session: SessionDep):
    institutions = session.exec(select(Institution).order_by(Institution.code)).all()
    return render(request, "downloads/index.html", {"institutions": institutions})


@router.get("/downloads/mcpd-template.{kind}", include_in_schema=False)
def mcpd_template(kind: str):
    if kind not in ("csv", "xlsx"):
        raise HTTPException(404)
    return _file(template_bytes(kind), f"mcpd-template.{kind}", kind)


@router.get("/downloads/catalogue.mcpd.csv", include_in_schema=False)
def catalogue_mcpd(session: SessionDep, institution: str | None = Query(None), category: str | None = Query(None)):
    _check(session, institution, category)
    text = io.StringIO()
    write_mcpd(published_forms(session, institution, category), text)
    return _file(text.getvalue().encode("utf-8-sig"), "catalogue.mcpd.csv", "csv")


@router.get("/downloads/catalogue.dwca.zip", include_in_schema=False)
def catalogue_dwca(session: SessionDep, institution: str | None = Query(None), category: str | None = Query(None)):
    _check(session, institution, category)
    buffer = io.BytesIO()
    forms = list(published_forms(session, institution, category))
    surveys = [] if institution or category else list(public_survey_rows(session))
    dwca_export.write_archive(forms, session.exec(select(Institution)).all(), buffer, surveys=surveys)
    return _file(buffer.getvalue(), "catalogue.dwca.zip", "zip")


@router.get("/downloads/sequences.source.tsv", include_in_schema=False)
def sequences_source_table(session: SessionDep):
    """INSDC source-modifier table of the published sequences (generalised, no personal names)."""
    return _file(insdc_export.source_table(session).encode("utf-8"), "sequences.source.tsv", "tsv")


@router.get("/downloads/sequences.biosample.tsv", include_in_schema=False)
def sequences_biosample_sheet(session: SessionDep):
    return _file(insdc_export.biosample_sheet(session).encode("utf-8"), "sequences.biosample.tsv", "tsv")
