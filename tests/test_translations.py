"""Vietnamese first: every msgid Babel extracts has its Vietnamese translation, the main pages show no English
status word, every number on a page is formatted for its language, an import that stores nothing fails with its
reason, and the pages name the uploaded file, never the server's copy."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.models import ImportBatch
from genbank_registry.jobs.models import ImportJob

from .conftest import PASSWORD, form_token, sign_in, wait_for_job, web_client

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "web" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
HEADER = "INSTCODE,ACCENUMB,GENUS,SPECIES,SAMPSTAT,STORAGE,COLLDATE,ORIGCTY,CATEGORY\n"
# Words that, shown alone on a Vietnamese page, mean a status or a unit escaped the catalogue.
ENGLISH_WORDS = re.compile(r">\s*(queued|running|completed|failed|aborted|hour|hours|net haul)\s*<|\b\d+ hour\b")


def _extracted() -> dict[str, str]:
    """Every msgid the project's babel.cfg extracts, with where it was found."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogue():
    with open(PO, "rb") as f:
        return read_po(f, locale="vi")


def test_every_extracted_msgid_has_a_vietnamese_translation():
    catalogue = _catalogue()
    missing = []
    for msgid, where in sorted(_extracted().items(), key=lambda kv: kv[1]):
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None else None
        strings = [strings] if isinstance(strings, str) else list(strings or [])
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} msgid(s) without a Vietnamese translation in {PO.name}:\n" + \
        "\n".join(missing)


def test_the_core_and_importers_msgids_are_extracted():
    extracted = _extracted()
    for msgid in ("the file holds no record that the registry could store: %(reason)s",
                  "the file is HTML or XML, not one of the formats the registry imports", "completed"):
        assert msgid in extracted


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in _catalogue():
        if not entry.id or not entry.string or isinstance(entry.id, (tuple, list)):
            continue
        want = sorted(set(re.findall(r"%\(\w+\)s", entry.id)))
        if want != sorted(set(re.findall(r"%\(\w+\)s", entry.string))):
            wrong.append(entry.id)
    assert not wrong, wrong


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(upload_app):
    with TestClient(upload_app) as client:
        assert sign_in(client, "lan", PASSWORD, follow_redirects=False).status_code == 303
        yield client


def _upload(client, name: str, content: bytes, lang: str = "vi"):
    csrf = form_token(client, "/imports")
    return client.post(f"/imports?lang={lang}", data={"csrf_token": csrf}, files={"file": (name, content)},
                       follow_redirects=False)


def _job(client, name: str, content: bytes) -> ImportJob:
    response = _upload(client, name, content)
    assert response.status_code == 303, response.text
    return wait_for_job(client.app.state.engine, int(response.headers["location"].rsplit("/", 1)[1]))


def test_vietnamese_import_pages_show_no_english_status(signed_in):
    client = signed_in
    done = _job(client, "hộ-chiếu.csv", (HEADER + "CTU,I18N-001,Channa,striata,110,99,20240105,VNM,aquatic\n").encode())
    failed = _job(client, "khác.csv", (HEADER + "CLRRI,I18N-009,Oryza,sativa,300,12,20240105,VNM,crop_variety\n")
                  .encode())
    assert done.status == "completed" and failed.status == "failed"
    page = client.get(f"/imports/{done.id}").text
    assert "Hoàn tất" in page or "hoàn tất" in page
    assert not ENGLISH_WORDS.search(page), ENGLISH_WORDS.search(page).group(0)
    page = client.get(f"/imports/{failed.id}").text
    assert "thất bại" in page and "nhà nghiên cứu chỉ nhập cho đơn vị của mình (CTU)" in page
    assert "researchers import" not in page and not ENGLISH_WORDS.search(page)
    listing = client.get("/imports").text
    assert "hoàn tất" in listing and "thất bại" in listing and not ENGLISH_WORDS.search(listing)
    english = client.get(f"/imports/{failed.id}?lang=en").text
    assert "failed" in english and "researchers import for their own institution (CTU) only" in english


def test_an_upload_refusal_is_in_the_readers_language(signed_in):
    vi = _upload(signed_in, "trang.html", b"<html><body>hi</body></html>")
    assert vi.status_code == 400
    assert "tệp là HTML hoặc XML" in vi.text and "not one of the formats" not in vi.text
    en = _upload(signed_in, "page.html", b"<html><body>hi</body></html>", lang="en")
    assert "the file is HTML or XML, not one of the formats the registry imports" in en.text


def test_an_import_that_stores_nothing_fails_with_its_reason(signed_in):
    client = signed_in
    job = _job(client, "chỉ-tiêu-đề.csv", HEADER.encode())
    assert job.status == "failed"
    assert "the file holds no record that the registry could store: it has a header row but no data rows" in job.error
    page = client.get(f"/imports/{job.id}").text
    assert "tệp không có bản ghi nào hệ thống có thể lưu: tệp có dòng tiêu đề nhưng không có dòng dữ liệu" in page
    assert "hoàn tất" not in page
    with Session(client.app.state.engine) as session:
        assert session.get(ImportBatch, job.batch_id).status == "failed"


def test_a_reimport_of_unchanged_records_succeeds(signed_in):
    sheet = (HEADER + "CTU,I18N-101,Channa,striata,110,99,20240105,VNM,aquatic\n").encode()
    first = _job(signed_in, "lại.csv", sheet)
    again = _job(signed_in, "lại.csv", sheet)
    assert first.status == again.status == "completed", again.error
    report = signed_in.get(f"/imports/{again.id}").context["job"]["report"]
    assert report["added"] == 0 and report["unchanged"] == 1


def test_pages_name_the_uploaded_file_not_the_server_copy(signed_in, upload_app):
    client = signed_in
    job = _job(client, "khảo-sát-lỗi.csv", b"eventID,eventDate,locationID\nE1,2024-13-45,S1\n")
    stored = Path(job.stored_path)
    with Session(upload_app.state.engine) as session:
        batch = session.get(ImportBatch, job.batch_id) if job.batch_id else None
        batches = session.exec(select(ImportBatch)).all()
    for body in (client.get(f"/imports/{job.id}").text, client.get("/imports").text,
                 str(job.error), str(batch.report if batch else ""), str([b.source_filename for b in batches])):
        assert stored.name not in body and str(stored.parent) not in body
    assert "khảo-sát-lỗi.csv" in client.get(f"/imports/{job.id}").text


def test_import_batches_cli_names_the_file(signed_in, upload_app, monkeypatch):
    from typer.testing import CliRunner

    from genbank_registry.cli import app as cli

    job = _job(signed_in, "tên-gốc.csv", (HEADER + "CTU,I18N-201,Channa,striata,110,99,20240105,VNM,aquatic\n")
               .encode())
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", str(upload_app.state.settings.database_url))
    out = CliRunner().invoke(cli, ["import", "batches", "--id", str(job.batch_id)])
    assert out.exit_code == 0, out.output
    assert "tên-gốc.csv" in out.output and Path(job.stored_path).name not in out.output


# --- numbers --------------------------------------------------------------------------------------

_VI_DECIMAL, _EN_DECIMAL = re.compile(r"^-?\d+,\d+$"), re.compile(r"^-?\d+\.\d+$")


def _cells(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S).group(0)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)]


@pytest.fixture
def reports(surveys_url):
    with web_client(surveys_url) as client:
        yield client


def test_report_numbers_follow_the_page_language(reports):
    vi = reports.get("/reports/diversity?by=district").text
    en = reports.get("/reports/diversity?by=district&lang=en").text
    vi_rows, en_rows = _cells(vi, "indices"), _cells(en, "indices")
    shannon_vi, shannon_en = [r[5] for r in vi_rows], [r[5] for r in en_rows]
    assert all(_VI_DECIMAL.match(v) and len(v.split(",")[1]) == 3 for v in shannon_vi), shannon_vi
    assert all(_EN_DECIMAL.match(v) and len(v.split(".")[1]) == 3 for v in shannon_en), shannon_en
    assert [v.replace(",", ".") for v in shannon_vi] == shannon_en
    individuals_vi, individuals_en = [r[3] for r in vi_rows], [r[3] for r in en_rows]
    big = [(v, e) for v, e in zip(individuals_vi, individuals_en) if len(e) > 3]
    assert big, "the demo survey has groups of more than 999 individuals"
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})+", v) and re.fullmatch(r"\d{1,3}(,\d{3})+", e) for v, e in big), big
    # Never both conventions on one page: no English decimal in the Vietnamese tables and warnings, nor the reverse.
    vi_body, en_body = vi.split('data-testid="indices"', 1)[1], en.split('data-testid="indices"', 1)[1]
    assert not re.search(r">\s*\d+\.\d{1,2}\s*<", vi_body) and not re.search(r">\s*\d+,\d{1,2}\s*<", en_body)
    assert "gấp 6,0 lần" in vi and "6.0-fold" in en
    # Units of effort and chart labels are in the page's language too.
    assert not ENGLISH_WORDS.search(vi)
    assert "giờ" in vi and re.search(r"\d hour", en)


def test_the_pdf_report_formats_numbers_for_its_language(reports):
    from pypdf import PdfReader
    import io

    vi = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        reports.get("/reports/diversity.pdf?by=district&lang=vi").content)).pages)
    en = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        reports.get("/reports/diversity.pdf?by=district&lang=en").content)).pages)
    assert re.search(r"\b\d,\d{3}\b", vi) and re.search(r"\b\d\.\d{3}\b", en)
    assert "hour" not in vi and "giờ" in vi


def test_downloads_stay_machine_readable(reports):
    text = reports.get("/reports/diversity.csv?by=district&table=indices").content.decode("utf-8-sig")
    assert re.search(r",\d+\.\d+", text) and "giờ" not in text


def test_cli_imports_that_store_nothing_fail_with_the_reason(demo_url, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from genbank_registry.cli import app as cli

    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", demo_url)
    runner = CliRunner()
    sheet = tmp_path / "header-only.csv"
    sheet.write_text(HEADER, encoding="utf-8")
    out = runner.invoke(cli, ["import", "mcpd", str(sheet)])
    assert out.exit_code != 0
    assert "the file holds no record that the registry could store: it has a header row but no data rows" in \
        " ".join(out.output.split())
    survey = tmp_path / "survey-header-only.csv"
    from schemas.surveys import TEMPLATE_COLUMNS
    survey.write_text(",".join(TEMPLATE_COLUMNS) + "\n", encoding="utf-8")
    out = runner.invoke(cli, ["import", "survey", str(survey)])
    assert out.exit_code != 0 and "no record that the registry could store" in " ".join(out.output.split())
    from sqlalchemy import create_engine

    engine = create_engine(demo_url)
    try:
        with Session(engine) as session:
            batches = session.exec(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(2)).all()
    finally:
        engine.dispose()
    # Both attempts are recorded as failed, under the file's name (not the path it was imported from).
    assert [(b.status, b.source_filename) for b in batches] == [("failed", "survey-header-only.csv"),
                                                                ("failed", "header-only.csv")]


def test_validation_and_reader_messages_are_in_the_readers_language(signed_in):
    """pydantic's and our validators' sentences, and a sequence reader's reasons, reach a Vietnamese page in
    Vietnamese, their values and numbers kept."""
    client = signed_in
    job = _job(client, "ngày-sai.csv", (HEADER + "CTU,I18N-301,Channa,striata,110,99,20241399,VNM,aquatic\n")
               .encode())
    page = client.get(f"/imports/{job.id}").text
    assert "tháng 13 không nằm trong 01–12" in page and "is not 01–12" not in page
    assert "<td>20241399</td>" in page  # the value as written, in its own column
    english = client.get(f"/imports/{job.id}?lang=en").text
    assert "month 13 is not 01–12 (or -- when unknown)" in english

    fasta = b">good1 Oryza sativa\nACGTACGTAC\n>bad2 Oryza sativa\nACGTXXQQACGT\n>\nACGT\n"
    job = _job(client, "trình-tự.fasta", fasta)
    page = client.get(f"/imports/{job.id}").text
    assert "trình tự có ký tự không phải mã nucleotide IUPAC" in page
    assert "dòng tiêu đề không có mã định danh" in page
    assert "not IUPAC nucleotide codes" not in page and "has no identifier" not in page
