"""FASTA: what Biopython's FASTA parser (`Bio.SeqIO.FastaIO.SimpleFastaParser`) reads, streamed block by block.

Headers carry what the file knows in the forms researchers actually meet:
- NCBI source modifiers: `>id definition [organism=Oryza sativa] [specimen_voucher=CTU:CAY-0001]`
  (what the registry's own FASTA export writes, so a round trip keeps organism and source qualifiers);
- legacy NCBI ids `gi|5690369|gb|AF158246.1|AF158246`: the accession.version becomes the record id;
- UNITE-style `KY106088|k__Fungi;…;s__Genus_species|SH1312607.09FU` and BOLD-style `PROCESSID|Species|COI-5P`.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache


from genbank_registry.sequences.qc import canonical_marker, marker_in, measures
from genbank_registry.sequences.rows import Row, assemble, source_feature_json, source_quals
from schemas.messages import N_
from schemas.sequences import FeatureIn, SequenceIn, check_residues

from .sequence_base import Block, RecordError, SequenceReader, parse_lenient, register

_MODIFIER = re.compile(r"\s*\[([A-Za-z_\-]+)=([^\]]*)\]")
_ACC_VERSION = re.compile(r"^[A-Z]{1,6}_?\d+\.\d+$")
_UNITE_SH = re.compile(r"SH\d+\.\d+FU$")


def split_header(title: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(id, definition, [(qualifier, value)]) from a FASTA title line."""
    ident, _, rest = title.strip().partition(" ")
    if "[" not in rest:  # most headers: no modifiers, no regular expression
        return ident, rest.strip(), []
    modifiers = [(k.lower().replace("-", "_"), v.strip()) for k, v in _MODIFIER.findall(rest)]
    definition = _MODIFIER.sub("", rest).strip() if modifiers else rest.strip()
    return ident, definition, modifiers


def _from_pipes(ident: str) -> tuple[str, str | None, tuple[str, ...], str | None]:
    """(record id, organism, lineage, marker) from pipe-separated ids (NCBI gi, UNITE, BOLD)."""
    first, _, rest = ident.partition("|")
    if first == "gi" and rest.count("|") >= 2:
        acc = next((p for p in rest.split("|")[2:] if _ACC_VERSION.match(p)), None)
        return acc or ident, None, (), None
    if "__" in first and ";" in first:
        found = _barcode_fields(ident.split("|"))
    else:
        # A barcode set repeats what follows the id (taxonomy, species hypothesis; species, marker) thousands of
        # times: that part is read once, the id standing in as a part that is neither.
        found = _after_id(rest, _is_species_hypothesis(first))
    return (ident, None, (), None) if found is None else (first, *found)


@lru_cache(maxsize=4096)
def _after_id(rest: str, id_is_species_hypothesis: bool) -> tuple[str | None, tuple[str, ...], str | None] | None:
    return _barcode_fields(["", *rest.split("|")], id_is_species_hypothesis)


def _barcode_fields(parts: list[str], species_hypothesis: bool = False):
    """(organism, lineage, marker) of a UNITE (`id|k__…;s__Genus_species|SH…FU`) or BOLD (`id|Species|marker`)
    id's parts, None for neither. `species_hypothesis`: a part not given (the id) is one."""
    taxonomy = next((p for p in parts if "__" in p and ";" in p), None)
    if taxonomy:
        organism, lineage = _unite_taxonomy(taxonomy)
        # UNITE species hypotheses (SH1312607.09FU) mean ITS
        its = species_hypothesis or any(_is_species_hypothesis(p) for p in parts)
        return organism, lineage, "ITS" if its else None
    if len(parts) >= 3 and " " in parts[1]:
        return parts[1], (), parts[2] or None
    return None


def _is_species_hypothesis(part: str) -> bool:
    return part[:2] == "SH" and part[-2:] == "FU" and bool(_UNITE_SH.search(part))


@lru_cache(maxsize=4096)
def _unite_taxonomy(taxonomy: str) -> tuple[str | None, tuple[str, ...]]:
    """(species, lineage) of `k__Fungi;…;s__Genus_species`: a barcode set repeats a few thousand of them."""
    lineage, organism = [], None
    for item in taxonomy.split(";"):
        rank, _, name = item.partition("__")
        if not name or name.startswith(("unidentified", "Unidentified")):
            continue
        name = name.replace("_", " ").strip()
        if rank == "s":
            organism = name
        elif name:
            lineage.append(name)
    return organism, tuple(lineage)


def _read(title: str, residues: str, check: bool = True) -> tuple | str:
    """(id, definition, modifiers, record id, organism, lineage, marker, residues) of a record, or the reason it is
    rejected: what `to_sequence` and `fasta_row` both start from (`check=False`: the caller checks the residues)."""
    ident, definition, modifiers = split_header(title)
    if not ident:
        return N_("the header line has no identifier after '>'")
    record_id, organism, lineage, marker = _from_pipes(ident) if "|" in ident else (ident, None, (), None)
    sequence = residues.upper()
    if not sequence:
        return N_("the record has no sequence")
    problem = check_residues(sequence) if check else None
    return problem or (ident, definition, modifiers, record_id, organism, lineage, marker, sequence)


def to_sequence(title: str, residues: str) -> SequenceIn | str:
    """A record, or the reason it is rejected."""
    read = _read(title, residues)
    if isinstance(read, str):
        return read
    ident, definition, modifiers, record_id, organism, lineage, marker, sequence = read
    organism, molecule_type, topology, marker = _with_modifiers(modifiers, organism, marker)
    qualifiers = list(_source_items(organism, modifiers))
    features = [FeatureIn("source", f"1..{len(sequence)}", qualifiers)] if qualifiers else []
    return SequenceIn(record_id=record_id[:100], sequence=sequence, name=ident[:100] if ident != record_id else None,
                      definition=definition or None, molecule_type=molecule_type, topology=topology,
                      organism=organism, lineage=list(lineage), marker=marker, features=features)


_NOT_QUALIFIERS = ("organism", "moltype", "topology", "marker")


def _with_modifiers(modifiers: list[tuple[str, str]], organism: str | None, marker: str | None):
    """(organism, molecule type, topology, marker) once the header's `[key=value]` modifiers are read: they
    override what the id said, and the last of a repeated modifier wins."""
    if not modifiers:
        return organism, "DNA", "linear", marker
    given = dict(modifiers)
    return (given.get("organism") or organism, given.get("moltype", "DNA"), given.get("topology", "linear"),
            given.get("marker") or marker)


def _source_items(organism: str | None, modifiers: list[tuple[str, str]]) -> tuple:
    """The source feature's qualifiers: the organism first, then every modifier that is not a record field."""
    head = (("organism", organism),) if organism else ()
    return head + tuple((k, v) for k, v in modifiers if k not in _NOT_QUALIFIERS) if modifiers else head


@register
class FastaReader(SequenceReader):
    name = "fasta"
    record_start = ">"

    def parse_records(self, text: str):
        for title, residues in split_fasta(text):
            yield to_sequence(title, residues)

    def parse_rows(self, block: Block, marker: str | None) -> tuple[list[Row], list[RecordError]]:
        parsed = parse_lenient(self, block, lambda b: enumerate(fasta_rows(b.text, marker), start=b.first_record))
        return [row for _, row in parsed.records], parsed.errors


def _pieces(text: str) -> list[str]:
    """Each record's text without its '>'; text before the first record is not a record (as in Biopython)."""
    pieces = text.split("\n>")
    if text.startswith(">"):
        pieces[0] = pieces[0][1:]
        return pieces
    return pieces[1:]


def _biopython(piece: str):
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    return SimpleFastaParser(io.StringIO(">" + piece + "\n"))


def split_fasta(text: str):
    """What `SimpleFastaParser` yields for `text`, cut with string operations instead of line by line. Importing
    Bio.SeqIO loads numpy (27 MB in the importer and in each parser worker), so Biopython's parser is only called
    for a record whose residue lines hold other whitespace than spaces and line ends, which it strips per line."""
    for piece in _pieces(text):
        title, _, body = piece.partition("\n")
        residues = _residues(body)
        if residues.isprintable():
            yield title.rstrip(), residues
        else:
            yield from _biopython(piece)


def _residues(body: str) -> str:
    """The residue lines of a record joined, without the spaces and CRs a file may have among them."""
    residues = body.replace("\n", "")
    if " " in residues:
        residues = residues.replace(" ", "")
    if "\r" in residues:
        residues = residues.replace("\r", "")
    return residues


def fasta_rows(text: str, marker: str | None):
    """`build_row(to_sequence(title, residues), marker)` for each record of `text` (or the reason it is rejected),
    without building SequenceIn objects: a FASTA import spends most of its time here."""
    for piece in _pieces(text):
        title, _, body = piece.partition("\n")
        yield fasta_row(title.rstrip(), _residues(body), marker, piece)


def fasta_row(title: str, residues: str, marker: str | None = None, piece: str | None = None) -> Row | str:
    """The row of one record, exactly as `build_row(to_sequence(title, residues), marker)` builds it (a test
    compares the two), or the reason the record is rejected. `piece`: the record's text, to re-read with
    Biopython when its residue lines hold other whitespace (which `split_fasta` checks for every record)."""
    read = _read(title, residues, check=False)
    # measures() checks the residues in the pass that counts them; check_residues only words the refusal.
    measured = None if isinstance(read, str) else measures(read[-1], check=True)
    if measured is None:
        if piece is not None and not residues.isprintable():
            return fasta_row(*next(iter(_biopython(piece))), marker)
        return read if isinstance(read, str) else check_residues(read[-1])
    ident, definition, modifiers, record_id, organism, lineage, given_marker, sequence = read
    name = ident[:100] if ident != record_id else None
    organism, molecule_type, topology, given_marker = _with_modifiers(modifiers, organism, given_marker)
    qualifiers = _source_items(organism, modifiers)
    # Without modifiers the only qualifier is the organism: source_quals would give this dict.
    quals = source_quals(qualifiers) if modifiers else ({"organism": organism} if organism else {})
    marker = canonical_marker(marker) or canonical_marker(given_marker) or (marker_in(definition) if definition
                                                                           else None)
    features = source_feature_json(len(sequence), qualifiers) if qualifiers else "[]"
    return assemble(record_id[:100], name, definition or None, molecule_type, topology, None, None, marker, organism,
                    lineage, sequence, quals, "[]", features, "[]", None, measured)
