"""The committed demo dataset: real Programme 03 sites, valid schema, honest places.

Checks ``data/demo/programme03_demo.geojson`` against geo.schema and against the real district
boundaries (``$P03_SHARED_DATA/boundaries/hanoi_districts_2019.geojson``, default
``<repo>/../shared/data``): every site lies in the city, and well-known sites fall in the district
they really are in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.schema import CATEGORY_BY_CODE, STATUS_BY_CODE  # noqa: E402

DEMO = ROOT / "data" / "demo" / "programme03_demo.geojson"
SHARED = Path(os.environ.get("P03_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
DISTRICTS = SHARED / "boundaries" / "hanoi_districts_2019.geojson"

KEYS = {
    "id", "name", "category", "status", "indicator", "responsible_unit",
    "start_date", "end_date", "budget_vnd", "progress_pct", "notes",
}
DISCLAIMER = "Vị trí gần đúng, dữ liệu minh họa."

# id -> (a fragment of its name, the pre-2025 district its representative point must fall in)
EXPECTED: dict[str, tuple[str, str]] = {
    "demo-001": ("Yên Xá", "Thanh Trì"),
    "demo-002": ("Yên Sở", "Hoàng Mai"),
    "demo-007": ("Bắc Thăng Long", "Đông Anh"),
    "demo-009": ("Nam Sơn", "Sóc Sơn"),
    "demo-012": ("Chợ Đồng Xuân", "Hoàn Kiếm"),
    "demo-013": ("Chợ Hôm", "Hai Bà Trưng"),
    "demo-022": ("AEON Mall Long Biên", "Long Biên"),
    "demo-023": ("AEON Mall Hà Đông", "Hà Đông"),
    "demo-024": ("Lotte Mall Tây Hồ", "Tây Hồ"),
    "demo-025": ("Royal City", "Thanh Xuân"),
    "demo-029": ("Ocean Park", "Gia Lâm"),
    "demo-030": ("hồ Hoàn Kiếm", "Hoàn Kiếm"),
    "demo-042": ("Nhà hát Lớn", "Hoàn Kiếm"),
    "demo-044": ("Phủ Chủ tịch", "Ba Đình"),
    "demo-050": ("Thành cổ Sơn Tây", "Sơn Tây"),
    "demo-051": ("Công viên Thống Nhất", "Hai Bà Trưng"),
    "demo-053": ("Nghĩa Đô", "Cầu Giấy"),
    "demo-059": ("Kim Liên", "Đống Đa"),
    "demo-060": ("Giảng Võ", "Ba Đình"),
    "demo-061": ("Thành Công", "Ba Đình"),
}

# Districts outside the core that must hold at least one site.
OUTER = {"Sóc Sơn", "Sơn Tây", "Ba Vì", "Hà Đông", "Đông Anh", "Gia Lâm"}


@pytest.fixture(scope="module")
def raw() -> dict:
    data = DEMO.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    return json.loads(data.decode("utf-8"))


@pytest.fixture(scope="module")
def features(raw: dict) -> list[dict]:
    return raw["features"]


@pytest.fixture(scope="module")
def geoms(features: list[dict]) -> dict[str, BaseGeometry]:
    return {f["properties"]["id"]: shape(f["geometry"]) for f in features}


@pytest.fixture(scope="module")
def districts():
    if not DISTRICTS.exists():
        pytest.skip(f"district boundaries not found at {DISTRICTS} (set P03_SHARED_DATA)")
    import geopandas as gpd

    gdf = gpd.read_file(DISTRICTS)
    assert len(gdf) == 30
    return gdf


def _district_of(districts, geom: BaseGeometry) -> str | None:
    point = geom.representative_point()
    hits = districts[districts.contains(point)]
    return None if hits.empty else str(hits["name"].iloc[0])


def _coords(obj):
    if isinstance(obj, (int, float)):
        yield obj
    else:
        for item in obj:
            yield from _coords(item)


# ------------------------------------------------------------------ file and schema


def test_is_rfc7946_feature_collection(raw: dict) -> None:
    assert raw["type"] == "FeatureCollection"
    assert "crs" not in raw
    for f in raw["features"]:
        assert f["type"] == "Feature"
        assert "crs" not in f and "crs" not in f["geometry"]


def test_enough_features_with_unique_ids(features: list[dict]) -> None:
    assert len(features) >= 45
    ids = [f["properties"]["id"] for f in features]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"demo-\d{3}", i) for i in ids), ids


def test_properties_are_exactly_the_schema_keys(features: list[dict]) -> None:
    for f in features:
        assert set(f["properties"]) == KEYS, f["properties"].get("id")


def test_every_category_present_and_values_valid(features: list[dict]) -> None:
    cats = Counter(f["properties"]["category"] for f in features)
    assert set(cats) == set(CATEGORY_BY_CODE), set(CATEGORY_BY_CODE) - set(cats)
    for f in features:
        p = f["properties"]
        assert p["category"] in CATEGORY_BY_CODE, p["id"]
        assert p["status"] in STATUS_BY_CODE, p["id"]
        assert p["indicator"] == CATEGORY_BY_CODE[p["category"]].indicator, p["id"]


def test_texts_are_vietnamese_nfc(features: list[dict]) -> None:
    for f in features:
        p = f["properties"]
        for key in ("name", "responsible_unit", "notes"):
            assert isinstance(p[key], str) and p[key].strip(), (p["id"], key)
            assert unicodedata.is_normalized("NFC", p[key]), (p["id"], key)
    # proper diacritics, not ASCII-folded names
    assert sum(any(ord(c) > 127 for c in f["properties"]["name"]) for f in features) >= 0.9 * len(features)


def test_dates_budget_progress(features: list[dict]) -> None:
    for f in features:
        p = f["properties"]
        for key in ("start_date", "end_date"):
            if p[key] is not None:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p[key]), (p["id"], key)
                dt.date.fromisoformat(p[key])
        if p["start_date"] and p["end_date"]:
            assert p["start_date"] <= p["end_date"], p["id"]
        b = p["budget_vnd"]
        assert b is None or (isinstance(b, int) and not isinstance(b, bool) and b > 0), p["id"]
        pct = p["progress_pct"]
        assert pct is None or (isinstance(pct, (int, float)) and 0 <= pct <= 100), p["id"]
        if p["status"] == "completed":
            assert pct == 100, p["id"]


def test_notes_admit_approximation(features: list[dict]) -> None:
    for f in features:
        assert DISCLAIMER in f["properties"]["notes"], f["properties"]["id"]


# ------------------------------------------------------------------ geometry


def test_geometry_types_and_shapes(features: list[dict], geoms: dict[str, BaseGeometry]) -> None:
    types = Counter(g.geom_type for g in geoms.values())
    assert types["LineString"] >= 3 and types["Polygon"] >= 3, types
    assert set(types) <= {"Point", "LineString", "Polygon"}, types
    for f in features:
        fid = f["properties"]["id"]
        g = geoms[fid]
        assert g.is_valid and not g.is_empty, fid
        if g.geom_type == "LineString":
            assert 6 <= len(g.coords) <= 30, (fid, len(g.coords))
        elif g.geom_type == "Polygon":
            assert not g.interiors, fid
            assert 6 <= len(g.exterior.coords) - 1 <= 30, fid
            assert g.exterior.is_ccw, f"{fid}: exterior ring must be counter-clockwise (RFC 7946)"


def test_coordinates_rounded_lon_lat(features: list[dict]) -> None:
    for f in features:
        values = list(_coords(f["geometry"]["coordinates"]))
        assert all(round(v, 6) == v for v in values), f["properties"]["id"]
        lons, lats = values[0::2], values[1::2]
        assert all(105.0 < x < 106.5 for x in lons) and all(20.0 < y < 21.6 for y in lats), (
            f["properties"]["id"], "coordinates must be lon, lat"
        )


def test_geopandas_reads_it() -> None:
    import geopandas as gpd

    gdf = gpd.read_file(DEMO)
    assert len(gdf) >= 45
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326


# ------------------------------------------------------------------ real places


def test_every_site_inside_the_city(districts, geoms: dict[str, BaseGeometry]) -> None:
    city = districts.geometry.union_all()
    outside = [fid for fid, g in geoms.items() if not city.contains(g)]
    assert not outside, outside


def test_well_known_sites_fall_in_their_district(
    districts, features: list[dict], geoms: dict[str, BaseGeometry]
) -> None:
    names = {f["properties"]["id"]: f["properties"]["name"] for f in features}
    wrong = []
    for fid, (fragment, district) in EXPECTED.items():
        assert fragment in names[fid], f"{fid} is {names[fid]!r}, expected a site named like {fragment!r}"
        got = _district_of(districts, geoms[fid])
        if got != district:
            wrong.append((fid, names[fid], district, got))
    assert not wrong, wrong


def test_sites_spread_over_districts(districts, geoms: dict[str, BaseGeometry]) -> None:
    found = Counter(_district_of(districts, g) for g in geoms.values())
    assert None not in found
    assert len(found) >= 15, found
    assert OUTER <= set(found), OUTER - set(found)
