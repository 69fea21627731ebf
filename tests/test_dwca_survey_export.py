"""The Darwin Core export carries the registry's surveys: survey occurrences with their sampling events in
event.txt, sensitive taxa generalised; python-dwca-reader reads it and our importer takes the surveys back."""
from __future__ import annotations

import zipfile

from dwca.read import DwCAReader
from sqlmodel import Session, delete, select

from genbank_registry.db import make_engine
from genbank_registry.models import Institution
from genbank_registry.surveys.models import SamplingEvent, SurveyOccurrence, SurveySummary
from genbank_registry.standards import dwca_export
from genbank_registry.standards.mcpd_export import published_forms
from genbank_registry.catalogue.sensitivity import SensitivityResolver
from genbank_registry.surveys.export import public_survey_rows
from importers import dwca_loader

EVENT = "http://rs.tdwg.org/dwc/terms/Event"


def _survey_data(session):
    return {(e.event_id, o.scientific_name): (e.event_date, e.location_id, e.decimal_latitude, e.decimal_longitude,
                                              e.county, e.municipality, e.habitat, e.sampling_protocol,
                                              e.sample_size_value, e.sample_size_unit, o.individual_count,
                                              o.occurrence_status)
            for o, e in session.exec(select(SurveyOccurrence, SamplingEvent)
                                     .join(SamplingEvent, SurveyOccurrence.event_pk == SamplingEvent.id))}


def test_surveys_export_with_their_events_and_come_back(surveys_url, tmp_path):
    engine = make_engine(surveys_url)
    path = tmp_path / "registry.dwca.zip"
    # The demo survey nets a Decree 37 group I fish in every event; one event with ordinary fish only shows
    # that an event without sensitive taxa travels exactly.
    from importers.survey_loader import load_rows
    from schemas.surveys import SurveyRow
    assert load_rows(engine, [SurveyRow.model_validate({
        "eventID": "ORDINARY-1", "eventDate": "2024-02-01", "locationID": "Chợ Cái Răng", "decimalLatitude": 10.0,
        "decimalLongitude": 105.75, "habitat": "river", "samplingProtocol": "cast net", "sampleSizeValue": 1,
        "sampleSizeUnit": "hour", "scientificName": name, "individualCount": 3, "occurrenceStatus": "present"})
        for name in ("Channa striata", "Pangasianodon hypophthalmus")], source="ordinary.csv", fmt="survey-csv").ok
    with Session(engine) as s:
        forms = list(published_forms(s, None, None))
        surveys = list(public_survey_rows(s))
        resolver = SensitivityResolver(s)
        pairs = list(s.exec(select(SurveyOccurrence, SamplingEvent)
                            .join(SamplingEvent, SurveyOccurrence.event_pk == SamplingEvent.id)))
        # An event in which a sensitive taxon was seen is generalised as a whole, for every occurrence in it.
        sensitive_events = {e.event_id for o, e in pairs if resolver.taxon_category(o.taxon_id) is not None}
        sensitive = {(e.event_id, o.scientific_name): e for o, e in pairs if e.event_id in sensitive_events}
        before = _survey_data(s)
        dwca_export.write_archive(forms, s.exec(select(Institution)).all(), path, surveys=surveys)
    assert len(surveys) == len(before) > 100 and sensitive, "the demo survey has sensitive taxa"

    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["eml.xml", "event.txt", "measurementorfact.txt", "meta.xml", "occurrence.txt"]
        assert 'rowType="http://rs.tdwg.org/dwc/terms/Event"' in z.read("meta.xml").decode()
    with DwCAReader(str(path)) as archive:  # the reference reader: every survey occurrence has its event
        rows = list(archive)
        assert len(rows) == len(forms) + len(surveys)
        observed = [r for r in rows if r.data["http://rs.tdwg.org/dwc/terms/basisOfRecord"] == "HumanObservation"]
        assert len(observed) == len(surveys)
        assert all([e.rowtype for e in r.extensions] == [EVENT] for r in observed)

    # Sensitive taxa: no real event or site, coordinates generalised, and both said.
    exact = {(str(e.decimal_latitude), str(e.decimal_longitude)) for e in sensitive.values()}
    shown = [r for r in surveys if r["eventID"].startswith("generalised:")]
    assert len(shown) == len(sensitive)
    for r in shown:
        assert (str(r["decimalLatitude"]), str(r["decimalLongitude"])) not in exact
        assert r["informationWithheld"] and "Sampling event and site not identified" in r["informationWithheld"]
        assert r["decimalLatitude"] is None or "generalised to the centre" in r["dataGeneralizations"]

    with Session(engine) as s:  # the surveys come back from the archive alone
        for table in (SurveySummary, SurveyOccurrence, SamplingEvent):
            s.exec(delete(table))
        s.commit()
    result = dwca_loader.import_dwca(engine, path)
    assert result.errors == [] and result.written, result.errors[:3]
    with Session(engine) as s:
        after = _survey_data(s)
    kept = {k: v for k, v in before.items() if k not in sensitive}
    assert kept and {k: after[k] for k in kept} == kept
    assert len(after) == len(before)  # the sensitive ones too, under their generalised events
    again = dwca_loader.import_dwca(engine, path)
    assert again.added == 0 and again.updated == 0 and again.unchanged >= len(before)
