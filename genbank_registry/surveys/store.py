"""Writes survey data: sampling events and their occurrences, linked to taxa. Idempotent upserts.

`SurveyWriter.write(row)` takes one validated `schemas.surveys.SurveyRow` (from the CSV template, a Darwin
Core Archive or anything else) and answers "added", "updated" or "unchanged". Names are linked through
`catalogue.resolve_taxon` (accepted names and synonyms); a name the registry does not know becomes an
unverified taxon (verified=False) and is listed in `new_taxa` so the loader can report it.
"""
from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session, select

from schemas import codes
from schemas.surveys import SurveyRow

from genbank_registry.errors import InvalidRecord
from genbank_registry.models import SamplingEvent, SurveyOccurrence, Taxon
from genbank_registry.catalogue import records as catalogue
from genbank_registry.catalogue.records import Outcome
from genbank_registry.surveys.reports import python_keys

# Event fields that must agree on every row of one event within a file.
_EVENT_FIELDS = ("event_date", "location_id", "decimal_latitude", "decimal_longitude", "county", "municipality",
                 "habitat", "sampling_protocol", "sample_size_value", "sample_size_unit")
_DWC = {"event_date": "eventDate", "location_id": "locationID", "decimal_latitude": "decimalLatitude",
        "decimal_longitude": "decimalLongitude", "county": "county", "municipality": "municipality",
        "habitat": "habitat", "sampling_protocol": "samplingProtocol", "sample_size_value": "sampleSizeValue",
        "sample_size_unit": "sampleSizeUnit"}


def _rank_for(name: str) -> str:
    return codes.TaxonRank.GENUS if len(name.split()) == 1 else codes.TaxonRank.SPECIES


class SurveyWriter:
    """Writes rows of one load; remembers events, occurrences and taxa it has seen (one per load)."""

    def __init__(self, session: Session, import_batch_id: int | None = None):
        self.session = session
        self.import_batch_id = import_batch_id
        self.new_taxa: list[str] = []
        self._taxa: dict[str, int] = {}
        self._events: dict[str, tuple[SamplingEvent, Outcome, str]] = {}  # event_id -> (event, outcome, where)
        self._occurrences: dict[int, dict[str, SurveyOccurrence]] = {}
        self._seen_rows: dict[tuple[str, str], str] = {}
        self._pending: list[dict] = []  # new occurrences, inserted in bulk by flush()
        self.changed_events: set[int] = set()  # events whose fields or occurrences this load changed
        self.old_keys: dict[str, set[str]] = {}  # report groups that updated events were in before

    def taxon_id(self, name: str) -> int:
        if name not in self._taxa:
            taxon = catalogue.resolve_taxon(self.session, name)
            if taxon is None:
                taxon, _ = catalogue.upsert_taxon(self.session, {"scientific_name": name, "rank": _rank_for(name),
                                                                 "verified": False})
                self.new_taxa.append(taxon.scientific_name)
            self._taxa[name] = taxon.id
        return self._taxa[name]

    def _event(self, row: SurveyRow, where: str) -> tuple[SamplingEvent, Outcome]:
        values = row.event()
        if row.event_id in self._events:
            event, outcome, first = self._events[row.event_id]
            problems = [(_DWC[k], values[k], f"eventID {row.event_id} has {getattr(event, k)!r} at {first}; "
                                             f"every row of one event must agree")
                        for k in _EVENT_FIELDS if getattr(event, k) != values[k]]
            if problems:
                raise InvalidRecord(f"event {row.event_id}", problems)
            return event, outcome
        event = self.session.exec(select(SamplingEvent).where(SamplingEvent.event_id == row.event_id)).first()
        if event is None:
            event, outcome = SamplingEvent(**values, import_batch_id=self.import_batch_id), "added"
            self.session.add(event)
            self.session.flush()
            self._occurrences[event.id] = {}
        else:
            before = python_keys(event)
            outcome = "updated" if catalogue._apply(event, values) else "unchanged"
            if outcome == "updated":
                for grouping, key in before.items():
                    self.old_keys.setdefault(grouping, set()).add(key)
            if outcome == "updated":
                event.import_batch_id = self.import_batch_id
                self.session.add(event)
            self._occurrences[event.id] = {o.scientific_name: o for o in self.session.exec(
                select(SurveyOccurrence).where(SurveyOccurrence.event_pk == event.id))}
        self._events[row.event_id] = (event, outcome, where)
        return event, outcome

    def write(self, row: SurveyRow, where: str = "") -> Outcome:
        outcome = self._write(row, where)
        if outcome != "unchanged":
            self.changed_events.add(self._events[row.event_id][0].id)
        return outcome

    def _write(self, row: SurveyRow, where: str) -> Outcome:
        """Upsert one row; `where` (e.g. "line 12") names it in messages about later rows."""
        key = (row.event_id, row.scientific_name)
        if key in self._seen_rows:
            raise InvalidRecord(f"event {row.event_id}", [("scientificName", row.scientific_name,
                                f"listed twice in this event (first at {self._seen_rows[key]}); add the counts "
                                f"into one row")])
        event, event_outcome = self._event(row, where)
        values = row.occurrence() | {"taxon_id": self.taxon_id(row.scientific_name)}
        self._seen_rows[key] = where
        existing = self._occurrences[event.id].get(row.scientific_name)
        if existing is None:
            # New rows skip the ORM: a survey adds thousands, and validation already happened in SurveyRow.
            self._pending.append({"event_pk": event.id, **values})
            if len(self._pending) >= 5000:
                self.flush()
            return "added"
        if catalogue._apply(existing, values):
            self.session.add(existing)
            return "updated"
        # A changed event makes each of its rows "updated" once, so re-runs report unchanged: N exactly.
        return "updated" if event_outcome == "updated" else "unchanged"


    def flush(self) -> None:
        """Insert the new occurrences; call before committing."""
        if self._pending:
            self.session.execute(insert(SurveyOccurrence), self._pending)
            self._pending = []
        self.session.flush()


def unverified_taxa(session: Session) -> list[Taxon]:
    return list(session.exec(select(Taxon).where(Taxon.verified == False).order_by(Taxon.scientific_name)))  # noqa: E712


def has_surveys(session: Session) -> bool:
    return session.exec(select(SamplingEvent.id).limit(1)).first() is not None
