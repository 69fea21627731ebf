"""Catalogue search: published accessions only, diacritic-free, the same results on SQLite and PostgreSQL.

Matching: every word of the query must begin a word of `accession.search_text` (folded words built from the
public form by services.search_text, copied to the public index as `search_words`); a query word shorter than
WHOLE_WORD_BELOW folded letters must be a whole word ("ca", fish, never finds "cây", "Cần Thơ", "Cái Răng"). SQLite answers with FTS5
prefix queries, PostgreSQL with `\\m` regular expressions over a trigram index; both see the same words because
the text holds words separated by spaces. Everything else reads the narrow index table (models_search.py),
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

import difflib
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, case, column, func, literal, literal_column, not_, or_, table, text, true
from sqlmodel import Session, select

from schemas.catalogue import AccessionSummaryPublic
from schemas.text import fold, query_tokens, words

from ..models import VernacularName
from ..models_search import FACET_COLUMNS, SEARCH_INDEX, split_facet_values
from ..models_search import AccessionIndex as Ix

SORTS = ("relevance", "name", "accenumb", "newest")
MAX_LIMIT = 200
# A query word of fewer folded letters matches whole words only: "ca" (cá, fish) as a prefix would match "cay",
# "can", "cai" (cây, Cần Thơ, Cái Răng), nearly the whole catalogue. Three letters ("lua", "sam", "xoai") are
# words or the start of one a reader means.
WHOLE_WORD_BELOW = 3
WHOLE, PREFIX = "whole", "prefix"  # the two groups of a text search's matches


@dataclass(frozen=True)
class Facet:
    """A facet is a URL parameter over one column of the public search index."""

    name: str
    column: str
    multi: bool = False  # stored as ";a;b;"
    numeric: bool = False
    indexed: bool = True  # the column has an index of its own (models_search)

    def condition(self, value: str, fts: bool = False):
        col = _unindexed(self.column) if fts else getattr(Ix, self.column)
        if self.multi:
            return col.like(f"%;{value};%")
        if self.numeric:
            try:
                return col == int(value)
            except ValueError:
                return literal(False)
        return col == value

    def fts(self, value: str) -> str | None:
        """An FTS5 phrase over `facet_values` that every row with this value matches (SQLite): a superset, since
        the same words may stand in another facet column, so the exact condition is still applied. None when
        the value has no word FTS5 could look up, or when LIKE would read `%` and `_` in it as wildcards."""
        if self.numeric:
            try:
                value = str(int(value))
            except ValueError:
                return None
        if not _WORD.search(value) or (self.multi and ("%" in value or "_" in value)):
            return None
        return f"facet_values : {_phrase(value)}"

    def values(self, stored) -> list:
        if stored is None:
            return [None]
        if self.multi:
            return [v for v in str(stored).split(";") if v]
        return [str(stored)]


_WORD = re.compile(r"[A-Za-z0-9]")


def _phrase(value: str) -> str:
    """An FTS5 string: the table's own tokenizer splits it exactly as it split the indexed text."""
    return '"' + value.replace('"', '""') + '"'


def _unindexed(name: str):
    """`+column`: SQLite may not use this column's index. When FTS5 matches drive a search, an indexed filter
    tempts the planner to loop over the filter's rows and run the whole MATCH once per row (half a second for
    "lua" in one district at 100k accessions, against 30 ms driven by the matches)."""
    return literal_column(f"+{Ix.__tablename__}.{name}", type_=getattr(Ix, name).type)


FACETS: tuple[Facet, ...] = (
    Facet("category", "category"),
    Facet("family", "family"),
    Facet("district", "district"),
    Facet("commune", "commune", indexed=False),
    Facet("storage", "storage", multi=True, indexed=False),
    Facet("sampstat", "sampstat", numeric=True),
    Facet("status", "conservation", multi=True, indexed=False),
    Facet("task", "task_code"),
    Facet("institution", "instcode"),
)
FACET_BY_NAME = {f.name: f for f in FACETS}


@dataclass
class SearchQuery:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    taxon_ids: list[int] | None = None  # taxon pages: not a facet, not in URLs

    def __post_init__(self):
        self.q = (self.q or "").strip()[:200]
        self.filters = {k: v for k, v in self.filters.items() if k in FACET_BY_NAME and v not in (None, "")}
        if self.sort not in SORTS:
            self.sort = "relevance"
        if self.sort == "relevance" and not query_tokens(self.q):
            self.sort = "name"
        self.limit = max(1, min(int(self.limit or 20), MAX_LIMIT))
        self.offset = max(0, int(self.offset or 0))


@dataclass
class SearchResult:
    query: SearchQuery
    total: int
    items: list[AccessionSummaryPublic]
    facets: dict[str, list[tuple[str | None, int]]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    whole_total: int | None = None  # matches holding every query word whole (None: `total`, no text query)

    def __post_init__(self):
        if self.whole_total is None:
            self.whole_total = self.total

    @property
    def prefix_total(self) -> int:
        """Matches where some query word only begins a word of the text (listed after the whole-word ones)."""
        return self.total - self.whole_total


def _terms(tokens: list[str], group: str | None = None) -> list[tuple[str, bool]]:
    """Each query word with whether it must match a whole word: always when it is short, and every word in the
    whole-word group."""
    return [(t, group == WHOLE or len(t) < WHOLE_WORD_BELOW) for t in tokens]


def groups(tokens: list[str]) -> tuple[str, ...]:
    """The groups a text search's matches fall into: whole-word matches, then prefix matches when a word is long
    enough to be matched by its start."""
    return (WHOLE, PREFIX) if any(not whole for _, whole in _terms(tokens)) else (WHOLE,)


def _fts_term(word: str, whole: bool) -> str:
    """An FTS5 phrase (one word or several in a row); `*` lets its last word be the start of one."""
    return f'"{word}"' + ("" if whole else "*")


def _fts_words(column: str, terms: list[tuple[str, bool]], op: str = " ") -> str:
    return f"{column} : (" + op.join(_fts_term(t, w) for t, w in terms) + ")"


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _c(column, dialect: str):
    """Binary collation: PostgreSQL's locale collations ignore spaces and punctuation, SQLite's BINARY doesn't."""
    return column.collate("C") if dialect == "postgresql" else column


# SQLite: FTS5 over the public index's search words, names, numbers and facet values (migrations
# 0009_search_speed, 0013_search_tiers), published rows only.
_FTS = table("accession_fts_public", column("rowid"))


@dataclass
class Where:
    """A search's conditions on the index table; on SQLite a text query is an FTS5 MATCH joined to it."""

    conds: list
    fts: list[str] = field(default_factory=list)  # FTS5 expressions that must all match, SQLite only
    # The conditions again on indexed columns, when they all have one (None otherwise): counting a filtered
    # FTS5 search reads those indexes instead of joining every full-text match to its wide index row.
    indexed: list | None = field(default_factory=list)
    # (FTS5 phrase, condition) of each filter, when every filter has both (None otherwise).
    phrases: list | None = field(default_factory=list)

    def match(self, *extra: str | None):
        """The MATCH condition of these expressions and `extra` ones (candidates of a ranking tier)."""
        return _match(*self.fts, *(e for e in extra if e))

    def all(self, *extra: str | None) -> list:
        return [self.match(*extra), *self.conds] if self.uses_fts(*extra) else list(self.conds)

    def uses_fts(self, *extra: str | None) -> bool:
        return bool(self.fts) or any(extra)

    @property
    def fts_only(self) -> bool:
        return bool(self.fts) and not self.conds


def _regex(terms: list[tuple[str, bool]]):
    return and_(*[Ix.search_words.regexp_match(r"\m" + t + (r"\M" if whole else "")) for t, whole in terms])


def _conditions(query: SearchQuery, dialect: str, group: str | None = None) -> Where:
    """The search's conditions; `group` (WHOLE or PREFIX) keeps only the text query's matches of that group."""
    # Only published accessions have an index row: services.search_index builds it from the public form,
    # which refuses drafts, and removes it when a record stops being published.
    where = Where([])
    tokens = query_tokens(query.q)
    terms = _terms(tokens, group)
    if tokens and dialect == "sqlite":
        # The column filter keeps names, numbers and facet values (indexed for ranking and filters) from
        # widening what a query matches.
        expr = _fts_words("search_words", terms)
        if group == PREFIX:
            expr += " NOT " + _fts_words("search_words", _terms(tokens, WHOLE))
        where.fts.append(expr)
    elif tokens:
        where.conds.append(and_(_regex(terms), not_(_regex(_terms(tokens, WHOLE)))) if group == PREFIX
                           else _regex(terms))
    fts = bool(where.fts)
    for name, value in query.filters.items():
        facet = FACET_BY_NAME[name]
        expr = facet.fts(value) if fts else None
        if expr:
            where.fts.append(expr)  # the matches narrowed by FTS5, the exact condition below on what is left
        where.conds.append(facet.condition(value, fts))
        if facet.indexed and where.indexed is not None:
            where.indexed.append(facet.condition(value))
        else:
            where.indexed = None
        if expr and facet.indexed and where.phrases is not None:
            where.phrases.append((expr, facet.condition(value)))
        else:
            where.phrases = None
    if query.taxon_ids is not None:
        where.conds.append((_unindexed("taxon_id") if fts else Ix.taxon_id).in_(query.taxon_ids))
        if where.indexed is not None:
            where.indexed.append(Ix.taxon_id.in_(query.taxon_ids))
        where.phrases = None
    return where


def _contains(column, part: str, dialect: str):
    return (func.instr(column, part) if dialect == "sqlite" else func.strpos(column, part)) > 0


def _has_word_starting(column, start: str, dialect: str):
    """`column` (words separated by spaces) holds a word that begins with `start`. The same test as
    `' ' || column LIKE '% start%'`, without building a string per row: ranking evaluates it for every match."""
    return or_(func.substr(column, 1, len(start)) == start, _contains(column, " " + start, dialect))


def _ends_with(column, end: str):
    # `substr(x, length(x) - n + 1)`: both engines read a negative start differently, never as a match here.
    return func.substr(column, func.length(column) - len(end) + 1) == end


def _has_word(column, word: str, whole: bool, dialect: str):
    """`column` holds `word` (a word or several in a row) as whole words, or, unless `whole`, words whose last
    begins with the last of `word`: what FTS5 finds with `"word"` and `"word"*`."""
    if not whole:
        return _has_word_starting(column, word, dialect)
    return or_(column == word, func.substr(column, 1, len(word) + 1) == word + " ",
               _contains(column, f" {word} ", dialect), _ends_with(column, " " + word))


def _name_starts(column, phrase: str, whole: bool, dialect: str):
    """A name of `column` (names joined by " | ") starts with `phrase`: FTS5's `^"phrase"` or a later name."""
    if not whole:
        return or_(func.substr(column, 1, len(phrase)) == phrase, _contains(column, "| " + phrase, dialect))
    return or_(column == phrase, func.substr(column, 1, len(phrase) + 1) == phrase + " ",
               _contains(column, f"| {phrase} ", dialect), _ends_with(column, "| " + phrase))


def _words_test(tokens: list[str], group: str | None, dialect: str):
    """The text query of `group` as string tests on the search words: what its FTS5 expression finds."""
    test = and_(*[_has_word(Ix.search_words, t, w, dialect) for t, w in _terms(tokens, group)])
    if group == PREFIX:
        test = and_(test, not_(_whole_test(tokens, dialect)))
    return test


def _whole_test(tokens: list[str], dialect: str):
    return and_(*[_has_word(Ix.search_words, t, True, dialect) for t in tokens])


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


def _match(*expressions: str):
    """The public FTS5 table matching every one of `expressions`."""
    return text("accession_fts_public MATCH :fts").bindparams(fts=" AND ".join(f"({e})" for e in expressions))


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
            # the first words of the accession's search words (services.search_text), and on a broad query
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
        if (where.fts and query.sort == "relevance" and total >= TIERED_FROM
                and query.offset + query.limit <= TIERED_DEPTH):
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
