"""Proof, not assumption: walk EVERY route in the app's route table as the public and as a researcher of another
institution, over a sensitive accession and a draft, and check that exact coordinates (in any notation),
personal details and the draft never appear. A route added later is walked without anyone remembering; a
route whose path parameter this file cannot fill makes the test fail and say so.
"""
from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote_plus

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.routing import Mount

from genbank_registry.db import session_scope
from genbank_registry.models import Accession, GeneFundTask, Institution, Taxon
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.accounts import people as accounts
from genbank_registry.catalogue import records as catalogue
from genbank_registry.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, form_token, sign_in

LAT, LON = 10.1234567, 105.7654321  # inside Ninh Kiều/Bình Thủy; digits that generalisation never produces
SECRETS = [
    # decimal, at several precisions
    "10.1234", "10.123", "105.7654", "105.765", "10.12346", "105.76543",
    # degrees-minutes-seconds as people and MCPD write them (10°07'24.4"N 105°45'55.6"E)
    "10°07'", "10°7'", "105°45'", "100724N", "1054555E", "10 07 24", "105 45 55",
    # INSDC /lat_lon
    "10.12 N 105.77 E", "10.1235 N 105.7654 E",
    # personal data and private notes
    "Nguyễn Văn Bí Mật", "0912 345 678", "Trần Thu Thập", "ghi chú nội bộ tuyệt mật", "Ấp Bí Mật",
    # the draft
    "DRAFT-SECRET-1", "Bản nháp tuyệt mật",
]


def _genbank(records) -> str:
    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import SeqFeature, SimpleLocation
    from Bio.SeqRecord import SeqRecord
    out = io.StringIO()
    for name, organism, voucher in records:
        rec = SeqRecord(Seq("ACGT" * 160), id=f"{name}.1", name=name, description=f"{organism} test sequence")
        rec.annotations.update(molecule_type="DNA", topology="linear", organism=organism, data_file_division="VRT",
                               date="05-JAN-2024")
        rec.features.append(SeqFeature(SimpleLocation(0, 640), type="source", qualifiers={
            "organism": [organism], "mol_type": ["genomic DNA"], "specimen_voucher": [voucher],
            "lat_lon": [f"{LAT:.4f} N {LON:.4f} E"], "collected_by": ["Trần Thu Thập"],
            "geo_loc_name": ["Viet Nam: Can Tho, Ấp Bí Mật"]}))
        SeqIO.write(rec, out, "genbank")
    return out.getvalue()


@pytest.fixture
def leak_app(surveys_url, tmp_path):
    app = create_app(Settings(database_url=surveys_url))
    with session_scope(app.state.engine) as session:
        common = {"instcode": "CTU", "category": "aquatic", "taxon_name": "Catlocarpio siamensis",
                  "declatitude": LAT, "declongitude": LON, "coorduncert": 5, "district_code": "916",
                  "commune": "Ấp Bí Mật", "collsite": "Ấp Bí Mật, bến sông nhà ông Bí Mật",
                  "admin_unit_recorded": "Ấp Bí Mật, phường An Khánh", "donorname": "Nguyễn Văn Bí Mật",
                  "donor_is_person": True, "donor_contact": "ĐT 0912 345 678", "collector_names": "Trần Thu Thập",
                  "collector_contact": "0912 345 678", "private_remarks": "ghi chú nội bộ tuyệt mật",
                  "colldate": "20240105"}
        sensitive, _ = catalogue.upsert_accession(session, common | {"accenumb": "LEAK-SENSITIVE-1",
                                                                     "publication_status": "published"})
        draft, _ = catalogue.upsert_accession(session, common | {
            "accenumb": "DRAFT-SECRET-1", "accename": "Bản nháp tuyệt mật", "taxon_name": "Polyscias fruticosa",
            "category": "medicinal_plant", "publication_status": "draft"})
        accounts.create_user(session, {"username": "outsider", "full_name": "Researcher elsewhere",
                                       "role": "researcher", "institution_code": "CLRRI", "password": PASSWORD})
        app.state.leak_ids = {"sensitive": sensitive.id, "draft": draft.id}
    # A survey that saw the endangered fish at the secret point (with an ordinary fish beside it).
    from importers.survey_loader import load_rows
    from schemas.surveys import SurveyRow
    rows = [SurveyRow.model_validate({
        "eventID": "LEAK-EV-1", "eventDate": "2024-01-05", "locationID": "Bến sông thử", "decimalLatitude": LAT,
        "decimalLongitude": LON, "habitat": "river",
        "samplingProtocol": "gill net", "sampleSizeValue": 2, "sampleSizeUnit": "hours", "scientificName": name,
        "individualCount": n, "occurrenceStatus": "present"}) for name, n in (("Catlocarpio siamensis", 1),
                                                                              ("Channa striata", 4))]
    assert load_rows(app.state.engine, rows, source="leak-survey.csv", fmt="survey-csv").ok
    # Sequences vouchered to both records, with the exact locality in /lat_lon and a collector's name.
    from importers.sequences_loader import Options, import_file
    gb = tmp_path / "leak.gb"
    gb.write_text(_genbank([("LEAKSEQ1", "Catlocarpio siamensis", "CTU:LEAK-SENSITIVE-1"),
                            ("DRAFTSEQ1", "Polyscias fruticosa", "CTU:DRAFT-SECRET-1")]), encoding="utf-8")
    import_file(app.state.engine, str(gb), Options(workers=0))
    with Session(app.state.engine) as session:
        app.state.leak_ids["sequences"] = [str(i) for i in session.exec(
            select(SequenceRecord.id).where(SequenceRecord.record_id.in_(["LEAKSEQ1.1", "DRAFTSEQ1.1"])))]
        assert len(app.state.leak_ids["sequences"]) == 2
    yield app
    app.state.engine.dispose()


def _param_values(app) -> dict[str, list[str]]:
    """Values to put in path parameters: the two records under test, and their neighbours."""
    ids = app.state.leak_ids
    with Session(app.state.engine) as session:
        sensitive = session.get(Accession, ids["sensitive"])
        inst = session.get(Institution, sensitive.institution_id)
        task = session.exec(select(GeneFundTask)).first()
        taxon_ids = [str(sensitive.taxon_id), str(session.get(Accession, ids["draft"]).taxon_id)]
        family = session.get(Taxon, sensitive.taxon_id).family
    accession_ids = [str(ids["sensitive"]), str(ids["draft"])]
    keys = ["CTU:LEAK-SENSITIVE-1", "CTU:DRAFT-SECRET-1", "LEAK-SENSITIVE-1", "DRAFT-SECRET-1"]
    sequences = ids["sequences"]
    return {
        "accession_id": accession_ids, "id": accession_ids, "key": keys + sequences + ["LEAKSEQ1.1", "DRAFTSEQ1.1"],
        "accenumb": keys[2:],
        "instcode": [inst.code], "code": [inst.code, task.code], "institution_code": [inst.code],
        "task_code": [task.code], "task_id": [str(task.id)], "taxon_id": taxon_ids, "family": [family],
        "fmt": ["csv", "xlsx", "pdf", "json"], "kind": ["csv", "xlsx"], "event_id": ["1", "2"], "job_id": ["1"], "assessment_id": ["1"], "path": ["style.css"], "lang": ["vi", "en"],
        "token": ["not-a-reset-token"], "username": ["outsider"],
    }


def all_routes(app):
    """(path, methods, original route) for every route, descending into included routers.

    FastAPI ≥ 0.16x keeps included routers nested in `app.routes`; `iter_route_contexts` flattens them.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens routes itself
        for route in app.routes:
            yield route.path, getattr(route, "methods", None) or set(), route
        return
    for ctx in iter_route_contexts(app.routes):
        yield ctx.path, getattr(ctx, "methods", None) or set(), ctx.original_route


def _get_routes(app):
    for path, methods, route in all_routes(app):
        if isinstance(route, Mount):
            continue  # static files: no data
        if "GET" in methods:
            yield path


def _expand(path: str, values: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    paths = [path]
    for name in names:
        if name not in values:
            pytest.fail(f"route {path}: no test value for path parameter {{{name}}}; add it to _param_values "
                        f"in tests/test_leaks.py so the leak test covers this route")
        paths = [re.sub(r"{%s(?::\w+)?}" % name, v, p) for p in paths for v in values[name]]
    return paths


QUERIES = ["", "?lang=en", "?q=Bí+Mật", "?q=bi+mat", "?q=DRAFT-SECRET-1", "?q=10.1234", "?q=ca+ho",
           "?format=csv", "?format=json", "?download=1"]


def readable_text(response) -> str:
    """The text a person could read from a response, whatever its format (PDF and XLSX are compressed)."""
    kind = response.headers.get("content-type", "")
    data = response.content
    if "pdf" in kind or data[:5] == b"%PDF-":
        from pypdf import PdfReader
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _walk(client, app):
    values = _param_values(app)
    seen = 0
    for route_path in _get_routes(app):
        # Search-like queries matter on list pages; a record's own page is walked in both languages.
        queries = QUERIES if "{" not in route_path else QUERIES[:2]
        for path in _expand(route_path, values):
            for query in queries:
                response = client.get(path + query, follow_redirects=False)
                seen += 1
                body = readable_text(response)
                # A search page echoes what the visitor typed (search box, language switch); that is not a
                # leak. A draft or sensitive record in the results would still show its other secrets.
                typed = unquote_plus(path + query)
                for secret in (s for s in SECRETS if s not in typed):
                    assert secret not in body, f"{secret!r} leaked through GET {path}{query} ({response.status_code})"
                for header, value in response.headers.items():
                    for secret in (s for s in SECRETS if s not in typed):
                        assert secret not in value, f"{secret!r} leaked in header {header} of {path}{query}"
    return seen


def test_public_sees_no_secret_on_any_route(leak_app):
    seen = _walk(TestClient(leak_app), leak_app)
    assert seen >= 20


def test_researcher_of_another_institution_sees_no_secret(leak_app):
    client = TestClient(leak_app)
    assert sign_in(client, "outsider", PASSWORD, follow_redirects=False).status_code == 303
    _walk(client, leak_app)


def test_the_secrets_are_really_in_the_database(leak_app):
    """Guard against a vacuous pass: the curator does see them."""
    with session_scope(leak_app.state.engine) as session:
        accounts.create_user(session, {"username": "boss", "full_name": "Curator", "role": "curator",
                                       "password": PASSWORD})
    client = TestClient(leak_app)
    sign_in(client, "boss", PASSWORD)
    page = client.get(f"/curation/accessions/{leak_app.state.leak_ids['sensitive']}").text
    assert str(LAT) in page and "ghi chú nội bộ tuyệt mật" in page


WRITE_EXEMPT = {"/sign-in"}  # public by design


def test_every_write_route_refuses_the_public_and_outsiders(leak_app):
    """Authorisation: each write route, as the public and as a researcher of another institution."""
    ids = leak_app.state.leak_ids
    values = _param_values(leak_app)
    public = TestClient(leak_app)
    outsider = TestClient(leak_app)
    sign_in(outsider, "outsider", PASSWORD)
    csrf = form_token(outsider, "/curation", "/sign-out")
    checked = 0
    for route_path, route_methods, route in all_routes(leak_app):
        methods = set(route_methods) - {"GET", "HEAD", "OPTIONS"}
        if not methods or not isinstance(route, APIRoute) or route_path in WRITE_EXEMPT:
            continue
        for path in _expand(route_path, values):
            for method in methods:
                r = public.request(method, path, data={"status": "published", "accename": "X"},
                                   follow_redirects=False)
                assert r.status_code in (303, 401, 403), f"public {method} {path} → {r.status_code}"
                if str(ids["draft"]) in path or str(ids["sensitive"]) in path:
                    r = outsider.request(method, path, data={"csrf_token": csrf, "status": "published",
                                                             "accename": "X"}, follow_redirects=False)
                    assert r.status_code in (401, 403, 404), f"outsider {method} {path} → {r.status_code}"
                checked += 1
    assert checked >= 4
    with Session(leak_app.state.engine) as session:
        assert session.get(Accession, ids["draft"]).publication_status == "draft"
        assert session.get(Accession, ids["sensitive"]).accename is None
