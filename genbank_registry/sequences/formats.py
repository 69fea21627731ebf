"""FASTA and GenBank text of a sequence's public (or staff) form, written with Biopython's SeqIO writers.

The GenBank source feature says what the registry knows: /organism, /specimen_voucher built from the voucher
accession (INSTCODE:ACCENUMB), /geo_loc_name, /collection_date and /lat_lon as the public form has them
(generalised, or `missing: endangered species`). The FASTA header carries the same as NCBI source modifiers
(`[organism=…]`), which the FASTA importer reads back, so export → import keeps organisms and qualifiers.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterable

from Bio import BiopythonWarning, SeqIO
from Bio.Seq import Seq
from Bio.SeqFeature import Location, Reference, SeqFeature
from Bio.SeqRecord import SeqRecord

from schemas.sequences import SequencePublic

LINE = 60
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def source_qualifiers(pub: SequencePublic) -> list[tuple[str, str | None]]:
    """The source feature's qualifiers with the registry's knowledge laid over them."""
    source = next((f for f in pub.features if f.type == "source"), None)
    quals = list(source.qualifiers) if source else []
    known = {"organism": pub.organism, "specimen_voucher": pub.accession_key or pub.specimen_voucher,
             "geo_loc_name": pub.geo_loc_name, "collection_date": pub.collection_date, "lat_lon": pub.lat_lon}
    if any(k == "country" for k, _ in quals):
        known["country"] = known.pop("geo_loc_name")
    out, done = [], set()
    for key, value in quals:
        if key in known:
            if key not in done and known[key]:
                out.append((key, known[key]))
            done.add(key)
        else:
            out.append((key, value))
    for key, value in known.items():
        if key not in done and value:
            out.insert(0 if key == "organism" else len(out), (key, value))
    return out


def to_fasta(pub: SequencePublic) -> str:
    mods = [f"[{k}={v.replace(']', ')')}]" for k, v in source_qualifiers(pub) if v is not None and k != "mol_type"]
    if pub.marker:
        mods.append(f"[marker={pub.marker}]")
    if pub.molecule_type and pub.molecule_type != "DNA":
        mods.append(f"[moltype={pub.molecule_type}]")
    header = " ".join(x for x in [pub.record_id, pub.definition or "", *mods] if x)
    body = "\n".join(pub.sequence[i:i + LINE] for i in range(0, len(pub.sequence), LINE))
    return f">{header}\n{body}\n"


def _date(pub: SequencePublic) -> str:
    if pub.locus_date:
        return pub.locus_date
    d = pub.created_at
    return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year}" if d else "01-JAN-1980"


def to_seqrecord(pub: SequencePublic) -> SeqRecord:
    name = pub.name if pub.name and len(pub.name) <= 16 and " " not in pub.name else pub.accession_base[:16]
    rec = SeqRecord(Seq(pub.sequence), id=pub.record_id, name=name, description=pub.definition or "")
    rec.annotations.update({
        "molecule_type": pub.molecule_type or "DNA", "topology": pub.topology or "linear",
        "data_file_division": pub.division or "UNK", "date": _date(pub), "accessions": [pub.accession_base],
        "keywords": pub.keywords or [""], "source": pub.organism or "", "organism": pub.organism or ".",
        "taxonomy": pub.lineage,
    })
    if pub.version is not None:
        rec.annotations["sequence_version"] = pub.version
    refs = []
    for r in pub.references:
        ref = Reference()
        ref.authors, ref.title, ref.journal, ref.pubmed_id = r.authors or "", r.title or "", r.journal or "", \
            r.pubmed_id or ""
        refs.append(ref)
    rec.annotations["references"] = refs
    length, circular = len(pub.sequence), pub.topology == "circular"
    features = [f for f in pub.features if f.type != "source"]
    source = SeqFeature(Location.fromstring(f"1..{length}", length=length) if length else None, type="source")
    for key, value in source_qualifiers(pub):
        source.qualifiers.setdefault(key, []).append("" if value is None else value)
    rec.features.append(source)
    for f in features:
        try:
            location = Location.fromstring(f.location, length=length, circular=circular)
        except (ValueError, TypeError):
            continue  # a location Biopython cannot represent (e.g. before position 1); the rest is written
        feature = SeqFeature(location, type=f.type)
        for key, value in f.qualifiers:
            feature.qualifiers.setdefault(key, []).append("" if value is None else value)
        rec.features.append(feature)
    return rec


def to_genbank(pub: SequencePublic) -> str:
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BiopythonWarning)
        SeqIO.write(to_seqrecord(pub), out, "genbank")
    return out.getvalue()


def write_all(forms: Iterable[SequencePublic], fmt: str, handle) -> int:
    writer = to_fasta if fmt == "fasta" else to_genbank
    n = 0
    for pub in forms:
        handle.write(writer(pub))
        n += 1
    return n
