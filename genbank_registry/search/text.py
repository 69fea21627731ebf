"""The folded text an accession is found by. Built from what the public form would show, so that a search
for a sensitive record's exact commune or site description cannot reveal where it was collected."""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.catalogue.public_form import PublicFormBuilder
from genbank_registry.catalogue.sensitivity import SensitivityResolver
from genbank_registry.models import Accession
from genbank_registry.search.index import IndexBuilder
from genbank_registry.search.shared import shared_parts
from schemas import codes
from schemas.places import DISTRICTS
from schemas.text import words


def own_parts(acc) -> list:
    return [acc.accenumb, acc.accename, acc.cropname, acc.genus, acc.species, acc.subtaxa, acc.collnumb]


def place_parts(acc, category: int | None) -> list:
    """Where it was collected, only as precisely as the public form shows it."""
    parts = []
    grid = codes.SENSITIVITY_GRID_DEGREES.get(category) if category else 1
    if grid is not None and acc.district_code in DISTRICTS:
        parts.append(DISTRICTS[acc.district_code].name_vi)
    if category is None or category >= 3:
        parts.append(acc.commune)
    if category is None or category >= 4:
        parts += [acc.collsite, acc.admin_unit_recorded]
    return parts


def searchable_parts(session: Session, acc: Accession, category: int | None, shared: list[str] | None = None
                     ) -> list[str]:
    shared = shared if shared is not None else shared_parts(session, acc.institution_id, acc.taxon_id)
    return [p for p in own_parts(acc) + shared + place_parts(acc, category) if p]


def refresh_search_text(session: Session, acc: Accession, resolver: SensitivityResolver | None = None,
                        builder=None) -> None:
    """Refresh the folded words of `acc` and its row in the public search index (search.index).

    Words, not just folded text: punctuation becomes a space so that every engine sees the same word
    boundaries ('CAY-0001' is found by 'cay 0001' and by '0001' on SQLite and PostgreSQL alike)."""
    if builder is None:
        builder = IndexBuilder(session, PublicFormBuilder(session, resolver or SensitivityResolver(session)))
    category = builder.forms.sensitivity.accession_category(acc)
    acc.search_text = join_words(session, acc, category, builder.shared_parts(acc.institution_id, acc.taxon_id))
    builder.refresh(acc)


def join_words(session: Session, acc, category: int | None, shared: list[str]) -> str:
    return _joined(words(p) for p in searchable_parts(session, acc, category, shared))


def _joined(folded) -> str:
    """Distinct non-empty folded parts, in order, as stored in accession.search_text."""
    return " | ".join(dict.fromkeys(filter(None, folded)))


class SearchTextBuilder:
    """Search text for many rows with the institution's and taxon's words looked up once (bulk imports).
    `acc` may be any object with the accession's attributes, such as a row about to be inserted. The text is
    the same `refresh_search_text` writes; the caller refreshes the public index for published rows."""

    def __init__(self, session: Session, resolver: SensitivityResolver | None = None):
        self.session = session
        self.resolver = resolver or SensitivityResolver(session)
        self._shared_words: dict[tuple[int, int | None], list[str]] = {}
        self._words: dict[str, str] = {}
        self._groups: dict[tuple, list[str]] = {}

    def _folded(self, text: str) -> str:
        # Names, communes and sites recur on thousands of rows, and folding Vietnamese (NFD, marks dropped) was
        # a fifth of an MCPD import's time. Bounded, as a file may hold thousands of distinct sites.
        found = self._words.get(text)
        if found is None:
            if len(self._words) >= 100_000:
                self._words.clear()
            found = self._words[text] = words(text)
        return found

    def _group(self, parts: tuple) -> list[str]:
        """The folded words of parts that recur together (a variety's names, a site), looked up as one."""
        found = self._groups.get(parts)
        if found is None:
            if len(self._groups) >= 100_000:
                self._groups.clear()
            found = self._groups[parts] = [self._folded(p) for p in parts if p]
        return found

    def text(self, acc) -> str:
        key = (acc.institution_id, acc.taxon_id)
        shared = self._shared_words.get(key)
        if shared is None:
            # Folded once per institution and taxon: a file of thousands of rows shares a handful of these.
            shared = self._shared_words[key] = [words(p) for p in shared_parts(self.session, *key) if p]
        category = self.resolver.accession_category(acc)
        # own_parts and place_parts, in their order; the accession and collecting numbers are each row's own.
        return _joined([words(acc.accenumb), *self._group((acc.accename, acc.cropname, acc.genus, acc.species,
                                                           acc.subtaxa)),
                        words(acc.collnumb), *shared, *self._group(tuple(place_parts(acc, category)))])


def reindex_all(session: Session, progress=None) -> int:
    """Rebuild every index row and search text (after a taxonomy change or an upgrade). Returns the count."""
    builder = IndexBuilder(session)
    n = 0
    for acc in session.exec(select(Accession).order_by(Accession.id)).all():
        refresh_search_text(session, acc, builder=builder)
        session.add(acc)
        n += 1
        if progress:
            progress()
    session.flush()
    return n
