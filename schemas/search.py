"""What a catalogue search answers: one summary per result, facet values and the page."""
from __future__ import annotations

from sqlmodel import Field, SQLModel


class AccessionSummaryPublic(SQLModel):
    """One search result: built from the public search index, itself built from the public form."""

    id: int
    instcode: str
    accenumb: str
    name_vi: str | None = None
    name_en: str | None = None
    scientific_name: str | None = None
    family: str | None = None
    category: str
    district_code: str | None = Field(default=None, description="withheld (null) for category-1 taxa")
    commune: str | None = None
    sampstat: int | None = None
    storage: list[int] = []
    conservation: list[str] = Field(default=[], description="'scheme:code' of the taxon's assessments")
    task_code: str | None = None
    declatitude: float | None = Field(default=None, description="generalised for sensitive taxa")
    declongitude: float | None = None
    colldate: str | None = None


class FacetValuePublic(SQLModel):
    value: str | None = Field(description="null: not given, or withheld for a sensitive taxon")
    count: int


class AccessionSearchPublic(SQLModel):
    total: int = Field(description="every match: whole_word_total + prefix_total")
    whole_word_total: int = Field(default=0, description="matches holding every query word as a whole word; "
                                  "listed first when sorted by relevance (all of them without a query)")
    prefix_total: int = Field(default=0, description="further matches where a query word (3 letters or more) "
                              "only begins a word: 'xoai' finding 'xoài' is whole, 'tra' finding 'trắng' a prefix")
    limit: int
    offset: int
    items: list[AccessionSummaryPublic]
    facets: dict[str, list[FacetValuePublic]] = {}
    suggestions: list[str] = []
