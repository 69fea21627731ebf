"""Every form a signed-in person submits, in a real Chromium against `genbank-registry serve`: sign in through the
sign-in page, open the page, fill the form, click its button, and check the next page and the database.

The last test checks that every `<form method="post">` of web/templates was submitted successfully by some
browser test of this run (any tests/test_browser*.py file counts: tests/browser_support.py records the posts of
every browser context), so a form added without a browser test fails here.
"""
from __future__ import annotations

import re
import urllib.request
import zipfile

import pytest
from sqlmodel import Session, select

from genbank_registry.db import make_engine
from genbank_registry.models import Accession, ConservationAssessment, Institution, Taxon
from genbank_registry.accounts.models import AuditEvent, User, WebSession
from genbank_registry.jobs.models import ImportJob
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.surveys.models import SamplingEvent

from .browser_support import (PASSWORD, POSTED, RUN, ROOT, browser, registry, shot, sign_in,
                              skip_without_browser, template_post_forms, uncovered)

__all__ = ["browser", "registry"]
pytestmark = pytest.mark.browser
FIXTURES = ROOT / "fixtures"
HEADER = ["INSTCODE", "ACCENUMB", "GENUS", "SPECIES", "SAMPSTAT", "STORAGE", "COLLDATE", "ORIGCTY", "CATEGORY"]


@pytest.fixture(scope="module")
def engine(registry):
    engine = make_engine(registry[1])
    yield engine
    engine.dispose()


@pytest.fixture
def person(browser, registry):
    """A new browser (context) per person: person("lan") is a page signed in as lan through the sign-in page."""
    contexts = []

    def open_as(username: str | None = None, **options):
        context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN",
                                           "base_url": registry[0]} | options))
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username, PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _ctu_drafts(engine) -> list[Accession]:
    with Session(engine) as session:
        return list(session.exec(select(Accession).join(Institution, Institution.id == Accession.institution_id)
                                 .where(Institution.code == "CTU", Accession.publication_status == "draft")
                                 .order_by(Accession.id)))


def _accession(engine, accession_id: int) -> Accession:
    with Session(engine) as session:
        return session.get(Accession, accession_id)


# --- signing in and out --------------------------------------------------------------------------------------

def test_sign_in_then_sign_out_ends_the_session(person, engine):
    page = person()
    page.goto("/")
    page.get_by_test_id("sign-in-link").click()
    page.wait_for_url("**/sign-in*")
    page.locator('input[name="username"]').fill("lan")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.wait_for_url("**/curation")
    assert page.locator(".account").get_by_text("lan").is_visible()
    with Session(engine) as session:
        lan = session.exec(select(User).where(User.username == "lan")).one()
        sessions = len(session.exec(select(WebSession).where(WebSession.user_id == lan.id)).all())
    page.locator('.account form[action="/sign-out"] button').click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.get_by_test_id("sign-in-link").is_visible()
    with Session(engine) as session:
        assert len(session.exec(select(WebSession).where(WebSession.user_id == lan.id)).all()) == sessions - 1
    page.goto("/curation")
    page.wait_for_url("**/sign-in?next=/curation")


# --- uploads -------------------------------------------------------------------------------------------------

def _mcpd_rows(kind: str) -> list[list[str]]:
    return [HEADER, ["CTU", f"BRW-{kind}-1", "Channa", "striata", "110", "99", "20240105", "VNM", "aquatic"],
            ["CTU", f"BRW-{kind}-2", "Polyscias", "fruticosa", "300", "20", "20240106", "VNM", "medicinal_plant"]]


def _upload_file(kind: str, folder):
    """The file a person would pick for `kind`: the fixtures' samples, or a small passport sheet of CTU."""
    if kind == "fasta":
        return FIXTURES / "demo" / "sequences.fasta"
    if kind == "genbank":
        return FIXTURES / "demo" / "sequences.gb"
    if kind == "mcpd-csv":
        path = folder / "passport.csv"
        path.write_text("\n".join(",".join(row) for row in _mcpd_rows("CSV")) + "\n", encoding="utf-8")
        return path
    if kind == "mcpd-xlsx":
        from openpyxl import Workbook

        book = Workbook()
        for row in _mcpd_rows("XLSX"):
            book.active.append(row)
        path = folder / "passport.xlsx"
        book.save(path)
        return path
    if kind == "dwca":  # an Event-core survey archive, zipped as a publisher sends it
        path = folder / "survey-dwca.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for member in sorted((FIXTURES / "dwca" / "own-event-survey").iterdir()):
                archive.write(member, member.name)
        return path
    raise AssertionError(kind)


def _upload(page, path) -> int:
    """Upload `path` through the import page and wait on the job page until the import has finished."""
    from playwright.sync_api import expect

    page.goto("/imports")
    page.locator('input[type="file"][name="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và nhập").click()
    page.wait_for_url(re.compile(r".*/imports/\d+$"))
    job_id = int(page.url.rsplit("/", 1)[1])
    job = page.get_by_test_id("job")
    expect(job).to_have_attribute("data-status", re.compile("completed|failed"), timeout=60_000)  # it refreshes
    assert job.get_attribute("data-status") == "completed", job.inner_text()
    return job_id


def _finished_job(engine, job_id: int) -> ImportJob:
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        assert job.status == "completed" and job.batch_id, job.error
        return job


@pytest.mark.parametrize("kind", ["fasta", "mcpd-csv", "mcpd-xlsx", "dwca"])
def test_a_researcher_uploads_and_imports_a_file(person, engine, kind, tmp_path):
    page = person("lan")
    job = _finished_job(engine, _upload(page, _upload_file(kind, tmp_path)))
    report = page.get_by_test_id("report")
    added = int(report.locator("tr").first.locator("td").inner_text())
    assert added > 0
    shot(page, f"import-{kind}")
    with Session(engine) as session:
        if kind == "fasta":
            rows = session.exec(select(SequenceRecord).where(SequenceRecord.batch_id == job.batch_id)).all()
            assert len(rows) == 2 and {r.publication_status for r in rows} == {"draft"}
            assert page.get_by_test_id("sequence-review").is_visible()
        elif kind.startswith("mcpd"):
            number = "BRW-CSV-%" if kind == "mcpd-csv" else "BRW-XLSX-%"
            rows = session.exec(select(Accession).where(Accession.accenumb.like(number))).all()
            assert len(rows) == 2 == added and {a.publication_status for a in rows} == {"draft"}
        else:
            events = session.exec(select(SamplingEvent).where(SamplingEvent.import_batch_id == job.batch_id)).all()
            assert len(events) == 2
    page.goto("/imports")
    assert page.get_by_test_id("jobs").locator(f'a[href="/imports/{job.id}"]').is_visible()


def test_a_genbank_batch_is_submitted_by_its_researcher_and_published_by_a_curator(person, engine):
    from playwright.sync_api import expect

    researcher = person("lan")
    job = _finished_job(engine, _upload(researcher, _upload_file("genbank", None)))

    def statuses() -> dict[str, int]:
        with Session(engine) as session:
            found: dict[str, int] = {}
            for r in session.exec(select(SequenceRecord).where(SequenceRecord.batch_id == job.batch_id)):
                found[r.publication_status] = found.get(r.publication_status, 0) + 1
            return found

    assert set(statuses()) == {"draft"} and sum(statuses().values()) == 8
    researcher.get_by_test_id("sequences-to-submitted").click()
    expect(researcher.get_by_test_id("sequences-to-draft")).to_be_visible()  # the batch can be taken back
    assert researcher.get_by_test_id("sequences-to-published").count() == 0  # not for a researcher
    assert set(statuses()) == {"submitted"}
    curator = person("minh")
    curator.goto("/curation")
    curator.locator(f'a[href="/imports/{job.id}"]').click()
    curator.wait_for_url(f"**/imports/{job.id}")
    curator.get_by_test_id("sequences-to-published").click()
    expect(curator.get_by_test_id("sequences-to-published")).to_have_count(0)
    assert set(statuses()) == {"published"}
    shot(curator, "import-genbank-published")
    with Session(engine) as session:
        record = session.exec(select(SequenceRecord).where(SequenceRecord.batch_id == job.batch_id)
                              .order_by(SequenceRecord.accession_base)).first()
    public = person()
    public.goto(f"/sequences?q={record.accession_base}")
    assert record.accession_base in public.locator("main").inner_text()


# --- curation of an accession --------------------------------------------------------------------------------

def test_a_researcher_edits_a_passport_and_a_curator_reverts_it_from_the_history(person, engine):
    draft = _ctu_drafts(engine)[0]
    researcher = person("lan")
    researcher.goto("/curation")
    researcher.locator(f'a[href="/curation/accessions/{draft.id}"]').click()
    researcher.wait_for_url(f"**/curation/accessions/{draft.id}")
    for name in ("Giống thử trên trình duyệt", "Giống thử trên trình duyệt (lần 2)"):
        researcher.locator('input[name="accename"]').fill(name)
        researcher.locator('input[name="remarks"]').fill(f"sửa qua trình duyệt: {name}")
        researcher.get_by_role("button", name="Lưu").click()
        researcher.wait_for_url(f"**/curation/accessions/{draft.id}?saved=1")
        assert researcher.get_by_role("status").inner_text() == "Đã lưu."
        assert researcher.locator('input[name="accename"]').input_value() == name
        assert _accession(engine, draft.id).accename == name
    shot(researcher, "curation-passport-saved")

    with Session(engine) as session:
        first_edit = session.exec(select(AuditEvent).where(AuditEvent.entity == "accession",
                                                           AuditEvent.entity_id == draft.id,
                                                           AuditEvent.action == "update")
                                  .order_by(AuditEvent.id)).first()
    curator = person("minh")
    curator.goto(f"/curation/accessions/{draft.id}")
    curator.get_by_role("link", name="Lịch sử thay đổi").click()
    curator.wait_for_url(f"**/curation/accessions/{draft.id}/history")
    history = curator.get_by_test_id("history")
    history.locator("tr", has=curator.locator(f'td:text-is("{first_edit.id}")')).get_by_role("button").click()
    curator.wait_for_url(f"**/curation/accessions/{draft.id}/history")
    assert history.locator("tr").last.locator("td").nth(4).inner_text() == "revert"
    assert _accession(engine, draft.id).accename == "Giống thử trên trình duyệt"
    shot(curator, "curation-history-reverted")


def test_every_status_transition_through_its_button(person, engine):
    from playwright.sync_api import expect

    acc = _ctu_drafts(engine)[1]
    number = _accession(engine, acc.id).accenumb
    researcher, curator = person("lan"), person("minh")

    def move(page, to: str) -> None:
        page.goto(f"/curation/accessions/{acc.id}")
        page.get_by_test_id(f"to-{to}").click()
        expect(page.get_by_test_id("status")).to_have_class(re.compile(rf"\b{to}\b"))
        assert _accession(engine, acc.id).publication_status == to

    move(researcher, "submitted")
    move(researcher, "draft")  # a researcher takes a submission back
    move(researcher, "submitted")
    researcher.goto(f"/curation/accessions/{acc.id}")
    assert researcher.get_by_test_id("to-published").count() == 0  # publishing is a curator's
    move(curator, "published")
    public = person()
    assert public.goto(f"/accessions/CTU/{number}").status == 200
    move(curator, "withdrawn")
    assert public.goto(f"/accessions/CTU/{number}").status in (404, 410)
    move(curator, "published")
    move(curator, "withdrawn")
    move(curator, "draft")  # back to its institution as a draft
    shot(curator, "curation-status-draft")


# --- curation of a taxon -------------------------------------------------------------------------------------

def test_a_curator_edits_a_taxon_and_adds_and_removes_an_assessment(person, engine):
    from playwright.sync_api import expect

    with Session(engine) as session:
        taxon = session.exec(select(Taxon).where(Taxon.scientific_name == "Polyscias fruticosa")).one()
    curator = person("minh")
    curator.goto("/curation")
    curator.locator('a[href="/curation/taxa"]').click()
    curator.locator('input[name="q"]').fill("Polyscias")
    curator.locator('input[name="q"]').press("Enter")
    curator.locator(f'a[href="/curation/taxa/{taxon.id}"]').click()
    curator.wait_for_url(f"**/curation/taxa/{taxon.id}")

    curator.locator('input[name="ncbi_taxon_id"]').fill("1000001")
    curator.locator('form[action$="/curation/taxa/%d"] button' % taxon.id).click()
    expect(curator.locator('input[name="ncbi_taxon_id"]')).to_have_value("1000001")
    with Session(engine) as session:
        assert str(session.get(Taxon, taxon.id).ncbi_taxon_id) == "1000001"

    assessments = curator.get_by_test_id("assessments")
    curator.locator('select[name="scheme"]').select_option("iucn")
    curator.locator('input[name="code"]').fill("LC")
    curator.locator('input[name="source_document"]').fill("IUCN Red List, thử nghiệm trình duyệt")
    curator.locator('input[name="assessed_on"]').fill("2024-01-05")
    curator.get_by_role("button", name="Thêm hoặc thay tình trạng").click()
    row = assessments.locator("tr", has_text="IUCN Red List, thử nghiệm trình duyệt")
    expect(row).to_have_count(1)
    assert row.locator("strong").inner_text() == "LC" and "05/01/2024" in row.inner_text()
    with Session(engine) as session:
        added = session.exec(select(ConservationAssessment).where(ConservationAssessment.taxon_id == taxon.id,
                                                                  ConservationAssessment.scheme == "iucn")).one()
        assert added.code == "LC"
    shot(curator, "curation-taxon-assessment")
    row.get_by_role("button").click()
    expect(row).to_have_count(0)
    with Session(engine) as session:
        assert session.get(ConservationAssessment, added.id) is None


# --- permanent links -----------------------------------------------------------------------------------------

def test_permanent_links_use_the_address_the_reader_used(person, registry):
    """The base URL is unset: the QR code, the citation and the sitemap name the host and port of the request."""
    port = registry[0].rsplit(":", 1)[1]
    for host in ("127.0.0.1", "localhost"):
        page = person(base_url=f"http://{host}:{port}")
        page.goto("/accessions/CTU/CAY-0001")
        link = f"http://{host}:{port}/accessions/CTU/CAY-0001"
        assert link in page.get_by_test_id("qr").inner_text()
        assert link in page.get_by_test_id("citation").inner_text()
    sitemap = urllib.request.urlopen(f"http://localhost:{port}/sitemap.xml", timeout=10).read().decode()
    assert f"<loc>http://localhost:{port}/accessions/CTU/CAY-0001</loc>" in sitemap


# --- every form has a browser test ---------------------------------------------------------------------------

def test_form_discovery_normalises_templates_and_finds_what_was_not_posted(tmp_path):
    (tmp_path / "a.html").write_text(
        '<form method="get" action="/catalogue"></form>\n{# <form method="post" action="/commented"> #}\n'
        '<form class="inline" METHOD=\'POST\' action="/curation/taxa/{{ taxon.id }}/assessments/{{ a.id }}/delete">'
        '\n<form method="post" action="/curation/taxa/{{ taxon.id }}?next={{ url }}">\n'
        '<form method="post" action="{% if x %}/sign-in{% endif %}">', encoding="utf-8")
    forms = {action: [w.rsplit(":", 1)[1] for w in where] for action, where in
             template_post_forms(tmp_path).items()}
    assert forms == {"/curation/taxa/{}/assessments/{}/delete": ["3"], "/curation/taxa/{}": ["4"], "/sign-in": ["5"]}
    posted = {"/curation/taxa/7/assessments", "/curation/taxa/7/assessments/3/delete", "/sign-in"}
    assert set(uncovered(template_post_forms(tmp_path), posted)) == {"/curation/taxa/{}"}


@pytest.mark.runs_last
def test_every_post_form_of_the_templates_is_submitted_by_a_browser_test():
    """Runs after every other test. A form is covered when some browser test posted to its action (any page
    answer below 400). Other tests/test_browser*.py files count the same way, so nothing here lists forms."""
    skip_without_browser()
    every_file = {p.name for p in (ROOT / "tests").glob("test_browser*.py")}
    if RUN["deselected"] or RUN["browser_files"] != every_file:
        left_out = sorted(every_file - RUN["browser_files"]) or RUN["deselected"][:5]
        pytest.skip(f"only part of the browser tests ran (left out: {', '.join(left_out)}); run all of "
                    f"tests/test_browser*.py together to check that every form is submitted")
    forms = template_post_forms()
    assert forms, "no <form method=\"post\"> found in web/templates: the discovery is broken"
    assert "" not in forms, (f"forms without an action cannot be checked: give them an explicit action "
                             f"({', '.join(forms[''])})")
    untested = uncovered(forms, POSTED)
    assert not untested, (
        "these forms were submitted by no browser test (or only with an error answer): "
        + "; ".join(f"{action} in {', '.join(where)}" for action, where in sorted(untested.items()))
        + f". Add a test to a tests/test_browser*.py file that fills and submits each. Posted: {sorted(POSTED)}")
