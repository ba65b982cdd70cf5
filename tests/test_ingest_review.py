"""geo.ingest.review: what the upload page shows of a checked file, on real files through the real
check against a real store (the demo set): the cache key, the mapping kept, the field-by-field
changes, the matches to decide, the absent sites and the batches offered for rollback."""

from __future__ import annotations

import json

import pytest

from geo import auth, ingest
from geo.ingest import review

EDITOR = auth.User("lan", "editor")


def _file(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _point(pid: str | None, name: str, lon: float, lat: float, **props) -> dict:
    base = {"name": name, "category": "park", **props}
    if pid is not None:
        base["id"] = pid
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": base}


@pytest.fixture()
def stored(demo_store):
    """One batch of two parks committed by an editor; returns (store, batch id)."""
    first = _file([_point("rv-1", "Vườn hoa Thử Một", 105.8525, 21.0288),
                   _point("rv-2", "Vườn hoa Thử Hai", 105.8600, 21.0300)])
    batch = ingest.commit(ingest.check(first, "first.geojson", store=demo_store), demo_store, EDITOR)
    return demo_store, batch


def test_check_key_changes_with_file_crs_and_mapping():
    key = review.check_key(b"abc", "EPSG:5897", {"name": "Tên"})
    assert key != review.check_key(b"abd", "EPSG:5897", {"name": "Tên"})
    assert key != review.check_key(b"abc", None, {"name": "Tên"})
    assert key != review.check_key(b"abc", "EPSG:5897", {"name": "Ten"})
    assert key == review.check_key(b"abc", "EPSG:5897", {"name": "Tên"})


def test_clean_mapping_keeps_what_a_check_reads():
    kept = review.clean_mapping({"name": "a", "status": "b", "lat": "y", "geometry": "wkt", "category_default": "park",
                                 "category_values": {"Chợ": "market"}, "colour": "red", "": "x"})
    assert kept == {"name": "a", "status": "b", "lat": "y", "geometry": "wkt", "category_default": "park",
                    "category_values": {"Chợ": "market"}}


def test_changes_decisions_and_absent_from_a_real_check(stored):
    store, _ = stored
    long_note = "x" * 500
    second = _file([_point("rv-1", "Vườn hoa Thử Một (mới)", 105.8525, 21.0288, notes=long_note),
                    _point(None, "Vườn hoa Thử Hai", 105.8600, 21.0300)])
    result = ingest.check(second, "second.geojson", store=store)
    assert result.plan is not None
    rows = review.changes(result.plan)
    by_field = {c.field: c for c in rows if c.site_id == "rv-1"}
    assert by_field["name"].old == "Vườn hoa Thử Một" and by_field["name"].new == "Vườn hoa Thử Một (mới)"
    assert by_field["notes"].old == "" and len(by_field["notes"].new) == review.MAX_SHOWN
    asked = review.to_decide(result.plan)
    assert [m.feature for m in asked] == [2]  # the id-less park matches rv-2 by name and place
    assert review.best_candidate(asked[0])["site_id"] == "rv-2"
    absent = review.absent_ids(result.plan)
    assert "rv-1" not in absent and "rv-2" not in absent


def test_rollbackable_lists_committed_upload_batches_only(stored):
    store, batch = stored
    batches = review.upload_batches(store)
    assert set(batches["kind"]) == {"upload"} and list(batches["batch_id"]) == [batch]  # not the demo batch
    assert review.rollbackable(batches) == [batch]
    ingest.rollback(store, batch, EDITOR)
    assert review.rollbackable(review.upload_batches(store)) == []
