"""Catalogue search: published accessions only, diacritic-free, the same results on SQLite and PostgreSQL.

Matching: every word of the query must begin a word of `accession.search_text` (folded words built from the
public form by services.search_text, copied to the public index as `search_words`). SQLite answers with FTS5
prefix queries, PostgreSQL with `\\m` regular expressions over a trigram index; both see the same words because
the text holds words separated by spaces. Everything else reads the narrow index table (models_search.py),
which holds published accessions only.

Ranking, in tiers a reader would agree with, then by name:
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
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, case, column, func, literal, literal_column, or_, table, text
from sqlmodel import Session, select

from schemas.catalogue import AccessionSummaryPublic
from schemas.text import fold, query_tokens

from ..models import VernacularName
from ..models_search import FACET_COLUMNS, split_facet_values
from ..models_search import AccessionIndex as Ix

SORTS = ("relevance", "name", "accenumb", "newest")
MAX_LIMIT = 200


@dataclass(frozen=True)
class Facet:
    """A facet is a URL parameter over one column of the public search index."""

    name: str
    column: str
    multi: bool = False  # stored as ";a;b;"
    numeric: bool = False

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

    def values(self, stored) -> list:
        if stored is None:
            return [None]
        if self.multi:
            return [v for v in str(stored).split(";") if v]
        return [str(stored)]


def _unindexed(name: str):
    """`+column`: SQLite may not use this column's index. When FTS5 matches drive a search, an indexed filter
    tempts the planner to loop over the filter's rows and run the whole MATCH once per row (half a second for
    "lua" in one district at 100k accessions, against 30 ms driven by the matches)."""
    return literal_column(f"+{Ix.__tablename__}.{name}", type_=getattr(Ix, name).type)


FACETS: tuple[Facet, ...] = (
    Facet("category", "category"),
    Facet("family", "family"),
    Facet("district", "district"),
    Facet("commune", "commune"),
    Facet("storage", "storage", multi=True),
    Facet("sampstat", "sampstat", numeric=True),
    Facet("status", "conservation", multi=True),
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


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _c(column, dialect: str):
    """Binary collation: PostgreSQL's locale collations ignore spaces and punctuation, SQLite's BINARY doesn't."""
    return column.collate("C") if dialect == "postgresql" else column


# SQLite: FTS5 over the public index's search words (migration 0009_search_speed), published rows only.
_FTS = table("accession_fts_public", column("rowid"))


@dataclass
class Where:
    """A search's conditions on the index table; on SQLite a text query is an FTS5 MATCH joined to it."""

    conds: list
    fts: str | None = None  # the FTS5 query, SQLite only

    @property
    def fts_only(self) -> bool:
        return self.fts is not None and len(self.conds) == 1


def _conditions(query: SearchQuery, dialect: str) -> Where:
    # Only published accessions have an index row: services.search_index builds it from the public form,
    # which refuses drafts, and removes it when a record stops being published.
    where = Where([])
    tokens = query_tokens(query.q)
    if tokens and dialect == "sqlite":
        where.fts = " ".join(f'"{t}"*' for t in tokens)
        where.conds.append(text("accession_fts_public MATCH :fts").bindparams(fts=where.fts))
    elif tokens:
        where.conds.append(and_(*[Ix.search_words.regexp_match(r"\m" + t) for t in tokens]))
    fts = where.fts is not None
    for name, value in query.filters.items():
        where.conds.append(FACET_BY_NAME[name].condition(value, fts))
    if query.taxon_ids is not None:
        where.conds.append((_unindexed("taxon_id") if fts else Ix.taxon_id).in_(query.taxon_ids))
    return where


def _contains(column, part: str, dialect: str):
    return (func.instr(column, part) if dialect == "sqlite" else func.strpos(column, part)) > 0


def _has_word_starting(column, start: str, dialect: str):
    """`column` (words separated by spaces) holds a word that begins with `start`. The same test as
    `' ' || column LIKE '% start%'`, without building a string per row: ranking evaluates it for every match."""
    return or_(func.substr(column, 1, len(start)) == start, _contains(column, " " + start, dialect))


def _rank(query: SearchQuery, dialect: str):
    tokens = query_tokens(query.q)
    phrase = " ".join(tokens)
    exact = query.q.lower()
    number = [func.lower(Ix.accenumb) == exact]
    if ":" in exact:  # INSTCODE:ACCENUMB; without a colon the query cannot be one
        number.append(func.lower(Ix.instcode + ":" + Ix.accenumb) == exact)
    tiers = [
        (or_(*number), 0),
        (or_(func.substr(Ix.name_text, 1, len(phrase)) == phrase, _contains(Ix.name_text, "| " + phrase, dialect)), 1),
        (_has_word_starting(Ix.name_text, phrase, dialect), 2),
    ]
    if len(tokens) > 1:  # with one word, tier 3 is tier 2
        tiers.append((and_(*[_has_word_starting(Ix.name_text, t, dialect) for t in tokens]), 3))
    tiers.append((_has_word_starting(Ix.search_words, phrase, dialect), 4))
    return case(*tiers, else_=5)


def _order(query: SearchQuery, dialect: str) -> list:
    name = [_c(Ix.sort_name, dialect), _c(Ix.instcode, dialect), _c(Ix.accenumb, dialect), Ix.accession_id]
    if query.sort == "relevance":
        return [_rank(query, dialect), *name]
    if query.sort == "accenumb":
        return [_c(Ix.instcode, dialect), _c(Ix.accenumb, dialect), Ix.accession_id]
    if query.sort == "newest":
        return [Ix.published_at.desc(), Ix.accession_id.desc()]
    return name


def _base(stmt, where: Where):
    """Searches read the index table alone, never the wide accession rows. On SQLite the full-text matches drive
    the join (one primary-key probe per match), which is much cheaper than `id IN (matches)`: that builds a
    temporary b-tree of every match first."""
    source = Ix if where.fts is None else _FTS.join(Ix, Ix.accession_id == _FTS.c.rowid)
    return stmt.select_from(source).where(*where.conds)


def _count(session: Session, where: Where) -> int:
    if where.fts_only:  # every row of the public FTS table is a published accession: no join needed
        return session.exec(select(func.count()).select_from(_FTS).where(*where.conds)).one()
    return session.exec(_base(select(func.count()), where)).one()


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
    counts = facet_counts(session, where) if facets else {}
    def ranked(*columns):
        return _base(select(*columns), where).order_by(*_order(query, dialect)).limit(query.limit).offset(query.offset)

    if facets:
        # Every result has exactly one category, so the category counts add up to the total: no count query.
        total = sum(n for _, n in counts["category"])
        ids = list(session.exec(ranked(Ix.accession_id))) if total else []
    elif where.fts is None and where.conds:
        # PostgreSQL's regular expressions (and SQLite's filters) read every candidate: count in the same pass
        # as the ranking instead of a second one; a page past the end still needs its own count.
        found = session.exec(ranked(Ix.accession_id, func.count().over())).all()
        ids = [i for i, _ in found]
        total = found[0][1] if found else (_count(session, where) if query.offset else 0)
    else:
        # SQLite counts a text search from FTS5 alone, which costs less than carrying a count through the ranking.
        total = _count(session, where)
        ids = list(session.exec(ranked(Ix.accession_id))) if total else []
    # The engine ranks ids only and the page's rows are read afterwards: its sorter carries one integer per
    # match instead of every column of every match.
    rows = {i: (n, ix) for i, n, ix in session.exec(
        select(Ix.accession_id, Ix.accenumb, Ix).where(Ix.accession_id.in_(ids)))} if ids else {}
    result = SearchResult(query=query, total=total, items=[summary(i, *rows[i]) for i in ids], facets=counts)
    if suggest and total == 0 and query_tokens(query.q):
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
    once per accession."""
    positions = [FACET_COLUMNS.index(f.column) for f in FACETS]
    counters = {f.name: Counter() for f in FACETS}
    for joined, n in session.exec(_base(select(Ix.facet_values, func.count()), where).group_by(Ix.facet_values)):
        stored = split_facet_values(joined)
        for facet, i in zip(FACETS, positions):
            for v in facet.values(stored[i]):
                counters[facet.name][v] += n
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))
            for name, c in counters.items()}


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
