"""Load survey rows into the registry: one transaction per file, recorded as an ImportBatch.

A survey is only meaningful whole (a missing row is a species missing from a site's counts), so a file with
any bad row writes nothing; every problem is still reported, with file, row, line, column, value and what to
do. `load_rows` takes any iterable of `Parsed` items or plain `schemas.surveys.SurveyRow` objects, so the
CSV template and a Darwin Core Archive (Event core + Occurrence extension) share it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from genbank_registry.checksums import sha256_of
from genbank_registry.errors import InvalidRecord, RegistryError
from genbank_registry.jobs import batches
from genbank_registry.models import ImportBatch, utcnow
from genbank_registry.surveys import reports as survey_reports
from genbank_registry.surveys.store import SurveyWriter
from schemas.codes import ImportStatus
from schemas.messages import N_, Message, as_dict, message_of
from schemas.surveys import SurveyRow

from .base import Parsed, Problem, nothing_stored
from .formats import reader

MAX_REPORTED = 1000  # the batch keeps the first problems in full; the count says how many there were


@dataclass
class LoadResult:
    batch_id: int
    status: str
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    new_taxa: list[str] = field(default_factory=list)
    failure: Message | None = None  # why nothing was stored, when the import failed

    @property
    def ok(self) -> bool:
        return self.status == ImportStatus.COMPLETED


def _as_parsed(items: Iterable[Parsed | SurveyRow]) -> Iterable[Parsed]:
    for n, item in enumerate(items, 1):
        yield item if isinstance(item, Parsed) else Parsed(n, 0, record=item)


def load_rows(engine: Engine, items: Iterable[Parsed | SurveyRow], *, source: str, fmt: str,
              checksum: str | None = None, created_by: str | None = None,
              progress: Callable[[], None] | None = None, batch_id: int | None = None) -> LoadResult:
    """`batch_id`: an import batch the caller already opened (a Darwin Core Archive with specimens and surveys
    is one import); otherwise a batch is opened here."""
    if batch_id is None:
        batch_id = batches.open_batch(engine, fmt, source, checksum, created_by)
    result = LoadResult(batch_id, ImportStatus.RUNNING)
    name = Path(source).name
    with Session(engine) as session:
        writer = SurveyWriter(session, batch_id)
        try:
            for item in _as_parsed(items):
                if progress:
                    progress()
                if item.problems:
                    result.problems.extend(item.problems)
                    result.counts["rejected"] += 1
                    continue
                # After a problem nothing will be committed; rows are still written (then rolled back) so that
                # checks across rows, like an event's rows disagreeing, report every problem in one run.
                try:
                    result.counts[writer.write(item.record, item.where)] += 1
                except InvalidRecord as exc:
                    result.counts["rejected"] += 1
                    result.problems.extend(Problem(name, item.row, item.line, column, value, message)
                                           for column, value, message in exc.problems)
            stored = sum(result.counts[k] for k in ("added", "updated", "unchanged"))
            empty = nothing_stored(stored, result.counts["rejected"], N_("it has a header row but no survey rows"))
            if result.problems or empty is not None:
                session.rollback()
                result.status = ImportStatus.FAILED
                result.failure = empty or N_("%(n)s problem(s): nothing was written; fix them and run the import "
                                             "again", n=len(result.problems))
            else:
                writer.flush()
                survey_reports.refresh_summary(session, writer.changed_events, writer.old_keys)
                session.commit()
                result.status = ImportStatus.COMPLETED
        except (RegistryError, ValueError) as exc:
            session.rollback()
            result.status = ImportStatus.FAILED
            result.problems.append(Problem(name, None, None, "(file)", None, str(exc)))
            result.failure = message_of(exc)
        except BaseException:
            session.rollback()
            result.status = ImportStatus.ABORTED
            _finish(engine, result, "interrupted: nothing was written")
            raise
        result.new_taxa = writer.new_taxa if result.ok else []
    _finish(engine, result)
    return result


def _finish(engine: Engine, result: LoadResult, message: str | None = None) -> None:
    with Session(engine) as s:
        batch = s.get(ImportBatch, result.batch_id)
        if result.ok:
            batch.added, batch.updated, batch.unchanged = (result.counts[k] for k in ("added", "updated", "unchanged"))
        batch.rejected = result.counts["rejected"]
        batch.status, batch.finished_at = result.status, utcnow()
        batch.message = message or (str(result.failure) if result.failure is not None else None)
        batch.report = {"counts": dict(result.counts), "problem_count": len(result.problems),
                        "failure": as_dict(result.failure),
                        "problems": [p.as_dict() for p in result.problems[:MAX_REPORTED]],
                        "new_unverified_taxa": result.new_taxa}
        s.add(batch)
        s.commit()


def load_survey_file(engine: Engine, path: Path | str, *, fmt: str = "survey-csv", created_by: str | None = None,
                     progress: Callable[[], None] | None = None) -> LoadResult:
    path = Path(path)
    rows = reader(path, fmt)
    return load_rows(engine, rows, source=path.name, fmt=fmt, checksum=sha256_of(path), created_by=created_by,
                     progress=progress)
