"""The catalogue: search page with facets, its CSV download, and GET /api/v1/accessions (the same search)."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlmodel import select

from genbank_registry.models import Accession, GeneFundTask, Institution
from genbank_registry.search import query as search_service
from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.standards.tabular import neutralise
from schemas import codes
from schemas.accessions import AccessionPublic
from schemas.search import AccessionSearchPublic, FacetValuePublic
from schemas.places import district_name
from schemas.text import query_tokens, words

from .. import i18n
from ..deps import SessionDep
from ..i18n import gettext
from ..templating import label, render

_ = str  # marks msgids for extraction; translated when rendered

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["accessions"])
PAGE_SIZE = 20
CSV_FIELDS = [f for f in AccessionPublic.model_fields if f not in ("characterizations",)]


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def query_from(request: Request, limit: int = PAGE_SIZE) -> search_service.SearchQuery:
    """The search a URL describes; unknown or malformed parameters are ignored rather than refused."""
    p = request.query_params
    page = max(1, _int(p.get("page"), 1))
    return search_service.SearchQuery(
        q=p.get("q", ""), sort=p.get("sort", "relevance"), limit=limit, offset=(page - 1) * limit,
        filters={f.name: p.get(f.name) for f in search_service.FACETS if p.get(f.name)})


def search_params(query: search_service.SearchQuery, **changes) -> dict:
    """The URL parameters of `query` with `changes` applied (None removes one): stable, shareable links."""
    default_sort = "relevance" if query_tokens(query.q) else "name"
    params = {"q": query.q or None, **query.filters, "sort": query.sort if query.sort != default_sort else None}
    params.update(changes)
    return {k: v for k, v in params.items() if v not in (None, "")}


def url_for_search(path: str, query, **changes) -> str:
    params = search_params(query, **changes)
    return path + ("?" + urlencode(params) if params else "")


FACET_TITLES = {
    "category": _("Category"), "family": _("Family"), "district": _("District (before 01/07/2025)"),
    "commune": _("Commune or ward"), "storage": _("Storage"), "sampstat": _("Biological status"),
    "status": _("Conservation status"), "task": _("Gene-fund task"), "institution": _("Holding institution"),
}
SORT_TITLES = {"relevance": _("Relevance"), "name": _("Name (A–Z)"), "accenumb": _("Accession number"),
               "newest": _("Newest")}


class Titles:
    """Task and institution titles, each table read once per page rather than once per facet value."""

    def __init__(self, session):
        self.session = session
        self._tasks: dict | None = None
        self._institutions: dict | None = None

    def task(self, code: str):
        if self._tasks is None:
            self._tasks = {t.code: t for t in self.session.exec(select(GeneFundTask))}
        return self._tasks.get(code)

    def institution(self, code: str):
        if self._institutions is None:
            self._institutions = {i.code: i for i in self.session.exec(select(Institution))}
        return self._institutions.get(code)


def facet_label(titles: Titles, name: str, value, lang: str) -> str:
    if value is None:
        return gettext("Locality withheld") if name in ("district", "commune") else gettext("Not given")
    if name == "category":
        return label(codes.CATEGORY_LABELS, value, lang)
    if name == "district":
        return district_name(value, lang) or value
    if name == "storage":
        return label(codes.STORAGE, value, lang)
    if name == "sampstat":
        return label(codes.SAMPSTAT, value, lang)
    if name == "status":
        scheme, _, code = value.partition(":")
        return f"{label(codes.SCHEME_LABELS, scheme, lang)}: {code}"
    if name == "task":
        task = titles.task(value)
        return f"{(task.title_en if lang == 'en' else task.title_vi) if task else value} ({value})"
    if name == "institution":
        inst = titles.institution(value)
        return (inst.name_en if lang == "en" else inst.name_vi) if inst else value
    return str(value)


def facet_panels(titles: Titles, query, result, lang: str) -> list[dict]:
    """What the facet column shows: each value with its label, count and the link that adds or removes it."""
    panels = []
    for facet in search_service.FACETS:
        if facet.name == "commune" and "district" not in query.filters:
            continue  # communes make sense once a district is chosen
        selected = query.filters.get(facet.name)
        values = []
        for value, n in result.facets.get(facet.name, []):
            link = None if value is None else url_for_search(
                "/catalogue", query, **{facet.name: None if value == selected else value, "page": None})
            values.append({"value": value, "label": facet_label(titles, facet.name, value, lang), "count": n,
                           "url": link, "selected": value is not None and value == selected})
        if values:
            panels.append({"name": facet.name, "title": gettext(FACET_TITLES[facet.name]), "values": values,
                           "selected": selected})
    return panels


@router.get("/catalogue", response_class=HTMLResponse, include_in_schema=False)
def catalogue_page(request: Request, session: SessionDep):
    query = query_from(request)
    result = search_service.search(session, query)
    page = query.offset // query.limit + 1
    pages = max(1, -(-result.total // query.limit))
    i18n.set_language(request.state.lang)
    titles = Titles(session)
    chips = [{"label": f"{gettext(FACET_TITLES[k])}: {facet_label(titles, k, v, request.state.lang)}",
              "url": url_for_search("/catalogue", query, **{k: None})} for k, v in query.filters.items()]
    return render(request, "catalogue/search.html", {
        "query": query, "result": result, "page": page, "pages": pages,
        "short_words": list(dict.fromkeys(w for w in re.findall(r"[^\W_]+", query.q)
                                          if len(words(w)) < search_service.WHOLE_WORD_BELOW)),
        "whole_word_below": search_service.WHOLE_WORD_BELOW,
        "panels": facet_panels(titles, query, result, request.state.lang), "chips": chips,
        "sorts": [(s, gettext(SORT_TITLES[s])) for s in search_service.SORTS if s != "relevance" or query.q],
        "url": lambda **c: url_for_search("/catalogue", query, **c),
        "csv_url": url_for_search("/catalogue.csv", query), "map_url": url_for_search("/map", query),
    })


@router.get("/catalogue.csv", include_in_schema=False)
def catalogue_csv(request: Request, session: SessionDep):
    """Every accession of the current result, as public forms (MCPD column names where MCPD has one)."""
    query = query_from(request)
    ids = search_service.matching_ids(session, query)
    builder = PublicFormBuilder(session)

    def rows():
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        out.write("\ufeff")  # Excel opens UTF-8 Vietnamese correctly only with a BOM
        writer.writeheader()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            accs = {a.id: a for a in session.exec(select(Accession).where(Accession.id.in_(chunk)))}
            for acc_id in chunk:
                form = builder.build(accs[acc_id]).model_dump(include=set(CSV_FIELDS))
                writer.writerow({k: neutralise(v) for k, v in form.items()})  # no cell a spreadsheet would run
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if not ids:
            yield out.getvalue()

    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="genbank-cantho-catalogue.csv"'})


@api.get("/accessions", response_model=AccessionSearchPublic,
         summary="Search published accessions (the catalogue page's search, as JSON)")
def api_search(request: Request, session: SessionDep,
               q: str = Query("", description="words, with or without diacritics; or an accession number"),
               sort: str = Query("relevance", description=" | ".join(search_service.SORTS)),
               limit: int = Query(20, ge=1, le=search_service.MAX_LIMIT), offset: int = Query(0, ge=0),
               facets: bool = Query(False, description="also count facet values"),
               category: str | None = None, family: str | None = None, district: str | None = None,
               commune: str | None = None, storage: str | None = None, sampstat: str | None = None,
               status: str | None = Query(None, description="conservation status as scheme:code, e.g. iucn:CR"),
               task: str | None = None, institution: str | None = None):
    filters = {f.name: request.query_params.get(f.name) for f in search_service.FACETS}
    query = search_service.SearchQuery(q=q, sort=sort, limit=limit, offset=offset, filters=filters)
    result = search_service.search(session, query, facets=facets)
    answer = AccessionSearchPublic(
        total=result.total, whole_word_total=result.whole_total, prefix_total=result.prefix_total,
        limit=query.limit, offset=query.offset, items=result.items,
        facets={k: [FacetValuePublic(value=v, count=n) for v, n in vals] for k, vals in result.facets.items()},
        suggestions=result.suggestions)
    # Already validated: returned as a model, FastAPI would validate and encode it all over again, which took
    # a third of a narrow search's time. The response model still documents the answer.
    return Response(answer.model_dump_json(), media_type="application/json")
