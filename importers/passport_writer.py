"""The MCPD import's options, its result and the writer that stores validated rows a chunk at a time.

Existing accessions are looked up a chunk at a time and new ones written with one statement per chunk
(executemany; COPY on PostgreSQL); columns absent from the file are never touched on existing records. The
loader (importers.loader) runs the file through the validator and this writer in one transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import DateTime
from sqlmodel import Session, select

from genbank_registry.db import without_empty_columns
from genbank_registry.models import Accession, utcnow
from genbank_registry.accounts.models import AuditEvent
from genbank_registry.search.bulk_fulltext import DeferredFullText
from genbank_registry.search.index import IndexBuilder
from genbank_registry.search.text import SearchTextBuilder
from schemas import codes
from schemas.accounts import AuditVia
from schemas.accessions import AccessionBase, AccessionCreate
from schemas.messages import Message, N_
from schemas.standards import ImportProblem

from .mcpd import PassportValidator
from .registry_index import RegistryIndex


ON_DUPLICATE = ("skip", "update", "fail")
ON_ERROR = ("skip", "abort")
_BASE_FIELDS = set(AccessionBase.model_fields)
# Which accession fields a column sets (for updating only what the file carries).
_COLUMN_FIELDS = {"DECLATITUDE": ("declatitude", "declongitude"), "DECLONGITUDE": ("declatitude", "declongitude"),
                  "LATITUDE": ("declatitude", "declongitude"), "LONGITUDE": ("declatitude", "declongitude"),
                  "DONORNAME": ("donorname", "donor_is_person"), "INSTCODE": (),
                  "SENSITIVITY": ("sensitivity_override",)}


class _Row(dict):
    """A row about to be inserted, readable as attributes (what the search-text builder expects)."""

    __getattr__ = dict.__getitem__


_ENUM_COLUMNS = ("category", "conservation_mode", "lifecycle_stage", "publication_status", "via")
# What an accession "is" on the audit trail (as accounts.audit.ACCESSION_FIELDS).
_AUDIT_FIELDS = tuple(AccessionBase.model_fields) + ("institution_id", "taxon_id", "task_id")
_DATE_FIELDS = {name for name, f in AccessionBase.model_fields.items() if "datetime.date" in str(f.annotation)}


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, float, list, dict)) or type(value) is str else str(value)


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
    failure: Message | None = None  # why nothing was stored, when the import failed

    @property
    def stored(self) -> int:
        """Records the registry holds from this file: added, updated, unchanged or kept as they were."""
        return self.added + self.updated + self.unchanged + self.skipped

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def fields_for_columns(columns: set[str]) -> set[str]:
    fields: set[str] = set()
    for column in columns:
        fields.update(_COLUMN_FIELDS.get(column, (column.lower(),)))
    return fields & _BASE_FIELDS


class PassportWriter:
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
        self.fulltext = DeferredFullText()
        self.written: dict[int, list[str]] = {}  # institution id → numbers added or changed by this file
        self.table = Accession.__table__
        self.audit_table = AuditEvent.__table__
        self._sql: dict[str, tuple] = {}
        self.audits: list[tuple[int, str, dict]] = []  # (accession id, action, changes) of the current chunk
        self.actor = options.created_by or "system"
        # A created record's audit event lists what the file wrote: its columns' fields and the links.
        written = [f for f in _AUDIT_FIELDS if f in self.fields or f in ("category", "institution_id", "taxon_id")]
        self.audit_fields = ([f for f in written if f not in _DATE_FIELDS], [f for f in written if f in _DATE_FIELDS])

    def write(self, pending: list[tuple[int, AccessionCreate]]) -> None:
        by_inst: dict[int, dict[str, tuple[int, AccessionCreate]]] = {}
        for row, data in pending:
            by_inst.setdefault(self.index.institutions[data.instcode], {})[data.accenumb] = (row, data)
        now = utcnow()
        inserts = []
        self.fulltext.begin(self.session.connection())
        for inst_id, items in by_inst.items():
            added = []
            existing = {a.accenumb: a for a in self.session.exec(
                select(Accession).where(Accession.institution_id == inst_id, Accession.accenumb.in_(list(items))))}
            for accenumb, (row, data) in items.items():
                taxon_id = self.validator.taxon_ids.pop((data.instcode, accenumb), None)
                if accenumb in existing:
                    self._existing(existing[accenumb], row, data, taxon_id, now)
                    continue
                # Flat values, already validated: cheaper than model_dump on every row. The contract's extra
                # fields (instcode, taxon_name) ride along unread: the statement names its columns.
                values = _Row(data.__dict__)
                values.update(institution_id=inst_id, taxon_id=taxon_id, task_id=None, created_at=now, updated_at=now)
                values["search_text"] = self.search.text(values)
                added.append(values)
                self.written.setdefault(inst_id, []).append(accenumb)
            if added:
                self._insert(added)
                self._audit_added(inst_id, added)
                inserts += added
        self.result.added += len(inserts)
        self.session.flush()  # updated accessions first: their audit rows refer to them
        self.flush_audit(now)

    def _insert(self, rows: list[dict]) -> None:
        self._bulk(self.table, rows)

    def _statement(self, table, names: tuple[str, ...]) -> tuple[str, list]:
        """The statement that loads `names` (in that order): COPY on PostgreSQL, an INSERT for executemany
        elsewhere; and the dialect's converter of each value that needs one, as (position, converter)."""
        key = (table.name, names)
        if key not in self._sql:
            dialect = self.session.connection().dialect
            processors = []
            for i, name in enumerate(names):
                column = table.c[name]
                proc = column.type.dialect_impl(dialect).bind_processor(dialect)
                if proc is not None:
                    processors.append((i, _memo(proc) if isinstance(column.type, DateTime) else proc))
                if name in _ENUM_COLUMNS:
                    # Enum defaults (publication status, lifecycle stage) go to the driver as their plain values.
                    processors.append((i, _plain))
            quote = dialect.identifier_preparer.quote
            columns = f"{quote(table.name)} ({', '.join(quote(c) for c in names)})"
            if dialect.name == "postgresql":
                sql = f"COPY {columns} FROM STDIN"
            else:
                mark = "?" if dialect.paramstyle == "qmark" else "%s"
                sql = f"INSERT INTO {columns} VALUES ({', '.join([mark] * len(names))})"
            self._sql[key] = (sql, processors)
        return self._sql[key]

    def _execute(self, table, names: tuple[str, ...], sql: str, params: list[tuple]) -> None:
        """Rows into the import's transaction. PostgreSQL takes a chunk by COPY in a fraction of the time of
        an executemany (one statement per row, even pipelined); it is the same connection and transaction."""
        conn = self.session.connection()
        if sql.startswith("COPY"):
            with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(sql) as copy:
                for values in params:
                    copy.write_row(values)
            return
        kept, params = without_empty_columns(names, params)
        if len(kept) < len(names):
            sql, _ = self._statement(table, tuple(kept))
        conn.exec_driver_sql(sql, params)

    def _bulk(self, table, rows: list[dict]) -> None:
        """One executemany (or COPY) through the driver. SQLAlchemy's per-row parameter processing for ~60
        columns cost more than everything else in an import; the dialect's own bind processors still convert
        each value."""
        names = tuple(c.name for c in table.columns if c.name != "id")
        sql, processors = self._statement(table, names)
        getter = itemgetter(*names)
        params = []
        for row in rows:
            values = list(getter(row))
            for i, proc in processors:
                values[i] = proc(values[i])
            params.append(tuple(values))
        self._execute(table, names, sql, params)

    def _audit(self, entity_id: int, action: str, changes: dict) -> None:
        self.audits.append((entity_id, action, changes))

    def _audit_added(self, inst_id: int, added: list[dict]) -> None:
        """Created accessions on the audit trail: their ids in one query per institution, then the fields
        the file wrote (those with a value) as {field: [None, value]}; no full snapshot, to stay fast."""
        numbers = [row["accenumb"] for row in added]
        ids = dict(self.session.connection().execute(
            select(Accession.accenumb, Accession.id).where(Accession.institution_id == inst_id,
                                                           Accession.accenumb.in_(numbers))).all())
        fields, dates = self.audit_fields
        values_of = itemgetter(*fields)
        audits = self.audits
        for row in added:
            # Values go to JSON as they are (str, numbers, StrEnums); only dates need converting.
            changes = {f: [None, v] for f, v in zip(fields, values_of(row)) if v is not None}
            for f in dates:
                if row[f] is not None:
                    changes[f] = [None, row[f].isoformat()]
            audits.append((ids[row["accenumb"]], "create", changes))

    def flush_audit(self, now) -> None:
        """The chunk's audit events in one statement. All but the record, the action and the changes are the
        same on every event of a chunk, so they are converted once and each row is that head plus three."""
        if not self.audits:
            return
        shared = {"at": now, "actor": self.actor, "actor_id": None, "via": AuditVia.IMPORT,
                  "batch_id": self.result.batch_id, "entity": "accession", "snapshot": None, "note": None}
        names = (*shared, "entity_id", "action", "changes")
        sql, processors = self._statement(self.audit_table, names)
        values = [*shared.values(), None, None, None]
        to_json = None
        for i, proc in processors:
            if names[i] == "changes":
                to_json = proc
            else:
                values[i] = proc(values[i])
        head = tuple(values[:len(shared)])
        if to_json is None:
            params = [head + event for event in self.audits]
        else:
            params = [head + (entity_id, action, to_json(changes)) for entity_id, action, changes in self.audits]
        self._execute(self.audit_table, names, sql, params)
        self.audits = []

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
                problem=N_("already in the registry with other values (%(what)s); left as it is", what=what),
                suggestion=N_("use --on-duplicate update to overwrite")))
            return
        if self.options.on_duplicate == "fail":
            self.result.rejected += 1
            self.result.problems.append(ImportProblem(
                row=row, column="ACCENUMB", value=data.accenumb,
                problem=N_("already in the registry with other values (%(what)s)", what=what),
                suggestion=N_("use --on-duplicate update to overwrite, or skip to keep the registry's values")))
            return
        for f, (_, new) in changed.items():
            setattr(acc, f, new)
        self._audit(acc.id, "update", {f: [_json_value(old), _json_value(new)] for f, (old, new) in changed.items()})
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
