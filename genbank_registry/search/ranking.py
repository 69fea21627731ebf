"""Ranking: the tiers a reader would agree with, counted and read a page at a time (the tiered page walks the
filter set in name order on SQLite rather than sorting every match)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func, literal_column, or_, true
from sqlmodel import Session, select

from genbank_registry.search.models import SEARCH_INDEX
from genbank_registry.search.models import AccessionIndex as Ix
from genbank_registry.search.request import FACET_BY_NAME, PREFIX, WHOLE, SearchQuery, _terms, groups
from genbank_registry.search.sql import (
    _FTS,
    Where,
    _c,
    _conditions,
    _fts_term,
    _fts_words,
    _has_word,
    _match,
    _name_starts,
    _whole_test,
    _words_test,
)
from schemas.text import query_tokens, words


@dataclass(frozen=True)
class Tier:
    """A ranking tier: its test on an index row and, for SQLite, FTS5 expressions whose rows together are the
    tier's, each with `exact`: it finds only rows the test accepts (names and words are separated by spaces and
    " | ", and "|" is an FTS5 token: migration 0013_search_tiers), or it finds candidates the test then decides
    on. None as an expression: any match."""

    cond: object
    rank: int
    fts: tuple[tuple[str | None, bool], ...] = ((None, False),)


def _tiers(query: SearchQuery, dialect: str, group: str | None = None) -> list[Tier]:
    """The ranking tiers of `group`'s matches: in the whole-word group names and phrases are whole words too."""
    tokens = query_tokens(query.q)
    terms = _terms(tokens, group)
    whole = terms[-1][1]  # a phrase's earlier words are followed by a space: whole words anyway
    phrase = " ".join(tokens)
    exact = query.q.lower()
    number = [func.lower(Ix.accenumb) == exact]
    numbers = [exact]
    if ":" in exact:  # INSTCODE:ACCENUMB; without a colon the query cannot be one
        number.append(func.lower(Ix.instcode + ":" + Ix.accenumb) == exact)
        numbers += [exact[i + 1:] for i, ch in enumerate(exact) if ch == ":"]
    # An accession number equal to the query (or to what follows one of its colons) has the same words.
    numbers = [words(n) for n in numbers]
    names = f"name_text : {_fts_term(phrase, whole)}"
    first = f"name_text : ^{_fts_term(phrase, whole)}"
    tiers = [
        Tier(or_(*number), 0, ((" OR ".join(f'accenumb : "{n}"' for n in numbers) if all(numbers) else None, False),)),
        # A name starting with the phrase: the first name (FTS5 `^`), or a later one, found among the rows that
        # hold the phrase elsewhere (`"| lua"*` would read the position of every "|" of every row).
        Tier(_name_starts(Ix.name_text, phrase, whole, dialect), 1, ((first, True), (f"{names} NOT {first}", False))),
        Tier(_has_word(Ix.name_text, phrase, whole, dialect), 2, ((names, True),)),
    ]
    if len(tokens) > 1:  # with one word, tier 3 is tier 2
        tiers.append(Tier(and_(*[_has_word(Ix.name_text, t, w, dialect) for t, w in terms]), 3,
                          ((_fts_words("name_text", terms, " AND "), True),)))
    tiers.append(Tier(_has_word(Ix.search_words, phrase, whole, dialect), 4,
                      ((f"search_words : {_fts_term(phrase, whole)}", True),)))
    return tiers


def _rank(query: SearchQuery, dialect: str, present: tuple[str, ...] | None = None):
    """Whole-word matches (0–5) before prefix matches (10–15), each group in its own tiers. `present`: the groups
    known to hold matches; when only one does, no row needs the whole-word test (most searches: "xoai")."""
    tokens = query_tokens(query.q)

    def ranked(group: str):
        return case(*[(t.cond, t.rank) for t in _tiers(query, dialect, group)], else_=5)

    present = groups(tokens) if present is None else present
    if len(present) == 1:
        return ranked(present[0])
    return case((_whole_test(tokens, dialect), ranked(WHOLE)), else_=ranked(PREFIX) + 10)


def _name_order(dialect: str) -> list:
    return [_c(Ix.sort_name, dialect), _c(Ix.instcode, dialect), _c(Ix.accenumb, dialect), Ix.accession_id]


def _order(query: SearchQuery, dialect: str, present: tuple[str, ...] | None = None) -> list:
    name = _name_order(dialect)
    if query.sort == "relevance":
        return [_rank(query, dialect, present), *name]
    if query.sort == "accenumb":
        return [_c(Ix.instcode, dialect), _c(Ix.accenumb, dialect), Ix.accession_id]
    if query.sort == "newest":
        return [Ix.published_at.desc(), Ix.accession_id.desc()]
    return name


def _base(stmt, where: Where, *extra: str | None):
    """Searches read the index table alone, never the wide accession rows. On SQLite the full-text matches drive
    the join (one primary-key probe per match), which is much cheaper than `id IN (matches)`: that builds a
    temporary b-tree of every match first."""
    source = _FTS.join(Ix, Ix.accession_id == _FTS.c.rowid) if where.uses_fts(*extra) else Ix
    return stmt.select_from(source).where(*where.all(*extra))



def _fts_count(session: Session, match) -> int:
    return session.exec(select(func.count()).select_from(_FTS).where(match)).one()


def _narrow(stmt):
    """`stmt` reading the search index instead of the index rows (SQLite; every column it reads must be one of
    models_search.SEARCH_COLUMNS). The planner would rather look each match up by its primary key."""
    return stmt.with_hint(Ix, f"INDEXED BY {SEARCH_INDEX}", "sqlite")


def _count(session: Session, where: Where) -> int:
    # Every row of the public FTS table is a published accession: a text search alone counts without a join.
    # So does one whose filters FTS5 finds exactly: each filter's phrase finds every row with the value, and
    # when it finds as many rows as the value's index holds, it finds those rows only (its words stand in no
    # other facet column).
    if where.fts_only or (where.fts and where.phrases and all(
            _fts_count(session, _match(phrase)) == session.exec(select(func.count()).select_from(Ix).where(cond)).one()
            for phrase, cond in where.phrases)):
        return _fts_count(session, where.match())
    if where.fts and where.indexed:
        # `+rowid`: offered `rowid IN (…)`, FTS5 would run the whole MATCH once per id.
        ids = select(Ix.accession_id).where(*where.indexed)
        return session.exec(select(func.count()).select_from(_FTS).where(
            where.match(), literal_column(f"+{_FTS.name}.rowid").in_(ids))).one()
    return session.exec(_base(select(func.count()), where)).one()


TIERED_DEPTH = 1000  # deeper pages rank every match at once: the ids of the tiers before would make a long list
TIERED_FROM = 5000  # fewer matches are ranked at once: one statement costs less than one per tier


def ranks_by_tier(where: Where, query: SearchQuery, total: int) -> bool:
    """A broad relevance search's first pages are read tier by tier (SQLite's FTS5 only)."""
    return bool(where.fts and query.sort == "relevance" and total >= TIERED_FROM
                and query.offset + query.limit <= TIERED_DEPTH)


def _ranked_by_tier(session: Session, query: SearchQuery, dialect: str, group: str, need: int) -> list[int]:
    """The first `need` ids of `group`'s matches of a relevance-sorted SQLite search, tier by tier, each read from
    its FTS5 candidates only.

    Ranking every match costs a handful of string tests per row: thousands of rows for a broad query, most of
    them in the last tiers. Here a tier's rows come from FTS5 (tested when FTS5 finds only candidates) and are
    not in a better tier; the search stops at the first tier that fills the page. Once a tier is read without
    filling the page, every row of it is known, so "not in a better tier" is a short id list."""
    where = _conditions(query, dialect, group)
    found: list[int] = []
    for tier in [*_tiers(query, dialect, group), Tier(true(), 5, ((None, True),))]:
        if tier.rank == 1:
            walked = _walk(session, query, tier, found, need - len(found), dialect, group)
            if walked is not None:
                found += walked
                break
        rows: dict[int, tuple] = {}
        # An FTS5 OR costs more than its parts apart; each part gives its best rows, merged here by the same
        # keys in the same (binary) order: Python compares strings by code point, SQLite by UTF-8 bytes.
        for fts, exact in tier.fts:
            # The text query's own expression is left out of tier 0 of the whole-word group: a number's words are
            # the first words of the accession's search words (search.text), and on a broad query
            # ("ca"*) it costs most.
            stmt = _base(select(*_name_order(dialect)), replace(where, fts=where.fts[1:])
                         if tier.rank == 0 and group == WHOLE else where, fts)
            if not exact:
                stmt = stmt.where(tier.cond)
            if where.indexed is not None and (exact or tier.rank == 0):  # reads no column beyond SEARCH_COLUMNS
                stmt = _narrow(stmt)
            if found:
                stmt = stmt.where(Ix.accession_id.not_in(found))
            rows |= {row[-1]: tuple(row) for row in session.exec(stmt.order_by(*_name_order(dialect))
                                                                 .limit(need - len(found)))}
        found += [key[-1] for key in sorted(rows.values())[:need - len(found)]]
        if len(found) >= need:
            break
    return found


WALK_ROWS = 400  # rows of the filter set read in name order before a tier is read from its FTS5 rows instead


def _walk(session: Session, query: SearchQuery, tier: Tier, found: list[int], need: int,
          dialect: str, group: str) -> list[int] | None:
    """The first `need` rows of a tier read in name order from the start of the filter set, when the first
    WALK_ROWS rows of that set hold them (None otherwise). A broad query whose tier is most of its filter set
    ("ca" in category aquatic: 15,400 fish named "cá …" among 18,000) would otherwise read and sort every row of
    the tier for a page of twenty. Rows past the window sort after every row in it, so `need` rows found in the
    window are the tier's first. Every condition is tested on the row (the words of the query as string tests,
    the same test as FTS5's match on words separated by spaces), so the result is what FTS5 finds.
    Only unfiltered or category-filtered searches: ix_accession_index_category_name holds that order."""
    if query.taxon_ids is not None or set(query.filters) - {"category"}:
        return None
    window = (select(Ix.accession_id).where(*[FACET_BY_NAME[n].condition(v) for n, v in query.filters.items()])
              .order_by(*_name_order(dialect)).limit(WALK_ROWS))
    stmt = (select(Ix.accession_id).where(Ix.accession_id.in_(window), tier.cond,
                                          _words_test(query_tokens(query.q), group, dialect))
            .order_by(*_name_order(dialect)).limit(need))
    if found:
        stmt = stmt.where(Ix.accession_id.not_in(found))
    ids = list(session.exec(stmt))
    return ids if len(ids) == need else None


def _tiered_page(session: Session, query: SearchQuery, dialect: str, counts: dict[str, int]) -> list[int]:
    """The page of a relevance-sorted SQLite search: the whole-word group's rows, then the prefix group's."""
    page: list[int] = []
    skip = query.offset
    for group, n in counts.items():
        if skip >= n:  # the page starts past this group
            skip -= n
            continue
        page += _ranked_by_tier(session, query, dialect, group, skip + query.limit - len(page))[skip:]
        skip = 0
        if len(page) >= query.limit:
            break
    return page[:query.limit]
