"""The store's behaviour, run on both backends (the ``store`` fixture: SQLite and PostGIS).

Sites are placed by the real boundary layers; every write is checked for its audit row, its
version bump and, when refused, for leaving the store exactly as it was.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from geo import sites as site_ops
from geo.errors import ConflictError, NotFound, StoreError
from geo.store import SiteFilter, Upload, open_store

HOAN_KIEM_LAKE = (105.8525, 21.0288)
WEST_LAKE = (105.8190, 21.0560)
HA_DONG = (105.7760, 20.9710)


def make_sites(rows: list[dict]) -> gpd.GeoDataFrame:
    """Schema sites from (id, name, category, status, geometry) dicts, placed in districts."""
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    return site_ops.complete(gdf)


def three_sites(prefix: str = "t") -> gpd.GeoDataFrame:
    return make_sites([
        {"id": f"{prefix}-1", "name": "Chợ Đồng Xuân", "category": "market", "status": "in_progress",
         "budget_vnd": 1.5e9, "geometry": Point(*HOAN_KIEM_LAKE)},
        {"id": f"{prefix}-2", "name": "Công viên Thống Nhất", "category": "park", "status": "planned",
         "geometry": Polygon([(105.840, 21.014), (105.846, 21.014), (105.846, 21.019), (105.840, 21.019)])},
        {"id": f"{prefix}-3", "name": "Hạ ngầm cáp phố Quang Trung", "category": "cable_underground",
         "status": "completed", "geometry": LineString([HA_DONG, (105.780, 20.975)])},
    ])


def snapshot(store) -> tuple:
    """Everything a refused write must leave as it was."""
    sites = store.query_sites()
    return (store.version(), store.count_sites(), tuple(sites["id"]), len(store.list_batches()),
            len(store.audit()))


def upload(content: bytes = b'{"type": "FeatureCollection", "features": []}', name: str = "sites.geojson") -> Upload:
    return Upload(name, content, report={"ok": True})


def test_empty_store(store, backend):
    assert store.count_sites() == 0
    assert store.version() == 0
    assert store.query_sites().empty
    assert list(store.query_sites().columns)[-1] == "geometry"
    assert store.list_batches().empty
    assert store.audit().empty
    assert store.find_batch_by_sha256("0" * 64) is None


def test_commit_roundtrip(store):
    gdf = three_sites()
    batch = store.commit_batch(gdf, actor="alice", upload=upload())
    assert store.count_sites() == 3
    assert store.version() == 1
    got = store.query_sites().set_index("id")
    assert list(got.index) == ["t-1", "t-2", "t-3"]
    assert got.loc["t-1", "name"] == "Chợ Đồng Xuân"
    assert got.loc["t-1", "budget_vnd"] == 1.5e9
    assert got.loc["t-1", "batch_id"] == batch
    assert got.loc["t-1", "district_codes"] == gdf.set_index("id").loc["t-1", "district_codes"]
    for sid in got.index:
        original = gdf.set_index("id").loc[sid, "geometry"]
        assert shapely.equals_exact(got.loc[sid, "geometry"], original, tolerance=1e-9)
    site = store.get_site("t-3")
    assert site["geometry"].geom_type == "LineString"
    assert site["notes"] is None


def test_query_filters(store, bounds):
    store.commit_batch(three_sites(), actor="alice")
    store.commit_batch(make_sites([{"id": "w-1", "name": "Vườn hoa Hồ Tây", "category": "park",
                                    "status": "planned", "geometry": Point(*WEST_LAKE)}]), actor="bob")
    all_sites = store.query_sites().set_index("id")
    hk = all_sites.loc["t-1", "district_codes"]
    assert hk, "the point at Hoàn Kiếm Lake is placed in a district"
    assert set(store.query_sites(SiteFilter(district=hk))["id"]) >= {"t-1"}
    assert "t-3" not in set(store.query_sites(SiteFilter(district=hk))["id"])
    commune = all_sites.loc["t-1", "commune_codes"].split(";")[0]
    assert "t-1" in set(store.query_sites(SiteFilter(commune=commune))["id"])
    assert set(store.query_sites(SiteFilter(categories=["park"]))["id"]) == {"t-2", "w-1"}
    assert set(store.query_sites(SiteFilter(statuses=["planned", "completed"]))["id"]) == {"t-2", "t-3", "w-1"}
    assert set(store.query_sites(SiteFilter(categories=["park"], statuses=["planned"]))["id"]) == {"t-2", "w-1"}
    assert set(store.query_sites(SiteFilter(text="ho tay"))["id"]) == {"w-1"}  # no diacritics
    assert set(store.query_sites(SiteFilter(text="CHỢ đồng"))["id"]) == {"t-1"}
    assert store.query_sites(SiteFilter(text="100%_")).empty  # LIKE wildcards are literal
    assert set(store.query_sites(SiteFilter(ids=["t-2", "nope"]))["id"]) == {"t-2"}


def test_bbox_filter(store):
    store.commit_batch(three_sites(), actor="alice")
    around_lake = (105.845, 21.010, 105.860, 21.035)  # the point and the park, not Hà Đông
    assert set(store.query_sites(SiteFilter(bbox=around_lake))["id"]) == {"t-1", "t-2"}
    touching_park = (105.8455, 21.0185, 105.8470, 21.0200)  # overlaps only the park's corner
    assert set(store.query_sites(SiteFilter(bbox=touching_park))["id"]) == {"t-2"}
    assert store.query_sites(SiteFilter(bbox=(106.5, 22.0, 106.6, 22.1))).empty
    assert set(store.query_sites(SiteFilter(bbox=(105.0, 20.0, 106.5, 22.0)))["id"]) == {"t-1", "t-2", "t-3"}


def test_duplicate_id_leaves_store_unchanged(store):
    store.commit_batch(three_sites(), actor="alice", upload=upload())
    before = snapshot(store)
    clash = make_sites([{"id": "new-1", "name": "A", "category": "market", "geometry": Point(*WEST_LAKE)},
                        {"id": "t-2", "name": "B", "category": "park", "geometry": Point(*WEST_LAKE)}])
    with pytest.raises(ConflictError, match="already in the store"):
        store.commit_batch(clash, actor="bob", upload=upload(b"other file"))
    assert snapshot(store) == before
    repeated = make_sites([{"id": "r-1", "name": "A", "category": "market", "geometry": Point(*WEST_LAKE)},
                           {"id": "r-1", "name": "B", "category": "park", "geometry": Point(*WEST_LAKE)}])
    with pytest.raises(ConflictError):
        store.commit_batch(repeated, actor="bob")
    assert snapshot(store) == before


def test_invalid_rows_refused_before_writing(store):
    before = snapshot(store)
    bad = gpd.GeoDataFrame([{"id": "x", "name": "", "category": "market", "geometry": Point(*WEST_LAKE)}],
                           geometry="geometry", crs=4326)
    with pytest.raises(StoreError, match="lacks an id, a name or a category"):
        store.commit_batch(site_ops.complete(bad), actor="bob")
    projected = three_sites().to_crs(3405)
    with pytest.raises(StoreError, match="WGS 84"):
        store.commit_batch(projected, actor="bob")
    assert snapshot(store) == before


def test_transaction_is_all_or_nothing(store):
    store.commit_batch(three_sites(), actor="alice")
    before = snapshot(store)
    with pytest.raises(RuntimeError):
        with store.transaction() as cur:
            store.execute(cur, "DELETE FROM site_units")
            store.execute(cur, "DELETE FROM sites")
            store._bump(cur)
            raise RuntimeError("boom")
    assert snapshot(store) == before
    assert len(store.query_sites(SiteFilter(district=store.get_site("t-1")["district_codes"]))) >= 1


def test_rollback_batch(store):
    first = store.commit_batch(three_sites("a"), actor="alice")
    second = store.commit_batch(three_sites("b"), actor="bob")
    v = store.version()
    assert store.rollback_batch(first, actor="carol") == 3
    assert store.version() == v + 1
    assert set(store.query_sites()["id"]) == {"b-1", "b-2", "b-3"}
    assert store.query_sites(SiteFilter(bbox=(105.0, 20.0, 106.5, 22.0)))["id"].str.startswith("b").all()
    batches = store.list_batches().set_index("batch_id")
    assert batches.loc[first, "status"] == "rolled_back"
    assert batches.loc[first, "rolled_back_by"] == "carol"
    assert batches.loc[first, "n_present"] == 0
    assert batches.loc[second, "n_present"] == 3
    row = store.audit(action="rollback").iloc[0]
    assert row["actor"] == "carol" and row["entity_id"] == first and row["batch_id"] == first
    assert {s["id"] for s in json.loads(row["before_json"])["sites"]} == {"a-1", "a-2", "a-3"}
    before = snapshot(store)
    with pytest.raises(ConflictError, match="already rolled back"):
        store.rollback_batch(first, actor="carol")
    with pytest.raises(NotFound):
        store.rollback_batch("b-nope", actor="carol")
    assert snapshot(store) == before
    # the rolled-back ids are free again
    store.commit_batch(three_sites("a"), actor="alice")
    assert store.count_sites() == 6


def test_update_site_with_audit(store):
    store.commit_batch(three_sites(), actor="alice")
    v = store.version()
    new = store.update_site("t-1", {"status": "completed", "progress_pct": 100, "geometry": Point(*WEST_LAKE)},
                            actor="dave")
    assert new["status"] == "completed" and new["progress_pct"] == 100
    assert store.version() == v + 1
    assert store.count_sites() == 3
    row = store.audit(action="edit").iloc[0]
    assert row["actor"] == "dave" and row["entity"] == "site" and row["entity_id"] == "t-1"
    before, after = json.loads(row["before_json"]), json.loads(row["after_json"])
    assert before["status"] == "in_progress" and after["status"] == "completed"
    assert after["geometry"].startswith("POINT (105.819")
    # the spatial index follows the new geometry
    assert "t-1" not in set(store.query_sites(SiteFilter(bbox=(105.845, 21.010, 105.860, 21.035)))["id"])
    assert "t-1" in set(store.query_sites(SiteFilter(bbox=(105.81, 21.05, 105.83, 21.06)))["id"])
    with pytest.raises(StoreError, match="cannot be edited"):
        store.update_site("t-1", {"id": "other"}, actor="dave")
    with pytest.raises(NotFound):
        store.update_site("nope", {"status": "completed"}, actor="dave")


def test_delete_site_with_audit(store):
    store.commit_batch(three_sites(), actor="alice")
    v = store.version()
    store.delete_site("t-2", actor="erin")
    assert store.version() == v + 1
    assert set(store.query_sites()["id"]) == {"t-1", "t-3"}
    assert store.query_sites(SiteFilter(categories=["park"])).empty
    row = store.audit(action="delete").iloc[0]
    assert row["actor"] == "erin" and row["entity_id"] == "t-2"
    assert json.loads(row["before_json"])["name"] == "Công viên Thống Nhất"
    with pytest.raises(NotFound):
        store.get_site("t-2")
    before = snapshot(store)
    with pytest.raises(NotFound):
        store.delete_site("t-2", actor="erin")
    assert snapshot(store) == before


def test_batches_and_sha256(store):
    content = json.dumps({"type": "FeatureCollection", "features": [], "note": "Hồ Gươm"}).encode()
    up = upload(content, "Danh sách công trình (1).geojson")
    batch = store.commit_batch(three_sites(), actor="alice", upload=up)
    found = store.find_batch_by_sha256(up.sha256)
    assert found is not None and found["batch_id"] == batch
    assert store.read_blob(up.sha256) == content  # verbatim (PostGIS: in the database, SQLite: under uploads/)
    assert found["stored_path"].split("/")[0] == up.sha256
    b = store.list_batches().iloc[0]
    assert (b["batch_id"], b["actor"], b["kind"], b["n_features"], b["n_present"], b["status"]) == \
        (batch, "alice", "upload", 3, 3, "committed")
    assert json.loads(store.get_batch(batch)["report_json"]) == {"ok": True}
    store.rollback_batch(batch, actor="alice")
    assert store.find_batch_by_sha256(up.sha256) is None  # re-uploading a rolled-back file is allowed
    assert store.read_blob(up.sha256) == content  # the file stays


def test_audit_filters(store):
    store.commit_batch(three_sites("a"), actor="alice")
    store.commit_batch(three_sites("b"), actor="bob", kind="demo")
    audit = store.audit()
    assert list(audit["action"]) == ["demo", "upload"]  # newest first
    assert list(store.audit(actor="alice")["action"]) == ["upload"]
    assert len(store.audit(limit=1)) == 1
    assert store.audit(since="2999-01-01").empty
    after = json.loads(store.audit(action="upload").iloc[0]["after_json"])
    assert after["site_ids"] == ["a-1", "a-2", "a-3"]


def test_reopen_keeps_data_and_schema(store, data_dir):
    store.commit_batch(three_sites(), actor="alice")
    again = open_store()
    try:
        assert again.migrate() == store.migrate() >= 1
        assert again.count_sites() == 3
        assert again.version() == store.version()
    finally:
        getattr(again, "close", lambda: None)()


def test_demo_store(demo_store):
    n = demo_store.count_sites()
    assert n > 50
    assert demo_store.list_batches()["kind"].tolist() == ["demo"]
    assert len(demo_store.query_sites(SiteFilter(categories=["wastewater"]))) >= 1


def test_postgis_connection_pool(store, backend):
    if backend != "postgis":
        pytest.skip("the PostGIS connection pool")
    import threading

    from geo.store.postgis import POOL_IDLE

    opened = []
    connect = store._connect
    store._connect = lambda: opened.append(1) or connect()
    for _ in range(30):  # Streamlit runs every script run in a new thread
        t = threading.Thread(target=store.count_sites)
        t.start()
        t.join()
    assert opened == [] and 1 <= len(store._idle) <= POOL_IDLE  # one pooled connection served them all
    # connections the server closed meanwhile are replaced, not reported
    import psycopg

    with psycopg.connect(store.url, autocommit=True) as admin:
        n = admin.execute("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name ="
                          " 'p03-map' AND datname = current_database()").fetchone()[0]
    assert n >= 1
    store.commit_batch(three_sites(), actor="alice")
    assert store.count_sites() == 3
    assert len(opened) == 1  # the dead one replaced


def test_sqlite_switches_to_wal_once_the_file_is_free(tmp_path):
    """SQLite answers "database is locked" at once (no busy wait) to a switch to WAL while another
    process holds the file: the store tries again until it is free, within its patience."""
    import sqlite3
    import threading

    from geo.store.sqlite import _use_wal

    path = tmp_path / "p03.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _use_wal(conn, patience_s=0)
    retried = threading.Event()  # a second attempt: the first one failed and was tried again

    class Counted:  # the connection itself, its statements counted (a failed prepare is traced nowhere)
        calls = 0

        def execute(self, sql: str) -> sqlite3.Cursor:
            Counted.calls += 1
            if Counted.calls >= 2:
                retried.set()
            return conn.execute(sql)

    worker = threading.Thread(target=_use_wal, args=(Counted(), 60.0))
    worker.start()
    assert retried.wait(60)
    holder.execute("COMMIT")
    worker.join(60)
    assert not worker.is_alive()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
