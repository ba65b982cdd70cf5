"""Boundary import and lookups on the real files from ../shared/data/boundaries."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import boundaries
from geo.errors import BoundaryError, NotFound, OutsideHanoi

# (lat, lon, district code, district name, commune name) of well-known places
PLACES = [
    (21.0288, 105.8525, "002", "Hoàn Kiếm", "Hoàn Kiếm"),  # Hồ Hoàn Kiếm
    (21.0368, 105.8347, "001", "Ba Đình", "Ba Đình"),  # Lăng Chủ tịch Hồ Chí Minh
    (21.0245, 105.8412, "006", "Đống Đa", "Văn Miếu - Quốc Tử Giám"),  # Văn Miếu
    (21.0587, 105.8263, "003", "Tây Hồ", None),  # Hồ Tây, phủ Tây Hồ
    (21.2187, 105.8042, "016", "Sóc Sơn", None),  # sân bay Nội Bài
    (21.1380, 105.5050, "269", "Sơn Tây", None),  # thành cổ Sơn Tây
]


def test_import_counts_and_attribution(boundaries_dir: Path, bounds: boundaries.Boundaries):
    assert len(bounds.districts) == 30
    assert len(bounds.communes) == 126
    assert len(bounds.crosswalk) == 796
    assert bounds.districts["code"].is_unique and bounds.communes["code"].is_unique
    assert set(bounds.districts["type"]) == {"Quận", "Huyện", "Thị xã"}
    assert "gis.chinhphu.vn" in bounds.attribution[boundaries.DISTRICTS_FILE]
    assert "OpenStreetMap" in bounds.attribution[boundaries.COMMUNES_FILE]
    assert all(bounds.districts.geometry.is_valid)


@pytest.mark.parametrize(("lat", "lon", "code", "district", "commune"), PLACES)
def test_where_well_known_places(bounds, lat, lon, code, district, commune):
    found = boundaries.where(lat, lon, bounds)
    assert found["district"]["code"] == code
    assert found["district"]["name"] == district
    assert found["commune"] is not None
    if commune:
        assert found["commune"]["name"] == commune


def test_where_outside_hanoi_gives_distance(bounds):
    with pytest.raises(OutsideHanoi) as err:
        boundaries.where(10.7769, 106.7009, bounds)  # Hồ Chí Minh City
    assert 1000 < err.value.km < 1200
    assert "ngoài Hà Nội" in err.value.vi and "outside Hanoi" in err.value.en


def test_place_lists_every_unit_a_line_crosses(bounds):
    # from Hồ Hoàn Kiếm west to Văn Miếu: Hoàn Kiếm, then Đống Đa (maybe Ba Đình between)
    line = shapely.LineString([(105.8525, 21.0288), (105.8412, 21.0245)])
    districts, communes = boundaries.place([line, shapely.Point(105.8525, 21.0288)], bounds)
    assert {"002", "006"} <= set(districts[0].split(";"))
    assert districts[1] == "002"
    assert len(communes[0].split(";")) >= 2


def test_place_is_vectorised_and_matches_sjoin(bounds):
    rng = np.random.default_rng(1)
    pts = shapely.points(rng.uniform(105.3, 106.0, 3000), rng.uniform(20.6, 21.35, 3000))
    districts, _ = boundaries.place(pts, bounds)
    import geopandas as gpd

    expected = gpd.sjoin(gpd.GeoDataFrame(geometry=pts, crs=4326), bounds.districts[["code", "geometry"]],
                         predicate="within", how="left")["code"].fillna("").tolist()
    assert districts == expected


@pytest.mark.parametrize(("key", "code"), [("Hoàn Kiếm", "002"), ("hoan kiem", "002"), ("Quận Đống Đa", "006"),
                                           ("002", "002"), ("2", "002"), ("Huyen Soc Son", "016"),
                                           ("Thi xa Son Tay", "269"), ("Ba Dinh", "001")])
def test_find_district(bounds, key, code):
    assert boundaries.find_unit(bounds, "district", key)["code"] == code


def test_find_commune_and_unknown(bounds):
    assert boundaries.find_unit(bounds, "commune", "Phường Hoàn Kiếm")["code"] == "00070"
    with pytest.raises(NotFound):
        boundaries.find_unit(bounds, "district", "Gotham")


def _copy_src(shared_data: Path, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(shared_data / "boundaries", src)
    return src


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["features"][3]["properties"].pop("code"), "feature 4: property “code” is missing"),
    (lambda d: d["features"][5]["properties"].update(code="001"), "feature 6: code “001” is repeated"),
    (lambda d: d["features"][0].update(geometry={"type": "Point", "coordinates": [105.8, 21.0]}),
     "feature 1: geometry must be a polygon"),
    (lambda d: d["features"][1].update(geometry={"type": "Polygon", "coordinates": [
        [[105.8, 21.0], [105.9, 21.1], [105.9, 21.0], [105.8, 21.1], [105.8, 21.0]]]}),
     "feature 2: geometry is invalid (Self-intersection"),
    (lambda d: d.update(features=[]), "has no features"),
])
def test_broken_source_is_refused_and_installed_layers_stay(shared_data, tmp_path, mutate, expected):
    dest = tmp_path / "installed"
    boundaries.import_boundaries(shared_data / "boundaries", dest)
    before = (dest / boundaries.DISTRICTS_FILE).read_bytes()
    src = _copy_src(shared_data, tmp_path)
    path = src / boundaries.DISTRICTS_FILE
    doc = json.loads(path.read_text("utf-8"))
    mutate(doc)
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(BoundaryError) as err:
        boundaries.import_boundaries(src, dest)
    assert expected in err.value.en and boundaries.DISTRICTS_FILE in err.value.en
    assert "Nothing was imported" in err.value.en
    assert (dest / boundaries.DISTRICTS_FILE).read_bytes() == before


def test_missing_file_and_broken_json(shared_data, tmp_path):
    src = _copy_src(shared_data, tmp_path)
    (src / boundaries.COMMUNES_FILE).write_text("{not json", "utf-8")
    with pytest.raises(BoundaryError, match="is not valid GeoJSON"):
        boundaries.import_boundaries(src, tmp_path / "dest")
    (src / boundaries.COMMUNES_FILE).unlink()
    with pytest.raises(BoundaryError, match="is missing"):
        boundaries.import_boundaries(src, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_import_over_http(shared_data, tmp_path):
    """A URL source is fetched over HTTP (a real server on 127.0.0.1)."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(shared_data))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/boundaries"
        counts = boundaries.import_boundaries(url, tmp_path / "b")
        assert counts[boundaries.DISTRICTS_FILE] == 30
        b = boundaries.get(tmp_path / "b")
        assert "gis.chinhphu.vn" in b.attribution[boundaries.DISTRICTS_FILE]  # SOURCES.md one level up
        with pytest.raises(BoundaryError, match="Could not download"):
            boundaries.import_boundaries(f"http://127.0.0.1:{server.server_address[1]}/nowhere", tmp_path / "c")
    finally:
        server.shutdown()


def test_get_without_import_says_how_to_fix(tmp_path):
    with pytest.raises(boundaries.BoundariesMissing, match="python -m geo boundaries import"):
        boundaries.get(tmp_path)
