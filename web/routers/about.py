"""The about page: what the registry is, how data are protected, how to cite and reuse."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..templating import render

router = APIRouter()


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about_page(request: Request):
    return render(request, "about/index.html", {})
