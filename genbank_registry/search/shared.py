"""The words an accession shares with every other of its institution and taxon: one module that both the
search text (search.text) and the index builder (search.index) read, so neither imports the other back."""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.catalogue.models import Institution, Taxon, VernacularName
from schemas import codes


def shared_parts(session: Session, institution_id: int, taxon_id: int | None) -> list[str]:
    """The words an accession shares with every accession of its institution and taxon."""
    parts: list[str] = []
    inst = session.get(Institution, institution_id)
    if inst:
        parts += [inst.code, inst.name_vi, inst.name_en, inst.acronym]
    seen: set[int] = set()
    tid = taxon_id
    # The taxon, its ancestors up to the family, and the synonyms pointing at it.
    while tid and tid not in seen:
        seen.add(tid)
        taxon = session.get(Taxon, tid)
        if taxon is None or taxon.rank in (codes.TaxonRank.KINGDOM, codes.TaxonRank.PHYLUM, codes.TaxonRank.CLASS,
                                           codes.TaxonRank.ORDER):
            break
        parts += [taxon.scientific_name, taxon.family]
        parts += [v.name for v in session.exec(select(VernacularName).where(VernacularName.taxon_id == tid))]
        tid = taxon.parent_id if taxon.rank not in (codes.TaxonRank.FAMILY,) else None
    if taxon_id:
        for syn in session.exec(select(Taxon).where(Taxon.accepted_id == taxon_id)):
            parts.append(syn.scientific_name)
    return parts
