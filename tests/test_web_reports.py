"""The report pages: both languages, SVG charts beside tables, downloads, the API, and no survey coordinates."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader


from .conftest import FIXTURES, web_client


@pytest.fixture
def client(surveys_url):
    with web_client(surveys_url) as client:
        yield client


def test_reports_index_links_template_in_both_languages(client):
    vi = client.get("/reports")
    assert vi.status_code == 200 and "Báo cáo" in vi.text and 'href="/reports"' in vi.text  # nav link
    assert "Tải mẫu tệp CSV" in vi.text and "135 đợt khảo sát tại 27 điểm khảo sát" in vi.text
    en = client.get("/reports?lang=en")
    assert "Download the CSV template" in en.text
    template = client.get("/reports/survey-template.csv")
    header = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert header[:3] == ["eventID", "eventDate", "locationID"] and "occurrenceStatus" in header


def test_diversity_page_has_accessible_charts_tables_and_warning(client):
    page = client.get("/reports/diversity?by=district")
    assert page.status_code == 200
    text = page.text
    assert "Đa dạng loài theo quận huyện" in text and "Chỉ số đa dạng" in text
    assert text.count("<svg") == 5 and text.count("<title id=\"chart-t") == 5 and "<desc id=" in text
    assert "Đường cong tích lũy loài" in text and 'data-testid="bray-curtis"' in text
    assert 'data-testid="effort-warning"' in text and "gấp 6,0 lần" in text
    assert "cdn" not in text.lower() and "<script" not in text
    en = client.get("/reports/diversity?by=habitat&year=2024&lang=en").text
    assert "Species diversity by habitat" in en and "rice field" in en and "Rarefaction curves" in en
    assert client.get("/reports/diversity?by=planet").status_code == 400


def test_no_survey_coordinates_on_public_reports(client):
    with open(FIXTURES / "surveys" / "demo_surveys.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rare = [r for r in rows if r["scientificName"] == "Catlocarpio siamensis" and r["occurrenceStatus"] == "present"]
    assert rare  # a category-1 fish was seen: its site must not be findable
    coordinates = {r["decimalLatitude"] for r in rare} | {r["decimalLongitude"] for r in rare}
    for url in ("/reports/diversity?by=site", "/reports/diversity.csv?by=site&table=indices",
                "/api/v1/reports/diversity?by=site", "/reports/coverage", "/api/v1/reports/coverage",
                "/reports/coverage.csv?table=threatened_coverage"):
        body = client.get(url).text
        assert not any(c in body for c in coordinates), url


def test_downloads_csv_xlsx_pdf(client):
    csv_text = client.get("/reports/diversity.csv?by=district&table=indices").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 9 and rows[0]["label"] == "Ninh Kiều" and float(rows[0]["shannon"]) > 0
    xlsx = client.get("/reports/coverage.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert "threatened_coverage" in wb.sheetnames and "accessions_by_storage" in wb.sheetnames
    pdf = client.get("/reports/diversity.pdf?by=district&lang=vi")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    # Diacritics survive, stacked ones included (ơ + ̉, ư + ̀).
    assert "Đa dạng loài theo quận huyện" in text and "Vĩnh Thạnh" in text and "Cờ Đỏ" in text
    cov = client.get("/reports/coverage.pdf?lang=vi")
    cov_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(cov.content)).pages)
    assert "Khoảng trống" in cov_text and "Cá tra dầu" in cov_text
    assert client.get("/reports/diversity.csv?table=nope").status_code == 404


def test_api(client):
    data = client.get("/api/v1/reports/diversity?by=year").json()
    assert [g["key"] for g in data["groups"]] == ["2021", "2022", "2023", "2024", "2025"]
    assert len(data["bray_curtis"]) == 5 and len(data["pcoa"]) == 5 and data["rarefied_at"] > 0
    assert data["rarefaction"]["2021"][-1]["richness"] == data["groups"][0]["richness"]
    cov = client.get("/api/v1/reports/coverage").json()
    assert cov["threatened"] == 7 and cov["conserved"] == 5
    assert {t["scientific_name"] for t in cov["taxa"] if t["accessions"] == 0} == {"Pangasianodon gigas",
                                                                                   "Scleropages formosus"}
