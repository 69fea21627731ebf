"""What a search asks and what it answers: the query, its words and groups, the facets and the result."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import literal, literal_column

from genbank_registry.search.models import AccessionIndex as Ix
from schemas.search import AccessionSummaryPublic
from schemas.text import query_tokens

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
