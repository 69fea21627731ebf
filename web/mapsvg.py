"""An offline map of Cần Thơ as inline SVG (no tiles, no CDN, no JavaScript): the 103 communes and wards of the
city since 01/07/2025 as the base, the 9 old districts of old Cần Thơ as boxes (they filter the search), and the
search's public points."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import shapely

from genbank_registry.places.geometry import ATTRIBUTION, commune_layer  # noqa: F401  (ATTRIBUTION: shown under the map)
from genbank_registry.places.units import gazetteer
from schemas.places import DISTRICTS

# About 1.3 px at this width: the drawing keeps its shared edges (coverage simplification) and weighs ~50 KB.
DRAW_TOLERANCE = 0.002
WIDTH = 720


@dataclass(frozen=True)
class Frame:
    """The whole merged city (old Cần Thơ, Hậu Giang, Sóc Trăng), equirectangular at its latitude: close enough
    at this scale, and needs no projection library."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @property
    def height(self) -> int:
        mid = math.radians((self.min_lat + self.max_lat) / 2)
        return round(WIDTH * (self.max_lat - self.min_lat) / ((self.max_lon - self.min_lon) * math.cos(mid)))

    def holds(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (round((lon - self.min_lon) / (self.max_lon - self.min_lon) * WIDTH, 1),
                round((self.max_lat - lat) / (self.max_lat - self.min_lat) * self.height, 1))


@lru_cache(maxsize=1)
def frame() -> Frame:
    """Read from the commune layer on the first map drawn, not when the web app is imported."""
    x0, y0, x1, y1 = shapely.total_bounds(commune_layer().shapes)
    return Frame(x0 - 0.01, y0 - 0.01, x1 + 0.01, y1 + 0.01)


@dataclass
class Box:
    code: str
    name_vi: str
    name_ascii: str
    x: float
    y: float
    w: float
    h: float
    cx: float
    cy: float


@dataclass
class Commune:
    uid: str
    name_vi: str
    name_ascii: str
    d: str  # SVG path


@dataclass
class Point:
    x: float
    y: float
    r: float
    n: int
    lat: float
    lon: float


@lru_cache(maxsize=1)
def districts() -> tuple[Box, ...]:
    xy = frame().xy
    boxes = []
    for d in DISTRICTS.values():
        x0, y0 = xy(d.max_lat, d.min_lon)
        x1, y1 = xy(d.min_lat, d.max_lon)
        cx, cy = xy(d.centroid_lat, d.centroid_lon)
        boxes.append(Box(d.code, d.name_vi, d.name_ascii, x0, y0, round(x1 - x0, 1), round(y1 - y0, 1), cx, cy))
    return tuple(boxes)


def _path(geom) -> str:
    xy, parts = frame().xy, []
    for polygon in getattr(geom, "geoms", [geom]):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = [xy(lat, lon) for lon, lat in ring.coords]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in coords) + "Z")
    return "".join(parts)


@lru_cache(maxsize=1)
def communes() -> tuple[Commune, ...]:
    """The 2025 units, drawn once per process."""
    layer, g = commune_layer(), gazetteer()
    drawn = shapely.coverage_simplify(layer.shapes, DRAW_TOLERANCE)
    return tuple(Commune(uid, g.unit(uid).full_name_vi, g.unit(uid).name_ascii, _path(geom))
                 for uid, geom in zip(layer.uids, drawn))


def points(rows: list[tuple[float, float, int]]) -> list[Point]:
    """Points outside the city's frame (e.g. a donor elsewhere in the Delta) are left off the drawing."""
    out, box = [], frame()
    for lat, lon, n in rows:
        if box.holds(lat, lon):
            x, y = box.xy(lat, lon)
            out.append(Point(x, y, round(4 + 2 * math.sqrt(n - 1), 1), n, lat, lon))
    return out
