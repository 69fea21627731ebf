"""Sign-in and sign-out pages, and the one-time reset link's page."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from genbank_registry.errors import AuthenticationFailed, InvalidRecord, TooManyAttempts
from genbank_registry.accounts import people as accounts

from ..auth import (SESSION_COOKIE, FormUserDep, PresessionCsrfDep, PrincipalDep, client_address, presession_csrf,
                    set_presession_cookie, set_session_cookie)
from ..deps import SessionDep
from ..templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: a crafted ?next= must not send a signed-in user to another site.
    return target if target and target.startswith("/") and not target.startswith("//") else "/curation"


def presession_page(request: Request, name: str, context: dict, status_code: int = 200):
    """A page whose form is posted before any session exists: its token (`form_token`, not the session's
    `csrf_token`, which the sign-out form of a signed-in visitor still needs) is the signed pre-session one."""
    nonce, token = presession_csrf(request)
    response = render(request, name, context | {"form_token": token}, status_code=status_code)
    set_presession_cookie(request, response, nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_in_page(request: Request, status_code: int = 200, **context):
    base = {"next": _safe_next(context.pop("next", None)), "error": None, "retry_after": None,
            "reset_done": request.query_params.get("reset") == "1"}
    return presession_page(request, "auth/sign_in.html", base | context, status_code=status_code)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, principal: PrincipalDep, next: str | None = None):
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(request, next=next)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, session: SessionDep, _csrf: PresessionCsrfDep, username: Annotated[str, Form()],
            password: Annotated[str, Form()], next: Annotated[str | None, Form()] = None):
    try:
        user = accounts.authenticate(session, username, password, client_address(request))
    except TooManyAttempts as exc:
        response = _sign_in_page(request, 429, next=next, username=username, retry_after=exc.retry_after)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthenticationFailed:
        session.commit()  # keep the failure counts
        return _sign_in_page(request, 401, next=next, username=username, error=True)
    # Whatever session id the browser had, it is dropped: sign-in always issues a new one.
    accounts.close_session(session, request.cookies.get(SESSION_COOKIE))
    secret, _ = accounts.open_session(session, user)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, principal: FormUserDep):
    accounts.close_session(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- one-time reset links (issued by an administrator: /admin/users or `users reset-link`) ----------------

def _reset_page(request: Request, session, token: str, problems=None, status_code: int = 200):
    try:
        _, user = accounts.reset_link_user(session, token)
    except AuthenticationFailed:
        return presession_page(request, "auth/reset.html", {"user": None, "token": token, "problems": []},
                               status_code=410)
    return presession_page(request, "auth/reset.html", {"user": user, "token": token, "problems": problems or []},
                           status_code=status_code)


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, session: SessionDep, token: str):
    return _reset_page(request, session, token)


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset(request: Request, session: SessionDep, _csrf: PresessionCsrfDep, token: str,
          new_password: Annotated[str, Form()], new_password_repeat: Annotated[str, Form()]):
    try:
        accounts.use_reset_link(session, token, new_password, new_password_repeat)
    except AuthenticationFailed:
        session.rollback()
        return _reset_page(request, session, token)
    except InvalidRecord as exc:
        session.rollback()
        return _reset_page(request, session, token, exc.problems, status_code=422)
    session.commit()
    # Every session of the user has ended, this browser's too if it had one.
    response = RedirectResponse("/sign-in?reset=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
