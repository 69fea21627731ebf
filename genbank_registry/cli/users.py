"""`genbank-registry users …` and `tokens …`: people, roles and API tokens (run by the server's operator)."""
from __future__ import annotations

import getpass
import json

import typer
from rich.table import Table
from sqlmodel import Session, select

from schemas.accounts import UserPublic

from genbank_registry.db import session_scope
from genbank_registry.models import Institution
from genbank_registry.accounts.models import User
from genbank_registry.accounts import people as accounts
from genbank_registry.accounts import sign_in_limits
from genbank_registry.accounts.audit import SYSTEM
from genbank_registry.cli.common import console, engine_for, fail, reported_errors, settings

users_app = typer.Typer(help="Users and roles (researcher, curator, admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for scripts: shown once, stored hashed, expiring, revocable.",
                         no_args_is_help=True)


@users_app.command("add")
def add(
    username: str,
    full_name: str = typer.Option(..., "--name", help="full name, family name first (Nguyễn Văn A)"),
    role: str = typer.Option("researcher", help="researcher, curator or admin"),
    institution: str = typer.Option(None, help="INSTCODE; required for researchers"),
    email: str = typer.Option(None),
    password: str = typer.Option(None, help="omit to be asked (or set GENBANK_REGISTRY_NEW_PASSWORD)",
                                 envvar="GENBANK_REGISTRY_NEW_PASSWORD"),
):
    """Create a user."""
    if password is None:
        password = getpass.getpass("Mật khẩu / password (≥ 10 characters): ")
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        user = accounts.create_user(session, {"username": username, "full_name": full_name, "role": role,
                                              "institution_code": institution, "email": email,
                                              "password": password})
        console.print(f"user {user.username} ({user.role}) created")


def _public(session: Session, user: User) -> UserPublic:
    inst = session.get(Institution, user.institution_id) if user.institution_id else None
    return UserPublic.model_validate(user, from_attributes=True, update={"institution_code": inst.code if inst else None})


@users_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")):
    """List users."""
    with engine_for() as engine, Session(engine) as session:
        users = [_public(session, u) for u in session.exec(select(User).order_by(User.username))]
    if as_json:
        typer.echo(json.dumps([u.model_dump(mode="json") for u in users], ensure_ascii=False, indent=1))
        return
    table = Table(title="Người dùng / users")
    for col in ("username", "name", "role", "institution", "active", "last sign-in"):
        table.add_column(col)
    for u in users:
        table.add_row(u.username, u.full_name, u.role, u.institution_code or "", "yes" if u.is_active else "no",
                      u.last_login_at.strftime("%d/%m/%Y %H:%M") if u.last_login_at else "")
    console.print(table)


@users_app.command("set-role")
def set_role(username: str, role: str):
    """Change a user's role (tokens above the new role are lowered with it)."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.set_role(session, username, role)
    console.print(f"{username} is now {role}")


@users_app.command("disable")
def disable(username: str):
    """Disable a user: sign-in, sessions and tokens stop working at once."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.set_active(session, username, False)
    console.print(f"{username} disabled")


@users_app.command("enable")
def enable(username: str):
    """Enable a disabled user again."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.set_active(session, username, True)
    console.print(f"{username} enabled")


@users_app.command("set-password")
def set_password(
    username: str,
    password: str = typer.Option(None, help="omit to be asked twice (or set GENBANK_REGISTRY_NEW_PASSWORD)",
                                 envvar="GENBANK_REGISTRY_NEW_PASSWORD"),
):
    """Set a user's password (at least 10 characters); all their web sessions end. Audited."""
    if password is None:
        password = getpass.getpass("Mật khẩu mới / new password (≥ 10 characters): ")
        if getpass.getpass("Nhập lại / again: ") != password:
            fail("the two passwords differ; run the command again")
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.set_password(session, username, password, SYSTEM)
    console.print(f"password of {username} set; their sessions have ended")


@users_app.command("reset-link")
def reset_link(username: str, hours: int = typer.Option(accounts.RESET_HOURS, help="hours it works (1–168)")):
    """Print a one-time link with which the user sets a new password (no e-mail needed). Shown once; audited.
    The link starts with GENBANK_REGISTRY_BASE_URL, the address people open the registry at."""
    base = (settings().base_url or "").rstrip("/")
    if not base:
        fail("GENBANK_REGISTRY_BASE_URL is not set: set it to the address people open the registry at "
             "(e.g. https://nguongen.cantho.gov.vn) so that the link points there")
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        row, secret = accounts.issue_reset_link(session, username, SYSTEM, hours=hours)
        expires = row.expires_at.strftime("%d/%m/%Y %H:%M")
    console.print(f"one-time reset link for {username}, works once until {expires} UTC. "
                  f"Shown once / chỉ hiện một lần:")
    typer.echo(f"{base}/reset/{secret}")


@users_app.command("unlock")
def unlock(username: str):
    """Lift the account-wide sign-in delay that many failures from many addresses put on an account (its API
    tokens work again at once)."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.get_user(session, username)
        sign_in_limits.clear_account(session, username)
    console.print(f"{username}: sign-in delays lifted")


@tokens_app.command("create")
def create(
    username: str,
    name: str = typer.Option(..., help="what the token is for, e.g. 'nightly import'"),
    days: int = typer.Option(90, help="days until it expires (1–366)"),
    role: str = typer.Option(None, help="scope; at most the user's role (default: the user's role)"),
):
    """Create an API token. It is printed once: store it now."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        token, secret = accounts.create_token(session, username, name, days=days, role=role)
        expires = token.expires_at.strftime("%d/%m/%Y")
        token_id = token.id
    console.print(f"token {token_id} for {username}, expires {expires}. Shown once / chỉ hiện một lần:")
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(username: str = typer.Option(None, "--user")):
    """List tokens (never their secrets)."""
    with engine_for() as engine, Session(engine) as session:
        rows = accounts.list_tokens(session, username)
        table = Table(title="API tokens")
        for col in ("id", "user", "name", "prefix", "role", "expires", "revoked", "last used"):
            table.add_column(col)
        for token, user in rows:
            table.add_row(str(token.id), user.username, token.name, token.prefix + "…", token.role,
                          token.expires_at.strftime("%d/%m/%Y"),
                          token.revoked_at.strftime("%d/%m/%Y") if token.revoked_at else "",
                          token.last_used_at.strftime("%d/%m/%Y %H:%M") if token.last_used_at else "")
    console.print(table)


@tokens_app.command("revoke")
def revoke(token_id: int):
    """Revoke a token at once."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        accounts.revoke_token(session, token_id)
    console.print(f"token {token_id} revoked")


