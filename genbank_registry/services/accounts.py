"""Users, passwords (argon2), lockout, API tokens and web sessions.

Tokens and session ids are random secrets shown once; only their SHA-256 is stored, so a copy of the
database does not let anyone sign in.
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

from ..errors import AuthenticationFailed, Forbidden, InvalidRecord, NotFound
from ..models import Institution
from ..models_accounts import ApiToken, User, WebSession

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=12)
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


def set_password(session: Session, username: str, password: str) -> User:
    if len(password) < 10:
        raise InvalidRecord(f"user {username}", [("password", "***", "use at least 10 characters")])
    user = get_user(session, username)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The user, or AuthenticationFailed with one message for every cause a stranger could probe."""
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    generic = "wrong username or password, or the account is disabled or locked"
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            pass
        raise AuthenticationFailed(generic)
    locked = _aware(user.locked_until)
    if locked and locked > now():
        raise AuthenticationFailed(generic)
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now() + LOCKOUT, 0
        session.add(user)
        session.flush()
        raise AuthenticationFailed(generic) from None
    if not user.is_active:
        raise AuthenticationFailed(generic)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now()
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
