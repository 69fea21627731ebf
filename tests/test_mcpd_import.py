"""MCPD passport import: a curator's spreadsheet with mistakes gets a report they can fix from; good files load
once, re-running changes nothing, a dry run writes nothing, a file with errors imports nothing by default."""
from __future__ import annotations

import csv
import shutil
import unicodedata

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.models import Accession, ImportBatch, Taxon
from importers import loader
from importers.base import UnknownFormat
from importers.formats import parse
from importers.mcpd import dms_to_decimal
from importers.tables import TableError
from tests.conftest import FIXTURES
from tests.factories import base_catalogue

MISTAKES = FIXTURES / "mcpd" / "mistakes.csv"
GOOD = ("INSTCODE,ACCENUMB,GENUS,SPECIES,SAMPSTAT,COLLSRC,STORAGE,COLLDATE,DECLATITUDE,DECLONGITUDE,CATEGORY\n"
        "TST,G-1,Pangasianodon,hypophthalmus,300,15,12;13,20230517,10.12,105.65,aquatic\n"
        "TST,G-2,Polyscias,fruticosa,300,23,20,202305--,,,medicinal_plant\n")


@pytest.fixture
def registry(engine, session):
    base_catalogue(session)
    return engine


def _accessions(engine):
    with Session(engine) as s:
        return {a.accenumb: a for a in s.exec(select(Accession))}


def _write(tmp_path, text, name="passport.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def _cp1258(text: str) -> bytes:
    """Vietnamese as old Windows programs save it: base letters precomposed, the five tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_mistakes_give_the_golden_report_and_import_nothing(registry, tmp_path):
    result = loader.import_mcpd(registry, MISTAKES)
    report = tmp_path / "report.csv"
    loader.write_report_csv(result.problems, report)
    assert report.read_text(encoding="utf-8-sig") == (FIXTURES / "mcpd" / "mistakes.report.csv").read_text(
        encoding="utf-8-sig")
    assert not result.written and result.status == "aborted" and _accessions(registry) == {}
    with Session(registry) as s:
        batch = s.exec(select(ImportBatch).where(ImportBatch.format == "mcpd")).one()
    assert batch.status == "aborted" and batch.rejected == 8 and len(batch.report["problems"]) == 15


def test_on_error_skip_stores_the_good_rows(registry):
    result = loader.import_mcpd(registry, MISTAKES, loader.ImportOptions(on_error="skip"))
    stored = _accessions(registry)
    # M-001 (good), M-008 (outside Viet Nam: a warning) and M-010 (a synonym: filed under the accepted name).
    assert set(stored) == {"M-001", "M-008", "M-010"} and result.added == 3 and result.rejected == 8
    assert stored["M-001"].remarks == "đúng" and stored["M-001"].storage == "12;13"
    assert stored["M-001"].publication_status == "draft"
    with Session(registry) as s:
        assert s.get(Taxon, stored["M-010"].taxon_id).scientific_name == "Pangasianodon gigas"
    # The category column was empty for the synonym: inferred, never left out.
    assert stored["M-010"].category in ("aquatic", "other")


def test_rerun_is_unchanged_and_dry_run_writes_nothing(registry, tmp_path):
    path = _write(tmp_path, GOOD)
    dry = loader.import_mcpd(registry, path, loader.ImportOptions(dry_run=True))
    assert dry.added == 2 and not dry.written and _accessions(registry) == {}
    first = loader.import_mcpd(registry, path)
    assert (first.added, first.unchanged, first.status) == (2, 0, "completed")
    again = loader.import_mcpd(registry, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert "unchanged: 2" in loader.summary(again)
    acc = _accessions(registry)["G-1"]
    assert acc.search_text and "ca tra" in acc.search_text  # vernacular names found through the taxon
    assert acc.created_at.year >= 2025 and acc.historic is False and acc.sampstat == 300


def test_on_duplicate_skip_update_fail(registry, tmp_path):
    loader.import_mcpd(registry, _write(tmp_path, GOOD))
    changed = _write(tmp_path, GOOD.replace("12;13", "13"), "changed.csv")
    skipped = loader.import_mcpd(registry, changed)
    assert skipped.skipped == 1 and skipped.unchanged == 1 and _accessions(registry)["G-1"].storage == "12;13"
    failed = loader.import_mcpd(registry, changed, loader.ImportOptions(on_duplicate="fail"))
    assert not failed.written and "STORAGE: '12;13' → '13'" in failed.errors[0].problem
    updated = loader.import_mcpd(registry, changed, loader.ImportOptions(on_duplicate="update"))
    assert updated.updated == 1 and _accessions(registry)["G-1"].storage == "13"


def test_update_never_touches_columns_the_file_lacks(registry, session, tmp_path):
    loader.import_mcpd(registry, _write(tmp_path, GOOD))
    acc = session.exec(select(Accession).where(Accession.accenumb == "G-1")).one()
    acc.private_remarks, acc.collector_names = "mật", "Phạm Minh Khoa"
    session.add(acc)
    session.commit()
    only_site = _write(tmp_path, "INSTCODE,ACCENUMB,COLLSITE\nTST,G-1,Ao cá\n", "site.csv")
    result = loader.import_mcpd(registry, only_site, loader.ImportOptions(on_duplicate="update"))
    assert result.updated == 1
    after = _accessions(registry)["G-1"]
    assert (after.collsite, after.private_remarks, after.collector_names, after.storage) == (
        "Ao cá", "mật", "Phạm Minh Khoa", "12;13")


def test_vietnamese_headers_windows_encoding_semicolons_and_institution_option(registry, tmp_path):
    text = ("Số đăng ký;Chi;Loài;Tình trạng sinh học;Ngày thu thập;Vĩ độ (độ phút giây);Kinh độ (độ phút giây);"
            "Nhóm nguồn gen\nV-1;Polyscias;fruticosa;300;20230517;100712N;1053900E;Cây thuốc\n")
    path = _write(tmp_path, text, encoding="cp1258")
    result = loader.import_mcpd(registry, path, loader.ImportOptions(institution="TST"))
    assert result.errors == [] and result.added == 1
    acc = _accessions(registry)["V-1"]
    assert (acc.declatitude, acc.declongitude, acc.category) == (10.12, 105.65, "medicinal_plant")
    missing = loader.import_mcpd(registry, _write(tmp_path, "ACCENUMB\nX-1\n", "noinst.csv"))
    assert any(p.column == "INSTCODE" and "--institution" in p.suggestion for p in missing.errors)


def test_xlsx_import_and_template(registry, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["INSTCODE", "ACCENUMB", "GENUS", "SPECIES", "SAMPSTAT", "COLLDATE", "ELEVATION", "CATEGORY"])
    ws.append(["TST", "X-1", "Polyscias", "fruticosa", 300, 20230517, 2.0, "medicinal_plant"])
    path = tmp_path / "passport.xlsx"
    wb.save(path)
    result = loader.import_mcpd(registry, path)
    assert result.errors == [] and result.added == 1
    acc = _accessions(registry)["X-1"]
    assert (acc.sampstat, acc.colldate, acc.elevation) == (300, "20230517", 2.0)

    runner = CliRunner()
    template = tmp_path / "template.xlsx"
    assert runner.invoke(app, ["export", "mcpd-template", "--out", str(template)]).exit_code == 0
    book = load_workbook(template, read_only=True)
    assert book.sheetnames == ["MCPD", "Codes"]
    header = next(book["MCPD"].iter_rows(values_only=True))
    assert header[:3] == ("PUID", "INSTCODE", "ACCENUMB") and "CATEGORY" in header
    codes_rows = list(book["Codes"].iter_rows(values_only=True))
    assert ("SAMPSTAT", "300", "Giống địa phương", "Traditional cultivar/landrace") in codes_rows
    csv_template = tmp_path / "template.csv"
    assert runner.invoke(app, ["export", "mcpd-template", "--out", str(csv_template)]).exit_code == 0
    assert next(csv.reader(open(csv_template, encoding="utf-8-sig")))[2] == "ACCENUMB"


def test_cli_import_prints_and_writes_the_report(registry, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", db_url)
    path = tmp_path / "mistakes.csv"
    shutil.copy(MISTAKES, path)
    runner = CliRunner()
    result = runner.invoke(app, ["import", "mcpd", str(path)])
    assert result.exit_code == 1
    # The table on screen wraps to the terminal; its rows are the report file's.
    assert "Báo cáo / report: mistakes.csv" in result.output and "GENUS+SPECIES" in result.output
    assert "12 errors: nothing imported" in result.output
    rows = list(csv.DictReader(open(tmp_path / "mistakes.report.csv", encoding="utf-8-sig")))
    assert rows[1] == {"row": "3", "column": "GENUS+SPECIES", "value": "Pangasianodon hypophtalmus",
                       "problem": "no accepted name or synonym in the registry",
                       "suggestion": "did you mean Pangasianodon hypophthalmus?", "severity": "error"}
    good = _write(tmp_path, GOOD, "good.csv")
    ok = runner.invoke(app, ["import", "mcpd", str(good), "--report", str(tmp_path / "r.csv")])
    assert ok.exit_code == 0 and "added: 2" in ok.output
    again = runner.invoke(app, ["import", "mcpd", str(good), "--report", str(tmp_path / "r.csv")])
    assert "unchanged: 2" in again.output
    dry = runner.invoke(app, ["import", "mcpd", str(path), "--dry-run", "--on-error", "skip"])
    assert dry.exit_code == 0 and "dry run" in dry.output


def test_unreadable_files_are_clear_errors(tmp_path):
    with pytest.raises(TableError, match="no ACCENUMB column"):
        list(parse(_write(tmp_path, "NAME,COLOUR\na,b\n"), "mcpd"))
    fake = tmp_path / "book.csv"
    fake.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(TableError, match="rename it to .xlsx"):
        list(parse(fake, "mcpd"))
    with pytest.raises(UnknownFormat, match="the registry reads: dwca, fasta, genbank, mcpd, survey-csv"):
        parse(fake, "genbank-flatfile")


def test_dms_conversion():
    assert dms_to_decimal("100712N", "LATITUDE") == pytest.approx((10.12, 1 / 3600))
    assert dms_to_decimal("1054530W", "LONGITUDE")[0] == pytest.approx(-105.758333, abs=1e-6)
    assert dms_to_decimal("10----S", "LATITUDE") == (-10.0, 1.0)
    with pytest.raises(ValueError):
        dms_to_decimal("106712N", "LATITUDE")


def test_a_broken_workbook_is_a_clear_cli_error(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", db_url)
    book = tmp_path / "passport.xlsx"
    book.write_bytes(b"not a workbook")
    result = CliRunner().invoke(app, ["import", "mcpd", str(book)])
    assert result.exit_code == 1 and "is not a readable XLSX workbook" in result.output


def test_an_empty_category_cell_never_overrides_the_registry(registry, tmp_path):
    loader.import_mcpd(registry, _write(tmp_path, GOOD.replace(",aquatic\n", ",other\n")))
    assert _accessions(registry)["G-1"].category == "other"
    blank = _write(tmp_path, GOOD.replace(",aquatic\n", ",\n").replace("12;13", "13"), "blank.csv")
    result = loader.import_mcpd(registry, blank, loader.ImportOptions(on_duplicate="update"))
    assert result.updated == 1
    after = _accessions(registry)["G-1"]
    assert (after.category, after.storage) == ("other", "13")


def _fts_state(engine):
    """(accession ids the SQLite full-text index finds for 'g', whether its insert trigger is in place)."""
    with engine.connect() as conn:
        found = {r[0] for r in conn.exec_driver_sql(
            "SELECT rowid FROM accession_fts WHERE accession_fts MATCH '\"g\"'")}
        trigger = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'accession_fts_ai'").scalar()
    return found, bool(trigger)


def test_bulk_import_fills_the_full_text_index_and_keeps_its_trigger(registry, session, tmp_path):
    if registry.dialect.name != "sqlite":
        pytest.skip("the full-text index over every accession is SQLite's")
    path = _write(tmp_path, GOOD)
    loader.import_mcpd(registry, path, loader.ImportOptions(dry_run=True))
    assert _fts_state(registry) == (set(), True)
    broken = _write(tmp_path, GOOD + "TST,G-3,Nosuchgenus,x,300,15,12,20230517,,,aquatic\n", "broken.csv")
    assert loader.import_mcpd(registry, broken).status == "aborted"
    assert _fts_state(registry) == (set(), True)
    loader.import_mcpd(registry, path)
    ids = {a.id for a in _accessions(registry).values()}
    assert _fts_state(registry) == (ids, True)
    # Every other writer still goes through the trigger.
    session.add(Accession(**{**_accessions(registry)["G-1"].model_dump(exclude={"id"}), "accenumb": "G-9",
                             "search_text": "g 9"}))
    session.commit()
    assert _fts_state(registry) == ({a.id for a in _accessions(registry).values()}, True)
    with registry.connect() as conn:  # the index agrees with its content table
        conn.exec_driver_sql("INSERT INTO accession_fts(accession_fts, rank) VALUES ('integrity-check', 1)")


def test_the_importers_validator_is_the_contracts():
    from pydantic import ValidationError

    from importers.mcpd import _VALIDATE
    from schemas.accessions import AccessionCreate

    row = {"instcode": "TST", "accenumb": " G-1 ", "category": "aquatic", "storage": "12; 13", "sampstat": "300",
           "colldate": "20230517", "declatitude": 10.1, "declongitude": 105.6, "collsite": "Vườn"}
    ours, theirs = _VALIDATE(row), AccessionCreate.model_validate(row)
    assert type(ours) is AccessionCreate and ours.model_dump() == theirs.model_dump()
    assert ours.model_fields_set == theirs.model_fields_set
    for bad in ({**row, "sampstat": "7"}, {**row, "declongitude": None}):
        with pytest.raises(ValidationError) as ours_error:
            _VALIDATE(bad)
        with pytest.raises(ValidationError) as their_error:
            AccessionCreate.model_validate(bad)
        assert ours_error.value.errors(include_context=False) == their_error.value.errors(include_context=False)
