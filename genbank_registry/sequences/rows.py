"""The stored form of a parsed sequence record: a pure function, so import workers build rows in parallel."""
from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable
from functools import lru_cache
from hashlib import sha256
from operator import itemgetter

from schemas.sequences import SOURCE_COLUMNS, VOUCHER_QUALIFIERS, QcFlag, SequenceIn

from genbank_registry.sequences.qc import canonical_marker, flags_of, marker_of, measures

_VERSIONED = re.compile(r"^(.+)\.(\d+)$")
JSON_COLUMNS = ("lineage", "keywords", "features", "references")
# Columns a parsed record fills; the store adds links, flags, batch and timestamps.
ROW_COLUMNS = ("record_id", "accession_base", "version", "name", "definition", "molecule_type", "topology",
               "division", "locus_date", "marker", "length", "checksum", "gc_content", "ambiguous_fraction", "organism",
               *SOURCE_COLUMNS, "voucher", "sequence", *JSON_COLUMNS)


IDX = {c: i for i, c in enumerate(ROW_COLUMNS)}
_LAT_LON = SOURCE_COLUMNS.index("lat_lon")

# What a worker sends the writer per record is a plain tuple: (values in ROW_COLUMNS order, record id, base,
# version, checksum, organism, voucher, flags, COI answers, content hash). Plain, because pickling a tuple subclass
# (or a dict, or a NamedTuple) costs the writer a third more per record, and the writer is the import's limit.
VALUES, RECORD_ID, BASE, VERSION, CHECKSUM, ORGANISM, VOUCHER, FLAGS, COI, HASH = range(10)
Row = tuple


def value_of(values: tuple, column: str):
    """A column's value in a row's full values (ROW_COLUMNS order)."""
    return values[IDX[column]]


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
    return dict(zip(ROW_COLUMNS, build_row(seq, marker)[VALUES]))


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
def qualifiers_json(qualifiers: tuple) -> str:
    return _ENCODE(qualifiers)


def _feature_json(type_json: str, location_json: str, qualifiers: tuple) -> str:
    """What `_json([feature.as_json()])` writes for one feature (its type and location given as JSON already),
    with the qualifiers encoded once per distinct list: a FASTA file repeats them from record to record."""
    return f'[{{"type": {type_json}, "location": {location_json}, "qualifiers": {qualifiers_json(qualifiers)}}}]'


def source_feature_json(length: int, qualifiers: tuple) -> str:
    """A FASTA record's one source feature, `1..length`: its location needs no JSON escaping."""
    return _feature_json('"source"', f'"1..{length}"', qualifiers)


def _features_json(features: list) -> str:
    if len(features) != 1:
        return _json([f.as_json() for f in features])
    f = features[0]
    return _feature_json(_ENCODE(f.type), _ENCODE(f.location), tuple(map(tuple, f.qualifiers)))


def source_quals(qualifiers) -> dict[str, str]:
    """The source qualifiers a row stores, by name: the first value of each (/country read as /geo_loc_name),
    every /db_xref joined; qualifiers without a value are skipped."""
    quals: dict[str, str] = {}
    for key, value in qualifiers:
        if value is None:
            continue
        key = "geo_loc_name" if key == "country" else key
        if key == "db_xref" and "db_xref" in quals:
            quals["db_xref"] += "; " + value
        elif key not in quals:
            quals[key] = value
    return quals


def content_hash(values: tuple) -> str:
    """128 bits of SHA-256 over a record's stored values but its residues (its checksum stands for them).

    The values are serialised with `marshal` format 2, which writes str, int, float and None by value alone
    (format 3 and later also record whether a string is interned, which is not data). It is three times
    cheaper than hashing `repr()`, and SHA-256 runs on the CPU's SHA instructions.
    """
    return sha256(marshal.dumps(values, 2)).hexdigest()[:32]


_GENE_FEATURES = ("gene", "CDS", "rRNA", "misc_RNA")
_STOP = QcFlag.STOP_CODON.value


def build_row(seq: SequenceIn, marker: str | None = None) -> Row:
    """The stored form of a parsed record (values in ROW_COLUMNS order), with its content hash and the flags that
    need no database. Runs per record in the import workers, so it builds the tuple directly: no dicts."""
    quals = next((source_quals(f.qualifiers) for f in seq.features if f.type == "source"), {})
    marker = canonical_marker(marker) or canonical_marker(seq.marker)
    if not marker:
        genes = [v for f in seq.features if f.type in _GENE_FEATURES
                 for k, v in f.qualifiers if k in ("gene", "product") and v]
        marker = marker_of(seq.definition, genes)
    frame = None
    if marker == "COI-5P":
        cds = next((f for f in seq.features if f.type == "CDS"), None)
        start = cds.first("codon_start") if cds else None
        frame = int(start) - 1 if start and start.isdigit() and cds.location.lstrip("<").startswith("1..") \
            else None
    features = _features_json(seq.features) if seq.features else "[]"
    references = _json([{"authors": r.authors, "title": r.title, "journal": r.journal, "pubmed_id": r.pubmed_id,
                         "bases": r.bases} for r in seq.references]) if seq.references else "[]"
    return assemble(seq.record_id, seq.name, seq.definition, seq.molecule_type, seq.topology, seq.division,
                    (seq.date or "")[:11] or None, marker, seq.organism, tuple(seq.lineage), seq.sequence, quals,
                    _json(seq.keywords), features, references, frame)


def assemble(record_id: str, name: str | None, definition: str | None, molecule_type: str, topology: str,
             division: str | None, locus_date: str | None, marker: str | None, organism: str | None,
             lineage: tuple[str, ...], sequence: str, quals: dict[str, str], keywords: str, features: str,
             references: str, frame: int | None, measured: tuple | None = None) -> Row:
    """The row from a record's parts (`quals`: its source qualifiers, first value of each; the JSON columns as
    text; `frame`: the COI reading frame when a CDS gives it; `measured`: `measures(sequence)` if the caller has
    it). `build_row` and the FASTA reader's fast path both end here, so what is stored cannot differ between them."""
    length, checksum, gc, ambiguous = measured or measures(sequence)
    base, version = split_version(record_id) if "." in record_id else (record_id, None)
    source, voucher = _source(tuple(quals.items())) if quals else (_NO_SOURCE, None)
    head = (record_id, base, version, name, definition, molecule_type, topology, division, locus_date, marker,
            length, checksum, gc, ambiguous, organism, *source, voucher)
    tail = (_lineage_json(lineage), keywords, features, references)
    coi = None
    if marker == "COI-5P" and not lineage:
        # The taxon group is only known once the organism is linked: keep both answers for the store.
        coi = {t: _STOP in flags_of(sequence, length, 0, marker, group, frame)
               for t, group in ((2, ["Vertebrata"]), (5, []))}
    flags = flags_of(sequence, length, ambiguous, marker, lineage, frame)
    if coi is not None:
        flags = [f for f in flags if f != _STOP]
    return (head + (sequence,) + tail, record_id, base, version, checksum, organism, voucher, tuple(flags), coi,
            content_hash(head + tail))


Layout = tuple[tuple[int, ...], dict[int, object]]


def column_layout(rows: list[Row]) -> Layout:
    """How a bulk insert writes the ROW_COLUMNS of `rows`: (indexes of the columns whose values differ between
    rows, {index: value} of the columns every row fills with the same short text or integer). Columns empty in
    every row are in neither: left out, they are NULL. Worked out in the import's workers, because binding
    values is most of the writer's time (see SequenceStore.store)."""
    if not rows:
        return tuple(range(len(ROW_COLUMNS))), {}
    varying, constant = [], {}
    for i, column in enumerate(zip(*[r[VALUES] for r in rows])):
        first = column[0]
        if column.count(first) == len(column):
            if first is None:
                continue
            if (type(first) is int or type(first) is str and len(first) <= 200 and "\x00" not in first) \
                    and len(rows) > 1:
                constant[i] = first
                continue
        varying.append(i)
    return tuple(varying), constant


def pack(rows: list[Row]) -> tuple[list[Row], Layout]:
    """Rows as an import's worker sends them to the writer: each row's values cut to the columns that differ
    between rows (`column_layout`, which comes with them), its flags joined into the QC text. The writer
    unpickles and binds per record only what varies, and `unpacker` gives back the full values where needed."""
    layout = column_layout(rows)
    varying = layout[0]
    pick = itemgetter(*varying) if len(varying) > 1 else lambda values: tuple(values[i] for i in varying)
    return [(pick(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], " ".join(r[7]), r[8], r[9]) for r in rows], layout


def unpacker(layout: Layout) -> Callable[[tuple], tuple]:
    """The full values (ROW_COLUMNS order) of a packed row's values."""
    varying, constant = layout
    template = [None] * len(ROW_COLUMNS)
    for i, value in constant.items():
        template[i] = value

    def full(values: tuple) -> tuple:
        out = template.copy()
        for i, value in zip(varying, values):
            out[i] = value
        return tuple(out)
    return full
