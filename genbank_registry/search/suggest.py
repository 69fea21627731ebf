"""Did-you-mean suggestions from the published names, their vocabulary cached for a minute."""
from __future__ import annotations

import difflib
import time

from sqlmodel import Session, select

from genbank_registry.models import VernacularName
from genbank_registry.search.models import AccessionIndex as Ix
from schemas.text import fold

_VOCABULARY: dict[str, tuple[float, dict[str, str]]] = {}
VOCABULARY_SECONDS = 60  # a name published a minute ago may wait that long to be suggested


def vocabulary(session: Session) -> dict[str, str]:
    """Folded name → written name of everything published, rebuilt at most once a minute per database."""
    key = str(session.get_bind().url)
    cached = _VOCABULARY.get(key)
    if cached and time.monotonic() - cached[0] < VOCABULARY_SECONDS:
        return cached[1]
    vocabulary: dict[str, str] = {}
    for vi, en, sci in session.exec(select(Ix.name_vi, Ix.name_en, Ix.scientific_name).distinct()):
        for name in (vi, en, sci):
            if name:
                vocabulary.setdefault(fold(name), name)
    taxa = select(Ix.taxon_id).distinct()
    for name in session.exec(select(VernacularName.name).where(VernacularName.taxon_id.in_(taxa))
                             .order_by(VernacularName.id)):
        vocabulary.setdefault(fold(name), name)
    _VOCABULARY[key] = (time.monotonic(), vocabulary)
    return vocabulary


def suggestions(session: Session, q: str, n: int = 5) -> list[str]:
    """Nearest published names to a query that found nothing (typo tolerance), in their written form."""
    vocabulary_ = vocabulary(session)
    folded = fold(q)
    keys = sorted(vocabulary_)
    close = difflib.get_close_matches(folded, keys, n=n, cutoff=0.6)
    if len(close) < n:
        # A short query is closer to the start of a long name than to the whole of it.
        heads = {k[:len(folded)]: k for k in reversed(keys)}
        close += [heads[h] for h in difflib.get_close_matches(folded, list(heads), n=n, cutoff=0.7)
                  if heads[h] not in close]
    return [vocabulary_[k] for k in close[:n]]
