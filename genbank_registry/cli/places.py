"""`genbank-registry places …`: the administrative units of both vintages, and a place as written resolved."""
from __future__ import annotations

import json

import typer
from rich.table import Table

from genbank_registry.cli.common import console, fail
from genbank_registry.places.resolve import resolve as resolve_place
from genbank_registry.places.units import VINTAGES, UnknownPlace, gazetteer
from schemas.surveys import parse_event_date

app = typer.Typer(help="Administrative units before and after the 1 July 2025 reform.", no_args_is_help=True)


def _name(uid: str | None) -> str:
    return gazetteer().unit(uid).full_name_vi if uid else ""


@app.command("resolve")
def resolve(
    name: str = typer.Argument(None, help="the place as written, e.g. \"Phường An Hòa\" or \"xa tan thanh\""),
    date: str = typer.Option(None, "--date", help="when it was written: dd/mm/yyyy or YYYY-MM-DD (chooses the "
                                                   "vintage: before 01/07/2025 an old commune, after a 2025 unit)"),
    district: str = typer.Option(None, help="old district, for an old commune name several districts share"),
    lat: float = typer.Option(None, help="decimal latitude (WGS84): decides a split old unit, or places a point"),
    lon: float = typer.Option(None, help="decimal longitude (WGS84)"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Today's (2025) unit of a place written at some date, with the unit it named then."""
    try:
        day = parse_event_date(date) if date else None
    except ValueError as exc:
        fail(f"--date: {exc}")
    if not name and (lat is None or lon is None):
        fail("give a place name, or --lat and --lon")
    try:
        placed = resolve_place(name, recorded_on=day, district=district, lat=lat, lon=lon)
    except UnknownPlace as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"written": placed.written, "recorded_on": day.isoformat() if day else None,
                               "recorded_uid": placed.recorded_uid, "recorded_name": _name(placed.recorded_uid),
                               "today_uid": placed.today_uid, "today_name": _name(placed.today_uid),
                               "method": placed.method, "note": placed.note}, ensure_ascii=False, indent=1))
        return
    if placed.recorded_uid:
        console.print(f"ghi nhận / as written: {_name(placed.recorded_uid)} ({placed.recorded_uid})")
    if placed.today_uid:
        console.print(f"hiện nay / today:      {_name(placed.today_uid)} ({placed.today_uid}), by {placed.method}")
    else:
        console.print("hiện nay / today:      [yellow]not known[/]")
    if placed.note:
        console.print(placed.note)


@app.command("units")
def units(vintage: str = typer.Option("2025", help=" or ".join(VINTAGES)),
          as_json: bool = typer.Option(False, "--json")):
    """Every unit of one vintage, with its uid; for pre2025 the old district and province, for 2025 the old
    units it was formed from."""
    if vintage not in VINTAGES:
        fail(f"--vintage {vintage!r}: use 2025 or pre2025")
    g = gazetteer()
    rows = sorted(g.in_vintage(vintage), key=lambda u: (u.province, u.parent_uid or "", u.code))
    if as_json:
        typer.echo(json.dumps([{"uid": u.uid, "name_vi": u.name_vi, "full_name_vi": u.full_name_vi, "type": u.type,
                                "parent_uid": u.parent_uid, "province": u.province,
                                "formed_from": list(g.predecessors.get(u.uid, ())) if vintage == "2025" else None,
                                "became": list(g.successors.get(u.uid, ())) if vintage == "pre2025" else None}
                               for u in rows], ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Đơn vị hành chính / administrative units ({vintage}): {len(rows)}")
    for col in ("uid", "tên / name", "loại / type", "thuộc / in" if vintage == "pre2025" else "từ / formed from"):
        table.add_column(col)
    for u in rows:
        where = (f"{_name(u.parent_uid)}, {u.province}" if u.parent_uid else u.province) if vintage == "pre2025" \
            else ", ".join(g.unit(o).name_vi for o in g.predecessors.get(u.uid, ()))
        table.add_row(u.uid, u.full_name_vi, u.type, where)
    console.print(table)
