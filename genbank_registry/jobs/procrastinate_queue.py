"""Import jobs through Procrastinate, for PostgreSQL deployments with several worker processes.

The import_job row stays the record people see (status, progress, report); Procrastinate only decides which
worker runs it, with PostgreSQL locks, LISTEN/NOTIFY and worker heartbeats. A periodic task requeues jobs
whose worker died (genbank_registry.jobs.runner.recover) and defers them again.
"""
from __future__ import annotations

import logging

import procrastinate
from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from genbank_registry.db import normalize_url
from genbank_registry.jobs.models import ImportJob
from genbank_registry.jobs import runner as jobs

log = logging.getLogger(__name__)
QUEUE = "imports"
TASK = "genbank_registry.run_import_job"
RECOVER_TASK = "genbank_registry.recover_import_jobs"

# Set by the worker process at start: the engine and the import handlers (wired in by the CLI).
_context: dict = {}


def conninfo(database_url: str) -> str:
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() != "postgresql":
        raise ValueError("the procrastinate job queue needs PostgreSQL; with SQLite use job_queue=thread")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str, sync: bool = False) -> procrastinate.App:
    connector_cls = procrastinate.SyncPsycopgConnector if sync else procrastinate.PsycopgConnector
    app = procrastinate.App(connector=connector_cls(conninfo=conninfo(database_url)))
    app.task(name=TASK, queue=QUEUE, pass_context=False)(_run_import_job)

    @app.periodic(cron="* * * * *")
    @app.task(name=RECOVER_TASK, queue=QUEUE)
    def _recover(timestamp: int) -> None:
        for job_id in jobs.recover(_context["engine"]):
            _defer_requeued(app, job_id)

    return app


def _claim(engine: Engine, job_id: int) -> bool:
    with Session(engine) as session:
        claimed = session.exec(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
                               .values(status="running", started_at=jobs.now(), heartbeat_at=jobs.now(),
                                       attempts=ImportJob.attempts + 1, error=None))
        session.commit()
        return claimed.rowcount == 1


def _run_import_job(job_id: int) -> None:
    engine, handlers = _context["engine"], _context["handlers"]
    if not _claim(engine, job_id):
        log.info("import job %s is not queued any more; skipped", job_id)
        return
    jobs.run_one(engine, job_id, handlers)


def _defer_requeued(app: procrastinate.App, job_id: int) -> None:
    with Session(_context["engine"]) as session:
        job = session.get(ImportJob, job_id)
        if job is not None and job.status == "queued":
            app.configure_task(TASK).defer(job_id=job_id)


def defer(database_url: str, job_id: int) -> None:
    """Called by the web process after it stored an import_job row."""
    app = make_app(database_url, sync=True)
    with app.open():
        app.configure_task(TASK).defer(job_id=job_id)


def run_worker(engine: Engine, database_url: str, handlers: dict, concurrency: int = 1, wait: bool = True) -> None:
    """Run import jobs until stopped (or, with wait=False, until the queue is empty)."""
    _context.update(engine=engine, handlers=handlers)
    for job_id in jobs.recover(engine):  # jobs whose worker died while this one was down
        defer(database_url, job_id)
    app = make_app(database_url)
    app.run_worker(queues=[QUEUE], concurrency=concurrency, wait=wait, install_signal_handlers=wait)
