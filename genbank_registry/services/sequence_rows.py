"""The stored form of a parsed sequence record: a pure function, so import workers build rows in parallel."""
from __future__ import annotations

import hashlib
import json
import operator
import re
from functools import lru_cache
from typing import NamedTuple

from schemas.sequences import SOURCE_COLUMNS, VOUCHER_QUALIFIERS, QcFlag, SequenceIn

from .sequence_qc import canonical_marker, flags_of, marker_of, measures

_VERSIONED = re.compile(r"^(.+)\.(\d+)$")
JSON_COLUMNS = ("lineage", "keywords", "features", "references")
# Columns a parsed record fills; the store adds links, flags, batch and timestamps.
ROW_COLUMNS = ("record_id", "accession_base", "version", "name", "definition", "molecule_type", "topology",
               "division", "locus_date", "marker", "length", "checksum", "gc_content", "ambiguous_fraction", "organism",
               *SOURCE_COLUMNS, "voucher", "sequence", *JSON_COLUMNS)


IDX = {c: i for i, c in enumerate(ROW_COLUMNS)}
_VALUES = operator.itemgetter(*ROW_COLUMNS)
_SEQ = IDX["sequence"]


class Row(NamedTuple):
    """What a worker sends the writer: the values in ROW_COLUMNS order plus what the store decides with.

    A tuple, not the dict `row_of` returns, because unpickling dicts was a fifth of the writer's time.
    """

    values: tuple
    record_id: str
    base: str
    version: int | None
    checksum: str
    organism: str | None
    voucher: str | None
    flags: tuple
    coi: dict | None
    hash: str

    def get(self, column: str):
        return self.values[IDX[column]]


def pack(row: dict) -> Row:
    return Row(row["_t"], row["record_id"], row["accession_base"], row["version"], row["checksum"],
               row["organism"], row["voucher"], tuple(row["_flags"]), row.get("_coi"), row["_hash"])


def split_version(record_id: str) -> tuple[str, int | None]:
    m = _VERSIONED.match(record_id)
    return (m.group(1), int(m.group(2))) if m else (record_id, None)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json(value: list) -> str:
    return _ENCODE(value) if value else "[]"


@lru_cache(maxsize=4096)
def _lineage_json(lineage: tuple[str, ...]) -> str:
    """Barcode sets repeat a few thousand lineages over hundreds of thousands of records."""
    return _json(list(lineage))


def row_of(seq: SequenceIn, marker: str | None = None) -> dict:
    """The stored form of a parsed record (JSON columns as text), with its content hash and per-record flags."""
    source = seq.source()
    quals: dict[str, str] = {}
    if source is not None:
        for key, value in source.qualifiers:
            if value is None:
                continue
            key = "geo_loc_name" if key == "country" else key
            if key == "db_xref" and "db_xref" in quals:
                quals["db_xref"] += "; " + value
            elif key not in quals:
                quals[key] = value
    genes = [v for f in seq.features if f.type in ("gene", "CDS", "rRNA", "misc_RNA")
             for k, v in f.qualifiers if k in ("gene", "product") and v]
    marker = canonical_marker(marker) or canonical_marker(seq.marker) or marker_of(seq.definition, genes)
    length, checksum, gc, ambiguous = measures(seq.sequence)
    base, version = split_version(seq.record_id)
    row = {
        "record_id": seq.record_id, "accession_base": base, "version": version, "name": seq.name,
        "definition": seq.definition, "molecule_type": seq.molecule_type, "topology": seq.topology,
        "division": seq.division, "locus_date": (seq.date or "")[:11] or None, "marker": marker, "length": length,
        "checksum": checksum, "gc_content": gc,
        "ambiguous_fraction": ambiguous, "organism": seq.organism,
        **{c: (quals.get(c) or None) and quals[c][:300] for c in SOURCE_COLUMNS},
        "voucher": next((quals[q] for q in VOUCHER_QUALIFIERS if quals.get(q)), None),
        "sequence": seq.sequence,
        "lineage": _lineage_json(tuple(seq.lineage)),
        "keywords": _json(seq.keywords),
        "features": _json([f.as_json() for f in seq.features]),
        "references": _json([{"authors": r.authors, "title": r.title, "journal": r.journal,
                              "pubmed_id": r.pubmed_id, "bases": r.bases} for r in seq.references]),
    }
    if row["lat_lon"]:
        row["lat_lon"] = row["lat_lon"][:60]
    frame = None
    if marker == "COI-5P":
        cds = next((f for f in seq.features if f.type == "CDS"), None)
        start = cds.first("codon_start") if cds else None
        frame = int(start) - 1 if start and start.isdigit() and cds.location.lstrip("<").startswith("1..") \
            else None
    if marker == "COI-5P" and not seq.lineage:
        # The taxon group is only known once the organism is linked: keep both answers for the store.
        row["_coi"] = {t: QcFlag.STOP_CODON.value in flags_of(seq.sequence, length, 0, marker, lineage, frame)
                       for t, lineage in ((2, ["Vertebrata"]), (5, []))}
    row["_flags"] = flags_of(seq.sequence, length, ambiguous, marker, seq.lineage, frame)
    if "_coi" in row:
        row["_flags"] = [f for f in row["_flags"] if f != QcFlag.STOP_CODON.value]
    row["_t"] = values = _VALUES(row)
    # The checksum stands for the residues: hashing a genome twice would cost more than the rest of the row.
    row["_hash"] = hashlib.md5(repr(values[:_SEQ] + values[_SEQ + 1:]).encode("utf-8", "replace")).hexdigest()
    return row
