"""Writes of sequence records: the stored form of a parsed record, and bulk, idempotent stores of chunks of them.

Import workers build rows (`sequence_rows.build_row`, or the FASTA reader's `fasta_row`) and pack them per block
(`sequence_rows.pack`); `SequenceStore.store` runs in the writing process, one chunk per call inside the caller's
transaction: it links taxa and vouchers, flags duplicates, keeps version history and answers added / updated /
unchanged per record. Inserts go straight to the driver (executemany on SQLite, COPY on PostgreSQL) because an
import writes tens of thousands of rows a second.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from hashlib import md5
from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from schemas import codes
from schemas.text import fold
from schemas.sequences import VOUCHER_QUALIFIERS, QcFlag

from genbank_registry.models import Accession, Institution, Taxon, utcnow
from genbank_registry.sequences.vouchers import VoucherMap
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.catalogue import records as catalogue
from genbank_registry.sequences.qc import coi_table
from genbank_registry.sequences.rows import (BASE, CHECKSUM, IDX, JSON_COLUMNS, ORGANISM, RECORD_ID, ROW_COLUMNS, VALUES, VERSION,
                            VOUCHER, Layout, Row, pack, unpacker, value_of)

T = SequenceRecord.__table__
# What the store decides per inserted record, after the record's own values; then what is the same for the chunk.
_DECIDED = ("qc_flags", "is_current", "taxon_id", "accession_id", "content_hash")
_CONSTANT = ("batch_id", "created_at", "updated_at", "publication_status")
INSERT_COLUMNS = (*ROW_COLUMNS, *_DECIDED, *_CONSTANT)  # every column an import writes, in that order
_SEQUENCE = IDX["sequence"]
_STOP_CODON, _DUPLICATE = QcFlag.STOP_CODON.value, QcFlag.DUPLICATE.value
KINGDOMS = {"Viridiplantae": "Plantae", "Metazoa": "Animalia", "Fungi": "Fungi", "Bacteria": "Bacteria",
            "Archaea": "Archaea"}


# Look-ups a chunk makes with thousands of values, written for each engine so that the list travels as ONE
# parameter (a JSON array on SQLite, an array on PostgreSQL): rendering thousands of bound names costs more.
# On SQLite each is a join from json_each, which probes the index once per value: a third of the time of
# `IN (SELECT value FROM json_each(?))`, and the writer, the import's bottleneck, makes them for every block.
_COLUMNS = ("s.id, s.record_id, s.accession_base, s.version, s.content_hash, s.is_current, s.publication_status, "
            "s.qc_flags, s.taxon_id, s.accession_id")
# Stored versions of the chunk's record ids, and every version of its versioned accessions. Parameters: ids, bases.
_EXISTING = {
    "sqlite": f"SELECT {_COLUMNS} FROM json_each(?) j JOIN sequence_record s ON s.record_id = j.value UNION ALL "
              f"SELECT {_COLUMNS} FROM json_each(?) j JOIN sequence_record s "
              f"ON s.accession_base = j.value AND s.version IS NOT NULL",
    "postgresql": f"SELECT {_COLUMNS} FROM sequence_record s "
                  f"WHERE s.record_id = ANY(%s) OR (s.version IS NOT NULL AND s.accession_base = ANY(%s))",
}
# The first holder of each checksum decides "duplicate": stable on re-import, one row per checksum.
_HOLDERS = {
    "sqlite": "SELECT j.value, s.id, s.accession_base FROM json_each(?) j JOIN sequence_record s "
              "ON s.id = (SELECT id FROM sequence_record WHERE checksum = j.value ORDER BY id LIMIT 1)",
    "postgresql": "SELECT DISTINCT ON (checksum) checksum, id, accession_base FROM sequence_record "
                  "WHERE checksum = ANY(%s) ORDER BY checksum, id",
}


def _lookup(conn: Connection, sql: dict[str, str], *lists: list) -> list[tuple]:
    """Plain tuples from the driver: tens of thousands of SQLAlchemy Row objects a second cost more than the query."""
    dialect = conn.dialect.name
    params = tuple(json.dumps(v) if dialect == "sqlite" else v for v in lists)
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql[dialect], params)
        return cur.fetchall()
    finally:
        cur.close()


class _Existing(NamedTuple):
    id: int
    record_id: str
    accession_base: str
    version: int | None
    content_hash: str
    is_current: bool
    publication_status: str
    qc_flags: str
    taxon_id: int | None
    accession_id: int | None


def _legacy_hash(values: tuple, qc: str, taxon_id: int | None, accession_id: int | None) -> str:
    """The content hash that imports stored until November 2026 (MD5 over `repr` of the values, then over the
    links): a record stored then and unchanged since still re-imports as unchanged. Computed only for a stored
    record whose current hash does not match."""
    row_hash = md5(repr(values[:_SEQUENCE] + values[_SEQUENCE + 1:]).encode("utf-8", "replace")).hexdigest()
    return md5(f"{row_hash}|{qc}|{taxon_id}|{accession_id}".encode()).hexdigest()


@dataclass
class StoreResult:
    counts: Counter = field(default_factory=Counter)
    unresolved_vouchers: list[dict] = field(default_factory=list)
    new_taxa: list[str] = field(default_factory=list)
    repeated_ids: list[str] = field(default_factory=list)


class SequenceStore:
    """Stores chunks of rows for one import; caches taxon and voucher look-ups across chunks."""

    def __init__(self, *, batch_id: int | None = None, institution: str | None = None,
                 voucher_map: VoucherMap | None = None, status: str = "published"):
        self.batch_id = batch_id
        self.status = status  # "draft" for uploads that a curator must publish
        self.institution = institution.upper() if institution else None
        self.voucher_map = voucher_map or VoucherMap()
        self._taxa: dict[str, tuple[int, list[str] | None]] = {}
        self._vouchers: dict[tuple[str, ...], int | None] = {}
        self._institutions: dict[str, int | None] = {}

    # --- links -----------------------------------------------------------------------------------------------
    def _link_taxa(self, session: Session, rows: list[Row], result: StoreResult, full) -> None:
        """Link every organism of a chunk in a few queries; names the registry lacks become unverified taxa.

        Same matching as `catalogue.find_taxon` (exact name, then ignoring case and diacritics) and
        `resolve_taxon` (a synonym answers with its accepted taxon), in bulk: a barcode file names thousands.
        """
        taxa = self._taxa
        wanted = {r[ORGANISM]: r for r in rows if r[ORGANISM] and r[ORGANISM] not in taxa}
        if not wanted:
            return
        tx = Taxon.__table__
        found: dict[str, tuple[int, int | None]] = {}
        for chunk in _chunks(list(wanted), 500):
            for t in session.connection().execute(select(tx.c.id, tx.c.scientific_name, tx.c.accepted_id)
                                                  .where(tx.c.scientific_name.in_(chunk)).order_by(tx.c.id)):
                found.setdefault(t.scientific_name, (t.id, t.accepted_id))
        folded = {fold(n): n for n in wanted if n not in found}
        for chunk in _chunks(list(folded), 500):
            for t in session.connection().execute(select(tx.c.id, tx.c.name_folded, tx.c.accepted_id)
                                                  .where(tx.c.name_folded.in_(chunk)).order_by(tx.c.id)):
                found.setdefault(folded[t.name_folded], (t.id, t.accepted_id))
        missing = [n for n in wanted if n not in found]
        if missing:
            now = utcnow()
            new_rows = []
            for name in missing:
                values = full(wanted[name][VALUES])
                new_rows.append(_unverified_taxon(name, json.loads(value_of(values, "lineage")),
                                                value_of(values, "db_xref")) | {
                    "created_at": now, "name_folded": fold(name), "taxonomic_status": codes.TaxonomicStatus.ACCEPTED,
                    "authorship": None, "gbif_key": None, "parent_id": None, "accepted_id": None})
            session.connection().execute(tx.insert(), new_rows)
            for chunk in _chunks(missing, 500):
                for t in session.connection().execute(select(tx.c.id, tx.c.scientific_name)
                                                      .where(tx.c.scientific_name.in_(chunk))):
                    found[t.scientific_name] = (t.id, None)
            result.new_taxa.extend(missing)
        for name, (taxon_id, accepted_id) in found.items():
            if accepted_id is not None:
                taxon_id = catalogue.accepted(session, session.get(Taxon, taxon_id)).id
            self._taxa[name] = (taxon_id, None)

    def _ancestors(self, session: Session, organism: str) -> list[str]:
        taxon_id, names = self._taxa[organism]
        if names is None:
            names = _ancestor_names(session, session.get(Taxon, taxon_id))
            self._taxa[organism] = (taxon_id, names)
        return names

    def _institution_id(self, session: Session, code: str) -> int | None:
        code = code.strip().upper()
        if code not in self._institutions:
            self._institutions[code] = session.scalar(select(Institution.id).where(Institution.code == code))
        return self._institutions[code]

    def _accession(self, session: Session, inst_code: str, candidates: tuple[str, ...]) -> int | None:
        key = (inst_code.upper(), *candidates)
        if key not in self._vouchers:
            inst_id = self._institution_id(session, inst_code)
            found = None
            if inst_id is not None:
                for number in candidates:
                    found = session.scalar(select(Accession.id).where(Accession.institution_id == inst_id,
                                                                      Accession.accenumb == number))
                    if found:
                        break
            self._vouchers[key] = found
        return self._vouchers[key]

    def resolve_voucher(self, session: Session, text: str | None) -> int | None:
        """`INST:COLL:ID` or `INST:ID` (INSDC structured vouchers), or a bare number within --institution."""
        if not text:
            return None
        parts = [p.strip() for p in text.split(":")]
        if len(parts) == 3 and all(parts):
            inst, coll, number = parts
            return self._accession(session, inst, (f"{coll}-{number}", f"{coll}{number}", f"{coll}:{number}",
                                                   number))
        if len(parts) == 2 and all(parts):
            return self._accession(session, parts[0], (parts[1],))
        if len(parts) == 1 and self.institution:
            return self._accession(session, self.institution, (parts[0],))
        return None

    # --- the chunk ---------------------------------------------------------------------------------------------
    def store(self, conn: Connection, rows: list[Row], result: StoreResult, layout: Layout | None = None) -> None:
        """Store a chunk: rows as `build_row` makes them, or packed (`pack`) with their `layout`."""
        if not rows:
            return
        if layout is None:
            rows, layout = pack(rows)
        full = unpacker(layout)
        session = Session(bind=conn)
        now = utcnow()
        ids = [r[RECORD_ID] for r in rows]
        bases = list({r[BASE] for r in rows if r[VERSION] is not None})
        existing = {r[1]: _Existing(*r) for r in _lookup(conn, _EXISTING, ids, bases)}
        holders = {checksum: (id_, base) for checksum, id_, base in
                   _lookup(conn, _HOLDERS, list({r[CHECKSUM] for r in rows}))}
        newest: dict[str, int] = {}
        for r in existing.values():
            if r.version is not None:
                newest[r.accession_base] = max(newest.get(r.accession_base, 0), r.version)
        for r in rows:
            if r[VERSION] is not None:
                newest[r[BASE]] = max(newest.get(r[BASE], 0), r[VERSION])

        self._link_taxa(session, rows, result, full)
        inserts, updates, seen_in_chunk, pending = [], [], {}, {}
        taxa, get_old, get_holder, first_holder = self._taxa, existing.get, holders.get, seen_in_chunk.setdefault
        mapped = bool(self.voucher_map.links)
        added = changed = unchanged = 0
        # Positional unpacking: the writer is the import's bottleneck, and this loop runs once per record.
        for r in rows:
            values, record_id, base, version, checksum, organism, voucher, qc, coi, row_hash = r
            taxon_id = taxa[organism][0] if organism else None
            if coi is not None:
                ancestors = self._ancestors(session, organism) if organism else []
                if coi[coi_table(ancestors)]:
                    qc = f"{qc} {_STOP_CODON}" if qc else _STOP_CODON
            old = get_old(record_id)
            own_id = old.id if old else None
            holder = get_holder(checksum)
            first_here = first_holder(checksum, base)
            if (holder and holder[1] != base and (own_id is None or holder[0] < own_id)) or \
                    (holder is None and first_here != base):
                qc = f"{qc} {_DUPLICATE}" if qc else _DUPLICATE
            accession_id = self._link(session, r, result, full) if voucher or mapped else None
            # 1/0 rather than a bool: sqlite3 binds bools through its slow adapter path (see _insert).
            is_current = 1 if version is None else int(version >= newest.get(base, 0))
            if old is None:
                # The packed values, then the decisions in _DECIDED order, 0 for "no link" (see _insert).
                row = values + (qc, is_current, taxon_id or 0, accession_id or 0, row_hash)
                if record_id in pending:
                    # The same id twice in one file: the later record wins, as it would across two imports.
                    inserts[pending[record_id]] = row
                    changed += 1
                    result.repeated_ids.append(record_id)
                else:
                    pending[record_id] = len(inserts)
                    inserts.append(row)
                    added += 1
            elif old.is_current == is_current and (
                    (old.content_hash == row_hash and old.qc_flags == qc and old.taxon_id == taxon_id
                     and old.accession_id == accession_id)
                    or old.content_hash == _legacy_hash(full(values), qc, taxon_id, accession_id)):
                unchanged += 1
            else:
                # A changed record from an upload goes back to review; an operator's import keeps its status.
                review = self.status if self.status != "published" else old.publication_status
                updates.append(dict(zip(ROW_COLUMNS, full(values))) | {
                    "qc_flags": qc, "is_current": bool(is_current), "taxon_id": taxon_id, "accession_id": accession_id,
                    "_id": old.id, "batch_id": self.batch_id, "content_hash": row_hash, "updated_at": now,
                    "publication_status": review})
                changed += 1
        for key, n in (("added", added), ("updated", changed), ("unchanged", unchanged)):
            if n:
                result.counts[key] += n
        session.close()
        if inserts:
            # SQLite gets the text SQLAlchemy's DateTime writes and reads back; PostgreSQL the datetime itself.
            stamp = now if conn.dialect.name == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
            varying, constant = layout
            _insert(conn, [ROW_COLUMNS[i] for i in varying], inserts,
                    {ROW_COLUMNS[i]: v for i, v in constant.items()}
                    | dict(zip(_CONSTANT, (self.batch_id, stamp, stamp, self.status))))
        if updates:
            for u in updates:
                for c in JSON_COLUMNS:
                    u[c] = json.loads(u[c])
            conn.execute(update(T).where(T.c.id == bindparam("_id"))
                         .values({c: bindparam(c) for c in updates[0] if c != "_id"}), updates)
        # An older version that a newer one just replaced stops being current; its row stays as history.
        stale = [b for b in bases if b in newest]
        if stale:
            rows_stale = conn.execute(select(T.c.id, T.c.accession_base, T.c.version)
                                      .where(T.c.version.is_not(None), T.c.accession_base.in_(stale),
                                             T.c.is_current.is_(True))).all()
            old_ids = [r.id for r in rows_stale if r.version is not None and r.version < newest[r.accession_base]]
            if old_ids:
                conn.execute(update(T).where(T.c.id.in_(old_ids)).values(is_current=False, updated_at=now))

    def _link(self, session: Session, r: Row, result: StoreResult, full) -> int | None:
        if not r[VOUCHER] and not self.voucher_map.links:
            return None
        record_id = r[RECORD_ID]
        mapped = self.voucher_map.get(record_id, r[BASE])
        if mapped:
            found = self._accession(session, mapped[0], (mapped[1],))
            if found is None:
                result.unresolved_vouchers.append({"record_id": record_id,
                                                   "voucher": f"{mapped[0]}:{mapped[1]}", "from": "voucher map"})
            return found
        values = full(r[VALUES])
        tried = [value_of(values, q) for q in VOUCHER_QUALIFIERS if value_of(values, q)]
        for text in tried:
            found = self.resolve_voucher(session, text)
            if found:
                return found
        if tried:
            result.unresolved_vouchers.append({"record_id": record_id, "voucher": tried[0]})
        return None


def _insert(conn: Connection, names: list[str], rows: list[tuple], same: dict[str, object]) -> None:
    """Insert `rows`: the `names` columns, then the _DECIDED ones (0 standing for a missing taxon or accession
    link); `same` holds the columns whose value is the same in every row (the _CONSTANT ones among them).

    On SQLite through sqlite3's executemany, shaped for its binding costs, which are most of an import's writing
    time: the values every row shares are SQL literals, written once rather than bound per row; columns a chunk
    leaves empty are left out, and missing links are 0 turned NULL by NULLIF, because sqlite3 binds None through
    its adapter look-up, several times slower than a value. On PostgreSQL through COPY.
    """
    dbapi = conn.connection.driver_connection
    columns = [*names, *_DECIDED, *same]
    quoted = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        tail = tuple(same.values())
        with dbapi.cursor() as cur, cur.copy(f"COPY sequence_record ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row[:-3] + (row[-3] or None, row[-2] or None, row[-1]) + tail)
        return
    values = ", ".join(["?"] * len(names) + ["?", "?", "NULLIF(?, 0)", "NULLIF(?, 0)", "?"] +
                       [_literal(v) for v in same.values()])
    cur = dbapi.cursor()
    try:
        cur.executemany(f"INSERT INTO sequence_record ({quoted}) VALUES ({values})", rows)
    finally:
        cur.close()


def _literal(value) -> str:
    """An SQL literal for None, an integer or a text without NUL characters (what column_layout allows)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _ancestor_names(session: Session, taxon: Taxon) -> list[str]:
    names, seen = [], set()
    t = taxon
    while t is not None and t.id not in seen:
        seen.add(t.id)
        names.append(t.scientific_name)
        t = session.get(Taxon, t.parent_id) if t.parent_id else None
    return names


def _unverified_taxon(organism: str, lineage: list[str], xref: str | None) -> dict:
    """A taxon an import creates for a name the registry does not know yet: marked unverified for a curator."""
    words = organism.split()
    rank = codes.TaxonRank.SPECIES if len(words) == 2 and words[0][:1].isupper() and words[1].islower() \
        else codes.TaxonRank.UNRANKED
    taxid = re.search(r"taxon:(\d+)", xref or "")
    family = next((n for n in lineage if n.endswith(("aceae", "idae"))), None)
    kingdom = next((KINGDOMS[n] for n in lineage if n in KINGDOMS), None)
    return {"scientific_name": organism, "rank": rank, "verified": False, "family": family, "kingdom": kingdom,
            "ncbi_taxon_id": int(taxid.group(1)) if taxid else None}
