"""Loading validated passport rows into the registry, in bulk, with an import-batch record.

One transaction per file: by default a file with any error imports nothing (`on_error="skip"` stores the good
rows); a dry run validates everything and rolls back. Existing accessions are looked up a chunk at a time and
new ones inserted with one multi-row statement per chunk, which is what makes 100,000 rows take seconds, not
minutes. Columns absent from the file are never touched on existing records (an MCPD file has no collector
names or private notes, so re-importing an export must not erase them).
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from sqlalchemy import DateTime
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from genbank_registry.models import Accession, ImportBatch, utcnow
from genbank_registry.services.search_index import IndexBuilder
from genbank_registry.services.search_text import SearchTextBuilder
from schemas import codes
from schemas.catalogue import AccessionBase, AccessionCreate
from schemas.standards import ImportProblem

from .mcpd import McpdReader, PassportValidator
from .registry_index import RegistryIndex

ON_DUPLICATE = ("skip", "update", "fail")
ON_ERROR = ("skip", "abort")
_BASE_FIELDS = set(AccessionBase.model_fields)
_BASE_LIST = list(AccessionBase.model_fields)
_BASE_GETTER = itemgetter(*_BASE_LIST)
# Which accession fields a column sets (for updating only what the file carries).
_COLUMN_FIELDS = {"DECLATITUDE": ("declatitude", "declongitude"), "DECLONGITUDE": ("declatitude", "declongitude"),
                  "LATITUDE": ("declatitude", "declongitude"), "LONGITUDE": ("declatitude", "declongitude"),
                  "DONORNAME": ("donorname", "donor_is_person"), "INSTCODE": (),
                  "SENSITIVITY": ("sensitivity_override",)}


class _Row(dict):
    """A row about to be inserted, readable as attributes (what the search-text builder expects)."""

    __getattr__ = dict.__getitem__


_ENUM_COLUMNS = ("category", "conservation_mode", "lifecycle_stage", "publication_status")


def _plain(value):
    # The registry's enums are StrEnums: str() is their value (and much cheaper than Enum.value).
    return value if value is None or type(value) is str else str(value)


def _memo(processor):
    """Every row of a chunk carries the same timestamps: convert each distinct value once."""
    last = [object(), None]

    def convert(value):
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]
    return convert


@dataclass
class ImportOptions:
    institution: str | None = None
    dry_run: bool = False
    on_duplicate: str = "skip"
    on_error: str = "abort"
    publish: bool = False
    created_by: str | None = None
    chunk_size: int = 2000


@dataclass
class ImportResult:
    source: str
    format: str = "mcpd"
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    status: str = codes.ImportStatus.RUNNING
    written: bool = False
    batch_id: int | None = None
    notes: list[str] = field(default_factory=list)
    parsed: dict = field(default_factory=dict)  # row objects read but not stored (DwC observations, events)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fields_for_columns(columns: set[str]) -> set[str]:
    fields: set[str] = set()
    for column in columns:
        fields.update(_COLUMN_FIELDS.get(column, (column.lower(),)))
    return fields & _BASE_FIELDS


class _Writer:
    """Writes chunks of validated rows: one SELECT for existing keys, one INSERT for the new rows."""

    def __init__(self, session: Session, index: RegistryIndex, validator: PassportValidator, columns: set[str],
                 options: ImportOptions, result: ImportResult):
        self.session, self.index, self.validator = session, index, validator
        self.options, self.result = options, result
        self.fields = fields_for_columns(columns)
        self.taxon_column = bool(columns & {"GENUS", "SPECIES", "SUBTAXA"})
        if options.publish:
            self.fields.add("publication_status")
        if "CATEGORY" not in columns:
            self.fields.discard("category")  # an inferred category never overrides a curator's
        self.search = SearchTextBuilder(session)
        self.written: dict[int, list[str]] = {}  # institution id → numbers added or changed by this file
        self.table = Accession.__table__
        self._sql: str | None = None

    def write(self, pending: list[tuple[int, AccessionCreate]]) -> None:
        by_inst: dict[int, dict[str, tuple[int, AccessionCreate]]] = {}
        for row, data in pending:
            by_inst.setdefault(self.index.institutions[data.instcode], {})[data.accenumb] = (row, data)
        now = utcnow()
        inserts = []
        for inst_id, items in by_inst.items():
            existing = {a.accenumb: a for a in self.session.exec(
                select(Accession).where(Accession.institution_id == inst_id, Accession.accenumb.in_(list(items))))}
            for accenumb, (row, data) in items.items():
                taxon_id = self.validator.taxon_ids.pop((data.instcode, accenumb), None)
                if accenumb in existing:
                    self._existing(existing[accenumb], row, data, taxon_id, now)
                    continue
                # Flat values, already validated: cheaper than model_dump on every row.
                values = dict(zip(_BASE_LIST, _BASE_GETTER(data.__dict__)))
                values.update(institution_id=inst_id, taxon_id=taxon_id, task_id=None, created_at=now, updated_at=now)
                values["search_text"] = self.search.text(_Row(values))
                inserts.append(values)
                self.written.setdefault(inst_id, []).append(accenumb)
        if inserts:
            self._insert(inserts)
        self.result.added += len(inserts)

    def _insert(self, rows: list[dict]) -> None:
        """One executemany through the driver. SQLAlchemy's per-row parameter processing for ~60 columns cost
        more than everything else in an import; the dialect's own bind processors still convert each value."""
        conn = self.session.connection()
        dialect = conn.dialect
        if self._sql is None:
            columns = [c for c in self.table.columns if c.name != "id"]
            self._columns = [c.name for c in columns]
            self._getter = itemgetter(*self._columns)
            self._processors = [(i, _memo(proc) if isinstance(c.type, DateTime) else proc)
                                for i, c in enumerate(columns)
                                if (proc := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None]
            # Enum defaults (publication status, lifecycle stage) go to the driver as their plain values.
            self._processors += [(i, _plain) for i, c in enumerate(columns) if c.name in _ENUM_COLUMNS]
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            quote = dialect.identifier_preparer.quote
            self._sql = (f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(c) for c in self._columns)}) "
                         f"VALUES ({', '.join([mark] * len(self._columns))})")
        params = []
        getter, processors = self._getter, self._processors
        for row in rows:
            values = list(getter(row))
            for i, proc in processors:
                values[i] = proc(values[i])
            params.append(tuple(values))
        conn.exec_driver_sql(self._sql, params)

    def _existing(self, acc: Accession, row: int, data: AccessionCreate, taxon_id: int | None, now) -> None:
        wanted = {f: getattr(data, f) for f in self.fields}
        if (data.instcode, data.accenumb) in self.validator.inferred_category:
            wanted.pop("category", None)  # a guessed category never overrides a curator's
        if self.taxon_column:
            wanted["taxon_id"] = taxon_id
        changed = {f: (getattr(acc, f), v) for f, v in wanted.items() if getattr(acc, f) != v}
        if not changed:
            self.result.unchanged += 1
            return
        what = "; ".join(f"{f.upper()}: {old!r} → {new!r}" for f, (old, new) in sorted(changed.items())[:4])
        if self.options.on_duplicate == "skip":
            self.result.skipped += 1
            self.result.problems.append(ImportProblem(
                row=row, column="ACCENUMB", value=data.accenumb, severity="warning",
                problem=f"already in the registry with other values ({what}); left as it is",
                suggestion="use --on-duplicate update to overwrite"))
            return
        if self.options.on_duplicate == "fail":
            self.result.rejected += 1
            self.result.problems.append(ImportProblem(
                row=row, column="ACCENUMB", value=data.accenumb,
                problem=f"already in the registry with other values ({what})",
                suggestion="use --on-duplicate update to overwrite, or skip to keep the registry's values"))
            return
        for f, (_, new) in changed.items():
            setattr(acc, f, new)
        acc.search_text = self.search.text(acc)
        acc.updated_at = now
        self.session.add(acc)
        self.written.setdefault(acc.institution_id, []).append(acc.accenumb)
        self.result.updated += 1

    def refresh_public_index(self) -> None:
        """Published records written by this file enter the public search index in the same transaction."""
        self.session.flush()
        builder = IndexBuilder(self.session)
        for inst_id, numbers in self.written.items():
            for start in range(0, len(numbers), 500):
                for acc in self.session.exec(select(Accession).where(
                        Accession.institution_id == inst_id, Accession.accenumb.in_(numbers[start:start + 500]),
                        Accession.publication_status == codes.PublicationStatus.PUBLISHED)):
                    builder.refresh(acc)


def import_mcpd(engine: Engine, path: Path | str, options: ImportOptions | None = None,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate and load an MCPD CSV/XLSX file; see the module doc for what is written when."""
    options = options or ImportOptions()
    path = Path(path)
    reader = McpdReader(path)
    result = ImportResult(source=path.name)
    result.problems.extend(reader.columns.problems)
    columns = reader.columns.columns
    if "INSTCODE" not in columns and not options.institution:
        result.problems.append(ImportProblem(row=1, column="INSTCODE", problem="no INSTCODE column",
                                             suggestion="add an INSTCODE column or pass --institution CODE"))
    if "CATEGORY" not in columns:
        result.notes.append("No CATEGORY column: each category is inferred from the taxon (its usual category "
                            "in the registry, else kingdom and SAMPSTAT); add CATEGORY to choose.")
    with Session(engine, expire_on_commit=False) as session:
        index = RegistryIndex(session)
        validator = PassportValidator(index, columns, options.institution, options.publish)
        writer = _Writer(session, index, validator, columns, options, result)
        abort = options.on_error == "abort"
        writing = not (abort and result.errors)
        pending: list[tuple[int, AccessionCreate]] = []
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
        if writing and pending:
            writer.write(pending)
        writing = writing and not (abort and result.errors)
        if not writing or options.dry_run:
            session.rollback()
        if not writing:
            result.status = codes.ImportStatus.ABORTED
            result.added = result.updated = result.unchanged = result.skipped = 0
        else:
            result.status = codes.ImportStatus.COMPLETED
        if options.dry_run:
            return result
        if writing:
            writer.refresh_public_index()
            batch = _batch(path, options, result)
            session.add(batch)
            session.commit()
            result.written, result.batch_id = True, batch.id
            return result
    # Nothing was stored, but the attempt and its report are: the curator fixes the file from it.
    with Session(engine) as session:
        batch = _batch(path, options, result)
        session.add(batch)
        session.commit()
        result.batch_id = batch.id
    return result


def _batch(path: Path, options: ImportOptions, result: ImportResult) -> ImportBatch:
    return ImportBatch(
        format=result.format, source_filename=path.name, checksum=sha256_of(path), created_by=options.created_by,
        status=result.status, added=result.added, updated=result.updated, unchanged=result.unchanged,
        rejected=result.rejected, finished_at=utcnow(), message=summary(result),
        report={"options": {k: v for k, v in vars(options).items() if k != "chunk_size"}, "rows": result.rows,
                "skipped": result.skipped, "notes": result.notes,
                "problems": [p.model_dump() for p in result.problems]})


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
            writer.writerow({k: ("" if v is None else v) for k, v in p.model_dump().items()})
