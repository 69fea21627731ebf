"""The application factory. Nothing is built at import time: tests make apps over temporary databases."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from genbank_registry.db import make_engine
from genbank_registry.settings import Settings, get_settings

from . import i18n
from .routers import home, sequences
from .templating import TEMPLATES, build_templates, render

LANG_COOKIE = "lang"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="genbank-registry", version="0.1.0",
                  description="Gene bank and biological resource registry of Cần Thơ's gene fund: JSON API.",
                  docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=str(TEMPLATES.parent / "static")), name="static")

    @app.middleware("http")
    async def language(request: Request, call_next):
        asked = request.query_params.get("lang")
        lang = asked if asked in i18n.LANGUAGES else request.cookies.get(LANG_COOKIE)
        request.state.lang = lang if lang in i18n.LANGUAGES else settings.default_language
        response = await call_next(request)
        if asked in i18n.LANGUAGES:
            # Remember the visible switch's choice.
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"code": exc.status_code, "message": str(exc.detail)}, status_code=exc.status_code)
        if not hasattr(request.state, "lang"):
            request.state.lang = settings.default_language
        return render(request, "errors/error.html", {"status_code": exc.status_code}, status_code=exc.status_code)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"status": "ok"}

    app.include_router(home.router)
    app.include_router(sequences.router)
    return app
