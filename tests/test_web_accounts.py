"""Accounts on the web: sign-in CSRF and limits, own password, reset links, tokens of locked owners, revert
checks, and the security headers on every answer."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from genbank_registry.db import session_scope
from genbank_registry.models import Accession, Institution
from genbank_registry.accounts.models import SignInThrottle, User
from genbank_registry.accounts import people as accounts
from genbank_registry.accounts import audit
from genbank_registry.catalogue import curation
from genbank_registry.accounts import sign_in_limits
from genbank_registry.settings import Settings
from web.app import create_app

from .conftest import PASSWORD, form_fields, form_token, sign_in

NEW = "mật-khẩu-mới-đủ-dài"


def _app(url, **settings):
    app = create_app(Settings(database_url=url, **settings))
    with session_scope(app.state.engine) as session:
        for username, role, inst in (("lan", "researcher", "CTU"), ("minh", "curator", None),
                                     ("boss", "admin", None)):
            accounts.create_user(session, {"username": username, "full_name": username, "role": role,
                                           "institution_code": inst, "password": PASSWORD})
    return app


@pytest.fixture
def app(demo_url):
    app = _app(demo_url)
    yield app
    app.state.engine.dispose()


def _client(app, username=None, address="203.0.113.5") -> TestClient:
    client = TestClient(app, client=(address, 50000))
    if username:
        assert sign_in(client, username, PASSWORD, follow_redirects=False).status_code == 303
    return client


def test_sign_in_without_or_with_a_forged_token_is_refused(app):
    client = _client(app)
    client.get("/sign-in")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/sign-in", data=data | {"username": "lan", "password": PASSWORD},
                               follow_redirects=False)
        assert response.status_code == 403 and "gr_session" not in response.headers.get("set-cookie", "")
    # A token from another browser's cookie does not fit this browser's cookie.
    other = _client(app)
    token = form_fields(other.get("/sign-in").text, "/sign-in")["csrf_token"]
    assert client.post("/sign-in", data={"csrf_token": token, "username": "lan", "password": PASSWORD},
                       follow_redirects=False).status_code == 403
    assert sign_in(client, "lan", PASSWORD, follow_redirects=False).status_code == 303


def test_a_stranger_guessing_slows_down_only_themself(app):
    stranger = _client(app, address="198.51.100.66")
    for _ in range(15):
        response = sign_in(stranger, "lan", "sai-mật-khẩu-rồi")
        if response.status_code == 429:
            break
        assert response.status_code == 401
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "Đăng nhập sai quá nhiều lần" in response.text
    english = stranger.get("/sign-in?lang=en")
    assert english.status_code == 200
    again = sign_in(stranger, "lan", PASSWORD)
    assert again.status_code == 429 and "Too many failed sign-ins" in again.text
    # The researcher, from her own address, signs in at once.
    assert sign_in(_client(app, address="192.0.2.20"), "lan", PASSWORD, follow_redirects=False).status_code == 303


def _throttle(client, username="lan") -> int:
    for _ in range(15):
        response = sign_in(client, username, "sai-mật-khẩu-rồi")
        if response.status_code == 429:
            return int(response.headers["Retry-After"])
        assert response.status_code == 401
    raise AssertionError("15 wrong passwords were never slowed down")


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(demo_url):
    """Behind an untrusted "proxy" every visitor shares its address; behind a trusted one each has their own."""
    first = _app(demo_url)
    for trusted, owner_status in (("", 429), ("10.0.0.0/8, 127.0.0.1", 303)):
        app = create_app(Settings(database_url=demo_url, trusted_proxies=trusted)) if trusted else first
        with session_scope(app.state.engine) as session:
            for row in session.exec(select(SignInThrottle)):
                session.delete(row)
        stranger = TestClient(app, client=("10.0.0.1", 50000), headers={"X-Forwarded-For": "198.51.100.7"})
        _throttle(stranger)
        owner = TestClient(app, client=("10.0.0.1", 50000), headers={"X-Forwarded-For": "192.0.2.20"})
        assert sign_in(owner, "lan", PASSWORD, follow_redirects=False).status_code == owner_status
        app.state.engine.dispose()


def test_change_own_password_keeps_this_session_and_ends_the_others(app):
    here, elsewhere = _client(app, "lan"), _client(app, "lan", address="192.0.2.30")
    page = here.get("/account")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.text
    token = form_token(here, "/account", "/account/password")
    wrong = here.post("/account/password", data={"csrf_token": token, "current_password": "không-phải-nó",
                                                 "new_password": NEW, "new_password_repeat": NEW})
    assert wrong.status_code == 422 and "is not your current password" in wrong.text
    differ = here.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                  "new_password": NEW, "new_password_repeat": NEW + "x"})
    assert differ.status_code == 422 and "differ" in differ.text
    assert here.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                "new_password_repeat": NEW}).status_code == 403
    ok = here.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                              "new_password": NEW, "new_password_repeat": NEW},
                   follow_redirects=False)
    assert ok.status_code == 303 and here.get(ok.headers["location"]).status_code == 200
    assert elsewhere.get("/curation", follow_redirects=False).status_code == 303  # signed out
    assert sign_in(_client(app), "lan", PASSWORD).status_code == 401
    assert sign_in(_client(app), "lan", NEW, follow_redirects=False).status_code == 303
    with Session(app.state.engine) as session:
        lan = session.exec(select(User).where(User.username == "lan")).one()
        event = audit.history(session, "user", lan.id)[-1]
        assert (event.action, event.actor, event.via) == ("password_change", "lan", "form")


def test_an_admin_issues_a_reset_link_that_works_once(app):
    assert _client(app, "minh").get("/admin/users").status_code == 403
    admin = _client(app, "boss")
    listing = admin.get("/admin/users")
    assert listing.status_code == 200 and "lan" in listing.text
    action = "/admin/users/lan/reset-link"
    assert admin.post(action, data={"csrf_token": "forged"}).status_code == 403
    assert _client(app, "minh").post(action, data={"csrf_token": form_token(_client(app, "minh"), "/account",
                                                                           "/sign-out")}).status_code == 403
    issued = admin.post(action, data={"csrf_token": form_token(admin, "/admin/users", action)})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    link = issued.context["link"]
    assert link.startswith("http://testserver/reset/")  # from the request: no base URL needed
    path = link.removeprefix("http://testserver")
    lan_old = _client(app, "lan")
    visitor = _client(app, address="192.0.2.40")
    form = visitor.get(path)
    assert form.status_code == 200 and "lan" in form.text
    fields = form_fields(form.text, path)
    assert visitor.post(path, data={"new_password": NEW, "new_password_repeat": NEW}).status_code == 403
    short = visitor.post(path, data=fields | {"new_password": "ngắn", "new_password_repeat": "ngắn"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    done = visitor.post(path, data=fields | {"new_password": NEW, "new_password_repeat": NEW},
                        follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?reset=1"
    assert "Mật khẩu mới đã được đặt" in visitor.get("/sign-in?reset=1").text
    assert lan_old.get("/curation", follow_redirects=False).status_code == 303  # every session ended
    assert sign_in(visitor, "lan", NEW, follow_redirects=False).status_code == 303
    again = _client(app).get(path)
    assert again.status_code == 410 and "đã được dùng" in again.text
    assert _client(app).post(path, data=fields | {"new_password": "lại-đủ-dài-nữa", "new_password_repeat":
                                                  "lại-đủ-dài-nữa"}).status_code in (403, 410)
    with Session(app.state.engine) as session:
        lan = session.exec(select(User).where(User.username == "lan")).one()
        assert [(e.action, e.actor) for e in audit.history(session, "user", lan.id)] == [
            ("reset_link", "boss"), ("password_reset", "lan")]


def test_a_token_stops_while_its_owner_is_disabled_or_locked(app):
    with session_scope(app.state.engine) as session:
        _, secret = accounts.create_token(session, "minh", "script")
    client = TestClient(app)
    url = "/api/v1/curation/accessions/1/history"
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(url, headers=headers).status_code == 200
    with session_scope(app.state.engine) as session:
        for n in range(sign_in_limits.ACCOUNT.free + 8):
            sign_in_limits.record_failure(session, "minh", f"198.51.{n // 250}.{n % 250}")
    locked = client.get(url, headers=headers)
    assert locked.status_code == 401 and "locked" in locked.json()["message"]
    with session_scope(app.state.engine) as session:
        sign_in_limits.clear_account(session, "minh")
        accounts.set_active(session, "minh", False)
    disabled = client.get(url, headers=headers)
    assert disabled.status_code == 401 and "disabled" in disabled.json()["message"]


def test_revert_refuses_an_event_of_another_accession(app):
    with session_scope(app.state.engine) as session:
        a, b = session.exec(select(Accession).where(Accession.publication_status == "published")
                            .order_by(Accession.id).limit(2)).all()
        curator = audit.Actor("minh", "curator",
                              session.exec(select(User).where(User.username == "minh")).one().id)
        curation.update_accession(session, curator, b, {"accename": "Phiên bản của B"})
        event_b = audit.history(session, "accession", b.id)[-1].id
        a_id, b_id = a.id, b.id
        _, secret = accounts.create_token(session, "minh", "script")
    client = _client(app, "minh")
    token = form_token(client, f"/curation/accessions/{a_id}", "/sign-out")
    web = client.post(f"/curation/accessions/{a_id}/revert/{event_b}", data={"csrf_token": token})
    assert web.status_code == 404
    api = TestClient(app).post(f"/api/v1/curation/accessions/{a_id}/revert/{event_b}",
                               headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 404 and f"not a version of accession {a_id}" in api.json()["message"]
    ok = TestClient(app).post(f"/api/v1/curation/accessions/{b_id}/revert/{event_b}",
                              headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200, ok.text
    with Session(app.state.engine) as session:
        assert [e.action for e in audit.history(session, "accession", a_id)] .count("revert") == 0


@pytest.mark.parametrize("path", ["/", "/catalogue", "/sign-in", "/openapi.json", "/static/style.css",
                                  "/no-such-page", "/api/v1/no-such"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "style=" not in response.text or path.endswith(".json")


def test_swagger_ui_gets_its_own_policy(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert client.get("/openapi.json").json()["info"]["title"] == "genbank-registry"
