"""Field inspections in the store, on both backends: an inspection and its photos in one
transaction (all or nothing), photos read back byte for byte (on PostGIS by another process too),
kept upload files in the database on PostGIS, roles (viewers record, editors accept), the copy
between backends carrying photos, GeoJSON and the ZIP of a visit's photos."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from geo import auth, photos
from geo import inspections as insp_ops
from geo.cli.store import store_from_url
from geo.errors import ConflictError, InputError, NotFound, PermissionDenied, StoreError
from geo.store import Upload
from geo.store.copy import copy_store
from tests.photo_support import DONG_XUAN, HOAN_KIEM, make_photo

REPO = Path(__file__).resolve().parent.parent
SITE = "demo-012"  # Chợ Đồng Xuân
VIEWER, EDITOR = auth.User("minh", "viewer"), auth.User("lan", "editor")


def two_photos() -> list[photos.Photo]:
    a = make_photo((640, 480), lat=DONG_XUAN[0], lon=DONG_XUAN[1], taken="2026:11:30 09:10:00", orientation=6)
    b = make_photo((800, 600), lat=HOAN_KIEM[0], lon=HOAN_KIEM[1], taken="2026:11:29 16:00:00")
    return [photos.prepare(a, "IMG_0001.JPG", "Mái chợ đã lợp xong"), photos.prepare(b, "IMG_0002.JPG", "Quầy <b>")]


def draft(**kw) -> insp_ops.Draft:
    base = {"site_id": SITE, "findings": "Mái chợ đã lợp xong, các quầy chưa chuyển về.", "assessment": "behind",
            "inspected_at": "2026-11-30T09:30", "inspectors": ["Nguyễn Văn Minh", "Trần Thị Lan"],
            "proposed_status": "in_progress", "proposed_progress": 80.0, "photos": two_photos()}
    return insp_ops.Draft(**{**base, **kw})


def test_record_with_photos_and_read_back(demo_store):
    store = demo_store
    v0 = store.version()
    d = draft()
    clean, warnings = insp_ops.check(store, d)
    assert [w["code"] for w in warnings] == ["far", "other_day"]  # flagged, not refused
    iid = insp_ops.record(store, d, VIEWER)
    assert store.version() == v0 + 1
    df = store.list_inspections(site_id=SITE)
    row = df.iloc[0]
    assert (row["inspection_id"], row["assessment"], row["n_photos"], row["created_by"]) == (iid, "behind", 2, "minh")
    assert row["inspectors"] == "Nguyễn Văn Minh\nTrần Thị Lan" and row["proposed_progress"] == 80.0
    pics = store.list_photos([iid])
    assert list(pics["file_name"]) == ["IMG_0001.JPG", "IMG_0002.JPG"]
    assert list(pics["caption"]) == ["Mái chợ đã lợp xong", "Quầy <b>"]
    assert json.loads(pics.iloc[1]["flags_json"]) == ["far", "other_day"] and pics.iloc[1]["distance_m"] > 1000
    for p, orig in zip(pics.itertuples(), d.photos, strict=True):
        assert store.photo_image(p.photo_id, "original") == orig.content  # byte for byte
        assert hashlib.sha256(store.read_blob(p.sha256)).hexdigest() == p.sha256
        assert p.thumb == orig.thumb and store.photo_image(p.photo_id) == orig.display
    audit = store.audit(action="inspection").iloc[0]
    assert audit["entity_id"] == SITE and len(json.loads(audit["after_json"])["photos"]) == 2
    assert store.last_inspected() == {SITE: "2026-11-30T09:30"}
    if store.files_in_db:  # PostGIS: nothing on disk
        assert not any(store.uploads_dir.rglob("*")) if store.uploads_dir.exists() else True


def test_nothing_half_saved(demo_store, monkeypatch):
    store = demo_store
    before = (store.version(), len(store.list_inspections()), store.fetchall("SELECT COUNT(*) AS n FROM blobs"))
    real = type(store)._insert_photo
    calls = []

    def dies_on_second(self, cur, inspection_id, seq, p):
        calls.append(seq)
        if seq == 2:
            raise ConnectionResetError("connection lost mid-upload")
        return real(self, cur, inspection_id, seq, p)

    monkeypatch.setattr(type(store), "_insert_photo", dies_on_second)
    with pytest.raises(StoreError, match="connection was lost.*nothing was saved"):
        insp_ops.record(store, draft(), VIEWER)
    assert calls == [1, 2]
    after = (store.version(), len(store.list_inspections()), store.fetchall("SELECT COUNT(*) AS n FROM blobs"))
    assert after == before
    assert store.fetchall("SELECT COUNT(*) AS n FROM photos")[0]["n"] == 0


def test_bad_input_refused(demo_store):
    store = demo_store
    with pytest.raises(InputError, match="write the findings"):
        insp_ops.record(store, draft(findings="  \u202e "), VIEWER)
    with pytest.raises(InputError, match="no assessment"):
        insp_ops.record(store, draft(assessment="great"), VIEWER)
    with pytest.raises(InputError, match="0 to 100"):
        insp_ops.record(store, draft(proposed_progress=120), VIEWER)
    with pytest.raises(InputError, match="cannot read the time"):
        insp_ops.record(store, draft(inspected_at="yesterday"), VIEWER)
    with pytest.raises(NotFound):
        insp_ops.record(store, draft(site_id="nope"), VIEWER)
    assert store.list_inspections().empty


def test_roles_viewer_records_editor_accepts(demo_store):
    store = demo_store
    with pytest.raises(PermissionDenied, match="Sign in"):
        insp_ops.record(store, draft(), None)
    iid = insp_ops.record(store, draft(photos=[]), VIEWER)
    with pytest.raises(PermissionDenied, match="editor"):
        insp_ops.apply(store, iid, VIEWER)
    assert store.get_inspection(iid)["applied_at"] is None
    site = insp_ops.apply(store, iid, EDITOR)
    assert (site["status"], site["progress_pct"]) == ("in_progress", 80.0)
    assert store.get_inspection(iid)["applied_by"] == "lan"
    from geo.edits import site_history

    last = site_history(store, SITE)[-1]  # a new version of the site, citing the inspection
    assert (last["source"], last["inspection_id"], last["actor"]) == ("inspection", iid, "lan")
    assert last["changes"]["progress_pct"][1] == 80.0 and iid in last["reason"]  # the status was in_progress already
    with pytest.raises(ConflictError):
        insp_ops.apply(store, iid, EDITOR)


def test_upload_files_kept_in_the_store(store):
    content = b'{"type": "FeatureCollection", "features": []}'
    from tests.test_store import three_sites

    batch = store.commit_batch(three_sites(), actor="alice", upload=Upload("Danh sách.geojson", content))
    sha = hashlib.sha256(content).hexdigest()
    assert store.read_blob(sha) == content
    on_disk = store.uploads_dir.exists() and any(p.is_file() for p in store.uploads_dir.rglob("*"))
    assert on_disk == (not store.files_in_db)  # PostGIS: in the database, no shared folder needed
    assert store.get_batch(batch)["stored_path"].startswith(sha + "/")


def test_migration_moves_kept_files_into_postgis(data_dir, pg_url_factory, tmp_path):
    store = store_from_url(pg_url_factory(), str(tmp_path / "uploads"))
    from tests.test_store import three_sites

    content = b"an upload kept in a folder by an older version"
    store.commit_batch(three_sites(), actor="alice", upload=Upload("old.geojson", content))
    sha = hashlib.sha256(content).hexdigest()
    stored = store.get_batch(store.list_batches().iloc[0]["batch_id"])["stored_path"]
    with store.transaction() as cur:  # as an older store had it: the file in the folder, not in the database
        store.execute(cur, "DELETE FROM blobs")
    (tmp_path / "uploads" / stored).parent.mkdir(parents=True)
    (tmp_path / "uploads" / stored).write_bytes(content)
    with store.transaction() as cur:
        store._after_migration_6(cur)
    (tmp_path / "uploads" / stored).unlink()
    assert store.read_blob(sha) == content
    store.close()


def test_postgis_photo_read_by_another_process(data_dir, pg_url_factory, monkeypatch):
    url = pg_url_factory()
    monkeypatch.setenv("P03_DATABASE_URL", url)
    store = store_from_url(url)
    from geo import sites as site_ops

    site_ops.load_demo(store, REPO / "data" / "demo", actor="setup")
    d = draft()
    iid = insp_ops.record(store, d, VIEWER)
    ids = list(store.list_photos([iid], thumbs=False)["photo_id"])
    code = ("import sys; from geo.store import open_store; s = open_store(); "
            "[sys.stdout.buffer.write(s.photo_image(i, 'original')) for i in sys.argv[1:]]")
    env = {**os.environ, "P03_DATABASE_URL": url, "P03_DATA_DIR": str(data_dir / "elsewhere")}
    out = subprocess.run([sys.executable, "-c", code, *ids], env=env, cwd=REPO, capture_output=True, check=True,
                         timeout=120).stdout
    assert out == b"".join(p.content for p in d.photos)  # byte-identical, no shared folder
    store.close()


def test_copy_between_backends_carries_photos(data_dir, pg_url_factory, tmp_path):
    from geo import sites as site_ops

    src = store_from_url(f"sqlite:///{data_dir / 'projects'}")
    site_ops.load_demo(src, REPO / "data" / "demo", actor="setup")
    d = draft()
    iid = insp_ops.record(src, d, VIEWER)
    pg = store_from_url(pg_url_factory(), str(tmp_path / "pg-uploads"))
    report = copy_store(src, pg)
    assert report.rows["photos"] == 2 and report.rows["inspections"] == 1 and not report.missing_files
    back = store_from_url(f"sqlite:///{tmp_path / 'back'}")
    copy_store(pg, back)
    for s in (pg, back):
        got = [s.photo_image(p, "original") for p in s.list_photos([iid])["photo_id"]]
        assert got == [p.content for p in d.photos]
    assert not (tmp_path / "pg-uploads").exists()
    pg.close()


def test_geojson_and_zip(demo_store):
    store = demo_store
    plan = {"name": "Kiểm tra chợ", "stop_ids": [SITE, "demo-031"]}
    pid = store.save_plan(plan, actor="minh")
    insp_ops.record(store, draft(plan_id=pid, stop_seq=1), VIEWER)
    insp_ops.record(store, draft(site_id="demo-031", plan_id=pid, stop_seq=2, photos=two_photos()[:1]), VIEWER)
    assert insp_ops.plan_recorded(store, pid) == {SITE: 1, "demo-031": 1}
    with zipfile.ZipFile(io.BytesIO(insp_ops.photos_zip(store, plan, pid))) as zf:
        names = zf.namelist()
        assert names[:2] == ["cho-dong-xuan_1.jpg", "cho-dong-xuan_2.jpg"] and len(names) == 3
        assert zf.read(names[0]) == draft().photos[0].content or zf.read(names[0])[:2] == b"\xff\xd8"
    fc = json.loads(insp_ops.to_geojson(store, store.list_inspections(plan_id=pid)))
    assert len(fc["features"]) == 2 and fc["features"][0]["geometry"]["type"] == "Point"
    props = fc["features"][0]["properties"]
    assert props["inspectors"] == ["Nguyễn Văn Minh", "Trần Thị Lan"] and "lat" not in props["photos"][0]
    with_gps = json.loads(insp_ops.to_geojson(store, store.list_inspections(plan_id=pid), with_gps=True))
    assert with_gps["features"][0]["properties"]["photos"][0]["lat"] is not None
