"""The signed-in user's own account (change password) and the administrators' list of users (reset links)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import select

from genbank_registry.errors import Forbidden, InvalidRecord, NotFound
from genbank_registry.accounts.models import User
from genbank_registry.accounts import people as accounts

from ..auth import FormUserDep, Principal, UserDep, require_admin
from ..deps import SessionDep
from ..templating import render

router = APIRouter(include_in_schema=False)
AdminDep = Annotated[Principal, Depends(require_admin)]


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, principal: UserDep):
    return render(request, "account/index.html", {"principal": principal, "problems": [],
                                                  "changed": request.query_params.get("changed") == "1"})


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, session: SessionDep, principal: FormUserDep,
                    current_password: Annotated[str, Form()], new_password: Annotated[str, Form()],
                    new_password_repeat: Annotated[str, Form()]):
    if principal.web_session is None:
        raise HTTPException(status_code=403, detail="change your password in the web page /account, signed in")
    user = session.get(User, principal.user.id)
    try:
        accounts.change_own_password(session, user, current_password, new_password, new_password_repeat,
                                     keep=principal.web_session, actor=principal.actor())
    except InvalidRecord as exc:
        session.rollback()
        return render(request, "account/index.html", {"principal": principal, "problems": exc.problems,
                                                      "changed": False}, status_code=422)
    session.commit()
    return RedirectResponse("/account?changed=1", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: AdminDep):
    users = session.exec(select(User).order_by(User.username)).all()
    return render(request, "account/users.html", {"users": users, "principal": principal})


@router.post("/admin/users/{username}/reset-link", response_class=HTMLResponse)
def issue_reset_link(request: Request, session: SessionDep, principal: FormUserDep, username: str):
    require_admin(principal)
    try:
        row, secret = accounts.issue_reset_link(session, username, principal.actor())
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except Forbidden as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    session.commit()
    # The link is shown on this page only: the secret is not stored, and the page is not cached.
    link = str(request.base_url).rstrip("/") + f"/reset/{secret}"
    user = session.get(User, row.user_id)
    response = render(request, "account/reset_link.html", {"user": user, "link": link, "expires_at": row.expires_at})
    response.headers["Cache-Control"] = "no-store"
    return response
