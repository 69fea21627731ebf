"""`genbank-registry import survey`: the CSV template in, with errors a user can act on and safe re-runs."""
from __future__ import annotations

import csv
import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.db import make_engine
from genbank_registry.models import ImportBatch, SamplingEvent, SurveyOccurrence, Taxon
from importers import UnknownFormat, parse
from importers.survey_loader import load_rows
from schemas.surveys import TEMPLATE_COLUMNS, SurveyRow

runner = CliRunner()
EVENT = {"eventID": "EV-1", "eventDate": "17/03/2024", "locationID": "CT-917-02", "decimalLatitude": "10.1268",
         "decimalLongitude": "105.6332", "county": "quận Ô Môn", "municipality": "Thới An", "habitat": "canal",
         "samplingProtocol": "cast net", "sampleSizeValue": "2", "sampleSizeUnit": "hour"}


def write(path, rows, columns=TEMPLATE_COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=columns)
        out.writeheader()
        for row in rows:
            out.writerow({c: row.get(c, "") for c in columns})
    return path


def row(name, count, status="present", **event):
    return EVENT | event | {"scientificName": name, "individualCount": str(count), "occurrenceStatus": status}


@pytest.fixture
def cli(demo_url, monkeypatch):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", demo_url)
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


def test_import_then_rerun_changes_nothing(cli, tmp_path):
    path = write(tmp_path / "survey.csv", [
        row("Channa striata", 7), row("Orthosiphon stamineus", 3),  # a synonym in the catalogue
        row("Anabas testudineus", 0, "absent"), row("Trichopodus nonexistens", 2),  # unknown to the registry
        row("Channa striata", 4, eventID="EV-2", eventDate="2024-03-18")])
    first = runner.invoke(app, ["import", "survey", str(path)])
    assert first.exit_code == 0, first.output
    assert "added: 5, updated: 0, unchanged: 0, rejected: 0" in first.output
    assert "unverified" in first.output and "Trichopodus nonexistens" in first.output
    again = runner.invoke(app, ["import", "survey", str(path)])
    assert again.exit_code == 0 and "unchanged: 5" in again.output and "added: 0" in again.output
    with Session(cli) as s:
        events = s.exec(select(SamplingEvent).order_by(SamplingEvent.event_id)).all()
        assert [e.event_id for e in events] == ["EV-1", "EV-2"]
        assert events[0].district_code == "917" and events[0].year == 2024
        assert events[0].county == "quận Ô Môn" and events[0].admin_unit_recorded_on.isoformat() == "2024-03-17"
        occ = {o.scientific_name: o for o in s.exec(select(SurveyOccurrence).where(
            SurveyOccurrence.event_pk == events[0].id))}
        accepted = s.exec(select(Taxon).where(Taxon.scientific_name == "Orthosiphon aristatus")).one()
        assert occ["Orthosiphon stamineus"].taxon_id == accepted.id  # linked to the accepted name
        assert occ["Anabas testudineus"].individual_count == 0 and occ["Anabas testudineus"].occurrence_status == "absent"
        new = s.exec(select(Taxon).where(Taxon.scientific_name == "Trichopodus nonexistens")).one()
        assert new.verified is False
        batches = s.exec(select(ImportBatch).where(ImportBatch.format == "survey-csv").order_by(ImportBatch.id)).all()
        assert [(b.status, b.added, b.unchanged) for b in batches] == [("completed", 5, 0), ("completed", 0, 5)]
        assert batches[0].report["new_unverified_taxa"] == ["Anabas testudineus", "Trichopodus nonexistens"]
    # A corrected count is an update, and only that row changes.
    write(path, [row("Channa striata", 8), row("Orthosiphon stamineus", 3), row("Anabas testudineus", 0, "absent"),
                 row("Trichopodus nonexistens", 2), row("Channa striata", 4, eventID="EV-2", eventDate="2024-03-18")])
    third = runner.invoke(app, ["import", "survey", str(path)])
    assert "added: 0, updated: 1, unchanged: 4" in third.output


def test_bad_rows_are_reported_and_nothing_is_written(cli, tmp_path):
    path = write(tmp_path / "bad.csv", [
        row("Channa striata", 7),
        row("Channa micropeltes", "-3"),
        row("Anabas testudineus", 2, decimalLatitude="105.6", decimalLongitude="10.1"),
        row("Clarias batrachus", 4, status="maybe"),
        row("Oreochromis niloticus", 5, eventDate="2024-02-30", eventID="EV-9"),
        row("Monopterus albus", 1, county="Ninh Kiều"),  # the point is in Ô Môn
        row("Channa lucius", 2, habitat="river"),  # same event, different habitat
    ])
    result = runner.invoke(app, ["import", "survey", str(path)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "nothing was written" in out
    assert "bad.csv, line 3 (row 2), column individualCount: value '-3': individualCount '-3' must be a whole number" in out
    assert "line 4 (row 3), column decimalLatitude: value '105.6'" in out and "swapped" in out
    assert "line 5 (row 4), column occurrenceStatus: value 'maybe'" in out and "present or absent" in out
    assert "line 6 (row 5), column eventDate: value '2024-02-30'" in out and "YYYY-MM-DD" in out
    assert "line 7 (row 6)" in out and "lies outside Ninh Kiều" in out
    assert "line 8 (row 7), column habitat: value 'river'" in out and "line 2" in out
    with Session(cli) as s:
        assert s.exec(select(SamplingEvent)).all() == []
        batch = s.exec(select(ImportBatch).where(ImportBatch.format == "survey-csv")).one()
        assert batch.status == "failed" and batch.rejected == 6 and batch.added == 0
        problems = batch.report["problems"]
        assert {"file": "bad.csv", "row": 2, "line": 3, "column": "individualCount", "value": "-3"}.items() \
            <= problems[0].items()


def test_header_and_format_errors(cli, tmp_path):
    bad = write(tmp_path / "cols.csv", [row("Channa striata", 1)],
                columns=[c for c in TEMPLATE_COLUMNS if c != "eventDate"] + ["notes"])
    result = runner.invoke(app, ["import", "survey", str(bad)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "line 1 (header): missing columns eventDate; unknown columns notes" in out
    with pytest.raises(UnknownFormat, match="the registry reads: dwca, fasta, genbank, mcpd, survey-csv"):
        parse(bad, "excel")


def test_template_imports_as_is(cli, tmp_path):
    path = tmp_path / "template.csv"
    assert runner.invoke(app, ["report", "template", "--out", str(path)]).exit_code == 0
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(TEMPLATE_COLUMNS)
    result = runner.invoke(app, ["import", "survey", str(path)])
    assert result.exit_code == 0 and "added: 2" in result.output, result.output


def test_loader_takes_plain_rows(engine):
    """A Darwin Core Archive reader can hand SurveyRow objects to the same loader."""
    rows = [SurveyRow.model_validate(row("Channa striata", 3)), SurveyRow.model_validate(row("Wallago attu", 1))]
    result = load_rows(engine, rows, source="archive.zip", fmt="dwca")
    assert result.ok and result.counts["added"] == 2 and result.new_taxa == ["Channa striata", "Wallago attu"]
    assert json.loads(json.dumps(result.counts)) == {"added": 2}


def test_report_summary_follows_each_load(cli, tmp_path):
    """Loads refresh only the groups they touch; the result equals a full rebuild, also when an event moves."""
    from genbank_registry.models import SurveySummary
    from genbank_registry.surveys import reports as survey_reports

    ninh_kieu = {"eventID": "EV-2", "county": "Ninh Kiều", "decimalLatitude": "10.03", "decimalLongitude": "105.76",
                 "municipality": "An Bình"}
    path = write(tmp_path / "s.csv", [row("Channa striata", 7), row("Wallago attu", 2), row("Channa striata", 3, **ninh_kieu)])
    assert runner.invoke(app, ["import", "survey", str(path)]).exit_code == 0
    moved = {"county": "Bình Thủy", "decimalLatitude": "10.08", "decimalLongitude": "105.70"}
    write(path, [row("Channa striata", 7, **moved), row("Wallago attu", 2, **moved), row("Channa striata", 3, **ninh_kieu)])
    assert "updated: 2" in runner.invoke(app, ["import", "survey", str(path)]).output

    def snapshot(session):
        return sorted((r.grouping, r.group_key, r.year, r.taxon_id, r.individuals)
                      for r in session.exec(select(SurveySummary)))

    with Session(cli) as s:
        incremental = snapshot(s)
        survey_reports.refresh_summary(s)
        assert snapshot(s) == incremental
        report = survey_reports.diversity_report(s, "district")
        assert [(g.label, g.individuals) for g in report.groups] == [("Ninh Kiều", 3), ("Bình Thủy", 9)]
        assert not [r for r in incremental if r[1] == "917"]  # nothing left in Ô Môn
