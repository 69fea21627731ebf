"""Catalogue search: published accessions only, diacritic-free, the same results on SQLite and PostgreSQL.

Matching: every word of the query must begin a word of `accession.search_text` (folded words built from the
public form by search.text, copied to the public index as `search_words`); a query word shorter than
WHOLE_WORD_BELOW folded letters must be a whole word ("ca", fish, never finds "cây", "Cần Thơ", "Cái Răng"). SQLite answers with FTS5
prefix queries, PostgreSQL with `\\m` regular expressions over a trigram index; both see the same words because
the text holds words separated by spaces. Everything else reads the narrow index table (search/models.py),
which holds published accessions only.

Ranking: the whole-word matches (every query word is a word of the text) first, then the prefix matches (some
query word only begins one); within each group, in tiers a reader would agree with, then by name:
  0 the exact accession number (ACCENUMB or INSTCODE:ACCENUMB)
  1 a name (vernacular, scientific, variety) that starts with the query
  2 a name that holds the query as a phrase
  3 names that hold every word of the query
  4 other text (places, institutions) holding the phrase
  5 the rest
Ties sort by folded name and accession number in binary ("C") collation, so both engines agree.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import case, func
from sqlmodel import Session, select

from genbank_registry.search.models import FACET_COLUMNS, split_facet_values
from genbank_registry.search.models import AccessionIndex as Ix
from genbank_registry.search.ranking import _base, _count, _narrow, _order, _tiered_page, ranks_by_tier
from genbank_registry.search.request import (
    FACET_BY_NAME,
    FACETS,
    MAX_LIMIT,
    PREFIX,
    SORTS,
    WHOLE,
    WHOLE_WORD_BELOW,
    Facet,
    SearchQuery,
    SearchResult,
    groups,
)
from genbank_registry.search.sql import Where, _conditions, _dialect, _whole_test
from genbank_registry.search.suggest import suggestions
from schemas.search import AccessionSummaryPublic
from schemas.text import query_tokens


def summary(acc_id: int, accenumb: str, ix: Ix) -> AccessionSummaryPublic:
    return AccessionSummaryPublic(
        id=acc_id, instcode=ix.instcode, accenumb=accenumb, name_vi=ix.name_vi, name_en=ix.name_en,
        scientific_name=ix.scientific_name, family=ix.family, category=ix.category, district_code=ix.district,
        commune=ix.commune, sampstat=ix.sampstat,
        storage=[int(s) for s in FACET_BY_NAME["storage"].values(ix.storage) if s],
        conservation=[s for s in FACET_BY_NAME["status"].values(ix.conservation) if s],
        task_code=ix.task_code, declatitude=ix.latitude, declongitude=ix.longitude, colldate=ix.colldate)


def search(session: Session, query: SearchQuery, *, facets: bool = True, suggest: bool = True) -> SearchResult:
    dialect = _dialect(session)
    where = _conditions(query, dialect)
    tokens = query_tokens(query.q)
    split = groups(tokens) == (WHOLE, PREFIX)
    whole_test = _whole_test(tokens, dialect) if split and dialect != "sqlite" else None
    counts, whole = _facet_counts(session, where, whole_test) if facets else ({}, None)

    def ranked(*columns, present=None):
        return (_base(select(*columns), where).order_by(*_order(query, dialect, present))
                .limit(query.limit).offset(query.offset))

    def whole_total() -> int:
        # SQLite counts the whole-word matches from FTS5 (with the filters, as _count does); PostgreSQL in the
        # pass that reads every match anyway (facets or ranking).
        return _count(session, _conditions(query, dialect, WHOLE)) if split else total

    def page_ids() -> list[int]:
        if ranks_by_tier(where, query, total):
            return _tiered_page(session, query, dialect, dict(zip(groups(tokens), (whole, total - whole))))
        present = tuple(g for g, n in zip(groups(tokens), (whole, total - whole)) if n) if tokens else None
        return list(session.exec(ranked(Ix.accession_id, present=present)))

    if facets:
        # Every result has exactly one category, so the category counts add up to the total: no count query.
        total = sum(n for _, n in counts["category"])
        if whole is None:
            whole = whole_total()
        ids = page_ids() if total else []
    elif not where.fts and where.conds:
        # PostgreSQL's regular expressions (and SQLite's filters) read every candidate: count in the same pass
        # as the ranking instead of a second one; a page past the end still needs its own count.
        extra = [func.sum(case((whole_test, 1), else_=0)).over()] if whole_test is not None else []
        found = session.exec(ranked(Ix.accession_id, func.count().over(), *extra)).all()
        ids = [row[0] for row in found]
        total = found[0][1] if found else (_count(session, where) if query.offset else 0)
        whole = found[0][2] if found and extra else whole_total()
    else:
        # SQLite counts a text search from FTS5 (and the join, with filters), then ranks.
        total = _count(session, where)
        whole = whole_total() if total else 0
        ids = page_ids() if total else []
    # The engine ranks ids only and the page's rows are read afterwards: its sorter carries one integer per
    # match instead of every column of every match.
    rows = {i: (n, ix) for i, n, ix in session.exec(
        select(Ix.accession_id, Ix.accenumb, Ix).where(Ix.accession_id.in_(ids)))} if ids else {}
    result = SearchResult(query=query, total=total, items=[summary(i, *rows[i]) for i in ids], facets=counts,
                          whole_total=whole)
    if suggest and total == 0 and tokens:
        result.suggestions = suggestions(session, query.q)
    return result


def matching_ids(session: Session, query: SearchQuery) -> list[int]:
    """Every matching id in result order (for the CSV download of the current result)."""
    dialect = _dialect(session)
    return list(session.exec(_base(select(Ix.accession_id), _conditions(query, dialect))
                             .order_by(*_order(query, dialect))))


def map_points(session: Session, query: SearchQuery) -> tuple[list[tuple[float, float, int]], int]:
    """Published points of the result as the public form gives them (generalised, category 1 absent), with the
    number of accessions at each, and how many results have no public point."""
    dialect = _dialect(session)
    where = _conditions(query, dialect)
    points = [(lat, lon, n) for lat, lon, n in session.exec(
        _base(select(Ix.latitude, Ix.longitude, func.count()), where).where(Ix.latitude.is_not(None))
        .group_by(Ix.latitude, Ix.longitude).order_by(Ix.latitude, Ix.longitude))]
    without = session.exec(_base(select(func.count()), where).where(Ix.latitude.is_(None))).one()
    return points, without


def facet_counts(session: Session, where: Where) -> dict[str, list[tuple[str | None, int]]]:
    """Counts of every facet value in the current result, in one query: the facet values of a row are grouped as
    one string (`facet_values`, few distinct combinations) and split here; multi-valued facets count each value
    once per accession. They count every match, whole-word and prefix alike: the list they narrow holds both."""
    return _facet_counts(session, where)[0]


def _facet_counts(session: Session, where: Where, whole_test=None) -> tuple[dict, int | None]:
    """facet_counts(), and with `whole_test` the number of matches passing it, counted in the same pass."""
    positions = [FACET_COLUMNS.index(f.column) for f in FACETS]
    counters = {f.name: Counter() for f in FACETS}
    columns = [Ix.facet_values, func.count()]
    if whole_test is not None:
        columns.append(func.sum(case((whole_test, 1), else_=0)))
    stmt = _base(select(*columns), where).group_by(Ix.facet_values)
    if where.fts and where.indexed is not None and whole_test is None:
        stmt = _narrow(stmt)
    whole = 0 if whole_test is not None else None
    for joined, n, *rest in session.exec(stmt):
        stored = split_facet_values(joined)
        for facet, i in zip(FACETS, positions):
            for v in facet.values(stored[i]):
                counters[facet.name][v] += n
        if rest:
            whole += rest[0]
    return ({name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))
             for name, c in counters.items()}, whole)


# What callers read from this module (the web as `search_service.X`): the request's types live in search.request.
__all__ = ["FACETS", "FACET_BY_NAME", "MAX_LIMIT", "SORTS", "WHOLE_WORD_BELOW", "Facet", "SearchQuery", "SearchResult",
           "facet_counts", "map_points", "matching_ids", "search", "suggestions", "summary"]
