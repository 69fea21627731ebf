"""Taxon pages and API: names, synonyms, vernacular names, conservation statuses and published accessions."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import SQLModel

from genbank_registry.catalogue import public_catalogue as pc
from genbank_registry.search import query as search_service
from schemas.catalogue import TaxonPublic

from ..deps import RecordId, SessionDep, missing_is_404
from ..templating import render

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["taxa"])


class TaxonPagePublic(SQLModel):
    total: int
    limit: int
    offset: int
    items: list[TaxonPublic]


def _taxon(session, taxon_id: int):
    with missing_is_404("taxon not found"):
        return pc.get_taxon(session, taxon_id)


def taxon_accessions(session, taxon_id: int):
    """Published accessions of the taxon and of its cultivars, breeds or strains (public search index)."""
    ids = [taxon_id, *pc.children_ids(session, taxon_id)]
    query = search_service.SearchQuery(limit=search_service.MAX_LIMIT, taxon_ids=ids)
    return search_service.search(session, query, facets=False, suggest=False)


@router.get("/taxa/{taxon_id:int}", response_class=HTMLResponse, include_in_schema=False)
def taxon_page(request: Request, session: SessionDep, taxon_id: RecordId):
    taxon = _taxon(session, taxon_id)
    accepted = pc.get_taxon(session, taxon.accepted_id) if taxon.accepted_id else None
    parent = pc.get_taxon(session, taxon.parent_id) if taxon.parent_id else None
    return render(request, "taxa/detail.html", {
        "taxon": pc.taxon_public(session, taxon), "accepted": accepted, "parent": parent,
        "synonyms": pc.synonyms(session, taxon.id), "accessions": taxon_accessions(session, taxon.id),
        "sequences": [],  # filled by the sequences module once merged
    })


@api.get("/taxa", response_model=TaxonPagePublic, summary="Taxa with names and conservation statuses")
def api_taxa(session: SessionDep, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)):
    total, items = pc.list_taxa(session, limit, offset)
    return TaxonPagePublic(total=total, limit=limit, offset=offset, items=items)


@api.get("/taxa/{taxon_id:int}", response_model=TaxonPublic, summary="One taxon",
         responses={404: {"description": "not found"}})
def api_taxon(session: SessionDep, taxon_id: RecordId):
    return pc.taxon_public(session, _taxon(session, taxon_id))
