"""The audit trail: one row for every kind of change to stored data, written in the same
transaction, with who/what/before/after; no row when the change failed, even when it failed
after the audit row was written (a database trigger makes the version bump fail)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import audit, auth
from geo import sites as site_ops
from geo.errors import P03Error
from geo.store import Upload

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo" / "programme03_demo.geojson"


def _site(sid: str, name: str = "Vườn hoa thử nghiệm", lon: float = 105.8525, lat: float = 21.0288):
    gdf = gpd.GeoDataFrame([{"id": sid, "name": name, "category": "park", "status": "planned"}],
                           geometry=[Point(lon, lat)], crs=4326)
    return site_ops.complete(gdf)


def _upload(store, sid="t-001", actor="lan"):
    return store.commit_batch(_site(sid), actor=actor, kind="upload",
                              upload=Upload("thu nghiem.geojson", b'{"type":"FeatureCollection","features":[]}'))


def _people(store):
    auth.add_user(store, "root", "root-pass-123", "admin", actor="cli:root", bootstrap=True)


def _plan(name="Kiểm tra quận Hoàn Kiếm"):
    return {"name": name, "visit_date": "2026-12-01", "participants": ["Lan"], "stop_ids": ["demo-012"]}


# kind -> (prepare(store) -> ctx, change(store, ctx), (action, entity), failing change(store, ctx) or None)
def _prep_none(store):
    return None


def _prep_batch(store):
    return _upload(store)


def _prep_site(store):
    _upload(store)
    return "t-001"


def _prep_user(store):
    _people(store)
    auth.add_user(store, "lan", "lan-pass-1234", "editor", user=auth.User("root", "admin"))
    return "lan"


def _prep_plan(store):
    return store.save_plan(_plan(), actor="minh")


def _prep_value(store):
    return store.add_indicator_value("CT08", 7, "2026-06-30", actor="lan")


def _prep_def(store):
    store.save_indicator_def("CT08", {"code": "CT08", "title_vi": "Chợ", "title_en": "Markets", "target": 20},
                             actor="lan")
    return "CT08"


KINDS = {
    "upload": (_prep_none, lambda s, c: _upload(s), ("upload", "batch"), lambda s, c: (_upload(s), _upload(s))),
    "demo": (_prep_none, lambda s, c: site_ops.load_demo(s, DEMO.parent, actor="setup"), ("demo", "batch"), None),
    "rollback": (_prep_batch, lambda s, c: s.rollback_batch(c, actor="lan"), ("rollback", "batch"),
                 lambda s, c: (s.rollback_batch(c, actor="lan"), s.rollback_batch(c, actor="lan"))),
    "edit": (_prep_site, lambda s, c: s.update_site(c, {"status": "done", "progress_pct": 100}, actor="lan"),
             ("edit", "site"), lambda s, c: s.update_site(c, {"batch_id": "x"}, actor="lan")),
    "delete": (_prep_site, lambda s, c: s.delete_site(c, actor="lan"), ("delete", "site"),
               lambda s, c: s.delete_site("no-such-site", actor="lan")),
    "user_add": (_prep_user, lambda s, c: auth.add_user(s, "hoa", "hoa-pass-1234", "viewer", user=auth.User("root", "admin")),
                 ("user_add", "user"), lambda s, c: auth.add_user(s, "lan", "lan-pass-1234", "viewer", user=auth.User("root", "admin"))),
    "user_set_role": (_prep_user, lambda s, c: auth.set_role(s, c, "viewer", user=auth.User("root", "admin")), ("user_set_role", "user"),
                      lambda s, c: auth.set_role(s, "root", "viewer", user=auth.User("root", "admin"))),
    "user_disable": (_prep_user, lambda s, c: auth.set_disabled(s, c, True, user=auth.User("root", "admin")), ("user_disable", "user"),
                     lambda s, c: auth.set_disabled(s, "root", True, user=auth.User("root", "admin"))),
    "user_enable": (_prep_user, lambda s, c: auth.set_disabled(s, c, False, user=auth.User("root", "admin")), ("user_enable", "user"),
                    lambda s, c: auth.set_disabled(s, "ghost", False, user=auth.User("root", "admin"))),
    "user_reset_password": (_prep_user, lambda s, c: auth.reset_password(s, c, "new-pass-1234", user=auth.User("root", "admin")),
                            ("user_reset_password", "user"),
                            lambda s, c: auth.reset_password(s, "ghost", "new-pass-1234", user=auth.User("root", "admin"))),
    "plan_create": (_prep_none, lambda s, c: s.save_plan(_plan(), actor="minh"), ("plan_create", "plan"),
                    lambda s, c: s.save_plan({"name": ""}, actor="minh")),
    "plan_update": (_prep_plan, lambda s, c: s.save_plan(_plan("Đổi tên"), actor="minh", plan_id=c),
                    ("plan_update", "plan"), lambda s, c: s.save_plan(_plan(), actor="minh", plan_id="p-none")),
    "plan_copy": (_prep_plan, lambda s, c: s.copy_plan(c, actor="lan"), ("plan_copy", "plan"),
                  lambda s, c: s.copy_plan("p-none", actor="lan")),
    "plan_delete": (_prep_plan, lambda s, c: s.delete_plan(c, actor="minh"), ("plan_delete", "plan"),
                    lambda s, c: s.delete_plan("p-none", actor="minh")),
    "indicator_value": (_prep_none, lambda s, c: s.add_indicator_value("CT08", 9, "2026-09-30", actor="lan"),
                        ("indicator_value", "indicator"), None),
    "indicator_value_delete": (_prep_value, lambda s, c: s.delete_indicator_value(c, actor="lan"),
                               ("indicator_value_delete", "indicator"),
                               lambda s, c: s.delete_indicator_value(999_999, actor="lan")),
    "indicator_def": (_prep_none, lambda s, c: _prep_def(s), ("indicator_def", "indicator"), None),
    "indicator_def_reset": (_prep_def, lambda s, c: s.delete_indicator_def(c, actor="lan"),
                            ("indicator_def_reset", "indicator"),
                            lambda s, c: s.delete_indicator_def("CT99", actor="lan")),
    "unit_target": (_prep_none, lambda s, c: s.set_unit_target("CT08", "district", "001", 3, actor="lan"),
                    ("unit_target", "indicator"), None),
}


def _snapshot(store):
    return (len(store.audit()), store.count_sites(), store.version())


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_change_writes_one_audit_row(store, kind):
    prepare, change, (action, entity), _ = KINDS[kind]
    ctx = prepare(store)
    n, _, version = _snapshot(store)
    change(store, ctx)
    trail = store.audit()
    assert len(trail) == n + 1, trail.head(3)
    row = trail.iloc[0]
    assert (row["action"], row["entity"]) == (action, entity)
    assert row["actor"] and row["at"]
    texts = [t for t in (row["before_json"], row["after_json"]) if isinstance(t, str)]
    assert texts  # the before or the after value is kept
    assert store.version() > version
    assert not any("$argon2" in t for t in texts)


@pytest.mark.parametrize("kind", [k for k, v in KINDS.items() if v[3] is not None])
def test_a_failed_change_leaves_no_audit_row(store, kind):
    prepare, _, (action, _), failing = KINDS[kind]
    ctx = prepare(store)
    rows_before = (store.audit()["action"] == action).sum()
    with pytest.raises(P03Error):
        failing(store, ctx)
    # upload twice / roll back twice: the first one succeeds and is recorded, the second is not
    good = 1 if kind in ("upload", "rollback") else 0
    assert (store.audit()["action"] == action).sum() == rows_before + good


def _break_version_bump(store) -> None:
    """A real database trigger that makes every version bump fail, i.e. after the audit insert."""
    with store.transaction() as cur:
        if store.dialect == "sqlite":
            store.execute(cur, "CREATE TRIGGER p03_fail_bump BEFORE UPDATE ON meta "
                               "BEGIN SELECT RAISE(ABORT, 'bump refused by test trigger'); END")
        else:
            store.execute(cur, "CREATE FUNCTION p03_fail_bump() RETURNS trigger AS "
                               "$$ BEGIN RAISE EXCEPTION 'bump refused by test trigger'; END $$ LANGUAGE plpgsql")
            store.execute(cur, "CREATE TRIGGER p03_fail_bump BEFORE UPDATE ON meta FOR EACH ROW "
                               "EXECUTE FUNCTION p03_fail_bump()")


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "demo"])
def test_change_and_audit_row_are_one_transaction(store, kind):
    prepare, change, _, _ = KINDS[kind]
    ctx = prepare(store)
    before = _snapshot(store)
    users_before = store.list_users().to_dict("records")
    plans_before = store.list_plans().to_dict("records")
    values_before = store.indicator_values().to_dict("records")
    _break_version_bump(store)
    with pytest.raises(Exception, match="bump refused"):
        change(store, ctx)
    assert _snapshot(store) == before
    assert store.list_users().to_dict("records") == users_before
    assert store.list_plans().to_dict("records") == plans_before
    assert store.indicator_values().to_dict("records") == values_before


def test_rows_say_who_what_before_after(store):
    _upload(store, "t-009", actor="lan")
    store.update_site("t-009", {"name": "<b>Tên mới</b>"}, actor="hoa")
    row = store.audit(action="edit").iloc[0]
    assert (row["actor"], row["entity_id"]) == ("hoa", "t-009")
    before, after = json.loads(row["before_json"]), json.loads(row["after_json"])
    assert before["name"] == "Vườn hoa thử nghiệm" and after["name"] == "<b>Tên mới</b>"
    assert "name: Vườn hoa thử nghiệm → <b>Tên mới</b>" in audit.summary(row.to_dict())


def test_audit_table_filters_and_csv(store):
    _people(store)
    _upload(store, "t-001", actor="=cmd|' /C calc'!A0")
    store.save_plan(_plan(), actor="minh")
    df = audit.table(store, entity="plan")
    assert list(df["action"]) == ["plan_create"]
    assert len(audit.table(store, actor="minh")) == 1
    assert len(audit.table(store, text="KIỂM TRA")) == 1  # case-insensitive, in the JSON too
    assert audit.table(store, until="2000-01-01").empty
    assert len(audit.table(store, since="1h")) == 3
    text = audit.to_csv(audit.table(store)).decode("utf-8-sig")
    assert "\n'=cmd|" in text or ",'=cmd|" in text  # never a live formula
    lines = list(__import__("csv").reader(io.StringIO(text)))
    assert lines[0][:4] == ["id", "at", "actor", "action"] and len(lines) == 4
