"""Gene-fund task pages and API (nhiệm vụ quỹ gen): title, legal basis, period, stage and accessions."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from genbank_registry.catalogue import public_catalogue as pc
from genbank_registry.search import query as search_service
from schemas import codes
from schemas.catalogue import GeneFundTaskPublic

from ..deps import SessionDep, missing_is_404
from ..templating import render

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["tasks"])


def _task(session, code: str):
    with missing_is_404("gene-fund task not found"):
        return pc.get_task(session, code)


@router.get("/tasks", response_class=HTMLResponse, include_in_schema=False)
def tasks_page(request: Request, session: SessionDep):
    return render(request, "tasks/list.html", {"tasks": pc.list_tasks(session)})


@router.get("/tasks/{code}", response_class=HTMLResponse, include_in_schema=False)
def task_page(request: Request, session: SessionDep, code: str):
    task = pc.task_public(session, _task(session, code))
    result = search_service.search(session, search_service.SearchQuery(filters={"task": task.code}, limit=50),
                                   suggest=False)
    stages = list(codes.LifecycleStage)
    return render(request, "tasks/detail.html", {"task": task, "result": result, "stages": stages,
                                                 "reached": stages.index(task.lifecycle_stage)})


@api.get("/tasks", response_model=list[GeneFundTaskPublic], summary="Gene-fund tasks")
def api_tasks(session: SessionDep):
    return pc.list_tasks(session)


@api.get("/tasks/{code}", response_model=GeneFundTaskPublic, summary="One gene-fund task by its code",
         responses={404: {"description": "not found"}})
def api_task(session: SessionDep, code: str):
    return pc.task_public(session, _task(session, code))
