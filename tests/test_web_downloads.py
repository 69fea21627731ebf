"""Downloads on the web: the same public-only exports as the CLI, and the template."""
from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook



def test_downloads_page_in_vietnamese_links_every_file(client):
    page = client.get("/downloads")
    assert page.status_code == 200 and "Lý lịch mẫu (MCPD v2.1, CSV)" in page.text
    assert "/downloads/catalogue.dwca.zip?institution=CTU" in page.text
    assert "Passport data (MCPD v2.1, CSV)" in client.get("/downloads?lang=en").text


def test_mcpd_and_darwin_core_downloads_hold_public_data_only(client):
    response = client.get("/downloads/catalogue.mcpd.csv?category=aquatic")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["CATEGORY"] for r in rows} == {"aquatic"}
    assert "Nguyễn Văn" not in text and "example.invalid" not in text
    withheld = [r for r in rows if r["SENSITIVITY"] == "1"]
    assert withheld and all(r["DECLATITUDE"] == "" and r["COLLSITE"] == "" for r in withheld)
    archive = client.get("/downloads/catalogue.dwca.zip?institution=CTU")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as z:
        assert {"meta.xml", "eml.xml", "occurrence.txt", "measurementorfact.txt"} <= set(z.namelist())
        assert "ghi chú nội bộ" not in z.read("occurrence.txt").decode().lower()
    assert client.get("/downloads/catalogue.mcpd.csv?institution=NOPE").status_code == 404


def test_template_downloads(client):
    book = load_workbook(io.BytesIO(client.get("/downloads/mcpd-template.xlsx").content), read_only=True)
    assert book.sheetnames == ["MCPD", "Codes"]
    assert client.get("/downloads/mcpd-template.csv").content.decode("utf-8-sig").startswith("PUID,INSTCODE,ACCENUMB")
    assert client.get("/downloads/mcpd-template.pdf").status_code == 404
