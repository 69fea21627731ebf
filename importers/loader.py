"""Loading validated passport rows into the registry, in bulk, with an import-batch record.

One transaction per file: by default a file with any error imports nothing (`on_error="skip"` stores the good
rows); a dry run validates everything and rolls back. Existing accessions are looked up a chunk at a time and
new ones written with one statement per chunk (executemany; COPY on PostgreSQL), which is what makes 100,000
rows take seconds, not minutes (docs/standards.md, "Speed"). Columns absent from the file are never touched on
existing records (an MCPD file has no collector names or private notes, so re-importing an export must not
erase them).
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from genbank_registry.checksums import sha256_of
from genbank_registry.jobs.batches import finish_batch, open_batch, record_refused
from genbank_registry.models import ImportBatch, utcnow
from genbank_registry.standards.tabular import neutralise
from schemas import codes
from schemas.accessions import AccessionCreate
from schemas.messages import N_, as_dict
from schemas.standards import ImportProblem

from .base import ReaderError, collector_paused, nothing_stored
from .mcpd import McpdReader, PassportValidator
from .passport_writer import ON_DUPLICATE, ON_ERROR, ImportOptions, ImportResult, PassportWriter
from .registry_index import RegistryIndex

__all__ = ["ON_DUPLICATE", "ON_ERROR", "ImportOptions", "ImportResult", "import_mcpd", "summary", "write_report_csv"]


def import_mcpd(engine: Engine, path: Path | str, options: ImportOptions | None = None,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate and load an MCPD CSV/XLSX file; see the module doc for what is written when."""
    with collector_paused():
        return _import_mcpd(engine, path, options, progress)


def _import_mcpd(engine: Engine, path: Path | str, options: ImportOptions | None,
                 progress: Callable[[int], None] | None) -> ImportResult:
    options = options or ImportOptions()
    path = Path(path)
    try:
        reader = McpdReader(path)
    except ReaderError as exc:
        if not options.dry_run and path.is_file():
            record_refused(engine, "mcpd", path, str(exc), sha256_of(path), options.created_by)
        raise
    result = ImportResult(source=path.name)
    if not options.dry_run:
        # Opened first so that the audit events written with each chunk can name it.
        result.batch_id = open_batch(engine, "mcpd", path.name, sha256_of(path), options.created_by)
    result.problems.extend(reader.columns.problems)
    columns = reader.columns.columns
    if "INSTCODE" not in columns and not options.institution:
        result.problems.append(ImportProblem(row=1, column="INSTCODE", problem=N_("no INSTCODE column"),
                                             suggestion=N_("add an INSTCODE column or pass --institution CODE")))
    if "CATEGORY" not in columns:
        result.notes.append("No CATEGORY column: each category is inferred from the taxon (its usual category "
                            "in the registry, else kingdom and SAMPSTAT); add CATEGORY to choose.")
    with Session(engine, expire_on_commit=False) as session:
        index = RegistryIndex(session)
        validator = PassportValidator(index, columns, options.institution, options.publish)
        writer = PassportWriter(session, index, validator, columns, options, result)
        abort = options.on_error == "abort"
        writing = not (abort and result.errors)
        pending: list[tuple[int, AccessionCreate]] = []
        try:
            for row, cells in reader:
                result.rows += 1
                data, problems = validator.validate(row, cells)
                if problems:
                    result.problems.extend(problems)
                if data is None:
                    result.rejected += 1
                    writing = writing and not abort
                elif writing:
                    pending.append((row, data))
                    if len(pending) >= options.chunk_size:
                        writer.write(pending)
                        pending = []
                if progress:
                    progress(1)
        except ReaderError as exc:
            session.rollback()
            if result.batch_id is not None:
                finish_batch(engine, result.batch_id, codes.ImportStatus.FAILED, str(exc),
                             {"problems": [p.model_dump() for p in result.problems], "notes": [str(exc)]})
            raise
        if writing and pending:
            writer.write(pending)
        writing = writing and not (abort and result.errors)
        if not writing or options.dry_run:
            session.rollback()
        if not writing:
            result.status = codes.ImportStatus.ABORTED
            result.added = result.updated = result.unchanged = result.skipped = 0
            result.failure = N_("%(n)s error(s) in the file: nothing was stored; fix the rows the report lists "
                                "and import the file again", n=len(result.errors))
        else:
            result.status = codes.ImportStatus.COMPLETED
            result.failure = nothing_stored(result.stored, result.rejected, N_("no row holds an accession")
                                            if result.rows else N_("it has a header row but no data rows"))
            if result.failure is not None:
                result.status, writing = codes.ImportStatus.FAILED, False
        if options.dry_run:
            return result
        if writing:
            writer.fulltext.finish(session.connection())
            writer.refresh_public_index()
            _fill_batch(session.get(ImportBatch, result.batch_id), options, result)
            session.commit()  # the records, their audit events and the finished batch together
            result.written = True
            return result
    # Nothing was stored, but the attempt and its report are: the curator fixes the file from it.
    with Session(engine) as session:
        _fill_batch(session.get(ImportBatch, result.batch_id), options, result)
        session.commit()
    return result


def _fill_batch(batch: ImportBatch, options: ImportOptions, result: ImportResult) -> None:
    batch.status, batch.added, batch.updated = result.status, result.added, result.updated
    batch.unchanged, batch.rejected, batch.finished_at = result.unchanged, result.rejected, utcnow()
    batch.message = summary(result) if result.status != codes.ImportStatus.FAILED else str(result.failure)
    batch.report = {"options": {k: v for k, v in vars(options).items() if k != "chunk_size"}, "rows": result.rows,
                    "skipped": result.skipped, "notes": result.notes,
                    "problems": [p.model_dump() for p in result.problems], "failure": as_dict(result.failure)}


def summary(result: ImportResult) -> str:
    parts = [f"rows: {result.rows}", f"added: {result.added}", f"updated: {result.updated}",
             f"unchanged: {result.unchanged}"]
    if result.skipped:
        parts.append(f"skipped: {result.skipped}")
    parts += [f"rejected: {result.rejected}", f"errors: {len(result.errors)}", f"warnings: {len(result.warnings)}"]
    return ", ".join(parts)


REPORT_COLUMNS = ("row", "column", "value", "problem", "suggestion", "severity")


def write_report_csv(problems: list[ImportProblem], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(REPORT_COLUMNS))
        writer.writeheader()
        for p in problems:
            # The English sentences (the msgids are for the web); the rejected value is the file's own text:
            # opened in a spreadsheet it must not run as a formula.
            row = p.model_dump(include=set(REPORT_COLUMNS))
            writer.writerow({k: ("" if v is None else neutralise(v)) for k, v in row.items()})
