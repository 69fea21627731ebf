"""Sensitivity categories (1 strictest … 4) derived from conservation assessments.

A taxon is as sensitive as the strictest assessment found on itself, on its accepted name (when it is a
synonym) and on every ancestor of either (so a cultivar or subspecies inherits from its species).
An accession may be made stricter by a curator (`sensitivity_override`), never laxer.
"""
from __future__ import annotations

from sqlmodel import Session, select

from schemas import codes

from genbank_registry.models import Accession, ConservationAssessment, Taxon


def category_of_assessment(scheme: str, code: str) -> int | None:
    return codes.SENSITIVITY_BY_ASSESSMENT.get((scheme, code))


def strictest(*categories: int | None) -> int | None:
    present = [c for c in categories if c is not None]
    return min(present) if present else None


class SensitivityResolver:
    """Memoises taxon categories for one session: listing pages ask about the same taxa again and again."""

    def __init__(self, session: Session):
        self.session = session
        self._by_taxon: dict[int, int | None] = {}
        self._own: dict[int, int | None] | None = None

    def _own_categories(self) -> dict[int, int | None]:
        if self._own is None:
            own: dict[int, int | None] = {}
            for a in self.session.exec(select(ConservationAssessment)):
                own[a.taxon_id] = strictest(own.get(a.taxon_id), category_of_assessment(a.scheme, a.code))
            self._own = own
        return self._own

    def taxon_category(self, taxon_id: int | None) -> int | None:
        if taxon_id is None:
            return None
        if taxon_id in self._by_taxon:
            return self._by_taxon[taxon_id]
        own = self._own_categories()
        result, seen, stack = None, set(), [taxon_id]
        while stack:
            tid = stack.pop()
            if tid is None or tid in seen:
                continue
            seen.add(tid)
            result = strictest(result, own.get(tid))
            taxon = self.session.get(Taxon, tid)
            if taxon is not None:
                stack.extend((taxon.parent_id, taxon.accepted_id))
        self._by_taxon[taxon_id] = result
        return result

    def accession_category(self, acc: Accession) -> int | None:
        taxon_cat = self.taxon_category(acc.taxon_id)
        return strictest(taxon_cat, acc.sensitivity_override)


def accession_category(session: Session, acc: Accession) -> int | None:
    return SensitivityResolver(session).accession_category(acc)
