"""The application factory. Nothing is built at import time: tests make apps over temporary databases."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from genbank_registry.db import make_engine
from genbank_registry.errors import NotFound, NotPublic
from genbank_registry.jobs.runner import JobWorker
from genbank_registry.settings import Settings, get_settings
from schemas.messages import validation_message

from . import i18n
from .openapi import document_errors
from .auth import SESSION_COOKIE, identify
from .routers import (about, accessions, account, auth, catalogue, curation, downloads, home, imports, institutions,
                      map, reports, sequences, sitemap, taxa, taxon_curation, tasks)
from .templating import TEMPLATES, build_templates, render

LANG_COOKIE = "lang"

# No inline script or style anywhere: an injected <script> or style attribute does nothing. Bars and charts are
# SVG (attributes, not styles); frame-ancestors 'none' keeps the pages out of other sites' frames.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
# /docs is FastAPI's Swagger UI: its script and style come from a CDN and it starts with an inline script. It
# shows no data of ours (it reads /openapi.json); offline it cannot load at all, and /openapi.json still works.
DOCS_CSP = ("default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
            "style-src 'self' https://cdn.jsdelivr.net; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def security_headers(path: str) -> dict[str, str]:
    """The headers every response carries (cookies are set where they are made: HttpOnly, SameSite=Lax)."""
    return {"Content-Security-Policy": DOCS_CSP if path.startswith("/docs") else CSP,
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            # A reset link's token is in its path: never send it to another site.
            "Referrer-Policy": "same-origin"}


def create_app(settings: Settings | None = None, job_handlers: dict | None = None) -> FastAPI:
    """The app over `settings.database_url`. `job_handlers` (format → import function) come from the caller,
    because web never imports `importers`; without them uploads are refused with a clear message."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        worker = None
        if job_handlers and settings.run_worker and settings.job_queue == "thread":
            worker = JobWorker(app.state.engine, job_handlers)
            worker.start()
        app.state.worker = worker
        yield
        if worker is not None:
            await run_in_threadpool(worker.stop)

    app = FastAPI(title="genbank-registry", version="0.1.0",
                  description="Gene bank and biological resource registry of Cần Thơ's gene fund: JSON API.",
                  docs_url="/docs", redoc_url=None, lifespan=lifespan)
    app.state.job_handlers = job_handlers or {}
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=str(TEMPLATES.parent / "static")), name="static")

    @app.middleware("http")
    async def language(request: Request, call_next):
        asked = request.query_params.get("lang")
        lang = asked if asked in i18n.LANGUAGES else request.cookies.get(LANG_COOKIE)
        request.state.lang = lang if lang in i18n.LANGUAGES else settings.default_language
        cookie = request.cookies.get(SESSION_COOKIE)
        # Most public requests carry no session: no thread (nor database) for them.
        request.state.web_user = await run_in_threadpool(identify, app.state.engine, cookie) if cookie else None
        response = await call_next(request)
        if asked in i18n.LANGUAGES:
            # Remember the visible switch's choice.
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    @app.middleware("http")
    async def secure_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in security_headers(request.url.path).items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"code": exc.status_code, "message": str(exc.detail)}, status_code=exc.status_code)
        if not hasattr(request.state, "lang"):
            request.state.lang = settings.default_language
        if exc.status_code == 401 and request.method == "GET":
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        return render(request, "errors/error.html", {"status_code": exc.status_code}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        lang = getattr(request.state, "lang", None)

        def said(translated: bool) -> str:
            return "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: "
                             f"{i18n.translate(validation_message(e), lang) if translated else validation_message(e)}"
                             for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse({"code": 422, "message": said(False)}, status_code=422)
        return await http_error(request, StarletteHTTPException(400, said(True)))

    @app.exception_handler(NotFound)
    @app.exception_handler(NotPublic)
    async def not_found(request: Request, exc: Exception):
        # A record that is not public is answered exactly like one that does not exist.
        return await http_error(request, StarletteHTTPException(404, "Not Found"))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Answered outside the middlewares: the security headers are added here.
        if request.url.path.startswith("/api/"):
            response = JSONResponse({"code": 500, "message": "internal error; please try again later"},
                                    status_code=500)
        else:
            response = await http_error(request, StarletteHTTPException(500, "internal error"))
        response.headers.update(security_headers(request.url.path))
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"status": "ok"}

    # One router per resource; a module's JSON API router is named `api`.
    for module in (home, catalogue, accessions, taxa, institutions, tasks, map, about, sequences, reports,
                   downloads, auth, account, curation, taxon_curation, imports, sitemap):
        app.include_router(module.router)
        if hasattr(module, "api"):
            app.include_router(module.api)
    document_errors(app)
    return app
