"""The public search index: one row per published accession, built only from its public form.

Facets, result lists, sorting and the map read this table, so none of them can show what the public form
withholds (a category-1 record has no district here, a category-2 record no commune, points are generalised).
The full-text side lives on `accession.search_text` (FTS5 on SQLite, a trigram index on PostgreSQL; see the
0004_search migration).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel

import genbank_registry.base  # noqa: F401  (the constraint naming convention, before any table)

# What a SQLite search reads of each match, beside its id: the sort keys, the indexed facet columns and
# `facet_values`. Searches name it (`INDEXED BY`, search.query) so that a broad query reads this narrow
# index rather than the wide rows: a quarter of the pages, and half the time once the page cache is shared
# with other queries (migration 0013_search_tiers).
SEARCH_COLUMNS = ("accession_id", "sort_name", "instcode", "accenumb", "category", "district", "family", "sampstat",
                  "task_code", "taxon_id", "facet_values")
SEARCH_INDEX = "ix_accession_index_search"
# A category's rows in name order, so that a search within a category reads its first rows and stops
# (search.query._walk) instead of sorting the whole category.
NAME_ORDER_COLUMNS = ("category", "sort_name", "instcode", "accenumb", "accession_id")
NAME_ORDER_INDEX = "ix_accession_index_category_name"


class AccessionIndex(SQLModel, table=True):
    __tablename__ = "accession_index"
    __table_args__ = (Index(SEARCH_INDEX, *SEARCH_COLUMNS), Index(NAME_ORDER_INDEX, *NAME_ORDER_COLUMNS))
    accession_id: int = Field(foreign_key="accession.id", primary_key=True, ondelete="CASCADE")
    taxon_id: int | None = Field(default=None, index=True)
    # Copies of the accession's number and search words, so that ranking never reads the (wide) accession row.
    accenumb: str = Field(default="", max_length=60)
    search_words: str = Field(default="")
    # Names, as words (schemas.text.words) joined by " | ", the primary name first: ranking reads it.
    name_text: str = Field(default="")
    sort_name: str = Field(default="", max_length=300, index=True)
    name_vi: str | None = Field(default=None, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    scientific_name: str | None = Field(default=None, max_length=300)
    # Facet values. Multi-valued facets are stored as ";a;b;" so that one LIKE finds a value exactly.
    instcode: str = Field(max_length=16, index=True)
    category: str = Field(max_length=30, index=True)
    family: str | None = Field(default=None, max_length=80, index=True)
    district: str | None = Field(default=None, max_length=10, index=True)
    commune: str | None = Field(default=None, max_length=120)
    storage: str | None = Field(default=None, max_length=80)
    sampstat: int | None = Field(default=None, index=True)
    conservation: str | None = Field(default=None, max_length=300)
    task_code: str | None = Field(default=None, max_length=40, index=True)
    # Generalised point (or none) exactly as the public form gives it.
    latitude: float | None = None
    longitude: float | None = None
    colldate: str | None = Field(default=None, max_length=8)
    published_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True), index=True)
    # Every facet value above in one string (facet_values()), so that facet counts group by one column: grouping
    # by the nine columns took most of a broad search's time (migration 0009_search_speed).
    facet_values: str = Field(default="")


FACET_COLUMNS = ("category", "family", "district", "commune", "storage", "sampstat", "conservation", "task_code",
                 "instcode")
FACET_SEP, FACET_NONE = "\x1f", "\x1e"  # control characters no value holds


def facet_values(values: dict) -> str:
    """The facet columns of an index row as one string; split_facet_values() gives them back (None kept)."""
    return FACET_SEP.join(FACET_NONE if values.get(c) is None else str(values[c]) for c in FACET_COLUMNS)


def split_facet_values(joined: str) -> list[str | None]:
    return [None if v == FACET_NONE else v for v in joined.split(FACET_SEP)]
