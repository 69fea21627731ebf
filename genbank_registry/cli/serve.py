"""`genbank-registry serve`: the web app (pages and JSON API) under uvicorn."""
from __future__ import annotations

import typer

from genbank_registry.cli.common import settings


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    reload: bool = typer.Option(False, help="restart on code changes (development)"),
):
    """Serve the registry on http://HOST:PORT."""
    import uvicorn

    if reload:
        uvicorn.run("genbank_registry.cli.serve:app_factory", factory=True, host=host, port=port, reload=True)
        return
    uvicorn.run(app_factory(), host=host, port=port)


def app_factory():
    """The web app with the importers wired in for uploads (web and importers never import each other)."""
    from importers.jobs import handlers
    from web.app import create_app

    return create_app(settings(), job_handlers=handlers())
