"""The folded text an accession is found by. Built from what the public form would show, so that a search
for a sensitive record's exact commune or site description cannot reveal where it was collected."""
from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session, select

from schemas import codes
from schemas.places import DISTRICTS
from schemas.text import fold

from ..models import Accession, Institution, Taxon, VernacularName
from .sensitivity import SensitivityResolver

# Names, places and institutions repeat across thousands of records: fold each once.
_fold = lru_cache(maxsize=65536)(fold)

_ABOVE_FAMILY = (codes.TaxonRank.KINGDOM, codes.TaxonRank.PHYLUM, codes.TaxonRank.CLASS, codes.TaxonRank.ORDER)


class _Shared:
    """The parts of an accession that many accessions share (institution, taxon, district), for `parts()`."""

    accenumb = accename = cropname = genus = species = subtaxa = collnumb = None
    commune = collsite = admin_unit_recorded = None

    def __init__(self, institution_id, taxon_id, district_code):
        self.institution_id, self.taxon_id, self.district_code = institution_id, taxon_id, district_code


class SearchTextBuilder:
    """Search text for many accessions with shared lookups: bulk imports ask about the same taxa again and
    again. `acc` may be any object with the accession's attributes (a row about to be inserted, too)."""

    def __init__(self, session: Session, resolver: SensitivityResolver | None = None):
        self.session = session
        self.resolver = resolver or SensitivityResolver(session)
        self._inst: dict[int, list[str]] = {}
        self._taxon: dict[int, list[str]] = {}
        self._folded: dict[tuple, list[str]] = {}

    def _institution_parts(self, inst_id: int) -> list[str]:
        if inst_id not in self._inst:
            inst = self.session.get(Institution, inst_id)
            self._inst[inst_id] = [inst.code, inst.name_vi, inst.name_en, inst.acronym] if inst else []
        return self._inst[inst_id]

    def _taxon_parts(self, taxon_id: int) -> list[str]:
        if taxon_id in self._taxon:
            return self._taxon[taxon_id]
        parts: list[str] = []
        seen: set[int] = set()
        tid = taxon_id
        # The taxon, its ancestors up to the family, and the synonyms pointing at it.
        while tid and tid not in seen:
            seen.add(tid)
            taxon = self.session.get(Taxon, tid)
            if taxon is None or taxon.rank in _ABOVE_FAMILY:
                break
            parts += [taxon.scientific_name, taxon.family]
            parts += [v.name for v in self.session.exec(select(VernacularName).where(VernacularName.taxon_id == tid))]
            tid = taxon.parent_id if taxon.rank not in (codes.TaxonRank.FAMILY,) else None
        for syn in self.session.exec(select(Taxon).where(Taxon.accepted_id == taxon_id)):
            parts.append(syn.scientific_name)
        self._taxon[taxon_id] = parts
        return parts

    def parts(self, acc, category: int | None) -> list[str]:
        parts = [acc.accenumb, acc.accename, acc.cropname, acc.genus, acc.species, acc.subtaxa, acc.collnumb]
        parts += self._institution_parts(acc.institution_id)
        if acc.taxon_id:
            parts += self._taxon_parts(acc.taxon_id)
        grid = codes.SENSITIVITY_GRID_DEGREES.get(category) if category else 1
        if grid is not None and acc.district_code in DISTRICTS:
            parts += [DISTRICTS[acc.district_code].name_vi]
        if category is None or category >= 3:
            parts.append(acc.commune)
        if category is None or category >= 4:
            parts += [acc.collsite, acc.admin_unit_recorded]
        return [p for p in parts if p]

    def text(self, acc) -> str:
        category = self.resolver.accession_category(acc)
        # The institution's and taxon's parts are the same for thousands of rows: look them up folded once.
        key = (acc.institution_id, acc.taxon_id, acc.district_code, category)
        shared = self._folded.get(key)
        if shared is None:
            probe = _Shared(acc.institution_id, acc.taxon_id, acc.district_code)
            shared = self._folded[key] = [_fold(p) for p in self.parts(probe, category)]
        own = [acc.accenumb, acc.accename, acc.cropname, acc.genus, acc.species, acc.subtaxa, acc.collnumb]
        if category is None or category >= 3:
            tail = [acc.commune] + ([acc.collsite, acc.admin_unit_recorded] if category is None or category >= 4 else [])
        else:
            tail = []
        folded: dict[str, None] = {}
        for f in [_fold(p) for p in own if p] + shared + [_fold(p) for p in tail if p]:
            if f:
                folded.setdefault(f)
        return " | ".join(folded)


def searchable_parts(session: Session, acc: Accession, category: int | None) -> list[str]:
    return SearchTextBuilder(session).parts(acc, category)


def refresh_search_text(session: Session, acc: Accession, resolver: SensitivityResolver | None = None) -> None:
    acc.search_text = SearchTextBuilder(session, resolver).text(acc)
