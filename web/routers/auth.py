"""Sign-in and sign-out pages."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from genbank_registry.errors import AuthenticationFailed
from genbank_registry.services import accounts

from ..auth import SESSION_COOKIE, FormUserDep, PrincipalDep, set_session_cookie
from ..deps import SessionDep
from ..templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: a crafted ?next= must not send a signed-in user to another site.
    return target if target and target.startswith("/") and not target.startswith("//") else "/curation"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, principal: PrincipalDep, next: str | None = None):
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/sign_in.html", {"next": _safe_next(next), "error": None})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, session: SessionDep, username: Annotated[str, Form()],
            password: Annotated[str, Form()], next: Annotated[str | None, Form()] = None):
    try:
        user = accounts.authenticate(session, username, password)
    except AuthenticationFailed:
        session.commit()  # keep the failed-attempt count
        return render(request, "auth/sign_in.html", {"next": _safe_next(next), "error": True, "username": username},
                      status_code=401)
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
