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


from schemas.sequences import FeatureIn, SequenceIn, check_residues

from .sequence_base import SequenceReader, register

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


def _from_pipes(ident: str) -> tuple[str, str | None, list[str], str | None]:
    """(record id, organism, lineage, marker) from pipe-separated ids (NCBI gi, UNITE, BOLD)."""
    parts = ident.split("|")
    if parts[0] == "gi" and len(parts) >= 4:
        acc = next((p for p in parts[3:] if _ACC_VERSION.match(p)), None)
        return acc or ident, None, [], None
    taxonomy = next((p for p in parts if "__" in p and ";" in p), None)
    if taxonomy:
        organism, lineage = _unite_taxonomy(taxonomy)
        # UNITE species hypotheses (SH1312607.09FU) mean ITS
        marker = "ITS" if any(p[:2] == "SH" and p[-2:] == "FU" and _UNITE_SH.search(p) for p in parts) else None
        return parts[0], organism, list(lineage), marker
    if len(parts) >= 3 and " " in parts[1]:
        return parts[0], parts[1], [], parts[2] or None
    return ident, None, [], None


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


def to_sequence(title: str, residues: str) -> SequenceIn | str:
    """A record, or the reason it is rejected."""
    ident, definition, modifiers = split_header(title)
    if not ident:
        return "the header line has no identifier after '>'"
    record_id, organism, lineage, marker = _from_pipes(ident) if "|" in ident else (ident, None, [], None)
    sequence = residues.upper()
    if not sequence:
        return "the record has no sequence"
    problem = check_residues(sequence)
    if problem:
        return problem
    quals = dict(modifiers)
    organism = quals.get("organism") or organism
    qualifiers: list[tuple[str, str | None]] = []
    if organism:
        qualifiers.append(("organism", organism))
    qualifiers.extend((k, v) for k, v in modifiers if k not in ("organism", "moltype", "topology", "marker"))
    features = [FeatureIn("source", f"1..{len(sequence)}", qualifiers)] if qualifiers else []
    return SequenceIn(record_id=record_id[:100], sequence=sequence, name=ident[:100] if ident != record_id else None,
                      definition=definition or None, molecule_type=quals.get("moltype", "DNA"),
                      topology=quals.get("topology", "linear"), organism=organism, lineage=lineage,
                      marker=quals.get("marker") or marker, features=features)


@register
class FastaReader(SequenceReader):
    name = "fasta"
    record_start = ">"

    def parse_records(self, text: str):
        for title, residues in split_fasta(text):
            yield to_sequence(title, residues)


def split_fasta(text: str):
    """What `SimpleFastaParser` yields for `text`, cut with string operations instead of line by line. Importing
    Bio.SeqIO loads numpy (27 MB in the importer and in each parser worker), so Biopython's parser is only called
    for a record whose residue lines hold other whitespace than spaces and line ends, which it strips per line."""
    if text.startswith(">"):
        start = 0
    else:
        start = text.find("\n>") + 1
        if not start:
            return
    for piece in text[start + 1:].split("\n>"):
        title, _, body = piece.partition("\n")
        residues = body.replace("\n", "").replace(" ", "").replace("\r", "")
        if residues.isprintable():
            yield title.rstrip(), residues
        else:
            from Bio.SeqIO.FastaIO import SimpleFastaParser

            yield from SimpleFastaParser(io.StringIO(">" + piece + "\n"))
