"""Darwin Core Archive import: python-dwca-reader does the reading (meta.xml honoured); every broken archive
from its test suite is refused or partly taken with its own message; specimens become accessions."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.db import make_engine
from genbank_registry.models import Accession, Characterization, ImportBatch
from importers import dwca_loader
from importers.dwca import ArchiveError, DwcaReader
from schemas.standards import EventRow
from tests.conftest import FIXTURES
from tests.factories import base_catalogue

DWCA = FIXTURES / "dwca"

REFUSED = {
    "dwca-invalid-simple-two.zip": "no meta.xml, and the archive holds several files (0008333-160118175350007.csv, "
                                   "random_file)",
    "dwca-invalid-simple-toomuch.zip": "no meta.xml, and the archive holds several files "
                                       "(0008333-160118175350007.csv, EML.xml, random_file)",
    "dwca-malformed-descriptor": "meta.xml is malformed: it describes a field at index 234 but the rows of its data "
                                 "file have fewer columns",
    "dwca-missing-extension-details": "meta.xml declares an <extension> without <files><location>",
    "dwca-orphaned-rows.zip": "the core is Taxon (e.g. a checklist); the registry imports archives whose core is "
                              "Occurrence (specimens, observations) or Event (surveys). It also has orphaned extension"
                              " rows: 3 row(s) of description.txt refer to core ids that do not exist (5, 6; line(s) "
                              "5, 6, 7)",
    "dwca-star-test-archive.zip": "the core is Taxon",
    "own-wrong-encoding": "occurrence.txt line 2 is not utf-8 as meta.xml declares (byte 0xe1); save the file as "
                          "utf-8, or declare its real encoding",
    "no-such-archive.zip": "no such file or directory",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_broken_archives_are_refused_with_their_own_message(name):
    with pytest.raises(ArchiveError) as err:
        with DwcaReader(DWCA / name) as archive:
            list(archive)
    assert str(err.value).startswith(f"{name}: ")
    assert REFUSED[name] in str(err.value)


def _read(name):
    with DwcaReader(DWCA / name) as archive:
        return list(archive), archive.problems, archive.title


def test_partly_taken_archives_say_what_was_left_out():
    rows, problems, title = _read("dwca-invalid-lacks-metadata")
    assert len(rows) == 2 and title is None
    assert problems[0].severity == "warning" and "metadata file eml.xml, which is not in the archive" in problems[0].problem
    rows, problems, _ = _read("dwca-simple-csv.zip")
    assert len(rows) == 3 and "no meta.xml: the single data file was read" in problems[0].problem
    events, problems, title = _read("own-event-survey")
    assert title == "Khảo sát cá sông Hậu (test fixture)"
    assert [p.problem for p in problems] == [
        "1 row(s) of occurrence.csv refer to core ids that do not exist (CT-2024-E9; line(s) 5): left out"]


def test_meta_xml_is_honoured_headers_defaults_quotes_encodings():
    for name in ("dwca-noheaders-1.zip", "dwca-noheaders-2.zip", "dwca-simple-test-archive.zip"):
        rows, problems, _ = _read(name)
        assert [r.scientific_name for r in rows] == ["tetraodon fluviatilis", "betta splendens"] and not problems
    rows, _, _ = _read("dwca-test-default.zip")  # the country is only a default in meta.xml
    assert [r.country for r in rows] == ["Belgium", "Belgium"]
    rows, _, _ = _read("dwca-partial-default.zip")  # the default fills empty cells only
    assert [r.country for r in rows] == ["France", "Belgium"]
    rows, _, title = _read("dwca-metadata-windows1252-encoding")  # eml.xml in windows-1252, declared
    assert len(rows) == 4 and title == "simple-test-archive"
    rows, _, title = _read("gbif-results.zip")  # a real GBIF download: observations and specimens
    assert len(rows) == 158 and title.startswith("GBIF Occurrence Download")
    assert all(r.decimal_latitude is None or -90 <= r.decimal_latitude <= 90 for r in rows)


def test_event_core_with_occurrence_extension_parses_into_row_objects():
    events, _, _ = _read("own-event-survey")
    assert all(isinstance(e, EventRow) for e in events)
    first = events[0]
    assert (first.event_id, first.event_date, first.sample_size_value, first.sample_size_unit) == (
        "CT-2024-E1", "2024-03-12", 500.0, "metre")
    assert first.sampling_protocol == "transect, 500 m" and first.locality == "Bến Ninh Kiều, sông Hậu"
    assert first.country_code == "VN"  # a default in meta.xml
    assert [(o.scientific_name, o.individual_count, o.occurrence_status) for o in first.occurrences] == [
        ("Pangasianodon hypophthalmus", 12, "present"), ("Channa striata", 0, "absent")]
    assert first.measurements[0].measurement_type == "water temperature"
    assert [len(e.occurrences) for e in events] == [2, 1]


SPECIMENS = """occurrenceID\tbasisOfRecord\tinstitutionCode\tcatalogNumber\tscientificName\teventDate\tdecimalLatitude\tdecimalLongitude\tcountryCode\trecordedBy
urn:1\tLivingSpecimen\tTST\tDW-1\tPolyscias fruticosa\t2023-05\t10.05\t105.75\tVN\tNguyễn Văn A
urn:2\tPreservedSpecimen\tTST\tDW-2\tPolyscias fruticosaa\t2023-05-17\t\t\tVN\t
urn:3\tHumanObservation\t\t\tChanna striata\t2023-05-17\t10.1\t105.7\tVN\t
urn:4\tMaterialSample\tNOPE\tDW-4\tPolyscias fruticosa\t2023\t\t\tVN\t
"""
META = """<archive xmlns="http://rs.tdwg.org/dwc/text/">
  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
""" + "\n".join(f'    <field index="{i}" term="http://rs.tdwg.org/dwc/terms/{t}"/>' for i, t in enumerate(
    SPECIMENS.splitlines()[0].split("\t"))) + """
  </core>
  <extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="http://rs.tdwg.org/dwc/terms/MeasurementOrFact">
    <files><location>mof.txt</location></files>
    <coreid index="0"/>
    <field index="1" term="http://rs.tdwg.org/dwc/terms/measurementType"/>
    <field index="2" term="http://rs.tdwg.org/dwc/terms/measurementValue"/>
    <field index="3" term="http://rs.tdwg.org/dwc/terms/measurementUnit"/>
  </extension>
</archive>"""


def test_specimens_become_draft_accessions_with_characterization(engine, session, tmp_path):
    base_catalogue(session)
    folder = tmp_path / "specimens"
    folder.mkdir()
    (folder / "meta.xml").write_text(META, encoding="utf-8")
    (folder / "occurrence.txt").write_text(SPECIMENS, encoding="utf-8")
    (folder / "mof.txt").write_text("id\ttype\tvalue\tunit\nurn:1\tplant height\t85\tcm\n", encoding="utf-8")
    result = dwca_loader.import_dwca(engine, folder)
    assert (result.added, result.rejected) == (1, 2)
    assert [(p.row, p.column) for p in result.problems] == [(3, "taxon_name"), (5, "occurrence")]
    assert "not in the registry" in result.problems[1].problem
    assert len(result.parsed["observations"]) == 1 and "1 observations" in result.notes[0]
    with Session(engine) as s:
        acc = s.exec(select(Accession)).one()
        assert (acc.accenumb, acc.colldate, acc.publication_status, acc.collector_names) == (
            "DW-1", "202305--", "draft", "Nguyễn Văn A")
        assert acc.category == "medicinal_plant" or acc.category == "other"
        chars = s.exec(select(Characterization)).all()
        assert [(c.descriptor, c.value, c.unit) for c in chars] == [("plant height", "85", "cm")]
        assert s.exec(select(ImportBatch).where(ImportBatch.format == "dwca")).one().added == 1
    again = dwca_loader.import_dwca(engine, folder)
    assert (again.added, again.unchanged) == (0, 1)


def test_cli_import_and_export_dwca(demo_url, monkeypatch, tmp_path):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", demo_url)
    runner = CliRunner()
    out = tmp_path / "demo.zip"
    exported = runner.invoke(app, ["export", "dwca", "--out", str(out), "--category", "aquatic"])
    assert exported.exit_code == 0, exported.output
    again = runner.invoke(app, ["import", "dwca", str(out)])
    assert again.exit_code == 0, again.output
    # The export is generalised: re-importing it into its own registry must not overwrite the exact data.
    assert "added: 0, updated: 0" in again.output and "skipped: " in again.output and "rejected: 0" in again.output
    with Session(make_engine(demo_url)) as s:
        assert s.exec(select(Accession).where(Accession.accenumb == "TS-0007")).first().declatitude is not None
    broken = runner.invoke(app, ["import", "dwca", str(DWCA / "dwca-malformed-descriptor")])
    assert broken.exit_code == 1 and "field at index 234" in broken.output
    mcpd = tmp_path / "demo.csv"
    assert runner.invoke(app, ["export", "mcpd", "--out", str(mcpd), "--institution", "CTU"]).exit_code == 0
    assert all(",CTU," in line for line in mcpd.read_text(encoding="utf-8-sig").splitlines()[1:])
