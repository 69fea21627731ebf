"""`genbank-registry worker`: run uploaded imports in separate processes (PostgreSQL, Procrastinate)."""
from __future__ import annotations

import typer

from genbank_registry.cli.common import console, engine_for, fail, settings


def worker(
    concurrency: int = typer.Option(1, help="imports this process runs at once"),
    once: bool = typer.Option(False, "--once", help="stop when the queue is empty (for scripts and tests)"),
):
    """Take import jobs from the PostgreSQL queue; start as many processes as the machine allows."""
    s = settings()
    if s.job_queue != "procrastinate":
        fail("set GENBANK_REGISTRY_JOB_QUEUE=procrastinate (PostgreSQL) to run separate workers; with the "
             "default 'thread' queue the web process runs imports itself")
    from importers.jobs import handlers

    from genbank_registry.jobs import procrastinate_queue as queue

    console.print(f"import worker: concurrency {concurrency}, database {s.database_url.split('@')[-1]}")
    with engine_for(s.database_url) as engine:
        queue.run_worker(engine, s.database_url, handlers(), concurrency=concurrency, wait=not once)
