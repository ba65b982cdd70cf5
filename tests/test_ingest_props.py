"""Property-based tests (Hypothesis): random GeoJSON — well formed or not — never crashes the
pipeline, every feature is either accepted (valid, 2-D, in Hanoi, placed) or rejected with an
error naming it; random valid sites inside Hanoi round-trip through commit and rollback."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import auth, ingest
from geo.errors import InputError
from geo.schema import CATEGORIES, GEOMETRY_TYPES, STATUSES
from tests.conftest import examples

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
anything_float = st.floats(allow_nan=True, allow_infinity=True)
hanoi_lon = st.floats(105.70, 105.95)
hanoi_lat = st.floats(20.95, 21.10)
coord = st.one_of(st.tuples(hanoi_lon, hanoi_lat), st.tuples(finite, finite), st.tuples(anything_float, anything_float),
                  st.tuples(hanoi_lon, hanoi_lat, finite))


def _ring(points: list) -> list:
    return [list(p) for p in points] + [list(points[0])]


geometry = st.one_of(
    st.none(),
    st.builds(lambda c: {"type": "Point", "coordinates": list(c)}, coord),
    st.builds(lambda cs: {"type": "LineString", "coordinates": [list(c) for c in cs]}, st.lists(coord, max_size=5)),
    st.builds(lambda cs: {"type": "Polygon", "coordinates": [_ring(cs)]}, st.lists(coord, min_size=1, max_size=6)),
    st.builds(lambda cs: {"type": "Polygon", "coordinates": [[list(c) for c in cs]]}, st.lists(coord, max_size=5)),
    st.builds(lambda cs: {"type": "MultiPoint", "coordinates": [list(c) for c in cs]}, st.lists(coord, max_size=4)),
    st.builds(lambda gs: {"type": "GeometryCollection", "geometries": gs},
              st.lists(st.builds(lambda c: {"type": "Point", "coordinates": list(c)}, coord), max_size=3)),
    st.fixed_dictionaries({"type": st.sampled_from(["Pointt", "Circle", "", None]), "coordinates": st.just([1, 2])}),
    st.text(max_size=5), st.integers(),
)
vocab = [c.vi for c in CATEGORIES] + [c.code for c in CATEGORIES] + [s.en for s in STATUSES]
value = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(vocab), st.integers(), finite,
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
properties = st.one_of(
    st.none(), st.text(max_size=4),
    st.fixed_dictionaries({}, optional={
        "name": value, "category": st.one_of(value, st.sampled_from(vocab)), "status": value, "id": value,
        "start_date": st.one_of(value, st.dates().map(str)), "budget_vnd": value, "progress_pct": value,
        "Tên": value, "loai": value}),
)
feature = st.one_of(st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometry, "properties": properties}),
                    st.text(max_size=3), st.none(), st.fixed_dictionaries({"geometry": geometry}))
document = st.one_of(
    st.builds(lambda fs: {"type": "FeatureCollection", "features": fs}, st.lists(feature, max_size=8)),
    feature, geometry, st.lists(feature, max_size=3),
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=document, as_text=st.booleans())
def test_random_geojson_never_crashes(bounds, doc, as_text):
    content = json.dumps(doc, allow_nan=True).encode("utf-8") if as_text else json.dumps(doc).encode("utf-16")
    try:
        r = ingest.check(content, "random.geojson", b=bounds)
    except InputError as exc:
        assert exc.en.startswith("File “random.geojson”: ")
        return
    assert r.n_valid + r.n_rejected == r.n_features
    rejected = set(range(1, r.n_features + 1)) - set(r.accepted_features)
    assert rejected <= {p.feature for p in r.errors}
    assert not ({p.feature for p in r.errors} & set(r.accepted_features))
    for p in r.problems:
        assert p.severity in ("error", "warning") and p.vi and p.en
    if r.n_valid:
        geoms = r.accepted.geometry.to_numpy()
        assert shapely.is_valid(geoms).all() and not shapely.has_z(geoms).any()
        assert set(shapely.get_type_id(geoms)) <= {0, 1, 3, 4, 5, 6}
        assert all(g.geom_type in GEOMETRY_TYPES for g in geoms)
        assert shapely.intersects(bounds.city_shape, geoms).all()
        assert r.accepted["district_codes"].str.len().gt(0).all()
        assert r.accepted["category"].isin([c.code for c in CATEGORIES]).all()
        assert r.accepted["name"].str.strip().str.len().gt(0).all()


site = st.fixed_dictionaries({
    "lon": st.floats(105.78, 105.90), "lat": st.floats(20.98, 21.06),
    "category": st.sampled_from([c.code for c in CATEGORIES]), "status": st.sampled_from([s.code for s in STATUSES]),
    "progress_pct": st.one_of(st.none(), st.integers(0, 100)),
})


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sites=st.lists(site, min_size=1, max_size=12))
def test_valid_sites_round_trip(store, sites):
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
              "properties": {"name": f"Công trình ngẫu nhiên số {i}", "category": s["category"],
                             "status": s["status"], "progress_pct": s["progress_pct"]}} for i, s in enumerate(sites)]
    content = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode()
    r = ingest.check(content, "sites.geojson", store=store)
    assert r.all_valid, r.errors
    batch = ingest.commit(r, store, auth.User("hypothesis", "editor"))
    stored = store.query_sites().sort_values("name", key=lambda s: s.str.split().str[-1].astype(int))
    assert list(stored["name"]) == [f["properties"]["name"] for f in feats]
    assert list(stored["category"]) == [s["category"] for s in sites]
    assert list(stored["status"]) == [s["status"] for s in sites]
    got = np.array([[g.x, g.y] for g in stored.geometry])
    want = np.array([[s["lon"], s["lat"]] for s in sites])
    assert np.allclose(got, want, atol=1e-9)
    progress = [None if math.isnan(v) else v for v in stored["progress_pct"]]
    assert progress == [s["progress_pct"] for s in sites]
    assert ingest.rollback(store, batch, auth.User("hypothesis", "editor")) == len(sites)
    assert store.count_sites() == 0


BAD = Path(__file__).resolve().parent / "data" / "bad"
SAMPLES = ["kml_extendeddata_names.kml", "kmz_points.kmz", "csv_semicolon_decimal_comma.csv", "csv_wkt_column.csv",
           "shapefile_vn2000_with_prj.zip", "geopackage_ok.gpkg", "xlsx_vietnamese_headers.xlsx", "mixed_types.geojson",
           "vn2000_utm48_legacy_crs.geojson"]


@settings(max_examples=examples(200), deadline=None)
@given(name=st.sampled_from(SAMPLES), cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.floats(0, 1),
                                                                                          st.integers(0, 255)),
                                                                                max_size=8))
def test_damaged_files_give_a_message(bounds, name, cut, flips):
    """Any file of any format, truncated and with bytes changed, is read or refused with a
    message; never a traceback."""
    data = bytearray((BAD / name).read_bytes())
    if cut < 0.3:
        data = data[:max(1, int(len(data) * cut / 0.3))]
    for where, byte in flips:
        data[min(len(data) - 1, int(where * len(data)))] = byte
    try:
        r = ingest.check(bytes(data), name, b=bounds)
    except InputError as exc:
        assert exc.en.startswith(f"File “{name}”: ")
        return
    assert r.n_valid + r.n_rejected == r.n_features
    rejected = set(range(1, r.n_features + 1)) - set(r.accepted_features)
    assert rejected <= {p.feature for p in r.errors}
