"""The offline map of collecting sites: the current search's public points over Cần Thơ's districts."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from genbank_registry.search import query as search_service

from .. import mapsvg
from ..deps import SessionDep
from ..templating import render
from .catalogue import query_from, url_for_search

router = APIRouter()


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, session: SessionDep):
    query = query_from(request)
    rows, without = search_service.map_points(session, query)
    pts = mapsvg.points(rows)
    return render(request, "map/index.html", {
        "query": query, "communes": mapsvg.communes(), "attribution": mapsvg.ATTRIBUTION,
        "districts": mapsvg.districts(), "points": pts, "width": mapsvg.WIDTH,
        "height": mapsvg.frame().height, "without": without, "outside": sum(n for *_, n in rows) - sum(p.n for p in pts),
        "catalogue_url": url_for_search("/catalogue", query), "url": lambda **c: url_for_search("/map", query, **c),
    })
