"""Cần Thơ's 9 historical districts (quận/huyện, before 01/07/2025): GSO codes, names and WGS84 bounding boxes.

From shared/data/cantho/districts.csv (computed from public boundary polygons; areas from the 2009 yearbook).
"""
from __future__ import annotations

from typing import NamedTuple


class District(NamedTuple):
    code: str
    name_vi: str
    name_ascii: str
    type_vi: str
    centroid_lat: float
    centroid_lon: float
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    area_km2: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


DISTRICTS: dict[str, District] = {d.code: d for d in (
    District("916", "Ninh Kiều", "Ninh Kieu", "Quận", 10.0308, 105.7644, 105.7174, 9.9935, 105.8030, 10.0714, 29.5),
    District("917", "Ô Môn", "O Mon", "Quận", 10.1268, 105.6332, 105.5569, 10.0442, 105.7090, 10.2030, 125.4),
    District("918", "Bình Thủy", "Binh Thuy", "Quận", 10.0634, 105.7233, 105.6656, 10.0035, 105.7785, 10.1174, 70.6),
    District("919", "Cái Răng", "Cai Rang", "Quận", 9.9911, 105.7867, 105.7236, 9.9544, 105.8443, 10.0430, 62.5),
    District("923", "Thốt Nốt", "Thot Not", "Quận", 10.2420, 105.5471, 105.4794, 10.1524, 105.6248, 10.3254, 117.8),
    District("924", "Vĩnh Thạnh", "Vinh Thanh", "Huyện", 10.2140, 105.3690, 105.2257, 10.1006, 105.4987, 10.3123, 297.6),
    District("925", "Cờ Đỏ", "Co Do", "Huyện", 10.1269, 105.4607, 105.3458, 10.0252, 105.5817, 10.2349, 310.4),
    District("926", "Phong Điền", "Phong Dien", "Huyện", 9.9983, 105.6631, 105.5832, 9.9396, 105.7396, 10.0572, 119.5),
    District("927", "Thới Lai", "Thoi Lai", "Huyện", 10.0306, 105.5385, 105.4181, 9.9193, 105.6312, 10.1286, 255.7),
)}

# Viet Nam's mainland and islands, loosely: a coordinate outside this box is certainly not in Viet Nam.
VIET_NAM_BBOX = (102.14, 8.18, 117.83, 23.39)  # min_lon, min_lat, max_lon, max_lat


def district_name(code: str | None, lang: str = "vi") -> str | None:
    d = DISTRICTS.get(code or "")
    if d is None:
        return None
    return d.name_vi if lang == "vi" else d.name_ascii
