"""Background imports: a queue in the database and a worker thread that survives restarts.

A job is claimed atomically (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a conditional UPDATE), reports
progress with a heartbeat, and ends completed or failed with its reason. A job whose heartbeat stops (the
server was killed) is queued again once: imports are idempotent, so running one again completes it; a second
interruption marks it failed with the reason, never leaving it "running".

Handlers (format → function) are injected by whoever starts the worker (the CLI wires in `importers`):
`handler(engine, job, progress) -> batch_id | None`, where `progress(done, total)` may be called often.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schemas.codes import ImportStatus
from schemas.messages import Message, N_, as_dict, message_of

from genbank_registry.models import ImportBatch
from genbank_registry.jobs import batches
from genbank_registry.jobs.models import ImportJob
from genbank_registry.jobs.uploads import StoredUpload

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
Handler = Callable[[Engine, ImportJob, Progress], int | None]
MAX_ATTEMPTS = 2
STALE_AFTER = dt.timedelta(seconds=90)
HEARTBEAT_EVERY = 1.0  # seconds between progress writes


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value):
    return value.replace(tzinfo=dt.timezone.utc) if value is not None and value.tzinfo is None else value


def enqueue(session: Session, upload: StoredUpload, user_id: int | None, options: dict | None = None) -> ImportJob:
    job = ImportJob(user_id=user_id, format=upload.format, original_filename=upload.original_filename,
                    stored_path=str(upload.path), size_bytes=upload.size, sha256=upload.sha256, options=options or {})
    session.add(job)
    session.flush()
    return job


def claim_next(engine: Engine) -> int | None:
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            row = session.exec(text("SELECT id FROM import_job WHERE status = 'queued' ORDER BY id "
                                    "FOR UPDATE SKIP LOCKED LIMIT 1")).first()
            candidates = [row[0]] if row else []
        else:
            candidates = list(session.exec(select(ImportJob.id).where(ImportJob.status == "queued")
                                           .order_by(ImportJob.id).limit(5)))
        for job_id in candidates:
            claimed = session.exec(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
                                   .values(status="running", started_at=now(), heartbeat_at=now(),
                                           attempts=ImportJob.attempts + 1, error=None))
            if claimed.rowcount == 1:
                session.commit()
                return job_id
        session.commit()
    return None


def _set(engine: Engine, job_id: int, **values) -> None:
    with Session(engine) as session:
        session.exec(update(ImportJob).where(ImportJob.id == job_id).values(**values))
        session.commit()


def recover(engine: Engine, stale_after: dt.timedelta = STALE_AFTER) -> list[int]:
    """Requeue jobs whose worker died (once), or fail them with the reason. Returns the ids touched."""
    batches.sweep(engine)  # the batches of imports killed with their server
    touched = []
    cutoff = now() - stale_after
    with Session(engine) as session:
        for job in session.exec(select(ImportJob).where(ImportJob.status == "running")):
            beat = _aware(job.heartbeat_at) or _aware(job.started_at)
            if beat is not None and beat > cutoff:
                continue
            if job.attempts < MAX_ATTEMPTS and Path(job.stored_path).exists():
                job.status = "queued"
                _error(job, N_("interrupted (server stopped); queued again"))
            else:
                job.status, job.finished_at = "failed", now()
                _error(job, N_("interrupted twice by a server stop; nothing half-written was kept — upload the file "
                               "again") if Path(job.stored_path).exists() else
                       N_("interrupted, and the uploaded file is gone; upload it again"))
            session.add(job)
            touched.append(job.id)
        session.commit()
    return touched


def run_one(engine: Engine, job_id: int, handlers: dict[str, Handler]) -> None:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(ImportJob, job_id)
    handler = handlers.get(job.format)
    if handler is None:
        _set(engine, job_id, status="failed", finished_at=now(),
             **_error_values(N_("no importer for %(format)s files is installed on this server", format=job.format)))
        return
    last = [0.0]

    def progress(done: int, total: int | None = None) -> None:
        if time.monotonic() - last[0] >= HEARTBEAT_EVERY:
            last[0] = time.monotonic()
            _set(engine, job_id, records_done=done, records_total=total, heartbeat_at=now())

    try:
        batch_id = handler(engine, job, progress)
    except Exception as exc:  # noqa: BLE001 - any importer failure ends the job with its reason
        log.exception("import job %s failed", job_id)
        _set(engine, job_id, status="failed", finished_at=now(),
             **_error_values(_scrub(message_of(exc), job.stored_path, job.original_filename)))
        return
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        done = job.records_total if job.records_total is not None else job.records_done
    failure = _name_batch(engine, batch_id, job) if batch_id is not None else None
    # The upload goes before the job says "completed", so a finished job never leaves a file behind. Should the
    # server die in between, recovery reports the job failed and asks for the file again: importing it twice
    # changes nothing.
    Path(job.stored_path).unlink(missing_ok=True)
    values = {"status": "completed"} if failure is None else {"status": "failed", **_error_values(failure)}
    _set(engine, job_id, finished_at=now(), batch_id=batch_id, records_done=done, heartbeat_at=now(), **values)


def _error(job: ImportJob, message: Message | str) -> None:
    for key, value in _error_values(message).items():
        setattr(job, key, value)


def _error_values(message: Message | str) -> dict:
    """A job's error: the English sentence (API, CLI) and its msgid with parameters (the web translates it)."""
    return {"error": str(message), "error_message": as_dict(message)}


def _scrub(value, stored_path: str, original: str):
    """`value` (a message, a report) with the server's storage path replaced by the uploaded file's name."""
    path = str(stored_path)
    if isinstance(value, Message):
        return Message(value.msgid, {k: _scrub(v, path, original) for k, v in value.params.items()})
    if isinstance(value, str):
        return value.replace(path, original).replace(Path(path).name, original) if path else value
    if isinstance(value, dict):
        return {k: _scrub(v, path, original) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, path, original) for v in value]
    return value


def _name_batch(engine: Engine, batch_id: int, job: ImportJob) -> Message | str | None:
    """The batch names the file the person uploaded, never the server's random storage path. Returns why the
    job failed when its batch stored nothing (a failed or aborted batch), else None."""
    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return None
        batch.source_filename = job.original_filename
        report = _scrub(batch.report, job.stored_path, job.original_filename)
        if isinstance(report, dict) and "file" in report:
            report["file"] = job.original_filename
        batch.report = report
        batch.message = _scrub(batch.message, job.stored_path, job.original_filename)
        session.add(batch)
        session.commit()
        return batch_failure(batch)


def batch_failure(batch: ImportBatch) -> Message | str | None:
    """Why an import batch counts as failed (it stored nothing), or None when it succeeded."""
    if batch.status not in (ImportStatus.FAILED, ImportStatus.ABORTED, ImportStatus.INTERRUPTED):
        return None
    stored = (batch.report or {}).get("failure") if isinstance(batch.report, dict) else None
    if stored:
        return Message.from_dict(stored)
    if batch.message:
        return batch.message
    return N_("nothing was stored: the import report lists the problems to fix")


class JobWorker(threading.Thread):
    """Runs queued jobs one at a time in this process until stopped."""

    def __init__(self, engine: Engine, handlers: dict[str, Handler], poll: float = 0.5):
        super().__init__(name="import-worker", daemon=True)
        self.engine, self.handlers, self.poll = engine, handlers, poll
        self._stop_event = threading.Event()

    def stop(self, timeout: float = 10) -> None:
        self._stop_event.set()
        self.join(timeout)

    def run(self) -> None:
        last_recover = 0.0
        while not self._stop_event.is_set():
            try:
                if time.monotonic() - last_recover > 30:
                    recover(self.engine)
                    last_recover = time.monotonic()
                job_id = claim_next(self.engine)
                if job_id is None:
                    self._stop_event.wait(self.poll)
                    continue
                run_one(self.engine, job_id, self.handlers)
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                log.exception("import worker error")
                self._stop_event.wait(self.poll * 4)
