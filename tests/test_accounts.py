"""People and tokens: argon2 passwords, lockout, scoped expiring revocable tokens, sessions that really end."""
from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.errors import AuthenticationFailed, Forbidden, InvalidRecord, TooManyAttempts
from genbank_registry.accounts.models import ApiToken
from genbank_registry.accounts import people as accounts
from genbank_registry.accounts import audit
from genbank_registry.accounts import sign_in_limits

from .conftest import PASSWORD
from .factories import base_catalogue


def _users(session):
    base_catalogue(session)
    accounts.create_user(session, {"username": "lan", "full_name": "Trần Thị Lan", "role": "researcher",
                                   "institution_code": "TST", "password": PASSWORD})
    accounts.create_user(session, {"username": "minh", "full_name": "Lê Văn Minh", "role": "curator",
                                   "password": PASSWORD})
    session.commit()


def test_password_is_hashed_with_argon2_and_checked(session):
    _users(session)
    user = accounts.get_user(session, "lan")
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    assert accounts.authenticate(session, "LAN", PASSWORD).id == user.id
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        accounts.authenticate(session, "lan", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        accounts.authenticate(session, "nobody", PASSWORD)


def _fail_until_throttled(session, username, address, limit=15) -> int:
    """Wrong passwords from `address` until the sign-in is refused as too many; how many were checked.
    (Delays grow 1 s, 2 s, 4 s …, so a slow machine still meets one within `limit` attempts.)"""
    for attempt in range(limit):
        try:
            accounts.authenticate(session, username, "wrong-password", address)
        except AuthenticationFailed:
            continue
        except TooManyAttempts as exc:
            assert exc.retry_after >= 1
            return attempt
    raise AssertionError(f"{limit} wrong passwords from {address} were never slowed down")


def test_wrong_passwords_slow_down_that_address_but_never_lock_out_the_owner(session):
    _users(session)
    checked = _fail_until_throttled(session, "lan", "203.0.113.9")
    assert checked >= sign_in_limits.PAIR.free
    # While waiting, even the right password is not checked from that address...
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(session, "lan", PASSWORD, "203.0.113.9")
    # ...but the owner signs in from their own address, and their tokens keep working.
    assert accounts.authenticate(session, "lan", PASSWORD, "192.0.2.10").username == "lan"
    _, secret = accounts.create_token(session, "lan", "nightly")
    assert accounts.verify_token(session, secret)[0].username == "lan"


def test_unknown_usernames_are_slowed_down_like_real_ones(session):
    _users(session)
    assert _fail_until_throttled(session, "nobody", "203.0.113.9") == _fail_until_throttled(session, "lan",
                                                                                            "203.0.113.10")


def test_delays_grow_to_a_cap_and_start_again_after_a_quiet_hour(session):
    _users(session)
    at = accounts.now()
    waits = [sign_in_limits.record_failure(session, "lan", "203.0.113.9", at=at) for _ in range(12)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4:8] == [1, 2, 4, 8]
    assert sign_in_limits.delay(sign_in_limits.PAIR, 60) == sign_in_limits.PAIR.cap
    later = at + sign_in_limits.WINDOW + dt.timedelta(minutes=1)
    assert sign_in_limits.record_failure(session, "lan", "203.0.113.9", at=later) == 0


def test_many_addresses_guessing_one_account_lock_it_and_its_tokens_until_an_admin_unlocks(session):
    _users(session)
    _, secret = accounts.create_token(session, "lan", "nightly")
    at = accounts.now()
    for n in range(sign_in_limits.ACCOUNT.free + 8):  # the last waits 256 s: long enough on any machine
        sign_in_limits.record_failure(session, "lan", f"198.51.{n // 250}.{n % 250}", at=at)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(session, "lan", PASSWORD, "192.0.2.10")
    with pytest.raises(AuthenticationFailed, match="locked"):
        accounts.verify_token(session, secret)
    sign_in_limits.clear_account(session, "lan")
    assert accounts.verify_token(session, secret)[0].username == "lan"
    assert accounts.authenticate(session, "lan", PASSWORD, "192.0.2.10").username == "lan"


def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(session):
    _users(session)
    lan = accounts.get_user(session, "lan")
    here, ws_here = accounts.open_session(session, lan)
    elsewhere, _ = accounts.open_session(session, lan)
    with pytest.raises(InvalidRecord, match="not your current password"):
        accounts.change_own_password(session, lan, "wrong-password", "mới-đủ-dài-12", "mới-đủ-dài-12")
    with pytest.raises(InvalidRecord, match="the two new passwords differ"):
        accounts.change_own_password(session, lan, PASSWORD, "mới-đủ-dài-12", "mới-đủ-dài-13")
    with pytest.raises(InvalidRecord, match="at least 10 characters"):
        accounts.change_own_password(session, lan, PASSWORD, "short", "short")
    accounts.change_own_password(session, lan, PASSWORD, "mới-đủ-dài-12", "mới-đủ-dài-12", keep=ws_here)
    assert accounts.session_user(session, here) is not None and accounts.session_user(session, elsewhere) is None
    assert accounts.authenticate(session, "lan", "mới-đủ-dài-12").id == lan.id
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(session, "lan", PASSWORD)
    event = audit.history(session, "user", lan.id)[-1]
    assert event.action == "password_change" and event.actor == "lan"
    assert "mới-đủ-dài-12" not in str(event.note) and event.changes is None and event.snapshot is None


def test_a_reset_link_is_stored_hashed_works_once_expires_and_is_audited(session):
    _users(session)
    admin = audit.Actor("boss", "admin")
    lan = accounts.get_user(session, "lan")
    sid, _ = accounts.open_session(session, lan)
    first, first_secret = accounts.issue_reset_link(session, "lan", admin)
    row, secret = accounts.issue_reset_link(session, "lan", admin)
    assert row.token_hash == accounts.sha256(secret) and secret not in row.token_hash
    with pytest.raises(AuthenticationFailed, match="already used or expired"):  # replaced by the newer link
        accounts.reset_link_user(session, first_secret)
    with pytest.raises(InvalidRecord, match="differ"):
        accounts.use_reset_link(session, secret, "mới-đủ-dài-12", "khác-đủ-dài-12")
    accounts.use_reset_link(session, secret, "mới-đủ-dài-12", "mới-đủ-dài-12")
    assert accounts.authenticate(session, "lan", "mới-đủ-dài-12").id == lan.id
    assert accounts.session_user(session, sid) is None
    with pytest.raises(AuthenticationFailed, match="already used"):
        accounts.use_reset_link(session, secret, "lại-mới-đủ-dài", "lại-mới-đủ-dài")
    old, old_secret = accounts.issue_reset_link(session, "lan", admin, hours=1)
    old.expires_at = accounts.now() - dt.timedelta(minutes=1)
    session.add(old)
    with pytest.raises(AuthenticationFailed, match="expired"):
        accounts.reset_link_user(session, old_secret)
    actions = [e.action for e in audit.history(session, "user", lan.id)]
    assert actions == ["reset_link", "reset_link", "password_reset", "reset_link"]
    accounts.set_active(session, "lan", False)
    with pytest.raises(Forbidden, match="disabled"):
        accounts.issue_reset_link(session, "lan", admin)


def test_researcher_needs_an_institution_and_weak_passwords_are_refused(session):
    _users(session)
    with pytest.raises(InvalidRecord, match="a researcher belongs to an institution"):
        accounts.create_user(session, {"username": "hoa", "full_name": "Hoa", "password": PASSWORD})
    with pytest.raises(InvalidRecord, match="at least 10 characters"):
        accounts.create_user(session, {"username": "hoa", "full_name": "Hoa", "role": "curator",
                                       "password": "short"})
    with pytest.raises(InvalidRecord, match="is taken"):
        accounts.create_user(session, {"username": "minh", "full_name": "X", "role": "curator",
                                       "password": PASSWORD})


def test_tokens_are_shown_once_stored_hashed_scoped_expiring_and_revocable(session):
    _users(session)
    token, secret = accounts.create_token(session, "minh", "script", days=30, role="researcher")
    assert secret.startswith("gbr_") and session.get(ApiToken, token.id).token_hash != secret
    user, role = accounts.verify_token(session, secret)
    assert user.username == "minh" and role == "researcher"
    with pytest.raises(Forbidden, match="cannot have role curator"):
        accounts.create_token(session, "lan", "too strong", role="curator")
    accounts.revoke_token(session, token.id)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        accounts.verify_token(session, secret)
    old, old_secret = accounts.create_token(session, "minh", "old", days=1)
    old.expires_at = accounts.now() - dt.timedelta(minutes=1)
    session.add(old)
    with pytest.raises(AuthenticationFailed, match="expired"):
        accounts.verify_token(session, old_secret)
    with pytest.raises(AuthenticationFailed, match="unknown"):
        accounts.verify_token(session, "gbr_forged")


def test_disabling_a_user_stops_tokens_and_sessions(session):
    _users(session)
    _, secret = accounts.create_token(session, "lan", "nightly")
    sid, _ = accounts.open_session(session, accounts.get_user(session, "lan"))
    assert accounts.session_user(session, sid) is not None
    accounts.set_active(session, "lan", False)
    assert accounts.session_user(session, sid) is None
    with pytest.raises(AuthenticationFailed, match="disabled"):
        accounts.verify_token(session, secret)


def test_sign_in_issues_a_new_session_id_and_sign_out_ends_it(session):
    _users(session)
    user = accounts.get_user(session, "lan")
    first, ws = accounts.open_session(session, user)
    second, _ = accounts.open_session(session, user)
    assert first != second
    assert accounts.csrf_ok(ws, ws.csrf_token) and not accounts.csrf_ok(ws, "forged") and not accounts.csrf_ok(ws, None)
    accounts.close_session(session, first)
    assert accounts.session_user(session, first) is None
    assert accounts.session_user(session, second) is not None


def test_lowering_a_role_lowers_its_tokens(session):
    _users(session)
    token, _ = accounts.create_token(session, "minh", "curation")
    user = accounts.get_user(session, "minh")
    user.institution_id = accounts.get_user(session, "lan").institution_id
    accounts.set_role(session, "minh", "researcher")
    assert session.get(ApiToken, token.id).role == "researcher"


def test_cli_users_and_tokens(db_url, monkeypatch):
    monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells at 80 columns
    runner = CliRunner()
    from genbank_registry.db import make_engine, session_scope
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        base_catalogue(session)
    engine.dispose()
    result = runner.invoke(app, ["users", "add", "lan", "--name", "Trần Thị Lan", "--institution", "TST",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["users", "set-role", "lan", "curator"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert '"role": "curator"' in listed.output and "password" not in listed.output
    created = runner.invoke(app, ["tokens", "create", "lan", "--name", "nightly import", "--days", "7"])
    assert created.exit_code == 0
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("gbr_")
    tokens = runner.invoke(app, ["tokens", "list"])
    assert "nightly import" in tokens.output and secret not in tokens.output
    assert runner.invoke(app, ["tokens", "revoke", "1"]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "lan"]).exit_code == 0
    assert runner.invoke(app, ["users", "enable", "lan"]).exit_code == 0
    monkeypatch.setenv("GENBANK_REGISTRY_BASE_URL", "https://nguongen.cantho.example/")
    link = runner.invoke(app, ["users", "reset-link", "lan", "--hours", "2"])
    assert link.exit_code == 0, link.output
    url = link.output.strip().splitlines()[-1]
    assert url.startswith("https://nguongen.cantho.example/reset/")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert accounts.reset_link_user(session, url.rsplit("/", 1)[1])[1].username == "lan"
    engine.dispose()
    monkeypatch.setenv("GENBANK_REGISTRY_BASE_URL", "")
    unset = runner.invoke(app, ["users", "reset-link", "lan"])
    assert unset.exit_code == 1 and "GENBANK_REGISTRY_BASE_URL is not set" in unset.output
    monkeypatch.setenv("GENBANK_REGISTRY_NEW_PASSWORD", "đặt-bởi-quản-trị")
    assert runner.invoke(app, ["users", "set-password", "lan"]).exit_code == 0
    assert runner.invoke(app, ["users", "unlock", "lan"]).exit_code == 0
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        lan = accounts.authenticate(session, "lan", "đặt-bởi-quản-trị")
        assert [e.action for e in audit.history(session, "user", lan.id)] == ["reset_link", "password_set"]
    engine.dispose()
    bad = runner.invoke(app, ["users", "set-role", "nobody", "curator"])
    assert bad.exit_code == 1 and "user 'nobody' does not exist" in bad.output
