"""Sign-in, CSRF, session handling, roles and the curation flow through the web and the token API."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.db import session_scope
from genbank_registry.models import Accession, Institution
from genbank_registry.accounts import people as accounts
from genbank_registry.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, form_fields, form_token, sign_in


@pytest.fixture
def app(demo_url):
    app = create_app(Settings(database_url=demo_url))
    with session_scope(app.state.engine) as session:
        for username, role, inst in (("lan", "researcher", "CTU"), ("hai", "researcher", "CLRRI"),
                                     ("minh", "curator", None)):
            accounts.create_user(session, {"username": username, "full_name": username, "role": role,
                                           "institution_code": inst, "password": PASSWORD})
    yield app
    app.state.engine.dispose()


def _client(app, username=None):
    client = TestClient(app)
    if username:
        response = sign_in(client, username, PASSWORD, follow_redirects=False)
        assert response.status_code == 303, response.text
    return client


def _csrf(client, path, action=None, **match):
    """The token of the form that the user submits (see conftest.form_token), never the first on the page."""
    return form_token(client, path, action, **match)


def _ctu_draft(app) -> Accession:
    with Session(app.state.engine) as session:
        return session.exec(select(Accession).join(Institution, Institution.id == Accession.institution_id)
                            .where(Institution.code == "CTU", Accession.publication_status == "draft")
                            .order_by(Accession.id)).first()


def test_sign_in_sets_a_safe_cookie_and_never_reuses_a_planted_id(app):
    client = TestClient(app)
    client.cookies.set("gr_session", "planted-by-attacker")
    wrong = sign_in(client, "lan", "nope-nope-nope")
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    ok = sign_in(client, "lan", PASSWORD, next="https://evil.example/", follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/curation"
    cookie = ok.headers["set-cookie"]
    assert "gr_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    assert "planted-by-attacker" not in cookie


def test_sign_out_ends_the_session(app):
    client = _client(app, "lan")
    old_cookie = client.cookies.get("gr_session")
    token = _csrf(client, "/curation", "/sign-out")
    assert client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    replay = TestClient(app)
    replay.cookies.set("gr_session", old_cookie)
    assert replay.get("/curation", follow_redirects=False).status_code == 303  # back to sign-in


def test_forms_without_the_csrf_token_are_refused(app):
    client = _client(app, "lan")
    draft = _ctu_draft(app)
    for data in ({"status": "submitted"}, {"status": "submitted", "csrf_token": "forged"}):
        response = client.post(f"/curation/accessions/{draft.id}/status", data=data)
        assert response.status_code == 403
    assert client.post(f"/curation/accessions/{draft.id}", data={"accename": "X"}).status_code == 403
    assert _ctu_draft(app).id == draft.id  # still a draft


def test_researcher_edits_and_submits_curator_publishes_public_sees_it(app):
    researcher = _client(app, "lan")
    draft = _ctu_draft(app)
    page = f"/curation/accessions/{draft.id}"
    listing = researcher.get("/curation")
    assert f"{draft.accenumb}" in listing.text
    bad = researcher.post(page, data={"csrf_token": _csrf(researcher, page), "sampstat": "301"})
    # The page is Vietnamese: so is the validator's sentence, the value kept as written.
    assert bad.status_code == 422 and "SAMPSTAT &#39;301&#39; không có trong danh mục mã MCPD v2.1" in bad.text
    good = researcher.post(page, data={"csrf_token": _csrf(researcher, page), "accename": "Tên đã sửa"},
                           follow_redirects=False)
    assert good.status_code == 303
    submit = researcher.post(f"{page}/status", data={"csrf_token": _csrf(researcher, page, f"{page}/status", status="submitted"),
                                                           "status": "submitted"},
                             follow_redirects=False)
    assert submit.status_code == 303
    refused = researcher.post(f"{page}/status", data={"csrf_token": _csrf(researcher, page, f"{page}/status"),
                                                             "status": "published"})
    assert refused.status_code == 403

    public_before = TestClient(app).get("/").context["counts"].accessions
    curator = _client(app, "minh")
    assert curator.post(f"{page}/status", data={"csrf_token": _csrf(curator, page, f"{page}/status", status="published"),
                                                  "status": "published"},
                        follow_redirects=False).status_code == 303
    assert TestClient(app).get("/").context["counts"].accessions == public_before + 1

    history = curator.get(f"{page}/history")
    assert history.status_code == 200
    for expected in ("lan", "minh", "Tên đã sửa", "form", "status"):
        assert expected in history.text


def test_other_institutions_and_the_public_cannot_reach_a_draft(app):
    draft = _ctu_draft(app)
    other = _client(app, "hai")
    assert other.get(f"/curation/accessions/{draft.id}").status_code == 404
    assert draft.accenumb not in other.get("/curation").text
    public = TestClient(app)
    assert public.get("/curation", follow_redirects=False).status_code == 303
    api = public.post(f"/api/v1/curation/accessions/{draft.id}/status", json={"status": "submitted"})
    assert api.status_code == 401 and api.json()["code"] == 401


def test_token_api_with_revoked_and_expired_tokens(app):
    import datetime as dt
    draft = _ctu_draft(app)
    with session_scope(app.state.engine) as session:
        _, good = accounts.create_token(session, "lan", "script")
        revoked_row, revoked = accounts.create_token(session, "lan", "old")
        accounts.revoke_token(session, revoked_row.id)
        expired_row, expired = accounts.create_token(session, "lan", "older")
        expired_row.expires_at = accounts.now() - dt.timedelta(days=1)
    client = TestClient(app)
    ok = client.patch(f"/api/v1/curation/accessions/{draft.id}", json={"accename": "Từ API"},
                      headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200, ok.text
    bad = client.patch(f"/api/v1/curation/accessions/{draft.id}", json={"sampstat": "301"},
                       headers={"Authorization": f"Bearer {good}"})
    assert bad.status_code == 422 and "SAMPSTAT" in bad.json()["message"]
    for secret, reason in ((revoked, "revoked"), (expired, "expired")):
        response = client.post(f"/api/v1/curation/accessions/{draft.id}/status", json={"status": "submitted"},
                               headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 401 and reason in response.json()["message"]
    history = client.get(f"/api/v1/curation/accessions/{draft.id}/history",
                         headers={"Authorization": f"Bearer {good}"}).json()
    assert history[-1]["via"] == "api" and history[-1]["changes"]["accename"][1] == "Từ API"


def test_a_curators_view_of_a_sensitive_record_is_recorded(app):
    from genbank_registry.accounts import audit
    from genbank_registry.catalogue.sensitivity import SensitivityResolver
    with Session(app.state.engine) as session:
        resolver = SensitivityResolver(session)
        fish = next(a for a in session.exec(select(Accession).order_by(Accession.id))
                    if resolver.accession_category(a) == 1 and a.publication_status == "published")
    curator = _client(app, "minh")
    page = curator.get(f"/curation/accessions/{fish.id}")
    assert page.status_code == 200 and str(fish.declatitude) in page.text
    with Session(app.state.engine) as session:
        assert audit.history(session, "accession", fish.id)[-1].action == "view_exact"
    other = _client(app, "hai")  # a researcher of another institution
    assert other.get(f"/curation/accessions/{fish.id}").status_code == 404


def test_the_json_api_does_not_accept_a_browser_session(app):
    client = _client(app, "lan")
    draft = _ctu_draft(app)
    response = client.patch(f"/api/v1/curation/accessions/{draft.id}", json={"accename": "CSRF?"})
    assert response.status_code == 401 and "API token" in response.json()["message"]


def test_curator_sets_a_status_on_a_taxon_through_the_page(app):
    with Session(app.state.engine) as session:
        from genbank_registry.models import Taxon
        taxon = session.exec(select(Taxon).where(Taxon.scientific_name == "Polyscias fruticosa")).one()
    curator = _client(app, "minh")
    page = f"/curation/taxa/{taxon.id}"
    bad = curator.post(f"{page}/assessments", data={"csrf_token": _csrf(curator, page, f"{page}/assessments"), "scheme": "iucn",
                                                    "code": "IA"})
    assert bad.status_code == 422 and "mã &#39;IA&#39; không có trong hệ iucn" in bad.text
    ok = curator.post(f"{page}/assessments", data={"csrf_token": _csrf(curator, page, f"{page}/assessments"), "scheme": "iucn",
                                                   "code": "VU", "source_document": "IUCN 2024"},
                      follow_redirects=False)
    assert ok.status_code == 303 and "IUCN 2024" in curator.get(page).text
    researcher = _client(app, "lan")
    assert researcher.get(page).status_code == 403
