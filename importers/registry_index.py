"""What an import checks rows against, read once per file: institutions, taxa (accepted names, synonyms,
cultivars and breeds) and the categories already used for each taxon.

Loading names once and matching in memory is what lets a 100,000-row file validate at spreadsheet speed
instead of two queries per row; registries hold thousands of taxa, not millions.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from genbank_registry.models import Accession, Institution, Taxon
from schemas import codes
from schemas.text import fold

_QUOTED = re.compile(r"'([^']+)'")
_CULTIVAR_MARKERS = ("cv.", "cv", "cultivar", "breed", "giong", "giống", "var. cult.")
_RANK_MARKERS = ("subsp.", "ssp.", "subsp", "var.", "var", "f.", "forma", "convar.")
_MICROBE_KINGDOMS = {"fungi", "bacteria", "archaea", "chromista", "protozoa", "viruses", "nam", "vi khuan"}


@dataclass(frozen=True)
class TaxonHit:
    id: int  # the accepted taxon's id (synonyms are resolved)
    name: str  # the accepted name
    matched: str  # the name in the registry that matched the row
    synonym: bool
    kingdom: str | None
    rank: str


class RegistryIndex:
    def __init__(self, session: Session):
        self.session = session
        self.institutions: dict[str, int] = {}
        self.institution_names: set[str] = set()
        for inst in session.exec(select(Institution)):
            self.institutions[inst.code] = inst.id
            self.institution_names.update(fold(n) for n in (inst.name_vi, inst.name_en, inst.acronym) if n)
        taxa = {t.id: t for t in session.exec(select(Taxon))}
        self._taxa = taxa
        self._by_folded: dict[str, Taxon] = {}
        self._cultivars: dict[tuple[str, str], Taxon] = {}
        for t in sorted(taxa.values(), key=lambda t: t.id):
            self._by_folded.setdefault(t.name_folded or fold(t.scientific_name), t)
            quoted = _QUOTED.search(t.scientific_name)
            words = t.scientific_name.split()
            if quoted and len(words) >= 2:
                self._cultivars.setdefault((fold(" ".join(words[:2])), fold(quoted.group(1))), t)
        self._names = sorted(self._by_folded)
        self._genera = sorted({k.split()[0] for k in self._by_folded if k})
        self._kingdom_cache: dict[int, str | None] = {}
        self.category_by_taxon: dict[int, str] = {}
        counts: dict[int, list[tuple[int, str]]] = {}
        for taxon_id, category, n in session.exec(
                select(Accession.taxon_id, Accession.category, func.count()).group_by(Accession.taxon_id,
                                                                                      Accession.category)):
            if taxon_id is not None:
                counts.setdefault(taxon_id, []).append((n, category))
        for taxon_id, pairs in counts.items():
            self.category_by_taxon[taxon_id] = max(pairs)[1]
        self._hits: dict[tuple, tuple[TaxonHit | None, str | None]] = {}

    # --- taxa -------------------------------------------------------------------------------------

    def _accepted(self, taxon: Taxon) -> Taxon:
        seen = set()
        while taxon.accepted_id is not None and taxon.id not in seen and taxon.accepted_id in self._taxa:
            seen.add(taxon.id)
            taxon = self._taxa[taxon.accepted_id]
        return taxon

    def kingdom(self, taxon_id: int) -> str | None:
        if taxon_id not in self._kingdom_cache:
            found, seen, tid = None, set(), taxon_id
            while tid is not None and tid not in seen and tid in self._taxa:
                seen.add(tid)
                t = self._taxa[tid]
                if t.kingdom:
                    found = t.kingdom
                    break
                if t.rank == codes.TaxonRank.KINGDOM:
                    found = t.scientific_name
                    break
                tid = t.parent_id if t.parent_id is not None else t.accepted_id
            self._kingdom_cache[taxon_id] = found
        return self._kingdom_cache[taxon_id]

    def _hit(self, taxon: Taxon) -> TaxonHit:
        acc = self._accepted(taxon)
        return TaxonHit(acc.id, acc.scientific_name, taxon.scientific_name, acc.id != taxon.id,
                        self.kingdom(acc.id), acc.rank)

    def _lookup(self, name: str) -> Taxon | None:
        return self._by_folded.get(fold(name))

    def match(self, genus: str | None, species: str | None, subtaxa: str | None) -> tuple[TaxonHit | None, str | None]:
        """(hit, note): note explains a fallback (subtaxon unknown, matched at species level); hit None: no match."""
        key = (genus, species, subtaxa)
        if key not in self._hits:
            self._hits[key] = self._match(genus, species, subtaxa)
        return self._hits[key]

    def _match(self, genus, species, subtaxa):
        base = " ".join(p for p in (genus, species) if p)
        if not base:
            return None, None
        if subtaxa:
            words = subtaxa.split()
            marker = words[0].lower() if words else ""
            rest = " ".join(words[1:]) if marker in _CULTIVAR_MARKERS + _RANK_MARKERS else subtaxa
            rest_clean = rest.strip("'\"‘’")
            candidates = [f"{base} {subtaxa}", f"{base} {rest}", f"{base} '{rest_clean}'"]
            for name in candidates:
                taxon = self._lookup(name)
                if taxon is not None:
                    return self._hit(taxon), None
            taxon = self._cultivars.get((fold(base), fold(rest_clean)))
            if taxon is not None:
                return self._hit(taxon), None
            taxon = self._lookup(base)
            if taxon is not None:
                return self._hit(taxon), (f"SUBTAXA {subtaxa!r} is not in the registry: the record is filed under "
                                          f"{self._hit(taxon).name}")
            return None, None
        taxon = self._lookup(base)
        return (self._hit(taxon), None) if taxon is not None else (None, None)

    def suggestions(self, genus: str | None, species: str | None, subtaxa: str | None) -> list[str]:
        """Registry names close to a misspelt one (difflib: registries hold thousands of names, not millions)."""
        wanted = fold(" ".join(p for p in (genus, species) if p))
        close = difflib.get_close_matches(wanted, self._names, n=3, cutoff=0.75)
        if not close and genus:
            genera = difflib.get_close_matches(fold(genus), self._genera, n=2, cutoff=0.7)
            close = [n for g in genera for n in self._names if n.startswith(g + " ")][:3]
        return [self._by_folded[c].scientific_name for c in close]

    # --- categories -------------------------------------------------------------------------------

    def infer_category(self, hit: TaxonHit | None, sampstat: int | None) -> str:
        """MCPD has no category: the taxon's usual one in the registry, else from kingdom and SAMPSTAT."""
        if hit is None:
            return codes.Category.OTHER
        if hit.id in self.category_by_taxon:
            return self.category_by_taxon[hit.id]
        kingdom = fold(hit.kingdom or "")
        cultivated = sampstat is not None and sampstat >= 300
        if kingdom in _MICROBE_KINGDOMS:
            return codes.Category.MICROORGANISM
        if kingdom in ("animalia", "dong vat"):
            return codes.Category.LIVESTOCK_BREED if cultivated or hit.rank == "breed" else codes.Category.OTHER
        if kingdom in ("plantae", "thuc vat"):
            if cultivated or hit.rank == "cultivar":
                return codes.Category.CROP_VARIETY
            return codes.Category.CROP_WILD_RELATIVE if sampstat is not None else codes.Category.OTHER
        return codes.Category.OTHER
