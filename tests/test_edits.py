"""Editing one site (geo.edits) on both backends: versions, history, reasons, roles, invalid
values refused with the field named and nothing written, conflicts between two sessions,
delete/undelete/restore, the store as it stood on a past day, rollbacks that restore or refuse."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from shapely.geometry import LineString, Point, Polygon

from geo import auth, edits
from geo.errors import ConflictError, EditConflict, NotFound, PermissionDenied, RollbackBlocked, SiteInvalid
from geo.store import SiteFilter, open_store
from geo.store.base import _rows
from geo.store.versions import SiteWrite
from tests.test_store import HOAN_KIEM_LAKE, snapshot, three_sites

EDITOR = auth.User("lan", "editor")
OTHER = auth.User("minh", "editor")
CAU_GIAY = (105.7930, 21.0300)  # a point in Cầu Giấy, far from Hoàn Kiếm
BOWTIE = Polygon([(105.840, 21.014), (105.846, 21.019), (105.846, 21.014), (105.840, 21.019)])


@pytest.fixture()
def sites(store):
    store.commit_batch(three_sites(), actor="alice")
    return store


def test_edit_writes_a_version_with_reason_and_audit(sites, bounds):
    v = sites.version()
    site = edits.edit_site(sites, "t-1", {"status": "completed", "progress_pct": 100}, user=EDITOR,
                           expected_version=1, reason="Nghiệm thu 5/2025", b=bounds)
    assert site["status"] == "completed" and site["progress_pct"] == 100 and site["version"] == 2
    assert sites.version() == v + 1
    history = edits.site_history(sites, "t-1")
    assert [h["version"] for h in history] == [1, 2]
    last = history[-1]
    assert last["actor"] == "lan" and last["reason"] == "Nghiệm thu 5/2025" and last["source"] == "form"
    assert last["changes"] == {"status": ["in_progress", "completed"], "progress_pct": [None, 100.0]}
    assert {k: v for k, v in last["site"].items() if k != "geometry"} == \
        {k: v for k, v in sites.get_site("t-1").items() if k != "geometry"}
    assert history[0]["site"]["status"] == "in_progress"
    row = sites.audit(action="edit").iloc[0]
    assert row["entity_id"] == "t-1" and json.loads(row["after_json"])["status"] == "completed"


def test_moving_a_point_rederives_district_and_commune(sites, bounds):
    before = sites.get_site("t-1")
    site = edits.edit_site(sites, "t-1", {"geometry": Point(*CAU_GIAY)}, user=EDITOR, expected_version=1, b=bounds)
    assert site["district_codes"] != before["district_codes"] and site["commune_codes"] != before["commune_codes"]
    assert sites.query_sites(SiteFilter(district=site["district_codes"]))["id"].tolist() == ["t-1"]
    assert "t-1" in set(sites.query_sites(SiteFilter(bbox=(105.79, 21.02, 105.80, 21.04)))["id"])
    assert set(edits.site_history(sites, "t-1")[-1]["changes"]) == {"geometry", "district_codes", "commune_codes"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"progress_pct": 140}, "progress_pct"),
    ({"start_date": "2025-06-01", "end_date": "2025-01-01"}, "end_date"),
    ({"geometry": Point(106.5, 21.0)}, "geometry"),
    ({"geometry": BOWTIE}, "geometry"),
    ({"category": "bakery"}, "category"),
    ({"name": ""}, "name"),
    ({"id": "other"}, "id"),
])
def test_invalid_edits_are_refused_with_the_field_named(sites, bounds, changes, field):
    before = snapshot(sites), edits.site_history(sites, "t-2")
    with pytest.raises(SiteInvalid) as err:
        edits.edit_site(sites, "t-2", changes, user=EDITOR, expected_version=1, b=bounds)
    assert err.value.field == field
    assert field in err.value.en and "t-2" in err.value.vi
    assert (snapshot(sites), edits.site_history(sites, "t-2")) == before


def test_a_status_change_needs_a_reason(sites, bounds):
    before = snapshot(sites)
    with pytest.raises(SiteInvalid, match="reason") as err:
        edits.edit_site(sites, "t-1", {"status": "Hoàn thành"}, user=EDITOR, expected_version=1, b=bounds)
    assert err.value.field == "reason"
    assert snapshot(sites) == before


@pytest.mark.parametrize("user", [None, auth.User("xem", "viewer")])
def test_viewers_and_anonymous_are_refused(sites, bounds, user):
    before = snapshot(sites)
    for call in (lambda: edits.edit_site(sites, "t-1", {"notes": "x"}, user=user, expected_version=1, b=bounds),
                 lambda: edits.create_site(sites, {"name": "A", "category": "park"}, Point(*HOAN_KIEM_LAKE),
                                           user=user, b=bounds),
                 lambda: edits.delete_site(sites, "t-1", user=user, reason="r", expected_version=1),
                 lambda: edits.restore_version(sites, "t-1", 1, user=user, expected_version=1)):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(sites) == before


def test_two_sessions_second_save_is_refused(sites, store_url, bounds):
    other = open_store(store_url)  # a second session: its own connections
    try:
        seen = other.get_site("t-1")["version"]
        edits.edit_site(sites, "t-1", {"status": "suspended"}, user=EDITOR, expected_version=1, reason="vướng GPMB",
                        b=bounds)
        before = snapshot(sites)
        with pytest.raises(EditConflict) as err:
            edits.edit_site(other, "t-1", {"status": "completed"}, user=OTHER, expected_version=seen, reason="xong",
                            b=bounds)
        c = err.value
        assert (c.site_id, c.expected, c.stored, c.by) == ("t-1", 1, 2, "lan")
        assert c.fields["status"] == ("completed", "suspended")
        assert "yours “completed”, stored “suspended”" in c.en and "lan" in c.vi
        assert snapshot(sites) == before
        # the store update_site path (CLI, uploads) refuses alike
        with pytest.raises(EditConflict):
            other.update_site("t-1", {"notes": "x"}, actor="minh", expected_version=1)
    finally:
        getattr(other, "close", lambda: None)()


def test_delete_undelete_restore(sites, bounds):
    edits.edit_site(sites, "t-3", {"notes": "ghi chú"}, user=EDITOR, expected_version=1, b=bounds)
    with pytest.raises(SiteInvalid, match="reason"):
        edits.delete_site(sites, "t-3", user=EDITOR, reason=" ", expected_version=2)
    edits.delete_site(sites, "t-3", user=EDITOR, reason="trùng", expected_version=2)
    assert "t-3" not in set(sites.query_sites()["id"])
    with pytest.raises(NotFound):
        sites.get_site("t-3")
    gone = sites.get_site("t-3", include_deleted=True)
    assert gone["deleted"] and gone["version"] == 3 and gone["notes"] == "ghi chú"
    back = edits.undelete_site(sites, "t-3", user=EDITOR)
    assert back["version"] == 4 and back["notes"] == "ghi chú" and not back["deleted"]
    with pytest.raises(ConflictError, match="not deleted"):
        edits.undelete_site(sites, "t-3", user=EDITOR)
    old = edits.restore_version(sites, "t-3", 1, user=EDITOR, expected_version=4)
    assert old["version"] == 5 and old["notes"] is None
    history = edits.site_history(sites, "t-3")
    assert [(h["version"], h["deleted"], h["source"]) for h in history] == \
        [(1, False, "upload"), (2, False, "form"), (3, True, "form"), (4, False, "undelete"), (5, False, "restore")]
    with pytest.raises(EditConflict):
        edits.restore_version(sites, "t-3", 2, user=EDITOR, expected_version=4)


def test_create_site_drawn_on_the_map(sites, bounds):
    line = LineString([(105.850, 21.030), (105.853, 21.032)])
    site = edits.create_site(sites, {"name": "Phố đi bộ mới", "category": "phố đi bộ"}, line.wkt, user=EDITOR,
                             b=bounds)
    assert site["category"] == "pedestrian" and site["indicator"] == "CT02" and site["version"] == 1
    assert site["district_codes"] and site["batch_id"] is None
    assert edits.site_history(sites, site["id"])[0]["source"] == "map"
    with pytest.raises(SiteInvalid) as err:
        edits.create_site(sites, {"name": "Ngoài Hà Nội", "category": "park"}, Point(106.6, 20.9), user=EDITOR,
                          b=bounds)
    assert err.value.field == "geometry"


@pytest.mark.parametrize("as_text", [False, True], ids=["drawn", "wkt"])
def test_a_drawn_geometry_beyond_the_vertex_limit_is_refused(sites, bounds, monkeypatch, as_text):
    """The edit map is bounded like an upload (P03_MAX_VERTICES_PER_GEOMETRY): nothing written."""
    monkeypatch.setenv("P03_MAX_VERTICES_PER_GEOMETRY", "100")
    wiggle = LineString([(105.850 + i * 1e-5, 21.030 + (i % 2) * 1e-5) for i in range(150)])
    before = snapshot(sites)
    with pytest.raises(SiteInvalid) as err:
        edits.create_site(sites, {"name": "Phố đi bộ mới", "category": "pedestrian"},
                          wiggle.wkt if as_text else wiggle, user=EDITOR, b=bounds)
    assert err.value.field == "geometry" and "150 vertices" in err.value.en and "P03_MAX_VERTICES_PER_GEOMETRY" in err.value.vi
    with pytest.raises(SiteInvalid, match="150 vertices"):
        edits.edit_site(sites, "t-1", {"geometry": wiggle}, user=EDITOR, reason="vẽ lại", expected_version=1,
                        b=bounds)
    assert snapshot(sites) == before


def _backdate(store, site_id: str, version: int, at: str) -> None:
    with store.transaction() as cur:
        store.execute(cur, "UPDATE site_versions SET at = ? WHERE id = ? AND version = ?", [at, site_id, version])


def test_query_as_of_a_past_day(sites, bounds):
    edits.edit_site(sites, "t-1", {"status": "completed"}, user=EDITOR, expected_version=1, reason="xong", b=bounds)
    edits.delete_site(sites, "t-2", user=EDITOR, reason="trùng", expected_version=1)
    for sid in ("t-1", "t-2", "t-3"):
        _backdate(sites, sid, 1, "2024-01-10T03:00:00+00:00")
    _backdate(sites, "t-1", 2, "2024-06-01T03:00:00+00:00")
    _backdate(sites, "t-2", 2, "2024-07-01T03:00:00+00:00")
    assert sites.query_sites(SiteFilter(as_of="2024-01-09")).empty
    march = sites.query_sites(SiteFilter(as_of="2024-03-01")).set_index("id")
    assert set(march.index) == {"t-1", "t-2", "t-3"} and march.loc["t-1", "status"] == "in_progress"
    june = sites.query_sites(SiteFilter(as_of="2024-06-01", statuses=["completed"]))
    assert set(june["id"]) == {"t-1", "t-3"}
    assert set(sites.query_sites(SiteFilter(as_of="2024-07-01"))["id"]) == {"t-1", "t-3"}
    today = sites.query_sites(SiteFilter(as_of="2999-01-01"))
    assert today.drop(columns="geometry").equals(sites.query_sites().drop(columns="geometry").sort_values("id")
                                                 .reset_index(drop=True))


def _update(store, site_id: str, **changes) -> SiteWrite:
    site = store.get_site(site_id)
    version = site.pop("version")
    site.pop("deleted")
    import geopandas as gpd

    row = _rows(gpd.GeoDataFrame([{**site, **changes}], geometry="geometry", crs=4326))[0]
    return SiteWrite(site_id, version, row, changes)


def test_rollback_of_an_update_batch_restores_and_refuses_over_later_edits(sites, bounds):
    empty = three_sites().iloc[0:0]
    batch = sites.commit_batch(empty, actor="bob", updates=[_update(sites, "t-1", status="completed"),
                                                           _update(sites, "t-2", notes="đã khảo sát")])
    assert sites.get_site("t-1")["status"] == "completed" and sites.get_site("t-1")["version"] == 2
    assert sites.rollback_batch(batch, actor="carol") == 2
    assert sites.get_site("t-1")["status"] == "in_progress" and sites.get_site("t-1")["version"] == 3
    assert sites.get_site("t-2")["notes"] is None and sites.count_sites() == 3
    batch2 = sites.commit_batch(empty, actor="bob", updates=[_update(sites, "t-1", progress_pct=50.0)])
    edits.edit_site(sites, "t-1", {"notes": "sửa sau"}, user=OTHER, expected_version=4, b=bounds)
    before = snapshot(sites)
    with pytest.raises(RollbackBlocked) as err:
        sites.rollback_batch(batch2, actor="carol")
    assert err.value.edits[0]["site_id"] == "t-1" and err.value.edits[0]["by"] == "minh"
    assert "t-1" in err.value.vi and "minh" in err.value.en
    assert snapshot(sites) == before


def test_an_update_batch_racing_an_edit_is_refused_whole(sites, bounds):
    stale = [_update(sites, "t-1", status="completed"), _update(sites, "t-2", notes="x")]
    edits.edit_site(sites, "t-2", {"notes": "y"}, user=OTHER, expected_version=1, b=bounds)
    before = snapshot(sites)
    with pytest.raises(EditConflict) as err:
        sites.commit_batch(three_sites("n"), actor="bob", updates=stale)
    assert err.value.site_id == "t-2" and err.value.fields["notes"] == ("x", "y")
    assert snapshot(sites) == before


def test_migration_gives_every_existing_site_version_1(store, store_url, monkeypatch):
    from geo.store import base, migrations

    monkeypatch.setattr(base, "MIGRATIONS", migrations.MIGRATIONS[:2])  # later ones are not this test's
    store.commit_batch(three_sites(), actor="alice")
    with store.transaction() as cur:  # back to a store made by schema 1
        store.execute(cur, "DROP TABLE site_versions")
        store.execute(cur, "ALTER TABLE sites DROP COLUMN version")
        store.execute(cur, "DELETE FROM schema_version WHERE version >= 2")
    new = open_store(store_url)
    try:
        assert new.migrate() >= 2
        for sid in ("t-1", "t-2", "t-3"):
            assert new.get_site(sid)["version"] == 1
            (v1,) = edits.site_history(new, sid)
            assert v1["actor"] == "alice" and v1["source"] == "upload" and v1["batch_id"]
            assert v1["changes"]["name"][0] is None
        assert new.rollback_batch(v1["batch_id"], actor="carol") == 3
        assert new.count_sites() == 0
    finally:
        getattr(new, "close", lambda: None)()


def test_indicators_count_an_undated_site_from_the_day_it_became_completed(sites, bounds):
    from geo.indicators import history as ind_history
    from geo.indicators import judge as ind_judge
    from geo.indicators import registry as ind_registry

    reg = {i.code: i for i in ind_registry.load_registry()}
    edits.edit_site(sites, "t-1", {"status": "completed"}, user=EDITOR, expected_version=1, reason="xong", b=bounds)
    _backdate(sites, "t-1", 2, "2024-06-01T03:00:00+00:00")
    market = [reg["CT08"]]
    assert ind_judge.compute(sites, "2024-05-31", indicators=market)[0].count == 0
    done = ind_judge.compute(sites, "2024-06-01", indicators=market)[0]
    assert done.count == 1 and done.undated == 0 and done.last_change == "2024-06-01"
    # stored as completed from its first version: since when is unknown, counted from the programme start
    cable = ind_judge.compute(sites, "2021-06-01", indicators=[reg["CT11"]])[0]
    assert cable.count == 1 and cable.undated == 1
    series = ind_history.history(sites, reg["CT08"], until=dt.date(2025, 1, 1))
    assert series["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-01"]
