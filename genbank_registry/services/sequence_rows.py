"""The stored form of a parsed sequence record: a pure function, so import workers build rows in parallel."""
from __future__ import annotations

import json
import re
from hashlib import md5
from functools import lru_cache
from operator import itemgetter

from schemas.sequences import SOURCE_COLUMNS, VOUCHER_QUALIFIERS, QcFlag, SequenceIn

from .sequence_qc import canonical_marker, flags_of, marker_of, measures

_VERSIONED = re.compile(r"^(.+)\.(\d+)$")
JSON_COLUMNS = ("lineage", "keywords", "features", "references")
# Columns a parsed record fills; the store adds links, flags, batch and timestamps.
ROW_COLUMNS = ("record_id", "accession_base", "version", "name", "definition", "molecule_type", "topology",
               "division", "locus_date", "marker", "length", "checksum", "gc_content", "ambiguous_fraction", "organism",
               *SOURCE_COLUMNS, "voucher", "sequence", *JSON_COLUMNS)


IDX = {c: i for i, c in enumerate(ROW_COLUMNS)}
_LAT_LON = SOURCE_COLUMNS.index("lat_lon")


class Row(tuple):
    """What a worker sends the writer: the values in ROW_COLUMNS order plus what the store decides with.

    A tuple, not the dict `row_of` returns, because unpickling dicts was a fifth of the writer's time; and a plain
    tuple subclass rather than a NamedTuple, whose Python-level __new__ the writer would run per unpickled row.
    """

    __slots__ = ()
    values: tuple = property(itemgetter(0))  # type: ignore[assignment]
    record_id: str = property(itemgetter(1))  # type: ignore[assignment]
    base: str = property(itemgetter(2))  # type: ignore[assignment]
    version: int | None = property(itemgetter(3))  # type: ignore[assignment]
    checksum: str = property(itemgetter(4))  # type: ignore[assignment]
    organism: str | None = property(itemgetter(5))  # type: ignore[assignment]
    voucher: str | None = property(itemgetter(6))  # type: ignore[assignment]
    flags: tuple = property(itemgetter(7))  # type: ignore[assignment]
    coi: dict | None = property(itemgetter(8))  # type: ignore[assignment]
    hash: str = property(itemgetter(9))  # type: ignore[assignment]

    def get(self, column: str):
        return self[0][IDX[column]]


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
    """The stored form of a parsed record by column name (JSON columns as text)."""
    return dict(zip(ROW_COLUMNS, build_row(seq, marker).values))


_NO_SOURCE = (None,) * len(SOURCE_COLUMNS)


@lru_cache(maxsize=4096)
def _source(items: tuple[tuple[str, str], ...]) -> tuple[tuple, str | None]:
    """(source columns, voucher) of a record's source qualifiers: a FASTA file repeats its organisms."""
    quals = dict(items)
    source = tuple((quals.get(c) or None) and quals[c][:300] for c in SOURCE_COLUMNS)
    if source[_LAT_LON]:
        source = source[:_LAT_LON] + (source[_LAT_LON][:60],) + source[_LAT_LON + 1:]
    return source, next((quals[q] for q in VOUCHER_QUALIFIERS if quals.get(q)), None)


@lru_cache(maxsize=4096)
def _qualifiers_json(qualifiers: tuple) -> str:
    return _ENCODE(qualifiers)


def _features_json(features: list) -> str:
    """What `_json([f.as_json() for f in features])` writes, with each feature's qualifiers encoded once per
    distinct list: a FASTA record's one source feature differs from the last one's only in its location."""
    if len(features) != 1:
        return _json([f.as_json() for f in features])
    f = features[0]
    return (f'[{{"type": {_ENCODE(f.type)}, "location": {_ENCODE(f.location)}, '
            f'"qualifiers": {_qualifiers_json(tuple(map(tuple, f.qualifiers)))}}}]')
_GENE_FEATURES = ("gene", "CDS", "rRNA", "misc_RNA")
_STOP = QcFlag.STOP_CODON.value


def build_row(seq: SequenceIn, marker: str | None = None) -> Row:
    """The stored form of a parsed record (values in ROW_COLUMNS order), with its content hash and the flags that
    need no database. Runs per record in the import workers, so it builds the tuple directly: no dicts."""
    quals: dict[str, str] = {}
    for feature in seq.features:
        if feature.type == "source":
            for key, value in feature.qualifiers:
                if value is None:
                    continue
                key = "geo_loc_name" if key == "country" else key
                if key == "db_xref" and "db_xref" in quals:
                    quals["db_xref"] += "; " + value
                elif key not in quals:
                    quals[key] = value
            break
    marker = canonical_marker(marker) or canonical_marker(seq.marker)
    if not marker:
        genes = [v for f in seq.features if f.type in _GENE_FEATURES
                 for k, v in f.qualifiers if k in ("gene", "product") and v]
        marker = marker_of(seq.definition, genes)
    length, checksum, gc, ambiguous = measures(seq.sequence)
    record_id = seq.record_id
    base, version = split_version(record_id) if "." in record_id else (record_id, None)
    source, voucher = _source(tuple(quals.items())) if quals else (_NO_SOURCE, None)
    features = _features_json(seq.features) if seq.features else "[]"
    references = _json([{"authors": r.authors, "title": r.title, "journal": r.journal, "pubmed_id": r.pubmed_id,
                         "bases": r.bases} for r in seq.references]) if seq.references else "[]"
    head = (record_id, base, version, seq.name, seq.definition, seq.molecule_type, seq.topology, seq.division,
            (seq.date or "")[:11] or None, marker, length, checksum, gc, ambiguous, seq.organism, *source, voucher)
    tail = (_lineage_json(tuple(seq.lineage)), _json(seq.keywords), features, references)
    frame, coi = None, None
    if marker == "COI-5P":
        cds = next((f for f in seq.features if f.type == "CDS"), None)
        start = cds.first("codon_start") if cds else None
        frame = int(start) - 1 if start and start.isdigit() and cds.location.lstrip("<").startswith("1..") \
            else None
        if not seq.lineage:
            # The taxon group is only known once the organism is linked: keep both answers for the store.
            coi = {t: _STOP in flags_of(seq.sequence, length, 0, marker, lineage, frame)
                   for t, lineage in ((2, ["Vertebrata"]), (5, []))}
    flags = flags_of(seq.sequence, length, ambiguous, marker, seq.lineage, frame)
    if coi is not None:
        flags = [f for f in flags if f != _STOP]
    # The checksum stands for the residues: hashing a genome twice would cost more than the rest of the row.
    content = md5(repr(head + tail).encode("utf-8", "replace")).hexdigest()
    return Row((head + (seq.sequence,) + tail, record_id, base, version, checksum, seq.organism, voucher,
                tuple(flags), coi, content))
