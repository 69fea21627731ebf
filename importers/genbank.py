"""GenBank flat files with Biopython's GenBank scanner and record consumer, streamed block by block.

It is the scanner `SeqIO.parse(…, "genbank")` is built on, minus the location objects: feature locations stay
the INSDC strings the file wrote, which is what the registry stores and writes back. Two shortcuts make it
faster than `SeqIO.parse` on one core: ORIGIN residues are lifted out with string operations before the scanner
reads the rest (`lift_sequences`), and the scanner's feature tuples are taken as they come (`_Scanner`) instead
of through the consumer's per-qualifier calls, with the consumer's own normalisation (newlines to spaces, runs
of spaces collapsed, no spaces in /translation). `tests/test_sequence_readers.py` checks that the result equals
`Bio.GenBank.parse` record for record.
"""
from __future__ import annotations

import io

from Bio.GenBank import _RecordConsumer
from Bio.GenBank.Scanner import GenBankScanner

from schemas.messages import N_
from schemas.sequences import FeatureIn, ReferenceIn, SequenceIn, check_residues

from .sequence_base import SequenceReader, register


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1].replace('""', '"')
    return value


def _feature(feature) -> FeatureIn:
    qualifiers = []
    for q in feature.qualifiers:
        key = q.key.strip().lstrip("/").rstrip("=")
        value = _unquote(q.value) if q.key.endswith("=") else None
        if key == "translation" and value:
            value = value.replace(" ", "")
        qualifiers.append((key, value))
    return FeatureIn(feature.key, feature.location.replace(" ", ""), qualifiers)


_NO_SPACES = {k.strip("/=") for k in _RecordConsumer.remove_space_keys}


def _qualifier(key: str, value: str | None) -> tuple[str, str | None]:
    # Called for every qualifier of every feature (a genome has tens of thousands): _unquote inlined.
    if value is None:
        return key, None
    if "\n" in value:
        value = value.replace("\n", " ")
    if key in _NO_SPACES:
        value = value.replace(" ", "")
    if "  " in value or value[:1] == " " or value[-1:] == " ":
        value = " ".join(filter(None, value.split(" ")))
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1].replace('""', '"')
    return key, value


class _Scanner(GenBankScanner):
    @staticmethod
    def _feed_feature_table(consumer, feature_tuples):
        consumer.start_feature_table()  # closes the last reference, as the consumer expects
        consumer.data.features = [FeatureIn(key, "".join(location.split()), [_qualifier(k, v) for k, v in quals])
                                  for key, location, quals in feature_tuples]


def read_records(text: str):
    """Biopython GenBank Records from `text`, features already as FeatureIn."""
    handle, scanner = io.StringIO(text), _Scanner()
    while True:
        consumer = _RecordConsumer()
        if not scanner.feed(handle, consumer):
            return
        yield consumer.data


def to_sequence(rec) -> SequenceIn | str:
    """A record, or the reason it is rejected."""
    molecule = (getattr(rec, "molecule_type", "") or (rec.residue_type or "").split(" ")[0] or "DNA").strip()
    if molecule.upper().startswith("PROTEIN") or molecule.lower() == "aa":
        return N_("%(locus)s: a protein record (%(size)s aa); the registry stores nucleotide sequences — import "
                  "the nucleotide record it was translated from", locus=rec.locus, size=str(rec.size))
    sequence = (rec.sequence or "").upper()
    if not sequence:
        kind = N_("a CONTIG/WGS master record") if (rec.contig or rec.wgs) else N_("no ORIGIN section")
        return N_("%(locus)s: the record has no sequence (%(kind)s); import records that carry their sequence",
                  locus=rec.locus, kind=kind)
    problem = check_residues(sequence)
    if problem:
        return N_("%(locus)s: %(problem)s", locus=rec.locus, problem=problem)
    accession = rec.accession[0] if rec.accession and rec.accession[0] not in ("", ".") else None
    record_id = rec.version if rec.version and rec.version not in ("", ".") else accession or rec.locus
    keywords = [k for k in (rec.keywords or []) if k and k != "."]
    references = [ReferenceIn(authors=r.authors or r.consrtm or None, title=r.title or None,
                              journal=r.journal or None, pubmed_id=r.pubmed_id or None, bases=r.bases or None)
                  for r in rec.references]
    return SequenceIn(
        record_id=record_id[:100], sequence=sequence, name=rec.locus or None,
        definition=(rec.definition or "").strip() or None, molecule_type=molecule[:20],
        topology=(rec.topology or "linear").strip() or "linear", division=rec.data_file_division or None,
        date=rec.date or None, organism=(rec.organism or "").strip() or None,
        lineage=[t.strip() for t in (rec.taxonomy or []) if t.strip()], keywords=keywords,
        features=[f if isinstance(f, FeatureIn) else _feature(f) for f in rec.features], references=references,
        comment=rec.comment or None)


_NOT_RESIDUES = str.maketrans("", "", "0123456789 \t\r\n")


def _residues(lines: str) -> str | None:
    """The letters of numbered sequence lines, or None when anything else is there. ASCII text goes through bytes:
    `bytes.translate` and `bytes.isalpha` are a few times faster than their str forms on a genome."""
    if lines.isascii():
        residues = lines.encode().translate(None, b"0123456789 \t\r\n")
        return residues.decode() if residues.isalpha() or not residues else None
    text = lines.translate(_NOT_RESIDUES)
    return text if text.isalpha() or not text else None


def lift_sequences(text: str) -> tuple[str, list[tuple[str, str | None]]]:
    """Take each record's ORIGIN residues out with string operations before Biopython reads the rest.

    Reading sequence lines is a third of the parser's time on genomes; `str.translate` does it at C speed.
    Returns the text without residues and, per record, (its original text, its residues); a record whose
    ORIGIN section is not plain numbered residue lines is left whole for Biopython (residues None).
    """
    starts = [i + 1 for i in _line_starts(text, "LOCUS")]
    if text.startswith("LOCUS") or not starts:
        starts.insert(0, 0)
    else:
        starts[0] = 0  # a release file's header belongs to its first record, as Biopython reads it
    pieces, records = [], []
    for k, start in enumerate(starts):
        piece = text[start:starts[k + 1] if k + 1 < len(starts) else len(text)]
        origin, stop = piece.find("\nORIGIN"), piece.rfind("\n//")
        residues = None
        if 0 <= origin < stop:
            body = piece[origin + 1:stop]
            newline = body.find("\n")
            residues = _residues(body[newline + 1:]) if newline >= 0 else ""
        pieces.append(piece if residues is None else piece[:origin + 1] + "ORIGIN\n" + piece[stop + 1:])
        records.append((piece, residues))
    return "".join(pieces), records


def _line_starts(text: str, word: str):
    pos = text.find("\n" + word)
    while pos >= 0:
        yield pos
        pos = text.find("\n" + word, pos + 1)


@register
class GenBankReader(SequenceReader):
    name = "genbank"
    record_start = "LOCUS"

    def parse_records(self, text: str):
        stripped, pieces = lift_sequences(text)
        for rec, (piece, residues) in zip(read_records(stripped), pieces):
            if residues is not None:
                if rec.size and str(len(residues)) == str(rec.size).strip():
                    rec.sequence = residues
                else:  # not what the LOCUS line says: let Biopython read this record as written
                    rec = next(read_records(piece))
            yield to_sequence(rec)
