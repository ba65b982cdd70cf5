"""The upload pipeline end to end through a real store: formats, CRS, checks, placing, commit,
provenance, rollback, re-upload, the CLI; and every real-world file from ../shared/data/realworld."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import auth, cli, ingest
from geo.errors import ConflictError, InputError
from geo.ingest import read
from geo.store.base import SiteFilter

HK = (105.8525, 21.0288)  # Hồ Hoàn Kiếm; E 588415.054 N 2326377.582 in EPSG:5897, E 588388.527 N 2325679.599 in 3405
BAD = Path(__file__).resolve().parent / "data" / "bad"


def geojson(features: list[dict], **extra: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}, ensure_ascii=False).encode()


def feature(x: float, y: float, **props: object) -> dict:
    base = {"name": "Chợ Thử", "category": "market"}
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": {"type": "Point", "coordinates": [x, y]}}


SITES = [feature(105.8525, 21.0288, name="Vườn hoa Thử Một", category="Vườn hoa", status="Đang thi công",
                 start_date="05/09/2024", budget_vnd="1.200.000.000", progress_pct="12,5"),
         feature(105.8190, 21.0368, name="Chợ Thử Hai", category="cho", status="completed"),
         feature(105.7860, 21.0310, name="Siêu thị Thử Ba", category="TTTM")]


# ---------------------------------------------------------------- coordinates


@pytest.mark.parametrize("code, x, y", [("EPSG:5897", 588415.054, 2326377.582), ("EPSG:3405", 588388.527, 2325679.599)])
def test_vn2000_known_pairs(bounds, code, x, y):
    """Known VN-2000 coordinates of Hồ Hoàn Kiếm come back within a metre, given or guessed."""
    content = geojson([feature(x, y, name="Hồ Gươm Thử")])
    given = ingest.check(content, "vn2000.geojson", crs=code, b=bounds)
    assert given.crs == code and given.crs_source == "user"
    pt = given.accepted.geometry.iloc[0]
    assert abs(pt.x - HK[0]) < 1e-5 and abs(pt.y - HK[1]) < 1e-5
    assert given.accepted["district_codes"].iloc[0] == "002"  # Hoàn Kiếm
    guessed = ingest.check(content, "vn2000.geojson", b=bounds)
    assert guessed.crs_source == "guessed" and code in guessed.candidates
    assert any("states no coordinate system" in p.en for p in guessed.warnings)


def test_legacy_crs_member_and_prj(bounds):
    x, y = 588388.527, 2325679.599
    legacy = geojson([feature(x, y)], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3405"}})
    r = ingest.check(legacy, "legacy.geojson", b=bounds)
    assert (r.crs, r.crs_source) == ("EPSG:3405", "file")
    assert r.accepted.geometry.iloc[0].distance(shapely.Point(HK)) < 1e-5
    r = ingest.check((BAD / "shapefile_vn2000_with_prj.zip").read_bytes(), "s.zip", b=bounds)
    assert (r.crs, r.crs_source, r.n_valid) == ("EPSG:5897", "file", 2)


def test_swapped_latitude_longitude(bounds):
    r = ingest.check(geojson([feature(HK[1], HK[0])]), "swapped.geojson", b=bounds)
    assert r.n_valid == 1
    assert r.accepted.geometry.iloc[0].equals(shapely.Point(HK))
    assert any("(latitude, longitude)" in p.en for p in r.warnings)


def test_outside_hanoi_gives_distance_and_swap_hint(bounds):
    # one point in Ho Chi Minh City; one Hanoi point whose lon/lat were swapped in a file that is
    # otherwise right (so the file as a whole is not swapped)
    content = geojson([feature(106.7009, 10.7769, name="Chợ Bến Thành"), feature(*HK, name="A"),
                       feature(105.84, 21.03, name="B"), feature(21.0245, 105.8412, name="C")])
    r = ingest.check(content, "mixed.geojson", b=bounds)
    errs = {p.feature: p for p in r.errors}
    assert "lies outside Hanoi, 10" in errs[1].en and "km from the city boundary" in errs[1].en
    assert "Latitude and longitude look swapped" in errs[4].en
    assert r.accepted_features == [2, 3]


# ---------------------------------------------------------------- formats


def test_formats_round_trip(bounds, tmp_path):
    """The same sites written by GDAL as GeoPackage, zipped Shapefile (cp1258 .cpg), KML, CSV
    and XLSX all read back with their Vietnamese names."""
    gdf = gpd.GeoDataFrame({"name": ["Chợ Thử Một", "Vườn hoa Thử Hai"], "category": ["market", "park"]},
                           geometry=[shapely.Point(105.8525, 21.0288), shapely.Point(105.8190, 21.0368)], crs=4326)
    files: dict[str, bytes] = {}
    pyogrio.write_dataframe(gdf, tmp_path / "a.gpkg", driver="GPKG")
    files["a.gpkg"] = (tmp_path / "a.gpkg").read_bytes()
    pyogrio.write_dataframe(gdf.rename(columns={"name": "Name"}), tmp_path / "a.kml", driver="KML")
    files["a.kml"] = (tmp_path / "a.kml").read_bytes()
    shp = tmp_path / "shp"
    shp.mkdir()
    pyogrio.write_dataframe(gdf, shp / "sites.shp", encoding="cp1258")
    assert (shp / "sites.cpg").exists()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in shp.iterdir():
            zf.write(p, f"folder/{p.name}")
    files["a.zip"] = buf.getvalue()
    df = pd.DataFrame({"Tên": gdf["name"], "Loại": gdf["category"], "Kinh độ": gdf.geometry.x, "Vĩ độ": gdf.geometry.y})
    files["a.csv"] = df.to_csv(index=False).encode("utf-8-sig")
    out = io.BytesIO()
    df.to_excel(out, index=False)
    files["a.xlsx"] = out.getvalue()
    for name, content in files.items():
        r = ingest.check(content, name, b=bounds)
        assert r.n_valid == 2, (name, r.errors)
        assert sorted(r.accepted["name"]) == ["Chợ Thử Một", "Vườn hoa Thử Hai"], name
        assert r.accepted["district_codes"].str.len().gt(0).all()


def test_kml_extendeddata_and_kmz(bounds):
    r = ingest.check((BAD / "kml_extendeddata_names.kml").read_bytes(), "x.kml", b=bounds)
    assert r.n_valid == 1 and r.accepted["category"].iloc[0] == "park"
    assert r.accepted.geometry.iloc[0].geom_type == "Polygon"
    r = ingest.check((BAD / "kmz_points.kmz").read_bytes(), "x.kmz", b=bounds)
    assert r.fmt == "kmz" and r.n_valid == 1


def test_zip_bomb_and_traversal_refused_before_extracting(tmp_path):
    with pytest.raises(InputError, match="unsafe path"):
        read.read((BAD / "zip_traversal.zip").read_bytes(), "t.zip")
    with pytest.raises(InputError, match="safety limits"):
        read.read((BAD / "zip_bomb.zip").read_bytes(), "b.zip")
    assert not (tmp_path.parent / "evil.geojson").exists()


def test_limits_are_settings(bounds, monkeypatch):
    content = geojson(SITES)
    monkeypatch.setenv("P03_MAX_FEATURES", "2")
    with pytest.raises(InputError, match="beyond the limit of 2"):
        ingest.check(content, "x.geojson", b=bounds)
    monkeypatch.setenv("P03_MAX_FEATURES", "100000")
    monkeypatch.setenv("P03_MAX_UPLOAD_MB", "0")
    with pytest.raises(InputError, match="P03_MAX_UPLOAD_MB"):
        ingest.check(content, "x.geojson", b=bounds)


# ---------------------------------------------------------------- attributes and mapping


def test_attributes_parsed_and_vocabulary_matched(bounds):
    r = ingest.check(geojson(SITES), "ok.geojson", b=bounds)
    assert r.all_valid, r.errors
    first = r.accepted.iloc[0]
    assert (first["category"], first["status"], first["start_date"]) == ("park", "in_progress", "2024-09-05")
    assert first["budget_vnd"] == 1.2e9 and first["progress_pct"] == 12.5
    assert first["indicator"] == "CT09"
    assert list(r.accepted["category"]) == ["park", "market", "supermarket"]
    assert r.accepted["commune_codes"].str.len().gt(0).all()


def test_unmatched_values_listed_then_mapped(bounds):
    content = geojson([feature(*HK, category="tiệm bánh"), feature(105.82, 21.03, name="B", category="tiệm bánh",
                                                                  status="sắp làm")])
    r = ingest.check(content, "x.geojson", b=bounds)
    assert r.unmatched == {"category": ["tiệm bánh"], "status": ["sắp làm"]}
    assert r.n_valid == 0
    mapping = {"category_values": {"tiệm bánh": "other"}, "status_values": {"sắp làm": "planned"}}
    r = ingest.check(content, "x.geojson", mapping=mapping, b=bounds)
    assert r.all_valid and set(r.accepted["category"]) == {"other"}


def test_column_mapping_for_odd_names(bounds):
    csv = "Công trình,Nhóm,Đông,Bắc\nChợ Thử,chợ,105.8525,21.0288\n".encode()
    r = ingest.check(csv, "x.csv", b=bounds)
    assert r.n_valid == 0
    with pytest.raises(InputError, match="no column “Kinh”"):
        ingest.check(csv, "x.csv", mapping={"lon": "Kinh", "lat": "Bắc"}, b=bounds)
    r = ingest.check(csv, "x.csv", mapping={"name": "Công trình", "category": "Nhóm", "lon": "Đông", "lat": "Bắc"},
                     b=bounds)
    assert r.all_valid and r.accepted["name"].iloc[0] == "Chợ Thử"


def test_progress_stages(bounds):
    seen: list[str] = []
    ingest.check(geojson(SITES), "x.geojson", b=bounds, progress=lambda stage, f: seen.append(stage))
    assert [s for i, s in enumerate(seen) if s not in seen[:i]] == ["reading", "checking", "placing", "done"]


def test_report_csv(bounds):
    r = ingest.check((BAD / "unknown_category.geojson").read_bytes(), "u.geojson", b=bounds)
    table = pd.read_csv(io.BytesIO(r.csv("en")), encoding="utf-8-sig")
    assert list(table.columns) == ["feature", "field", "value", "severity", "message"]
    row = table[table["field"] == "category"].iloc[0]
    assert (row["feature"], row["value"], row["severity"]) == (2, "bakery", "error")


# ---------------------------------------------------------------- commit, provenance, rollback


def test_commit_keeps_file_and_rollback_restores(demo_store, data_dir):
    store = demo_store
    before = store.query_sites()
    content = geojson(SITES)
    result = ingest.check(content, "new_sites.geojson", store=store)
    batch = ingest.commit(result, store, auth.User("tester", "editor"))
    assert store.count_sites() == len(before) + 3
    mine = store.query_sites(SiteFilter(ids=list(result.accepted["id"])))
    assert set(mine["batch_id"]) == {batch}
    assert mine["district_codes"].str.len().gt(0).all()
    row = store.list_batches().set_index("batch_id").loc[batch]
    assert (row["file_name"], row["n_features"], row["crs"], row["actor"]) == ("new_sites.geojson", 3, "EPSG:4326",
                                                                                "tester")
    assert store.read_blob(row["sha256"]) == content and row["sha256"] == hashlib.sha256(content).hexdigest()
    # the same file again: recognised, its features match the stored sites (unchanged), commit refused
    again = ingest.check(content, "renamed.geojson", store=store)
    assert again.previous_batch["batch_id"] == batch
    assert again.all_valid and again.plan is not None
    assert again.plan.counts()["unchanged"] == 3 and {m.how for m in again.plan.matches} == {"name"}
    with pytest.raises(ConflictError, match="already stored"):
        ingest.commit(result, store, auth.User("tester", "editor"))
    assert ingest.rollback(store, batch, auth.User("tester", "editor")) == 3
    after = store.query_sites()
    pd.testing.assert_frame_equal(pd.DataFrame(after.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))
    assert store.read_blob(row["sha256"]) == content  # the file and the batch record stay
    with pytest.raises(ConflictError):
        ingest.rollback(store, batch, auth.User("tester", "editor"))
    # after the rollback the same file can be uploaded again, as new sites
    fresh = ingest.check(content, "new_sites.geojson", store=store)
    assert fresh.all_valid and fresh.plan is not None and fresh.plan.counts()["new"] == 3


def test_commit_of_nothing_refused(store, bounds):
    r = ingest.check((BAD / "hcmc_points.geojson").read_bytes(), "h.geojson", b=bounds)
    with pytest.raises(InputError, match="no valid feature"):
        ingest.commit(r, store, auth.User("tester", "editor"))
    assert store.count_sites() == 0 and store.list_batches().empty


def test_duplicate_of_stored_site_by_name_and_place(demo_store):
    stored = demo_store.query_sites().iloc[0]
    p = stored.geometry.representative_point()
    near = shapely.Point(p.x + 0.0002, p.y)  # ~20 m east
    content = geojson([feature(near.x, near.y, name=stored["name"].upper(), category=stored["category"])])
    r = ingest.check(content, "dup.geojson", store=demo_store)
    assert r.all_valid and r.plan is not None
    (m,) = r.plan.matches
    assert (m.how, m.site_id, m.decision, m.effect) == ("name", stored["id"], "update", "changed")
    assert set(m.changes) >= {"name", "geometry"}


# ---------------------------------------------------------------- CLI


@pytest.fixture()
def cli_editor(store, monkeypatch):
    """The CLI signed in as an editor (P03_USER / P03_PASSWORD)."""
    from geo import auth

    auth.add_user(store, "bientap", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    monkeypatch.setenv("P03_USER", "bientap")
    monkeypatch.setenv("P03_PASSWORD", "mat-khau-dai-1")
    return "cli:bientap"


def test_cli_commit_and_rollback_need_an_editor(store, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("P03_USER", raising=False)
    good = tmp_path / "good.geojson"
    good.write_bytes(geojson(SITES))
    assert cli.main(["--lang", "en", "import", str(good)]) == 3
    assert "Sign in" in capsys.readouterr().err and store.count_sites() == 0
    assert cli.main(["--lang", "en", "import", str(good), "--dry-run"]) == 0
    assert cli.main(["--lang", "en", "rollback", "b-nothing"]) == 3


def test_cli_exit_codes_and_json(store, cli_editor, tmp_path, capsys):
    good = tmp_path / "good.geojson"
    good.write_bytes(geojson(SITES))
    assert cli.main(["--lang", "en", "import", str(good), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"file", "features", "valid", "errors", "warnings", "crs", "committed", "batch_id"} <= set(out)
    assert (out["features"], out["valid"], out["committed"], out["crs"]) == (3, 3, False, "EPSG:4326")
    assert store.count_sites() == 0

    mixed = tmp_path / "mixed.geojson"
    mixed.write_bytes(geojson([feature(105.83, 21.02, name="Chợ Lẻ"), feature(106.7, 10.77, name="Chợ Xa")]))
    assert cli.main(["--lang", "en", "import", str(mixed), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["errors"][0]["feature"] == 2 and out["committed"] is False and store.count_sites() == 0
    assert cli.main(["--lang", "en", "import", str(mixed), "--json", "--accept-valid"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] is True and store.count_sites() == 1

    assert cli.main(["--lang", "en", "import", str(good)]) == 0
    text = capsys.readouterr().out
    assert "3 valid" in text and "Committed as batch" in text
    assert store.count_sites() == 4

    assert cli.main(["--lang", "en", "uploads", "list", "--json"]) == 0
    batches = {b["file_name"]: b for b in json.loads(capsys.readouterr().out)}
    assert set(batches) == {"good.geojson", "mixed.geojson"}
    assert batches["good.geojson"]["actor"] == cli_editor
    good_batch = batches["good.geojson"]["batch_id"]
    assert cli.main(["--lang", "en", "rollback", good_batch]) == 0
    assert "removed 3 sites" in capsys.readouterr().out
    assert store.count_sites() == 1
    assert cli.main(["--lang", "en", "rollback", good_batch]) == 2
    assert "already rolled back" in capsys.readouterr().err

    assert cli.main(["--lang", "en", "import", str(BAD / "broken_json.geojson")]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "import", str(tmp_path / "missing.geojson")]) == 2


def test_cli_crs_and_mapping_options(store, cli_editor, realworld, capsys):
    path = realworld / "hanoi_bus_stations_ewkb_no_header.csv"
    assert cli.main(["--lang", "en", "import", str(path), "--map", "name=column 2", "--category", "other",
                     "--crs", "EPSG:4326", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] == 21 and out["committed"] and store.count_sites() == 21


# ---------------------------------------------------------------- the real-world files


def _rejected_clearly(r: ingest.CheckResult) -> None:
    """Every rejected feature has an error naming the file and the feature."""
    rejected = set(range(1, r.n_features + 1)) - set(r.accepted_features)
    with_errors = {p.feature for p in r.errors}
    assert rejected <= with_errors
    for p in r.errors:
        assert p.full_message(r.file_name, "en").startswith(f"File “{r.file_name}”, feature {p.feature}, field")


REALWORLD = {
    # file: (mapping, features, valid, a message of the first rejected feature or a warning)
    "binhduong_bus_stops_latlon_swapped.geojson": ({"category_default": "other"}, 87, 0,
                                                    "written as (latitude, longitude)"),
    "binhduong_station_names_cp1252.csv": (None, 78, 0, "no coordinates: the table has no longitude/latitude"),
    "geometrycollection_in_feature.geojson": (None, 1, 0, "GeometryCollection mixing"),
    "hanoi_bare_polygon_geometry.json": ({"category_default": "park"}, 1, 0, "no name"),
    "hanoi_bus_stations_ewkb_no_header.csv": ({"name": "column 2", "category_default": "other"}, 21, 21,
                                              "no header row"),
    "hanoi_nominatim_outline_legacy_crs.geojson": ({"category_values": {"administrative": "other"}}, 1, 1,
                                                   "columns not used"),
    "hanoi_osmnx_outline_308_properties.geojson": ({"category_values": {"boundary": "other"}}, 1, 1,
                                                   "columns not used"),
    "hanoi_wards_2025_overpass_mixed_types.geojson": ({"category_values": {"boundary": "other"}}, 167, 126,
                                                      "the name is empty"),
    "hong_thaibinh_subbasins_utf8bom_3d.json": ({"name": "Tên lưu vực", "category_default": "other"}, 14, 0,
                                                "dropped the Z/M"),
    "nhue_day_basin_vietnamese_keys.geojson": ({"category_default": "other"}, 1, 0,
                                               "lies mostly outside Hanoi: only 31% of it is inside"),
    "null_geometry_legacy_crs.geojson": ({"category_default": "other"}, 2, 0, "has no geometry"),
    "nyc_boroughs_epsg2263_no_crs_member.geojson": ({"name": "BoroName", "category_default": "other"}, 5, 0,
                                                    "outside Hanoi"),
    "switzerland_self_intersecting_feature.geojson": ({"name": "ADMIN", "category_default": "other"}, 1, 0,
                                                      "it was repaired (make_valid)"),
    "vn_provinces_odm_extendeddata.kml": ({"name": "ten_tinh", "id": "gid", "category_default": "other"}, 63, 1,
                                          "outside Hanoi"),
}


@pytest.mark.parametrize("name", sorted(REALWORLD))
def test_realworld_file_handled(name, realworld, bounds):
    content = (realworld / name).read_bytes()
    plain = ingest.check(content, name, b=bounds)  # as uploaded, nothing mapped: no traceback
    _rejected_clearly(plain)
    mapping, n, valid, message = REALWORLD[name]
    r = ingest.check(content, name, mapping=mapping, b=bounds)
    assert (r.n_features, r.n_valid) == (n, valid), r.errors[:3]
    _rejected_clearly(r)
    assert any(message in p.en for p in r.problems), [p.en for p in r.problems[:5]]
    if r.n_valid:
        assert r.accepted.geometry.is_valid.all() and not r.accepted.geometry.has_z.any()
        assert r.accepted["district_codes"].str.len().gt(0).all()


def test_realworld_files_all_listed(realworld):
    assert {p.name for p in realworld.iterdir() if p.name != "SOURCES.md"} == set(REALWORLD)


def test_realworld_nyc_is_nowhere_near(realworld, bounds):
    name = "nyc_boroughs_epsg2263_no_crs_member.geojson"
    r = ingest.check((realworld / name).read_bytes(), name, b=bounds)
    geo_errors = [p for p in r.errors if p.field == "geometry"]
    assert len(geo_errors) == 5
    assert all("outside Hanoi" in p.en or "not longitude/latitude" in p.en for p in geo_errors)


def test_realworld_commit_and_rollback(demo_store, realworld):
    name = "hanoi_bus_stations_ewkb_no_header.csv"
    n = demo_store.count_sites()
    r = ingest.check((realworld / name).read_bytes(), name, mapping={"name": "column 2", "category_default": "other"},
                     store=demo_store)
    batch = ingest.commit(r, demo_store, auth.User("tester", "editor"))
    placed = demo_store.query_sites(SiteFilter(district="006"))  # Đống Đa
    assert "242 Xã Đàn" in set(placed["name"])
    assert demo_store.count_sites() == n + 21
    ingest.rollback(demo_store, batch, auth.User("tester", "editor"))
    assert demo_store.count_sites() == n


def test_cli_does_not_commit_a_guessed_crs(store, cli_editor, capsys):
    path = BAD / "vn2000_tm3_no_crs.geojson"
    assert cli.main(["--lang", "en", "import", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] == 5 and out["committed"] is False and store.count_sites() == 0
    assert out["errors"][0]["field"] == "crs" and "Confirm it with --crs EPSG:5897" in out["errors"][0]["message"]
    assert cli.main(["--lang", "en", "import", str(path), "--crs", "EPSG:5897", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] is True and out["crs"] == "EPSG:5897" and store.count_sites() == 5


def test_report_csv_neutralises_formulas(bounds):
    content = geojson([feature(*HK, name="=HYPERLINK(\"http://x\")", category="=1+1")])
    r = ingest.check(content, "f.geojson", b=bounds)
    text = r.csv("en").decode("utf-8-sig")
    assert "'=1+1" in text and "\n=" not in text and ",=" not in text


def test_garbage_collector_restored(bounds):
    import gc

    assert gc.isenabled()
    ingest.check(geojson(SITES), "x.geojson", b=bounds)
    assert gc.isenabled()
    with pytest.raises(InputError):
        ingest.check(b"{", "x.geojson", b=bounds)
    assert gc.isenabled()


def test_row_number_ids_do_not_collide(store):
    """Two QGIS exports both numbered fid 1, 2, 3 are two sets of sites, not duplicates."""
    first = geojson([dict(f, properties={**f["properties"], "fid": i + 1}) for i, f in enumerate(SITES)])
    r = ingest.check(first, "qgis1.geojson", store=store)
    assert any("holds only row numbers" in p.en for p in r.warnings)
    ingest.commit(r, store, auth.User("tester", "editor"))
    other = [feature(105.80 + i * 0.01, 20.99, name=f"Chợ Khác {i}", fid=i + 1) for i in range(3)]
    r2 = ingest.check(geojson(other), "qgis2.geojson", store=store)
    assert r2.all_valid, r2.errors
    ingest.commit(r2, store, auth.User("tester", "editor"))
    assert store.count_sites() == 6
    # real ids are kept and collide as they should
    named = geojson([feature(105.81, 21.0, name="Chợ Mã", id="CHO-001")])
    ingest.commit(ingest.check(named, "a.geojson", store=store), store, auth.User("tester", "editor"))
    again = ingest.check(geojson([feature(105.86, 21.04, name="Chợ Mã Khác", id="CHO-001")]), "b.geojson", store=store)
    (m,) = again.plan.matches
    assert (m.how, m.site_id, m.effect) == ("id", "CHO-001", "changed") and m.changes["name"][1] == "Chợ Mã Khác"


def test_table_with_dms_and_labelled_coordinate_columns(bounds):
    csv = ("Tên công trình;Loại;Kinh độ (X);Vĩ độ (Y)\n"
           "Chợ Độ Phút Giây;Chợ;105°51'09\"E;21°01'44\"N\n").encode()
    r = ingest.check(csv, "dms.csv", b=bounds)
    assert r.all_valid, r.errors
    pt = r.accepted.geometry.iloc[0]
    assert abs(pt.x - 105.8525) < 1e-6 and abs(pt.y - 21.028889) < 1e-6
    assert r.accepted["district_codes"].iloc[0] == "002"
