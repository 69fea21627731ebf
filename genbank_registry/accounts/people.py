"""Users, passwords (argon2), sign-in limits, password changes and reset links, API tokens and web sessions.

Tokens, reset links and session ids are random secrets shown once; only their SHA-256 is stored, so a copy of
the database does not let anyone sign in. Password changes, set passwords and reset links are audited
(entity "user"); the audit trail never holds a password or a hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlmodel import Session, select

from schemas.accounts import ROLE_RANK, Role, UserCreate

from genbank_registry.errors import AuthenticationFailed, Forbidden, InvalidRecord, NotFound
from genbank_registry.models import Institution
from genbank_registry.accounts.models import ApiToken, PasswordReset, User, WebSession
from genbank_registry.accounts import audit
from genbank_registry.accounts import sign_in_limits
from genbank_registry.accounts.audit import Actor

SESSION_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD = 10
RESET_HOURS = 24
TOKEN_PREFIX = "gbr_"
_hasher = PasswordHasher()
# Verifying against a dummy hash when the user does not exist keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(session: Session, data: UserCreate | dict) -> User:
    try:
        data = data if isinstance(data, UserCreate) else UserCreate.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord.from_validation("user", exc) from None
    if session.exec(select(User).where(User.username == data.username)).first():
        raise InvalidRecord(f"user {data.username}", [("username", data.username, "is taken; choose another")])
    institution_id = None
    if data.institution_code:
        inst = session.exec(select(Institution).where(Institution.code == data.institution_code.upper())).first()
        if inst is None:
            raise NotFound(f"user {data.username}: institution {data.institution_code!r} is not in the registry")
        institution_id = inst.id
    elif data.role == Role.RESEARCHER:
        raise InvalidRecord(f"user {data.username}", [("institution_code", None,
                                                       "a researcher belongs to an institution; give --institution")])
    user = User(**data.model_dump(exclude={"password", "institution_code"}), institution_id=institution_id,
                password_hash=_hasher.hash(data.password))
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"user {username!r} does not exist; `genbank-registry users list` shows who does")
    return user


def set_role(session: Session, username: str, role: str) -> User:
    if role not in [r.value for r in Role]:
        raise InvalidRecord(f"user {username}", [("role", role, "allowed: researcher, curator, admin")])
    user = get_user(session, username)
    user.role = role
    # A token never carries more than its owner's role.
    for token in session.exec(select(ApiToken).where(ApiToken.user_id == user.id)):
        if ROLE_RANK[Role(token.role)] > ROLE_RANK[Role(role)]:
            token.role = role
            session.add(token)
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    user = get_user(session, username)
    user.is_active = active
    if not active:
        for ws in session.exec(select(WebSession).where(WebSession.user_id == user.id)):
            session.delete(ws)
    session.add(user)
    session.flush()
    return user


def _check_password(username: str, password: str, repeat: str | None = None, field: str = "password") -> None:
    # The same rule as UserCreate: at least MIN_PASSWORD characters.
    if len(password or "") < MIN_PASSWORD:
        raise InvalidRecord(f"user {username}", [(field, "***", f"use at least {MIN_PASSWORD} characters")])
    if repeat is not None and repeat != password:
        raise InvalidRecord(f"user {username}", [("new_password_repeat", "***",
                                                  "the two new passwords differ; type the same one twice")])


def _replace_password(session: Session, user: User, password: str, keep: WebSession | None = None) -> None:
    """New hash; every web session of the user ends except `keep` (the one that changed its own password)."""
    user.password_hash = _hasher.hash(password)
    session.add(user)
    for ws in session.exec(select(WebSession).where(WebSession.user_id == user.id)):
        if keep is None or ws.id != keep.id:
            session.delete(ws)
    session.flush()


def _user_event(session: Session, actor: Actor, user: User, action: str, note: str) -> None:
    audit.record(session, actor, entity="user", entity_id=user.id, action=action, note=note)


def set_password(session: Session, username: str, password: str, actor: Actor = audit.SYSTEM) -> User:
    """An operator sets a password (`users set-password`): all the user's sessions end."""
    _check_password(username, password)
    user = get_user(session, username)
    _replace_password(session, user, password)
    _user_event(session, actor, user, "password_set", f"password of {user.username} set by {actor.username}")
    return user


def change_own_password(session: Session, user: User, current: str, new: str, repeat: str,
                        keep: WebSession | None = None, actor: Actor | None = None) -> User:
    """A signed-in user changes their password: the current one first; their other sessions end."""
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise InvalidRecord(f"user {user.username}", [("current_password", "***",
                                                       "is not your current password")]) from None
    _check_password(user.username, new, repeat, field="new_password")
    _replace_password(session, user, new, keep=keep)
    actor = actor or Actor(user.username, user.role, user.id, user.institution_id)
    _user_event(session, actor, user, "password_change", "changed own password; other sessions ended")
    return user


def issue_reset_link(session: Session, username: str, actor: Actor,
                     hours: int = RESET_HOURS) -> tuple[PasswordReset, str]:
    """(row, secret) of a one-time link to set a new password; any earlier unused link of the user stops
    working. Only the secret's SHA-256 is stored: show the link once."""
    if not 1 <= hours <= 168:
        raise InvalidRecord("reset link", [("hours", hours, "a reset link lives 1 to 168 hours")])
    user = get_user(session, username)
    if not user.is_active:
        raise Forbidden(f"user {user.username} is disabled; enable the account first "
                        f"(`genbank-registry users enable {user.username}`)")
    for old in session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                        PasswordReset.used_at.is_(None))):
        old.used_at = now()
        session.add(old)
    secret = secrets.token_urlsafe(32)
    row = PasswordReset(user_id=user.id, token_hash=sha256(secret), issued_by_id=actor.user_id,
                        expires_at=now() + dt.timedelta(hours=hours))
    session.add(row)
    session.flush()
    _user_event(session, actor, user, "reset_link",
                f"one-time reset link for {user.username} issued by {actor.username}, valid {hours} h")
    return row, secret


def reset_link_user(session: Session, secret: str) -> tuple[PasswordReset, User]:
    """The link's row and user, or AuthenticationFailed for a link unknown, used, replaced or expired."""
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == sha256(secret or ""))).first()
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now() or user is None \
            or not user.is_active:
        raise AuthenticationFailed("this reset link is unknown, already used or expired; "
                                   "ask an administrator for a new one")
    return row, user


def use_reset_link(session: Session, secret: str, password: str, repeat: str, via: str = "form") -> User:
    """Set the new password through a one-time link: the link is spent and every session of the user ends."""
    row, user = reset_link_user(session, secret)
    _check_password(user.username, password, repeat, field="new_password")
    row.used_at = now()
    session.add(row)
    _replace_password(session, user, password)
    _user_event(session, Actor(user.username, user.role, user.id, user.institution_id, via=via), user,
                "password_reset", f"new password set through reset link {row.id}")
    return user


def authenticate(session: Session, username: str, password: str, address: str = "") -> User:
    """The user, or AuthenticationFailed with one message for every cause a stranger could probe, or
    TooManyAttempts while recent failures for this account and address make the attempt wait
    (accounts.sign_in_limits); then the password is not even checked."""
    sign_in_limits.check(session, username, address)
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    generic = "wrong username or password, or the account is disabled"
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password or "")
        if user is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        # Unknown usernames count like known ones: the limits do not tell which accounts exist.
        sign_in_limits.record_failure(session, username, address)
        raise AuthenticationFailed(generic) from None
    if not user.is_active:
        raise AuthenticationFailed(generic)
    sign_in_limits.record_success(session, user.username, address)
    user.last_login_at = now()
    session.add(user)
    session.flush()
    return user


# --- API tokens -----------------------------------------------------------------------------------

def create_token(session: Session, username: str, name: str, days: int = 90,
                 role: str | None = None) -> tuple[ApiToken, str]:
    """(row, secret): the secret is shown once and never stored."""
    user = get_user(session, username)
    role = role or user.role
    if role not in [r.value for r in Role]:
        raise InvalidRecord("token", [("role", role, "allowed: researcher, curator, admin")])
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(user.role)]:
        raise Forbidden(f"a token for {username} cannot have role {role}: the user is a {user.role}")
    if not 1 <= days <= 366:
        raise InvalidRecord("token", [("days", days, "a token lives 1 to 366 days")])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=sha256(secret), role=role,
                     expires_at=now() + dt.timedelta(days=days))
    session.add(token)
    session.flush()
    return token, secret


def verify_token(session: Session, secret: str) -> tuple[User, str]:
    """(user, role) for a valid token; AuthenticationFailed names what is wrong (expired, revoked…)."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == sha256(secret or ""))).first()
    if token is None:
        raise AuthenticationFailed("unknown API token")
    if token.revoked_at is not None:
        raise AuthenticationFailed("this API token was revoked")
    if _aware(token.expires_at) <= now():
        raise AuthenticationFailed("this API token has expired; create a new one")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("the owner of this API token is disabled")
    if sign_in_limits.account_locked(session, user.username):
        raise AuthenticationFailed("the owner of this API token is locked after many failed sign-ins; "
                                   "an administrator can lift it with `genbank-registry users unlock`")
    token.last_used_at = now()
    session.add(token)
    return user, token.role if ROLE_RANK[Role(token.role)] <= ROLE_RANK[Role(user.role)] else user.role


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"API token {token_id} does not exist; `genbank-registry tokens list` shows them")
    token.revoked_at = token.revoked_at or now()
    session.add(token)
    session.flush()
    return token


def list_tokens(session: Session, username: str | None = None) -> list[tuple[ApiToken, User]]:
    stmt = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        stmt = stmt.where(User.username == username.strip().lower())
    return list(session.exec(stmt))


# --- web sessions ---------------------------------------------------------------------------------

def open_session(session: Session, user: User) -> tuple[str, WebSession]:
    """A fresh random session id on every sign-in, so an id planted before sign-in is worthless."""
    secret = secrets.token_urlsafe(32)
    ws = WebSession(session_hash=sha256(secret), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
                    expires_at=now() + SESSION_LIFETIME)
    session.add(ws)
    session.flush()
    return secret, ws


def session_user(session: Session, secret: str | None) -> tuple[User, WebSession] | None:
    if not secret:
        return None
    ws = session.exec(select(WebSession).where(WebSession.session_hash == sha256(secret))).first()
    if ws is None or _aware(ws.expires_at) <= now():
        return None
    user = session.get(User, ws.user_id)
    if user is None or not user.is_active:
        return None
    return user, ws


def close_session(session: Session, secret: str | None) -> None:
    if not secret:
        return
    ws = session.exec(select(WebSession).where(WebSession.session_hash == sha256(secret))).first()
    if ws is not None:
        session.delete(ws)
        session.flush()


def csrf_ok(ws: WebSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(ws.csrf_token, submitted)
