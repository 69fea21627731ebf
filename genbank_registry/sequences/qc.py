"""Per-record measures and BOLD's barcode checks (shared/standards/insdc-sequences.md).

Everything here is a pure function of one record so that import workers can run it in parallel; the only check
that needs the database (duplicate of a stored sequence) is made by the loader.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

from Bio.Seq import Seq

from schemas.sequences import AMBIGUOUS_LIMIT, IUPAC_NUCLEOTIDES, MARKER_MIN_LENGTH, QcFlag

# Names found in /gene, /product and definition lines, mapped to the canonical marker.
_MARKER_PATTERNS = [
    (re.compile(r"\b(COI-5P|COX1|COXI|CO1|COI|cytochrome (c )?oxidase (subunit )?(I|1))\b", re.I), "COI-5P"),
    (re.compile(r"\brbcL\b|ribulose[- ]1,5[- ]bisphosphate carboxylase.*large", re.I), "rbcL"),
    (re.compile(r"\bmatK\b|maturase K", re.I), "matK"),
    (re.compile(r"\bITS1\b.*\bITS2\b|internal transcribed spacer 1.*spacer 2", re.I), "ITS"),
    (re.compile(r"\bITS2\b|internal transcribed spacer 2", re.I), "ITS2"),
    (re.compile(r"\bITS1\b|internal transcribed spacer 1", re.I), "ITS1"),
    (re.compile(r"\bITS\b|internal transcribed spacer", re.I), "ITS"),
    (re.compile(r"\btrnH-psbA\b|psbA-trnH", re.I), "trnH-psbA"),
    (re.compile(r"\b16S\b", re.I), "16S"),
    (re.compile(r"\b18S\b", re.I), "18S"),
    (re.compile(r"\b12S\b", re.I), "12S"),
    (re.compile(r"\b(cytb|cyt b|cob|cytochrome b)\b", re.I), "cytb"),
]
_CANONICAL = {m.lower(): m for m in MARKER_MIN_LENGTH} | {"coi": "COI-5P", "cox1": "COI-5P", "co1": "COI-5P"}
VERTEBRATE_NAMES = {"Vertebrata", "Craniata", "Chordata", "Actinopterygii", "Actinopteri", "Chondrichthyes",
                    "Mammalia", "Aves", "Reptilia", "Amphibia", "Teleostei"}


@lru_cache(maxsize=256)
def canonical_marker(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip()
    return _CANONICAL.get(name.lower()) or marker_in(name) or name[:30]


# One search rules out most names (rps12, ndhB…); the ordered list then decides between markers.
_ANY_MARKER = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _MARKER_PATTERNS), re.I)


def marker_in(text: str | None) -> str | None:
    if not text or not _ANY_MARKER.search(text):
        return None
    for pattern, marker in _MARKER_PATTERNS:
        if pattern.search(text):
            return marker
    return None


def marker_of(definition: str | None, gene_names: list[str]) -> str | None:
    """The definition line first; else the one marker that every /gene or /product names (a genome has many)."""
    found = marker_in(definition)
    if found:
        return found
    markers = set()
    for name in set(gene_names):
        marker = marker_in(name)
        if marker:
            markers.add(marker)
            if len(markers) > 1:
                return None
    return markers.pop() if markers else None


# One byte per residue after `bytes.translate`: bit 0 for G or C, bit 1 for an ambiguity code, bit 2 for a gap,
# bit 3 for a byte that is no IUPAC code at all; A, T and U are 0.
_CLASS = bytearray([2 | 8]) * 256
for _c in IUPAC_NUCLEOTIDES.encode():
    _CLASS[_c] = 2
for _c in b"GC":
    _CLASS[_c] = 1
for _c in b"ATU":
    _CLASS[_c] = 0
_CLASS[ord("-")] = 4
_CLASS = bytes(_CLASS)
# A barcode's classes are read as one integer and each class counted by a popcount over its bit in every byte:
# three C passes in all, a third cheaper than counting bytes. Longer sequences count bytes, so that no process
# keeps genome-sized masks: these are 0x0101…01 over 64 KB, and the same shifted by one to three.
_MASK_BYTES = 1 << 16
_ONES = int.from_bytes(b"\x01" * _MASK_BYTES, "little")
_MASKS = (_ONES, _ONES << 1, _ONES << 2, _ONES << 3)


def measures(sequence: str, check: bool = False) -> tuple[int, str, float | None, float] | None:
    """(length, MD5 checksum, GC fraction of the unambiguous bases, ambiguous fraction). `check`: None when the
    (upper-case) sequence holds anything but IUPAC nucleotide codes, as `check_residues` finds, in the same pass."""
    try:
        raw = sequence.encode("ascii")
    except UnicodeEncodeError:
        if check:
            return None
        raise
    length = len(raw)
    if not length:
        return 0, hashlib.md5(raw).hexdigest(), None, 0.0
    classes = raw.translate(_CLASS)
    if length <= _MASK_BYTES:
        bits = int.from_bytes(classes, "little")
        ones, twos, fours, eights = _MASKS
        invalid = bits & eights
        gc = (bits & ones).bit_count()
        ambiguous = (bits & twos).bit_count()
        gaps = (bits & fours).bit_count() if b"-" in raw else 0
    else:
        invalid = classes.count(2 | 8)
        gc = classes.count(1)
        ambiguous = classes.count(2) + invalid
        gaps = classes.count(4)
    if check and invalid:
        return None
    at = length - gc - ambiguous - gaps
    return (length, hashlib.md5(raw).hexdigest(), (round(gc / (gc + at), 4) if gc + at else None),
            round(ambiguous / length, 4))


def coi_table(lineage: Iterable[str]) -> int:
    """NCBI translation table for COI: 2 for vertebrate mitochondria, 5 for invertebrate."""
    return 2 if VERTEBRATE_NAMES.intersection(lineage) else 5


def has_stop_codon(sequence: str, table: int, frame: int | None = None) -> bool:
    """True when the reading frame holds a stop codon; without a known frame, when all three forward frames do."""
    seq = sequence.replace("-", "")
    frames = [frame] if frame is not None else [0, 1, 2]
    for f in frames:
        part = seq[f:]
        part = part[: len(part) - len(part) % 3]
        if "*" not in str(Seq(part).translate(table=table)):
            return False
    return True


def flags_of(sequence: str, length: int, ambiguous: float, marker: str | None, lineage: Iterable[str],
             coi_frame: int | None = None) -> list[str]:
    flags = []
    minimum = MARKER_MIN_LENGTH.get(marker or "")
    if minimum and length < minimum:
        flags.append(QcFlag.SHORT.value)
    if ambiguous > AMBIGUOUS_LIMIT:
        flags.append(QcFlag.AMBIGUOUS.value)
    if marker == "COI-5P" and length >= 3 and has_stop_codon(sequence, coi_table(lineage), coi_frame):
        flags.append(QcFlag.STOP_CODON.value)
    return flags
