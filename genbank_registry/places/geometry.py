"""Which 2025 unit a point lies in, on the shipped commune layer (a coverage: no overlaps, no gaps).

The rule (places/data, README of the data package): point-in-polygon with `covers`, so a point on an edge
counts; on a shared edge, the unit whose centroid is nearest; a point just outside the simplified coast or river
edge goes to the nearest unit within 1 km; anything farther is outside Cần Thơ, never guessed. Nearest centroid
alone is only a tie-breaker: it agrees with point-in-polygon for 82 % of random points.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import Point, shape
from shapely.ops import nearest_points
from shapely.strtree import STRtree

from genbank_registry.places.units import DATA

NEAR_KM = 1.0
# Attribution of the polygon layer, shown wherever it is drawn or served.
ATTRIBUTION = ("Ranh giới xã, phường 2025: lamngockhuong/vietnam-3d-map (MIT), nguồn gis.vn; đã làm sạch thành "
               "lớp phủ kín / Commune boundaries 2025: lamngockhuong/vietnam-3d-map (MIT), from gis.vn; cleaned "
               "into a coverage")


@dataclass(frozen=True)
class PointPlacement:
    uid: str | None  # "2025:<code>", or None outside Cần Thơ
    how: str  # "inside", "edge", "near" (within NEAR_KM), "outside"
    distance_km: float = 0.0


def _km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lon, lat) points, in km."""
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    dlat, dlon = lat2 - lat1, math.radians(b.x - a.x)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class CommuneLayer:
    def __init__(self) -> None:
        features = json.loads((DATA / "communes_2025.geojson").read_text(encoding="utf-8"))["features"]
        self.uids = [f["properties"]["uid"] for f in features]
        self.shapes = [shape(f["geometry"]) for f in features]
        for geom in self.shapes:
            shapely.prepare(geom)
        self.centroids = [g.centroid for g in self.shapes]
        self.tree = STRtree(self.shapes)
        self.by_uid = dict(zip(self.uids, self.shapes))

    def unit_at(self, lat: float, lon: float) -> PointPlacement:
        point = Point(lon, lat)
        hits = [int(i) for i in self.tree.query(point, predicate="covered_by")]
        if len(hits) == 1:
            return PointPlacement(self.uids[hits[0]], "inside")
        if hits:
            best = min(hits, key=lambda i: self.centroids[i].distance(point))
            return PointPlacement(self.uids[best], "edge")
        nearest = int(self.tree.nearest(point))
        edge = nearest_points(self.shapes[nearest], point)[0]
        distance = _km(point, edge)
        if distance <= NEAR_KM:
            return PointPlacement(self.uids[nearest], "near", round(distance, 3))
        return PointPlacement(None, "outside", round(distance, 3))

    def nearer(self, lat: float, lon: float, uids: tuple[str, ...]) -> str:
        """Of the given units, the one whose polygon is nearest the point (a split old unit's two heirs)."""
        point = Point(lon, lat)
        return min(uids, key=lambda uid: self.by_uid[uid].distance(point))


@lru_cache(maxsize=1)
def commune_layer() -> CommuneLayer:
    return CommuneLayer()
