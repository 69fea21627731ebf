"""Darwin Core survey archives reach the survey tables and the diversity report; refused files are recorded
as failed import batches; bulk passport imports leave an audit trail naming their batch."""
from __future__ import annotations

import shutil

import pytest
from sqlmodel import Session, select

from genbank_registry.models import Accession, ImportBatch
from genbank_registry.accounts.models import AuditEvent
from genbank_registry.surveys.models import SamplingEvent, SurveyOccurrence
from genbank_registry.surveys import reports as survey_reports
from importers import dwca_loader, loader
from importers.dwca import ArchiveError
from importers.tables import TableError
from tests.conftest import FIXTURES
from tests.factories import base_catalogue

DWCA = FIXTURES / "dwca"

OBSERVATIONS = (
    "occurrenceID\tbasisOfRecord\teventID\teventDate\tlocationID\tcounty\tsamplingProtocol\tscientificName\t"
    "individualCount\toccurrenceStatus\n"
    "o1\tHumanObservation\tEV-1\t2024-05-02\tCT-S1\tÔ Môn\tcast net\tChanna striata\t4\tpresent\n"
    "o2\tMachineObservation\tEV-1\t2024-05-02\tCT-S1\tÔ Môn\tcast net\tWallago attu\t1\tpresent\n"
    "o3\tHumanObservation\t\t\t\t\t\tAnabas testudineus\t2\tpresent\n")


def _occurrence_archive(folder, text):
    folder.mkdir()
    header = text.splitlines()[0].split("\t")
    fields = "\n".join(f'    <field index="{i}" term="http://rs.tdwg.org/dwc/terms/{t}"/>' for i, t in enumerate(header))
    (folder / "meta.xml").write_text(
        '<archive xmlns="http://rs.tdwg.org/dwc/text/">\n  <core encoding="UTF-8" fieldsTerminatedBy="\\t" '
        'linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" '
        'rowType="http://rs.tdwg.org/dwc/terms/Occurrence">\n    <files><location>occurrence.txt</location></files>\n'
        f'    <id index="0"/>\n{fields}\n  </core>\n</archive>', encoding="utf-8")
    (folder / "occurrence.txt").write_text(text, encoding="utf-8")
    return folder


def test_event_core_archive_feeds_the_survey_tables_and_report(engine):
    result = dwca_loader.import_dwca(engine, DWCA / "own-event-survey")
    assert result.written and (result.added, result.rejected) == (3, 0), result.problems
    assert any("stored as survey data" in n for n in result.notes)
    with Session(engine) as s:
        events = {e.event_id: e for e in s.exec(select(SamplingEvent))}
        assert set(events) == {"CT-2024-E1", "CT-2024-E2"}
        # No locationID in the archive: the site is named by its locality.
        assert events["CT-2024-E1"].location_id == "Bến Ninh Kiều, sông Hậu"
        assert len(s.exec(select(SurveyOccurrence)).all()) == 3
        batch = s.exec(select(ImportBatch).where(ImportBatch.format == "dwca")).one()
        assert (batch.status, batch.added) == ("completed", 3)
        report = survey_reports.diversity_report(s, by="site")
        assert {g.label for g in report.groups} >= {"Bến Ninh Kiều, sông Hậu", "Ô Môn"}
        assert sum(g.individuals for g in report.groups) == 15
    again = dwca_loader.import_dwca(engine, DWCA / "own-event-survey")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert "unchanged: 3" in loader.summary(again)


def test_bad_survey_occurrence_is_reported_and_nothing_is_stored(engine, tmp_path):
    folder = tmp_path / "survey"
    shutil.copytree(DWCA / "own-event-survey", folder)
    occ = folder / "occurrence.csv"
    occ.write_text(occ.read_text(encoding="utf-8").replace("Channa striata,3", ",3"), encoding="utf-8")
    result = dwca_loader.import_dwca(engine, folder)
    assert not result.written and result.status == "failed"
    [problem] = result.errors
    assert (problem.row, problem.column) == (4, "occurrence.csv:scientificName")
    assert "import it again" in problem.suggestion
    with Session(engine) as s:
        assert s.exec(select(SurveyOccurrence)).all() == []
        batch = s.exec(select(ImportBatch)).one()
        assert batch.status == "failed" and "occurrence.csv:scientificName" in [
            p["column"] for p in batch.report["problems"]]


def test_observations_with_an_event_become_survey_data(engine, tmp_path):
    result = dwca_loader.import_dwca(engine, _occurrence_archive(tmp_path / "obs", OBSERVATIONS))
    assert result.written and result.added == 2
    assert result.notes[0].startswith("1 observations were not stored: they name no sampling event")
    with Session(engine) as s:
        event = s.exec(select(SamplingEvent)).one()
        assert (event.event_id, event.location_id, event.county) == ("EV-1", "CT-S1", "Ô Môn")


def test_refused_files_are_recorded_as_failed_batches(engine, tmp_path):
    with pytest.raises(ArchiveError, match="field at index 234"):
        dwca_loader.import_dwca(engine, DWCA / "dwca-malformed-descriptor")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(TableError):
        loader.import_mcpd(engine, empty)
    with Session(engine) as s:
        batches = {b.format: b for b in s.exec(select(ImportBatch))}
        assert set(batches) == {"dwca", "mcpd"}
        assert batches["dwca"].status == "failed" and "field at index 234" in batches["dwca"].message
        assert batches["mcpd"].status == "failed" and "empty.csv is empty" in batches["mcpd"].message


PASSPORT = ("INSTCODE,ACCENUMB,GENUS,SPECIES,SAMPSTAT,COLLDATE,DECLATITUDE,DECLONGITUDE,CATEGORY\n"
            "TST,A-1,Pangasianodon,hypophthalmus,300,20230517,10.12,105.65,aquatic\n"
            "TST,A-2,Polyscias,fruticosa,300,202305--,,,medicinal_plant\n")


def test_bulk_passport_import_is_on_the_audit_trail(engine, session, tmp_path):
    base_catalogue(session)
    path = tmp_path / "passport.csv"
    path.write_text(PASSPORT, encoding="utf-8")
    first = loader.import_mcpd(engine, path, loader.ImportOptions(created_by="lan"))
    assert first.added == 2
    path.write_text(PASSPORT.replace("20230517", "20230518"), encoding="utf-8")
    second = loader.import_mcpd(engine, path, loader.ImportOptions(created_by="minh", on_duplicate="update"))
    assert (second.updated, second.unchanged) == (1, 1)
    with Session(engine) as s:
        ids = {a.accenumb: a.id for a in s.exec(select(Accession))}
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.actor, e.via, e.batch_id, e.action, e.entity_id) for e in events] == [
            ("lan", "import", first.batch_id, "create", ids["A-1"]),
            ("lan", "import", first.batch_id, "create", ids["A-2"]),
            ("minh", "import", second.batch_id, "update", ids["A-1"])]
        assert events[0].changes["accenumb"] == [None, "A-1"] and events[0].changes["colldate"] == [None, "20230517"]
        assert "donorname" not in events[0].changes  # only the fields written
        assert events[2].changes == {"colldate": ["20230517", "20230518"]}
        assert s.get(ImportBatch, first.batch_id).status == "completed"
