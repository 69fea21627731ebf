"""Darwin Core survey records → `schemas.surveys.SurveyRow`s for the survey loader.

An Event core row with its Occurrence extension rows gives one SurveyRow per occurrence (the event's site,
date, effort and place; the occurrence's taxon, count and status). An Occurrence core observation
(HumanObservation, MachineObservation, …) is a survey occurrence only when it names its sampling event
(eventID and eventDate); otherwise there is no event to count it in and it is reported as not stored.
"""
from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from schemas.messages import N_
from schemas.standards import EventRow, OccurrenceRow
from schemas.surveys import SurveyRow

from .base import Parsed, Problem
from .survey_csv import _column, _message

_EVENT_TERMS = {"event_id": "eventID", "event_date": "eventDate", "location_id": "locationID",
                "decimal_latitude": "decimalLatitude", "decimal_longitude": "decimalLongitude",
                "county": "county", "municipality": "municipality", "habitat": "habitat",
                "sampling_protocol": "samplingProtocol", "sample_size_value": "sampleSizeValue",
                "sample_size_unit": "sampleSizeUnit"}
_OCCURRENCE_TERMS = {"scientific_name": "scientificName", "vernacular_name": "vernacularName",
                     "individual_count": "individualCount", "organism_quantity": "organismQuantity",
                     "organism_quantity_type": "organismQuantityType", "occurrence_status": "occurrenceStatus"}


def has_event(occ: OccurrenceRow) -> bool:
    return bool(occ.event_id and occ.event_date)


def _site(source) -> str | None:
    # A site needs an identifier; archives without locationID name it by locality (documented fallback).
    return source.location_id or source.locality


def _values(event, occ: OccurrenceRow) -> dict:
    values = {term: getattr(event, name) for name, term in _EVENT_TERMS.items()}
    values["locationID"] = _site(event)
    values.update({term: getattr(occ, name) for name, term in _OCCURRENCE_TERMS.items()})
    if not values["occurrenceStatus"]:
        # Darwin Core's default reading: a recorded occurrence is a presence unless its count says otherwise.
        values["occurrenceStatus"] = "absent" if occ.individual_count == 0 else "present"
    return values


def _parsed(file: str, row: int, occ: OccurrenceRow, values: dict) -> Parsed:
    line = occ.line or 0
    try:
        return Parsed(row, line, record=SurveyRow.model_validate(values))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            column = _column(err)
            message = _message(err)
            if column == "locationID":
                message = N_("required: give the event a locationID (or a locality) naming its survey site")
            problems.append(Problem(file, row, line, column, values.get(column), message))
        return Parsed(row, line, problems=problems)


def survey_rows(events: list[EventRow], observations: list[OccurrenceRow], file: str) -> Iterator[Parsed]:
    """Parsed survey rows, numbered in archive order; `file` is the data file the occurrences came from."""
    row = 0
    for event in events:
        for occ in event.occurrences:
            row += 1
            yield _parsed(file, row, occ, _values(event, occ))
    for occ in observations:
        if has_event(occ):
            row += 1
            yield _parsed(file, row, occ, _values(occ, occ))
