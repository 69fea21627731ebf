"""A place as written, with its date, resolved to the unit it named then and to today's (2025) unit.

The vintage comes from the date the place was written: on or after 01/07/2025 a name is one of the 103 units of
the new city; before, one of the old communes of old Cần Thơ, Hậu Giang or Sóc Trăng, which then maps through the
official old→new table. Three old units were split in two (Bùi Hữu Nghĩa, Long Tuyền, Thốt Nốt): their heir is
decided by the coordinates (the unit the point lies in when it is one of the two, else the nearer of the two), and
left open without them. Coordinates alone give today's unit by point-in-polygon. Pure: no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from genbank_registry.places.geometry import commune_layer
from genbank_registry.places.units import AdminUnit, UnknownPlace, gazetteer

REFORM = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Placement:
    written: str | None  # the place as written, kept
    recorded_on: dt.date | None
    recorded_uid: str | None  # the unit the text named, in its own vintage
    today_uid: str | None  # the 2025 unit, when it can be known
    method: str  # "name", "name+point" (a split decided by the point), "point", "unresolved"
    note: str = ""

    def today(self) -> AdminUnit | None:
        return gazetteer().unit(self.today_uid) if self.today_uid else None


def vintage_for(recorded_on: dt.date | None) -> str | None:
    if recorded_on is None:
        return None
    return "2025" if recorded_on >= REFORM else "pre2025"


def _by_name(name: str, recorded_on: dt.date | None, district: str | None) -> AdminUnit:
    g = gazetteer()
    vintage = vintage_for(recorded_on)
    if vintage is not None:
        return g.find(name, vintage, district)
    # Undated: a name of today's city first (their short names are unique), then an old commune.
    try:
        return g.find(name, "2025")
    except UnknownPlace:
        return g.find(name, "pre2025", district)


def resolve(written: str | None = None, *, recorded_on: dt.date | None = None, district: str | None = None,
            lat: float | None = None, lon: float | None = None) -> Placement:
    """Raises UnknownPlace for a name the data set does not hold, or one that needs its district."""
    g = gazetteer()
    has_point = lat is not None and lon is not None
    if not written:
        if not has_point:
            return Placement(None, recorded_on, None, None, "unresolved", "neither a place name nor coordinates")
        at = commune_layer().unit_at(lat, lon)
        note = "" if at.how == "inside" else (f"{at.distance_km} km outside the nearest unit" if at.uid is None
                                              else f"on a boundary ({at.how})")
        return Placement(None, recorded_on, None, at.uid, "point" if at.uid else "unresolved", note)
    unit = _by_name(written, recorded_on, district)
    if unit.vintage == "2025":
        return Placement(written, recorded_on, unit.uid, unit.uid, "name")
    heirs = g.successors.get(unit.uid, ())
    if len(heirs) == 1:
        return Placement(written, recorded_on, unit.uid, heirs[0], "name")
    names = " and ".join(g.unit(h).full_name_vi for h in heirs)
    if not has_point:
        return Placement(written, recorded_on, unit.uid, None, "unresolved",
                         f"{unit.full_name_vi} was split into {names}: the coordinates decide which")
    at = commune_layer().unit_at(lat, lon)
    heir = at.uid if at.uid in heirs else commune_layer().nearer(lat, lon, heirs)
    note = "" if at.uid in heirs else f"the point lies outside both heirs ({names}): the nearer was taken"
    return Placement(written, recorded_on, unit.uid, heir, "name+point", note)
