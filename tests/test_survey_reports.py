"""Reports on the demo survey: indices equal scikit-bio on counts summed straight from the CSV, gene-fund
coverage lists the gaps, category-1 districts stay withheld."""
from __future__ import annotations

import csv
import json
from collections import defaultdict

import numpy as np
import pytest
from skbio.diversity import alpha as sk
from skbio.diversity.alpha import chao1_ci
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.catalogue import genefund_reports
from schemas.surveys import INDEX_NAMES

from .conftest import FIXTURES

runner = CliRunner()


def csv_counts(key: str, year: str | None = None) -> dict[str, np.ndarray]:
    """Individuals per taxon per group, summed from the fixture CSV without the registry."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with open(FIXTURES / "surveys" / "demo_surveys.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if year and not r["eventDate"].startswith(year):
                continue
            if r["occurrenceStatus"] == "present":
                groups[r[key]][r["scientificName"]] += int(r["individualCount"])
    return {g: np.array(list(c.values())) for g, c in groups.items()}


@pytest.fixture
def cli(surveys_url, monkeypatch):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", surveys_url)


@pytest.mark.parametrize("by,column,year", [("district", "county", None), ("site", "locationID", "2023")])
def test_json_report_equals_scikit_bio_on_the_csv(cli, by, column, year):
    args = ["report", "diversity", "--by", by, "--format", "json"] + (["--year", year] if year else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["log_base"] == "e"
    expected = csv_counts(column, year)
    assert {g["label"] for g in report["groups"]} == set(expected)
    for g in report["groups"]:
        c = expected[g["label"]]
        assert set(INDEX_NAMES) <= set(g) and g["sample_size"] == c.sum()
        assert g["richness"] == sk.observed_features(c)
        assert g["shannon"] == pytest.approx(sk.shannon(c))
        assert g["simpson"] == pytest.approx(sk.simpson(c))
        assert g["inverse_simpson"] == pytest.approx(sk.inv_simpson(c))
        assert g["pielou"] == pytest.approx(sk.pielou_e(c))
        assert g["chao1"] == pytest.approx(sk.chao1(c))
        assert g["chao1_ci95"] == pytest.approx(list(chao1_ci(c)))
        assert g["goods_coverage"] == pytest.approx(sk.goods_coverage(c))


def test_district_report_warns_about_unequal_effort_and_writes_every_format(cli, tmp_path):
    table = runner.invoke(app, ["report", "diversity"])
    assert table.exit_code == 0 and "Vĩnh Thạnh" in table.output
    assert "6.0-fold between Vĩnh Thạnh and Ninh Kiều" in " ".join(table.output.split())
    out = runner.invoke(app, ["report", "diversity", "--by", "habitat", "--format", "csv"]).output
    assert out.splitlines()[1].startswith("key,label,events,effort")
    assert "rice field" in out and "# bray_curtis" in out
    xlsx = tmp_path / "d.xlsx"
    assert runner.invoke(app, ["report", "diversity", "--format", "xlsx", "--out", str(xlsx)]).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["indices", "bray_curtis", "jaccard", "pcoa", "rarefaction"]
    assert wb["indices"]["B2"].value == "Ninh Kiều"
    pdf = tmp_path / "d.pdf"
    result = runner.invoke(app, ["report", "diversity", "--by", "year", "--format", "pdf", "--out", str(pdf),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    assert "Species diversity by year" in PdfReader(pdf).pages[0].extract_text()
    missing = runner.invoke(app, ["report", "diversity", "--year", "1999"])
    assert missing.exit_code == 1 and "no survey data for 1999" in missing.output


def test_coverage_report_lists_the_gaps(cli):
    result = runner.invoke(app, ["report", "coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # Seven fish of Decree 37/2024 group I; P. gigas and S. formosus have no published accession in the demo.
    assert data["threatened"] == 7 and data["covered"] == 5 and data["percent"] == pytest.approx(500 / 7)
    assert sorted(data["gaps"]) == ["Pangasianodon gigas", "Scleropages formosus"]
    rows = {r["scientific_name"]: r for r in data["tables"]["threatened_coverage"]}
    assert rows["Chitala lopis"]["survey_records"] > 0 and rows["Pangasianodon gigas"]["survey_records"] == 0
    table = runner.invoke(app, ["report", "coverage"])
    assert "5 of 7" in table.output and "Scleropages" in table.output


def test_breakdowns_count_published_only_and_withhold_category_1_districts(demo_session):
    breakdowns = {b.name: b for b in genefund_reports.accession_breakdowns(demo_session)}
    totals = {name: sum(n for *_, n in b.rows) for name, b in breakdowns.items()}
    published = 63  # fixtures/demo/catalogue.json: 71 accessions, 8 drafts or submitted
    assert totals["category"] == totals["district"] == totals["lifecycle_stage"] == totals["year"] == published
    district = {key: n for key, _, _, n in breakdowns["district"].rows}
    assert district["withheld"] >= 1  # the group I fish (category 1) are counted without their district
    records, by_inst = genefund_reports.passport_completeness(demo_session)
    assert len(records) == published and all(0 <= score <= 10 for *_, score in records)
    assert {code for code, *_ in by_inst} == {"CTU", "CLRRI", "CT-TTUD"}
