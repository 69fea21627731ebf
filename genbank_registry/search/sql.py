"""The search's conditions in each engine's SQL: FTS5 match expressions on SQLite, word-boundary regular
expressions on PostgreSQL, and the tests shared by both."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, column, func, not_, or_, table, text
from sqlmodel import Session

from genbank_registry.search.models import AccessionIndex as Ix
from genbank_registry.search.request import FACET_BY_NAME, PREFIX, WHOLE, SearchQuery, _terms, _unindexed
from schemas.text import query_tokens


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
    # Only published accessions have an index row: search.index builds it from the public form,
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

def _match(*expressions: str):
    """The public FTS5 table matching every one of `expressions`."""
    return text("accession_fts_public MATCH :fts").bindparams(fts=" AND ".join(f"({e})" for e in expressions))
