"""Institution pages and API: public name, address and website; never contact persons, e-mails or phones."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from genbank_registry.catalogue import public_catalogue as pc
from genbank_registry.search import query as search_service
from schemas.catalogue import InstitutionPublic

from ..deps import SessionDep, missing_is_404
from ..templating import render

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["institutions"])


def _institution(session, code: str):
    with missing_is_404("institution not found"):
        return pc.get_institution(session, code)


@router.get("/institutions", response_class=HTMLResponse, include_in_schema=False)
def institutions_page(request: Request, session: SessionDep):
    return render(request, "institutions/list.html", {"institutions": pc.list_institutions(session)})


@router.get("/institutions/{code}", response_class=HTMLResponse, include_in_schema=False)
def institution_page(request: Request, session: SessionDep, code: str):
    inst = pc.institution_public(_institution(session, code))
    result = search_service.search(session, search_service.SearchQuery(filters={"institution": inst.code},
                                                                       limit=50), suggest=False)
    return render(request, "institutions/detail.html", {"inst": inst, "result": result,
                                                        "tasks": [t for t in pc.list_tasks(session)
                                                                  if t.host_institution_code == inst.code]})


@api.get("/institutions", response_model=list[InstitutionPublic], summary="Holding and collecting institutions")
def api_institutions(session: SessionDep):
    return pc.list_institutions(session)


@api.get("/institutions/{code}", response_model=InstitutionPublic, summary="One institution by its code",
         responses={404: {"description": "not found"}})
def api_institution(session: SessionDep, code: str):
    return pc.institution_public(_institution(session, code))
