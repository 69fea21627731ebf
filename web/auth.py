"""Who is asking: a signed-in session (cookie) or an API token (Authorization: Bearer …), or the public.

Every form POST carries the session's CSRF token; state-changing API calls authenticate by token, which a
browser never sends on its own, so they need no CSRF token.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from genbank_registry.errors import AuthenticationFailed
from genbank_registry.accounts.models import User, WebSession
from genbank_registry.accounts import people as accounts
from genbank_registry.accounts.audit import Actor
from schemas.accounts import AuditVia

from .deps import SessionDep

SESSION_COOKIE = "gr_session"
# Before any session exists (sign-in, reset link) forms use a signed double-submit token: a random cookie, and
# in the form its HMAC under the secret key, which a site that cannot read our cookies cannot compute.
PRESESSION_COOKIE = "gr_presession"
CSRF_REFUSED = "the form's security token is missing or wrong; reload the page and try again"


class Principal:
    def __init__(self, user: User, role: str, via: str, web_session: WebSession | None = None):
        self.user, self.role, self.via, self.web_session = user, role, via, web_session

    def actor(self, batch_id: int | None = None) -> Actor:
        return Actor(self.user.username, self.role, self.user.id, self.user.institution_id, via=self.via,
                     batch_id=batch_id)


def current_principal(request: Request, session: SessionDep) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        try:
            user, role = accounts.verify_token(session, header[7:].strip())
        except AuthenticationFailed as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None
        session.commit()  # last_used_at
        return Principal(user, role, AuditVia.API)
    found = getattr(request.state, "web_user", None)
    if found is None:
        return None
    user, ws = found
    return Principal(user, user.role, AuditVia.FORM, ws)


def identify(engine, cookie: str | None):
    """(user, web session) for a session cookie, or None; the middleware calls this once per request."""
    if not cookie:
        return None
    with Session(engine, expire_on_commit=False) as session:
        found = accounts.session_user(session, cookie)
        if found is not None:
            session.expunge_all()
        return found


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


def require_user(principal: PrincipalDep) -> Principal:
    if principal is None:
        raise HTTPException(status_code=401, detail="sign in first (or send an API token)")
    return principal


UserDep = Annotated[Principal, Depends(require_user)]


# Shows in /openapi.json which routes need `Authorization: Bearer <token>`; current_principal reads and checks it.
API_TOKEN = HTTPBearer(auto_error=False, scheme_name="ApiToken",
                       description="an API token, created with `genbank-registry tokens create`")


def require_token(principal: UserDep,
                  _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(API_TOKEN)]) -> Principal:
    """The JSON API's write routes take tokens only: a browser's cookie must not be able to drive them."""
    if principal.web_session is not None:
        raise HTTPException(status_code=401, detail="the API needs an API token (Authorization: Bearer …); "
                                                    "create one with `genbank-registry tokens create`")
    return principal


TokenUserDep = Annotated[Principal, Depends(require_token)]


def check_csrf(principal: UserDep, csrf_token: Annotated[str | None, Form()] = None) -> Principal:
    """Forms only: a token-authenticated API call has no web session and needs no CSRF token."""
    if principal.web_session is not None and not accounts.csrf_ok(principal.web_session, csrf_token):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)
    return principal


FormUserDep = Annotated[Principal, Depends(check_csrf)]


def set_session_cookie(request: Request, response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=int(accounts.SESSION_LIFETIME.total_seconds()))


def _presession_mac(request: Request, nonce: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"presession\n" + nonce.encode(), hashlib.sha256).hexdigest()


def presession_csrf(request: Request) -> tuple[str, str]:
    """(cookie value, form token) for a form shown before sign-in: the browser's pre-session cookie if it has
    one, else a new one; `set_presession_cookie` sends it with the page."""
    nonce = request.cookies.get(PRESESSION_COOKIE)
    if not nonce or len(nonce) > 64:
        nonce = secrets.token_urlsafe(24)
    return nonce, _presession_mac(request, nonce)


def set_presession_cookie(request: Request, response, nonce: str) -> None:
    response.set_cookie(PRESESSION_COOKIE, nonce, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=2 * 3600)


def check_presession_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    nonce = request.cookies.get(PRESESSION_COOKIE)
    if not nonce or not csrf_token or not hmac.compare_digest(_presession_mac(request, nonce), csrf_token):
        raise HTTPException(status_code=403, detail=CSRF_REFUSED)


PresessionCsrfDep = Annotated[None, Depends(check_presession_csrf)]


def _networks(setting: str) -> list:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def _trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The socket's address; X-Forwarded-For only when the socket is a proxy named in `trusted_proxies`,
    and then its right-most address that is not itself a trusted proxy."""
    address = request.client.host if request.client else ""
    networks = _networks(request.app.state.settings.trusted_proxies)
    if not networks or not _trusted(address, networks):
        return address
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, networks):
            return hop
    return forwarded[0] if forwarded else address


def require_admin(principal: UserDep) -> Principal:
    if principal.role != "admin":
        raise HTTPException(status_code=403, detail="only administrators manage accounts")
    return principal
