"""`genbank-registry accessions list|show`: staff views of the catalogue (drafts included, marked)."""
from __future__ import annotations

import json

import typer
from rich.table import Table
from sqlmodel import Session

from schemas import codes
from schemas.dates import format_partial_date
from schemas.places import district_name

from genbank_registry.errors import NotPublic
from genbank_registry.models import Institution, Taxon
from genbank_registry.db import session_scope
from genbank_registry.accounts import audit
from genbank_registry.catalogue import curation
from genbank_registry.catalogue import public_form as public
from genbank_registry.catalogue import queries
from genbank_registry.accounts.audit import SYSTEM
from genbank_registry.cli.common import console, engine_for, fail, reported_errors

app = typer.Typer(help="List and show accessions.", no_args_is_help=True)


def _row(session: Session, acc) -> dict:
    inst = session.get(Institution, acc.institution_id)
    taxon = session.get(Taxon, acc.taxon_id) if acc.taxon_id else None
    return {"id": acc.id, "instcode": inst.code, "accenumb": acc.accenumb, "category": acc.category,
            "scientific_name": taxon.scientific_name if taxon else None, "cropname": acc.cropname,
            "district": district_name(acc.district_code), "colldate": acc.colldate,
            "publication_status": acc.publication_status}


@app.command("list")
def list_(
    status: str = typer.Option(None, help="draft, submitted, published or withdrawn"),
    category: str = typer.Option(None, help=", ".join(c.value for c in codes.Category)),
    institution: str = typer.Option(None, help="INSTCODE"),
    limit: int = typer.Option(50, help="at most this many (0: all)"),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table"),
):
    """List accessions as a table (or JSON)."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        rows = [_row(session, a) for a in queries.list_accessions(
            session, status=status, category=category, institution=institution, limit=limit or None)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Mẫu nguồn gen / accessions ({len(rows)})")
    for col in ("ID", "Đơn vị / Inst.", "Số đăng ký / Number", "Loại / Category", "Tên khoa học / Scientific name",
                "Quận huyện / District", "Ngày thu / Collected", "Trạng thái / Status"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["instcode"], r["accenumb"], codes.CATEGORY_LABELS[r["category"]].vi,
                      f"[italic]{r['scientific_name'] or ''}[/]", r["district"] or "",
                      format_partial_date(r["colldate"]), r["publication_status"])
    console.print(table)


@app.command()
def show(
    key: str = typer.Argument(..., help="INSTCODE:ACCENUMB (e.g. CTU:CAY-0001) or numeric id"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table"),
    public_form: bool = typer.Option(False, "--public", help="what the public sees (generalised, no personal data)"),
):
    """Show one accession: every stored field, or its public form with --public."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        acc = queries.get_accession(session, key)
        if public_form:
            try:
                data = public.public_form(session, acc).model_dump(mode="json")
            except NotPublic:
                fail(f"{key} is {acc.publication_status}: the public does not see it")
        else:
            data = acc.model_dump(mode="json") | _row(session, acc)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    table = Table(show_header=False, title=f"{data['instcode']}:{data['accenumb']}")
    table.add_column(style="bold")
    table.add_column()
    for k, v in data.items():
        if v not in (None, "", [], False):
            table.add_row(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else str(v))
    console.print(table)


@app.command("set-status")
def set_status(
    key: str = typer.Argument(..., help="INSTCODE:ACCENUMB or numeric id"),
    status: str = typer.Argument(..., help="submitted, published, withdrawn or draft"),
    note: str = typer.Option(None, help="why (kept in the audit trail)"),
):
    """Move an accession through draft → submitted → published → withdrawn (as the operator; audited)."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        acc = queries.get_accession(session, key)
        curation.transition(session, SYSTEM, acc, status, note=note)
        console.print(f"{key}: {acc.publication_status}")


@app.command()
def history(key: str = typer.Argument(..., help="INSTCODE:ACCENUMB or numeric id"),
            as_json: bool = typer.Option(False, "--json")):
    """Every recorded change of an accession: who, when, through what, which fields from what to what."""
    with engine_for() as engine, Session(engine) as session, reported_errors():
        acc = queries.get_accession(session, key)
        events = [e.model_dump(mode="json", exclude={"snapshot"}) for e in audit.history(session, "accession", acc.id)]
    if as_json:
        typer.echo(json.dumps(events, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Lịch sử / history of {key}")
    for col in ("event", "when", "who", "via", "action", "changes"):
        table.add_column(col)
    for e in events:
        changes = e["changes"] or {}
        table.add_row(str(e["id"]), e["at"][:16].replace("T", " "), e["actor"], e["via"], e["action"],
                      "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in list(changes.items())[:6])
                      + (" …" if len(changes) > 6 else ""))
    console.print(table)


@app.command("revert")
def revert_cmd(event_id: int = typer.Argument(..., help="audit event id from `accessions history`")):
    """Make an accession as it was after the given audit event (itself audited)."""
    with engine_for() as engine, reported_errors(), session_scope(engine) as session:
        acc = curation.revert(session, SYSTEM, event_id)
        console.print(f"accession {acc.accenumb} reverted to event {event_id}")
