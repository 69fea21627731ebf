"""Survey tables: sampling events (Darwin Core Event core) and their occurrences (Occurrence extension)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.surveys import OccurrenceBase, SamplingEventBase

from genbank_registry.base import timestamp_field as _ts


class SamplingEvent(SamplingEventBase, table=True):
    __tablename__ = "sampling_event"
    id: int | None = Field(default=None, primary_key=True)
    import_batch_id: int | None = Field(default=None, foreign_key="import_batch.id", index=True)
    created_at: dt.datetime = _ts()


class SurveyOccurrence(OccurrenceBase, table=True):
    __tablename__ = "survey_occurrence"
    __table_args__ = (
        UniqueConstraint("event_pk", "scientific_name"),
        # The reports sum counts per taxon over the events of a group: (event, taxon, count) from the index.
        Index("ix_survey_occurrence_event_taxon_count", "event_pk", "taxon_id", "individual_count"),
    )
    id: int | None = Field(default=None, primary_key=True)
    event_pk: int = Field(foreign_key="sampling_event.id", ondelete="CASCADE")
    taxon_id: int = Field(foreign_key="taxon.id", index=True)


class SurveySummary(SQLModel, table=True):
    """Individuals per taxon per report group, rebuilt after every survey load (surveys.reports).

    A district report then reads groups × taxa rows instead of summing a million occurrences per request.
    `year` 0 holds the sum over all years. Aggregates only: no event, site or coordinate.
    """

    __tablename__ = "survey_summary"
    __table_args__ = (Index("ix_survey_summary_lookup", "grouping", "year", "group_key", "taxon_id", "individuals"),)
    id: int | None = Field(default=None, primary_key=True)
    grouping: str = Field(max_length=10)
    group_key: str = Field(max_length=250)
    year: int
    taxon_id: int = Field(foreign_key="taxon.id", index=True)
    individuals: int
