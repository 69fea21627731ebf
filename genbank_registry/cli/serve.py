"""`genbank-registry serve`: the web app (pages and JSON API) under uvicorn."""
from __future__ import annotations

import typer

from .common import settings


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    reload: bool = typer.Option(False, help="restart on code changes (development)"),
):
    """Serve the registry on http://HOST:PORT."""
    import uvicorn

    if reload:
        uvicorn.run("web.app:create_app", factory=True, host=host, port=port, reload=True)
        return
    from web.app import create_app

    uvicorn.run(create_app(settings()), host=host, port=port)
