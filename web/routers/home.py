"""The home page: what the city gene fund is and what its catalogue holds, from the database."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from genbank_registry.models import ImportBatch
from genbank_registry.search import query as search
from genbank_registry.catalogue.stats import catalogue_counts

from ..deps import SessionDep
from ..templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, session: SessionDep):
    counts = catalogue_counts(session)
    demo = session.exec(select(ImportBatch.id).where(ImportBatch.format == "demo")).first() is not None
    recent = search.search(session, search.SearchQuery(sort="newest", limit=6), facets=False, suggest=False).items
    return render(request, "home/index.html", {"counts": counts, "demo": demo, "recent": recent})
