"""Import batches whose process died: found and marked `interrupted`, so no batch claims to run for ever.

A batch is written `running` before any of its records, with its owner (host, process id and the process's start
time) in its report. An import killed outright (kill -9, power loss, the OOM killer) cannot write its own ending;
whatever it had not committed was rolled back by the database, so nothing half-written is left, but its batch row
would say `running` for ever. `sweep()` looks at every running batch of this host and marks those whose process
is gone. It runs when the next import starts, when `import batches` lists them and when the web shows them.

A batch started on another host (several machines on one PostgreSQL) is only swept there, because this host
cannot see that host's processes; `genbank-registry import batches --interrupted ID` marks one by hand.
"""
from __future__ import annotations

import os
import socket

from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from schemas import codes
from schemas.codes import ImportStatus
from schemas.messages import N_

from genbank_registry.base import utcnow
from genbank_registry.catalogue.models import ImportBatch

# Stored as its English msgid: the web looks a stored plain message up in the catalogue.
INTERRUPTED_MESSAGE = str(N_("interrupted: the import stopped before it finished; nothing half-written was kept. "
                             "Run the same command again to complete it"))


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux): tells a live process from a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat[stat.rfind(b")") + 2:].split()[19].decode()


def owner() -> dict:
    """Who runs the batch: stored in its report when it opens."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "started": _start_time(pid)}


def _alive(own: dict) -> bool:
    pid = own.get("pid")
    if not isinstance(pid, int):
        return True  # not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    started = _start_time(pid)
    return own.get("started") is None or started is None or started == own["started"]


def sweep(engine: Engine) -> list[int]:
    """Mark interrupted every running batch of this host whose process is gone; returns their ids."""
    host = socket.gethostname()
    table = ImportBatch.__table__
    with engine.connect() as conn:
        running = conn.execute(select(table.c.id, table.c.report).where(
            table.c.status == ImportStatus.RUNNING)).all()
    dead = [bid for bid, report in running
            if isinstance(report, dict) and isinstance(report.get("owner"), dict)
            and report["owner"].get("host") == host and not _alive(report["owner"])]
    if dead:
        mark_interrupted(engine, dead)
    return dead


def mark_interrupted(engine: Engine, batch_ids: list[int]) -> int:
    """Mark the given batches interrupted if they still say running; returns how many were."""
    table = ImportBatch.__table__
    with engine.begin() as conn:
        return conn.execute(update(table).where(table.c.id.in_(batch_ids), table.c.status == ImportStatus.RUNNING)
                            .values(status=ImportStatus.INTERRUPTED, finished_at=utcnow(),
                                    message=INTERRUPTED_MESSAGE)).rowcount


# --- opening and ending a batch (every importer) ----------------------------------------------------------

def open_batch(engine: Engine, fmt: str, source: str, checksum: str | None, created_by: str | None) -> int:
    """A running import batch, committed at once so its id is known to everything the import writes."""
    sweep(engine)  # batches a killed import left `running` are marked interrupted first
    with Session(engine) as session:
        # The owner lets a later sweep tell a batch whose process died (kill -9) from one still running.
        batch = ImportBatch(format=fmt, source_filename=source, checksum=checksum, created_by=created_by,
                            report={"owner": owner()})
        session.add(batch)
        session.commit()
        return batch.id


def finish_batch(engine: Engine, batch_id: int, status: str, message: str | None, report: dict,
                 counts: tuple[int, int, int, int] | None = None, checksum: str | None = None) -> None:
    """End a batch: its status, message, report, and (when given) its counts and the file's checksum."""
    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        if counts is not None:
            batch.added, batch.updated, batch.unchanged, batch.rejected = counts
        if checksum is not None:
            batch.checksum = checksum
        batch.status, batch.message, batch.report, batch.finished_at = status, message, report, utcnow()
        session.add(batch)
        session.commit()


def record_refused(engine: Engine, fmt: str, path: Path, message: str, checksum: str | None,
                   created_by: str | None) -> int:
    """A file refused as a whole (unreadable, broken archive) is still an attempt `import batches` shows."""
    batch_id = open_batch(engine, fmt, path.name, checksum, created_by)
    finish_batch(engine, batch_id, codes.ImportStatus.FAILED, message,
                 {"problems": [], "notes": [message], "refused": True})
    return batch_id
