"""Administrative units with their vintage: the 103 units of the new Cần Thơ city (2025), the 263 communes and 28
districts of the three old provinces (pre2025), and the official old→new table.

A unit is known by its uid, `<vintage>:<code>`, never by a bare code: 39 of the 103 codes of 2025 are pre-2025
codes of a different place (`pre2025:31120` is Phường An Hòa, `2025:31120` Phường Cái Khế). The data set ships
in `places/data/` (provenance and licences in fixtures/README.md); it is read once per process.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from schemas.text import fold, nfc

DATA = Path(__file__).parent / "data"
VINTAGES = ("2025", "pre2025")
# Prefixes a written name may carry; folded, longest first ("thi tran" before "tran"-like prefixes).
_PREFIXES = ("thanh pho", "thi tran", "thi xa", "phuong", "huyen", "quan", "tinh", "xa", "tp.", "tp", "p.", "tt", "tx")


class UnknownPlace(LookupError):
    """A name the data set does not hold in that vintage, or one it holds several times (with the candidates)."""

    def __init__(self, message: str, candidates: tuple["AdminUnit", ...] = ()):
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True)
class AdminUnit:
    uid: str  # "<vintage>:<code>"
    vintage: str
    code: str
    name_vi: str  # short: "Cái Khế"
    full_name_vi: str  # "Phường Cái Khế"
    name_ascii: str
    type: str  # phường, xã, thị trấn; quận, huyện, thị xã, thành phố for old districts
    parent_uid: str | None  # an old commune's old district; None for 2025 units and old districts
    province: str  # "Cần Thơ" for 2025 units; the old province for pre-2025 ones
    label_lat: float | None = None  # a point inside the unit (2025 units)
    label_lon: float | None = None

    @property
    def is_district(self) -> bool:
        return self.vintage == "pre2025" and self.parent_uid is None


def bare_name(text: str) -> str:
    """The folded name without its prefix: "Phường Bình Thuỷ" and "binh thuy" are both "binh thuy"."""
    folded = " ".join(fold(text).replace(".", ". ").split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1:].strip()
    return folded


def _as_written(text: str) -> str:
    return " ".join((nfc(text) or "").lower().split())


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _float(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


class Gazetteer:
    """Every unit of both vintages, looked up by uid or by name, and the old→new links."""

    def __init__(self) -> None:
        units: list[AdminUnit] = []
        for r in _read("units_2025.csv"):
            units.append(AdminUnit(r["uid"], "2025", r["code"], r["name_vi"], r["full_name_vi"], r["name_ascii"],
                                   r["type"], None, "Cần Thơ", _float(r["label_lat"]), _float(r["label_lon"])))
        for r in _read("districts_legacy.csv"):
            units.append(AdminUnit(r["uid"], "pre2025", r["code"], r["name_vi"], r["full_name_vi"], r["name_ascii"],
                                   r["type"], None, r["old_province_name"]))
        for r in _read("legacy_units.csv"):
            units.append(AdminUnit(r["uid"], "pre2025", r["code"], r["name_vi"], r["full_name_vi"], r["name_ascii"],
                                   r["type"], f"pre2025:{r['old_district_code']}", r["old_province_name"]))
        self.units = {u.uid: u for u in units}
        self._by_name: dict[tuple[str, str], list[AdminUnit]] = {}
        for u in units:
            for written in {bare_name(u.name_vi), bare_name(u.full_name_vi)}:
                self._by_name.setdefault((u.vintage, written), []).append(u)
        self.successors: dict[str, tuple[str, ...]] = {}
        for r in _read("legacy_to_2025.csv"):
            self.successors[r["old_uid"]] = self.successors.get(r["old_uid"], ()) + (r["new_uid"],)
        self.predecessors: dict[str, tuple[str, ...]] = {}
        for old, news in self.successors.items():
            for new in news:
                self.predecessors[new] = self.predecessors.get(new, ()) + (old,)

    def unit(self, uid: str) -> AdminUnit:
        try:
            return self.units[uid]
        except KeyError:
            raise UnknownPlace(f"no administrative unit {uid!r}: write <vintage>:<code>, e.g. 2025:31120 or "
                               "pre2025:916") from None

    def in_vintage(self, vintage: str) -> list[AdminUnit]:
        return [u for u in self.units.values() if u.vintage == vintage]

    def find(self, name: str, vintage: str, district: str | None = None, *, districts: bool = False) -> AdminUnit:
        """The unit called `name` in `vintage`. A pre-2025 commune name is ambiguous without its old district
        (Phú Hữu, Tân Thạnh, Long Bình and Thạnh Quới each occur in several): give `district` (name or uid)."""
        matches = [u for u in self._by_name.get((vintage, bare_name(name)), ()) if u.is_district == districts]
        if len(matches) > 1:
            # Folding merges names that differ only by their marks (Tân Thạnh, Tân Thành): as written first.
            exact = [u for u in matches if _as_written(name) in (_as_written(u.name_vi), _as_written(u.full_name_vi))]
            matches = exact or matches
        if district and len(matches) > 1:
            parent = self.district(district)
            matches = [u for u in matches if u.parent_uid == parent.uid]
        if len(matches) == 1:
            return matches[0]
        label = "district" if districts else "commune or ward"
        if not matches:
            raise UnknownPlace(f"no {vintage} {label} called {name!r} in the new Cần Thơ city or the three old "
                               "provinces (old Cần Thơ, Hậu Giang, Sóc Trăng)")
        where = "; ".join(f"{u.full_name_vi} ({self.units[u.parent_uid].full_name_vi}, {u.uid})" if u.parent_uid
                          else f"{u.full_name_vi} ({u.uid})" for u in matches)
        raise UnknownPlace(f"{name!r} names {len(matches)} {vintage} units: {where}; give the district",
                           tuple(matches))

    def district(self, name_or_uid: str) -> AdminUnit:
        if name_or_uid.startswith("pre2025:"):
            return self.unit(name_or_uid)
        return self.find(name_or_uid, "pre2025", districts=True)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
