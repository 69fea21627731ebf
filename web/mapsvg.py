"""An offline map of Cần Thơ: district boxes and points drawn as inline SVG (no tiles, no CDN, no JavaScript)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from schemas.places import DISTRICTS

MIN_LON = min(d.min_lon for d in DISTRICTS.values()) - 0.01
MAX_LON = max(d.max_lon for d in DISTRICTS.values()) + 0.01
MIN_LAT = min(d.min_lat for d in DISTRICTS.values()) - 0.01
MAX_LAT = max(d.max_lat for d in DISTRICTS.values()) + 0.01
WIDTH = 720
# Equirectangular at the city's latitude: close enough at this scale, and needs no projection library.
HEIGHT = round(WIDTH * (MAX_LAT - MIN_LAT) / ((MAX_LON - MIN_LON) * math.cos(math.radians((MIN_LAT + MAX_LAT) / 2))))


def xy(lat: float, lon: float) -> tuple[float, float]:
    return (round((lon - MIN_LON) / (MAX_LON - MIN_LON) * WIDTH, 1),
            round((MAX_LAT - lat) / (MAX_LAT - MIN_LAT) * HEIGHT, 1))


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
class Point:
    x: float
    y: float
    r: float
    n: int
    lat: float
    lon: float


def districts() -> list[Box]:
    boxes = []
    for d in DISTRICTS.values():
        x0, y0 = xy(d.max_lat, d.min_lon)
        x1, y1 = xy(d.min_lat, d.max_lon)
        cx, cy = xy(d.centroid_lat, d.centroid_lon)
        boxes.append(Box(d.code, d.name_vi, d.name_ascii, x0, y0, round(x1 - x0, 1), round(y1 - y0, 1), cx, cy))
    return boxes


def points(rows: list[tuple[float, float, int]]) -> list[Point]:
    """Points outside the city's frame (e.g. a donor elsewhere in the Delta) are left off the drawing."""
    out = []
    for lat, lon, n in rows:
        if MIN_LAT <= lat <= MAX_LAT and MIN_LON <= lon <= MAX_LON:
            x, y = xy(lat, lon)
            out.append(Point(x, y, round(4 + 2 * math.sqrt(n - 1), 1), n, lat, lon))
    return out
