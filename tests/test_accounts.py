"""People and tokens: argon2 passwords, lockout, scoped expiring revocable tokens, sessions that really end."""
from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.errors import AuthenticationFailed, Forbidden, InvalidRecord
from genbank_registry.models_accounts import ApiToken
from genbank_registry.services import accounts

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


def test_lockout_after_repeated_failures(session):
    _users(session)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(session, "lan", "wrong-password")
    # Even the right password is refused while locked.
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(session, "lan", PASSWORD)
    user = accounts.get_user(session, "lan")
    user.locked_until = accounts.now() - dt.timedelta(seconds=1)
    session.add(user)
    assert accounts.authenticate(session, "lan", PASSWORD).username == "lan"


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
    bad = runner.invoke(app, ["users", "set-role", "nobody", "curator"])
    assert bad.exit_code == 1 and "user 'nobody' does not exist" in bad.output
