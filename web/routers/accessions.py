"""An accession's page (passport data grouped as people read it, a citation, a QR code) and its API form."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from genbank_registry.errors import NotFound
from genbank_registry.models import Accession, Institution, Taxon
from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.catalogue.public_catalogue import taxon_public
from genbank_registry.sequences.public import sequences_for_accession
from schemas.accessions import AccessionPublic

from ..deps import PublicBaseDep, RecordId, SessionDep, missing_is_404
from ..templating import render

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["accessions"])


def find_public(session, instcode: str, accenumb: str) -> AccessionPublic:
    acc = session.exec(select(Accession).join(Institution, Institution.id == Accession.institution_id)
                       .where(Institution.code == instcode.upper(), Accession.accenumb == accenumb)).first()
    return _public(session, acc)


def _public(session, acc: Accession | None) -> AccessionPublic:
    with missing_is_404("accession not found"):
        if acc is None:
            raise NotFound("no such accession")
        return PublicFormBuilder(session).build(acc)


def permanent_url(base_url: str, form: AccessionPublic) -> str:
    return f"{base_url.rstrip('/')}/accessions/{form.instcode}/{form.accenumb}"


def qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    img.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration to inline it


@router.get("/accessions/{instcode}/{accenumb:path}", response_class=HTMLResponse, include_in_schema=False)
def accession_page(request: Request, session: SessionDep, base: PublicBaseDep, instcode: str, accenumb: str):
    form = find_public(session, instcode, accenumb)
    url = permanent_url(base, form)
    taxon = session.get(Taxon, form.taxon_id) if form.taxon_id else None
    return render(request, "accessions/detail.html", {
        "acc": form, "permanent_url": url, "qr_svg": qr_svg(url),
        "taxon": taxon_public(session, taxon) if taxon else None,
        "sequences": sequences_for_accession(session, form.id),
    })


@api.get("/accessions/{instcode}/{accenumb:path}", response_model=AccessionPublic,
         summary="One published accession by INSTCODE and ACCENUMB", responses={404: {"description": "not found"}})
def api_accession(session: SessionDep, instcode: str, accenumb: str):
    return find_public(session, instcode, accenumb)


@api.get("/accessions/{accession_id:int}", response_model=AccessionPublic,
         summary="One published accession by its numeric id", responses={404: {"description": "not found"}})
def api_accession_by_id(session: SessionDep, accession_id: RecordId):
    return _public(session, session.get(Accession, accession_id))
