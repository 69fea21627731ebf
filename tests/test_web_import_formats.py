"""Real imports through the web upload: MCPD sheets and surveys, with the importers wired in as `serve` does."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.models import Accession, Institution
from genbank_registry.jobs.models import ImportJob

from .conftest import PASSWORD, form_token, sign_in, wait_for_job
HEADER = "INSTCODE,ACCENUMB,GENUS,SPECIES,SAMPSTAT,STORAGE,COLLDATE,ORIGCTY,CATEGORY\n"


@pytest.fixture
def app(upload_app):
    return upload_app


def _upload(client, name, content) -> ImportJob:
    csrf = form_token(client, "/imports")
    response = client.post("/imports", data={"csrf_token": csrf}, files={"file": (name, content)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    job_id = int(response.headers["location"].rsplit("/", 1)[1])
    return wait_for_job(client.app.state.engine, job_id)


def test_a_researcher_imports_a_passport_sheet_as_drafts(app):
    sheet = HEADER + "CTU,WEB-001,Channa,striata,110,99,20240105,VNM,aquatic\n" \
                     "CTU,WEB-002,Channa,striata,110,99,20240106,VNM,aquatic\n"
    with TestClient(app) as client:
        sign_in(client, "lan", PASSWORD)
        job = _upload(client, "passport.csv", sheet.encode())
        assert job.status == "completed", job.error
        page = client.get(f"/imports/{job.id}")
        assert page.context["job"]["report"]["added"] == 2
    with Session(app.state.engine) as session:
        rows = session.exec(select(Accession).join(Institution, Institution.id == Accession.institution_id)
                            .where(Accession.accenumb.in_(["WEB-001", "WEB-002"]))).all()
        assert {a.publication_status for a in rows} == {"draft"} and len(rows) == 2


def test_a_researcher_cannot_import_another_institutions_accessions(app):
    sheet = HEADER + "CLRRI,WEB-009,Oryza,sativa,300,12,20240105,VNM,crop_variety\n"
    with TestClient(app) as client:
        sign_in(client, "lan", PASSWORD)
        job = _upload(client, "other.csv", sheet.encode())
        assert job.status == "failed" and "researchers import for their own institution (CTU) only" in job.error
        assert "CLRRI" in client.get(f"/imports/{job.id}").text
    with Session(app.state.engine) as session:
        assert session.exec(select(Accession).where(Accession.accenumb == "WEB-009")).first() is None


def test_a_sheet_with_mistakes_shows_its_report(app):
    sheet = HEADER + "CTU,WEB-003,Channa,striatta,301,12,2024-01-05,VNM,aquatic\n"
    with TestClient(app) as client:
        sign_in(client, "lan", PASSWORD)
        job = _upload(client, "mistakes.csv", sheet.encode())
        page = client.get(f"/imports/{job.id}?lang=en")
        for expected in ("SAMPSTAT", "301", "COLLDATE", "did you mean Channa striata?"):
            assert expected in page.text
        assert "có phải ý bạn là Channa striata?" in client.get(f"/imports/{job.id}?lang=vi").text


def test_an_unknown_csv_is_refused_with_what_to_do(app):
    with TestClient(app) as client:
        sign_in(client, "lan", PASSWORD)
        job = _upload(client, "notes.csv", b"a,b\n1,2\n")
        assert job.status == "failed" and "neither an MCPD passport sheet" in job.error


def test_a_passport_workbook_uploads_as_xlsx(app, tmp_path):
    """An XLSX upload is stored under a .xlsx name: stored as .upload it was read as a CSV and refused."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["CTU", "WEB-X01", "Channa", "striata", "110", "99", "20240105", "VNM", "aquatic"])
    book.save(tmp_path / "passport.xlsx")
    with TestClient(app) as client:
        assert sign_in(client, "lan", PASSWORD, follow_redirects=False).status_code == 303
        job = _upload(client, "passport.xlsx", (tmp_path / "passport.xlsx").read_bytes())
        assert job.status == "completed", job.error
    with Session(app.state.engine) as session:
        assert session.exec(select(Accession).where(Accession.accenumb == "WEB-X01")).one().publication_status == "draft"
