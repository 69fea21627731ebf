"""Places with their vintage, on worked examples: the official old→new table, the code trap, the three splits
decided by coordinates, point-in-polygon on the 2025 commune layer, names as people write them."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from genbank_registry.cli import app
from genbank_registry.places.geometry import commune_layer
from genbank_registry.places.resolve import resolve
from genbank_registry.places.units import UnknownPlace, gazetteer

BEFORE, AFTER = dt.date(2019, 3, 15), dt.date(2025, 8, 1)

# Old unit → its 2025 unit(s): the official NSO conversion table (effective 01/07/2025), as the data package's
# check.py lists them.
OFFICIAL = [
    ("pre2025:31117", {"2025:31120"}),  # Phường Cái Khế (Ninh Kiều) → Cái Khế
    ("pre2025:31120", {"2025:31120"}),  # Phường An Hòa → Cái Khế (the code trap: old 31120 is An Hòa)
    ("pre2025:31123", {"2025:31135"}),  # Thới Bình → Ninh Kiều
    ("pre2025:31135", {"2025:31135"}),  # old Tân An → Ninh Kiều (old Tân An is not new Tân An)
    ("pre2025:31147", {"2025:31147"}),  # Hưng Lợi → Tân An
    ("pre2025:31150", {"2025:31150"}),  # An Bình → An Bình
    ("pre2025:31178", {"2025:31120", "2025:31168"}),  # Bùi Hữu Nghĩa → Cái Khế + Bình Thủy
    ("pre2025:31183", {"2025:31150", "2025:31183"}),  # Long Tuyền → An Bình + Long Tuyền
    ("pre2025:31207", {"2025:31207", "2025:31228"}),  # Thốt Nốt → Thốt Nốt + Thuận Hưng
    ("pre2025:31498", {"2025:31507"}),  # Phường 5 (TP Sóc Trăng) → Sóc Trăng
    ("pre2025:31510", {"2025:31510"}),  # Phường 2 (TP Sóc Trăng) → Phú Lợi
    ("pre2025:31318", {"2025:31321"}),  # Phường I (TP Vị Thanh) → Vị Thanh
    ("pre2025:31324", {"2025:31333"}),  # Phường IV (TP Vị Thanh) → Vị Tân
    ("pre2025:31344", {"2025:31411"}),  # Hiệp Lợi (TP Ngã Bảy) → Đại Thành
]


def test_the_data_set_holds_both_vintages_whole():
    g = gazetteer()
    new, old = g.in_vintage("2025"), g.in_vintage("pre2025")
    assert Counter(u.type for u in new) == {"xã": 72, "phường": 31}
    communes = [u for u in old if not u.is_district]
    assert Counter(u.province for u in communes) == {"Cần Thơ": 80, "Hậu Giang": 75, "Sóc Trăng": 108}
    assert len([u for u in old if u.is_district]) == 28
    assert set(g.successors) == {u.uid for u in communes}  # every old commune has an heir
    assert set(g.predecessors) == {u.uid for u in new}  # and every new unit a source
    assert all(uid == f"{u.vintage}:{u.code}" for uid, u in g.units.items())


@pytest.mark.parametrize("old, heirs", OFFICIAL)
def test_the_official_table(old, heirs):
    assert set(gazetteer().successors[old]) == heirs


def test_a_code_names_another_place_in_the_other_vintage():
    an_hoa = resolve("Phường An Hòa", recorded_on=BEFORE)
    assert (an_hoa.recorded_uid, an_hoa.today_uid, an_hoa.today().name_vi) == ("pre2025:31120", "2025:31120",
                                                                               "Cái Khế")
    assert gazetteer().unit("pre2025:31120").name_vi == "An Hòa"
    # "Tân An" written in 2019 is the old ward, now part of Ninh Kiều; written in August 2025, the new Tân An.
    assert resolve("Tân An", recorded_on=BEFORE).today().name_vi == "Ninh Kiều"
    assert resolve("Tân An", recorded_on=AFTER).today_uid == "2025:31147"
    with pytest.raises(UnknownPlace, match="write <vintage>:<code>"):
        gazetteer().unit("31120")


def test_names_as_people_write_them():
    for written in ("Phường Bình Thuỷ", "phuong binh thuy", "P. Bình Thủy", "Bình Thủy"):
        assert resolve(written, recorded_on=AFTER).today_uid == "2025:31168", written
    assert resolve("xã Đại Thành", recorded_on=AFTER).today_uid == "2025:31411"  # đ folds to d
    assert resolve("dai thanh", recorded_on=AFTER).today_uid == "2025:31411"


def test_an_old_name_several_districts_share_needs_its_district():
    with pytest.raises(UnknownPlace) as refused:
        resolve("Xã Tân Thạnh", recorded_on=BEFORE)
    assert "give the district" in str(refused.value) and len(refused.value.candidates) == 2
    assert {u.uid for u in refused.value.candidates} == {"pre2025:31268", "pre2025:31666"}
    assert resolve("Tân Thạnh", recorded_on=BEFORE, district="Huyện Long Phú").recorded_uid == "pre2025:31666"
    assert resolve("tan thanh", recorded_on=BEFORE, district="Thới Lai").recorded_uid == "pre2025:31268"
    # Folding makes Tân Thành (Ngã Bảy) look like Tân Thạnh: written with its marks, it is found alone.
    assert resolve("Tân Thành", recorded_on=BEFORE).recorded_uid == "pre2025:31414"
    with pytest.raises(UnknownPlace, match="no pre2025 commune or ward called 'Hoàn Kiếm'"):
        resolve("Hoàn Kiếm", recorded_on=BEFORE)


def test_every_2025_unit_holds_its_own_label_point():
    g, layer = gazetteer(), commune_layer()
    for unit in g.in_vintage("2025"):
        placed = layer.unit_at(unit.label_lat, unit.label_lon)
        assert (placed.uid, placed.how) == (unit.uid, "inside"), unit.full_name_vi


def test_a_split_old_unit_is_decided_by_its_coordinates():
    g = gazetteer()
    cai_khe, binh_thuy, ninh_kieu = (g.unit(u) for u in ("2025:31120", "2025:31168", "2025:31135"))
    without = resolve("Phường Bùi Hữu Nghĩa", recorded_on=BEFORE)
    assert without.today_uid is None and "split into Phường Cái Khế and Phường Bình Thủy" in without.note
    for heir in (cai_khe, binh_thuy):
        placed = resolve("Bùi Hữu Nghĩa", recorded_on=BEFORE, lat=heir.label_lat, lon=heir.label_lon)
        assert (placed.today_uid, placed.method, placed.note) == (heir.uid, "name+point", "")
    # A point in a third unit (a slip of the pen, or the border): the nearer of the two heirs, said so.
    placed = resolve("Bùi Hữu Nghĩa", recorded_on=BEFORE, lat=ninh_kieu.label_lat, lon=ninh_kieu.label_lon)
    assert placed.today_uid in {cai_khe.uid, binh_thuy.uid} and "nearer was taken" in placed.note


def test_coordinates_alone_and_outside_the_city():
    assert resolve(lat=10.0333, lon=105.7775).today_uid == "2025:31135"  # Ninh Kiều
    far = resolve(lat=21.0285, lon=105.8542)  # Hà Nội
    assert far.today_uid is None and far.method == "unresolved" and "km outside" in far.note
    # On the boundary between two units the point goes to one of them, never to none or both.
    g, layer = gazetteer(), commune_layer()
    shared = layer.by_uid["2025:31120"].boundary.intersection(layer.by_uid["2025:31135"].boundary)
    point = shared.representative_point() if not shared.is_empty else None
    assert point is not None
    placed = layer.unit_at(point.y, point.x)
    assert placed.uid in {"2025:31120", "2025:31135"} and placed.how in ("edge", "inside", "near")
    assert g.unit(placed.uid).vintage == "2025"


def test_the_command_line(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["places", "resolve", "Phường Hưng Lợi", "--date", "15/03/2019", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["recorded_uid"], data["today_uid"], data["today_name"]) == ("pre2025:31147", "2025:31147",
                                                                             "Phường Tân An")
    out = runner.invoke(app, ["places", "resolve", "Thốt Nốt", "--date", "2018-06-01"])
    assert out.exit_code == 0 and "coordinates decide" in " ".join(out.output.split())
    out = runner.invoke(app, ["places", "resolve", "Tân Thạnh", "--date", "01/01/2020"])
    assert out.exit_code == 1 and "give the district" in " ".join(out.output.split())
    out = runner.invoke(app, ["places", "resolve", "Cái Khế", "--date", "31/02/2020"])
    assert out.exit_code == 1 and "--date" in out.output
    listing = json.loads(runner.invoke(app, ["places", "units", "--json"]).output)
    assert len(listing) == 103
    cai_khe = next(u for u in listing if u["uid"] == "2025:31120")
    assert set(cai_khe["formed_from"]) == {"pre2025:31117", "pre2025:31120", "pre2025:31178"}
