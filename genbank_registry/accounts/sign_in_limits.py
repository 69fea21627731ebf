"""Growing delays after failed sign-ins, per (account, address), per address and per account.

An account is never locked by a handful of wrong passwords: after `free` failures in a scope, each further
failure makes that scope wait 1 s, 2 s, 4 s … up to a cap before the next attempt is even checked. The pair
scope (this username from this address) slows down someone guessing one account; the address scope slows
down one address trying many accounts; the account scope, at a much higher threshold, slows down many
addresses guessing one account, and while it holds the account's API tokens are refused too. The owner signing
in from another address meets only the account scope. Counters live in the database (`sign_in_throttle`) so
that every web process sees them, and a scope with no failure for `WINDOW` starts again from zero.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from genbank_registry.errors import TooManyAttempts
from genbank_registry.accounts.models import SignInThrottle


@dataclass(frozen=True)
class Scope:
    name: str
    free: int  # failures before any delay
    cap: dt.timedelta  # longest delay


PAIR = Scope("pair", 5, dt.timedelta(minutes=15))
ADDRESS = Scope("address", 20, dt.timedelta(minutes=15))
ACCOUNT = Scope("account", 100, dt.timedelta(hours=1))
WINDOW = dt.timedelta(hours=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def _key(scope: Scope, username: str, address: str) -> str:
    # Hashed: a username field sometimes receives a password, and addresses are personal data.
    part = {"pair": f"{username}\n{address}", "address": address, "account": username}[scope.name]
    return hashlib.sha256(f"{scope.name}\n{part}".encode()).hexdigest()


def _scopes(username: str, address: str) -> list[tuple[Scope, str]]:
    username = (username or "").strip().lower()
    return [(scope, _key(scope, username, address)) for scope in (PAIR, ADDRESS, ACCOUNT)]


def delay(scope: Scope, failures: int) -> dt.timedelta:
    """The wait after the `failures`-th failure: none up to `free - 1`, then 1 s, 2 s, 4 s … up to the cap."""
    if failures < scope.free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - scope.free, 30)), scope.cap)


def _wait(rows, at: dt.datetime) -> int:
    blocked = [_aware(r.blocked_until) for r in rows if r is not None and r.blocked_until is not None]
    longest = max((b - at for b in blocked if b > at), default=dt.timedelta(0))
    return math.ceil(longest.total_seconds()) if longest > dt.timedelta(0) else 0


def check(session: Session, username: str, address: str, at: dt.datetime | None = None) -> None:
    """TooManyAttempts(retry_after) while any scope of this attempt is waiting; otherwise nothing."""
    at = at or _now()
    hashes = [key for _, key in _scopes(username, address)]
    rows = session.exec(select(SignInThrottle).where(SignInThrottle.key_hash.in_(hashes))).all()
    wait = _wait(rows, at)
    if wait:
        raise TooManyAttempts(wait)


def _row(session: Session, scope: Scope, key: str) -> SignInThrottle:
    stmt = select(SignInThrottle).where(SignInThrottle.key_hash == key).with_for_update()
    row = session.exec(stmt).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():  # another process may insert the same key at the same moment
            row = SignInThrottle(key_hash=key, scope=scope.name, failures=0)
            session.add(row)
    except IntegrityError:
        row = session.exec(stmt).one()
    return row


def record_failure(session: Session, username: str, address: str, at: dt.datetime | None = None) -> int:
    """Count a failed attempt in every scope; the seconds to wait before the next one (0: none)."""
    at = at or _now()
    rows = []
    for scope, key in _scopes(username, address):
        row = _row(session, scope, key)
        last = _aware(row.last_failure_at)
        row.failures = 1 if row.failures and last is not None and at - last > WINDOW else row.failures + 1
        row.last_failure_at = at
        wait = delay(scope, row.failures)
        row.blocked_until = at + wait if wait else None
        session.add(row)
        rows.append(row)
    session.flush()
    return _wait(rows, at)


def record_success(session: Session, username: str, address: str) -> None:
    """The right password from this address: its pair counter starts again (the others do not: an address
    that guesses many accounts, or many addresses guessing one, stay slowed down)."""
    scope, key = _scopes(username, address)[0]
    row = session.exec(select(SignInThrottle).where(SignInThrottle.key_hash == key)).first()
    if row is not None:
        session.delete(row)
        session.flush()


def account_locked(session: Session, username: str, at: dt.datetime | None = None) -> bool:
    """Whether the account scope is waiting (many failures from many addresses): its tokens are refused too."""
    key = _key(ACCOUNT, (username or "").strip().lower(), "")
    row = session.exec(select(SignInThrottle).where(SignInThrottle.key_hash == key)).first()
    return _wait([row], at or _now()) > 0


def clear_account(session: Session, username: str) -> int:
    """An administrator lifts the account scope (`users unlock`); how many rows were removed."""
    key = _key(ACCOUNT, (username or "").strip().lower(), "")
    rows = session.exec(select(SignInThrottle).where(SignInThrottle.key_hash == key)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
