"""Saved field-visit plans in the real store (both backends): save, list, get, copy, delete, each
audited in the same transaction, and nothing written when a step fails."""

from __future__ import annotations

import json

import pytest

from geo import visits
from geo.errors import InputError, NotFound


def _plan(**kw) -> dict:
    return visits.new_plan(name="Kiểm tra chợ Hoàn Kiếm", visit_date="2026-11-26",
                           participants=["Đ/c Nguyễn Văn A", "Đ/c Trần Thị B"],
                           stop_ids=["demo-012", "demo-013"], **kw).to_dict()


def test_save_list_get_update(store):
    v0 = store.version()
    pid = store.save_plan(_plan(), actor="tester")
    assert store.version() == v0 + 1
    listed = store.list_plans()
    assert list(listed["plan_id"]) == [pid]
    row = listed.iloc[0]
    assert row["name"] == "Kiểm tra chợ Hoàn Kiếm" and row["n_stops"] == 2
    assert row["participants"] == "Đ/c Nguyễn Văn A\nĐ/c Trần Thị B"
    got = store.get_plan(pid)
    assert visits.Plan.from_dict(got["plan"]) == visits.Plan.from_dict(_plan())
    changed = {**_plan(), "stop_ids": ["demo-013"], "name": "Chợ Hôm"}
    assert store.save_plan(changed, actor="tester", plan_id=pid) == pid
    assert store.get_plan(pid)["name"] == "Chợ Hôm"
    audit = store.audit(action="plan_update")
    assert len(audit) == 1
    assert json.loads(audit.iloc[0]["before_json"])["name"] == "Kiểm tra chợ Hoàn Kiếm"
    assert json.loads(audit.iloc[0]["after_json"])["stop_ids"] == ["demo-013"]


def test_copy_and_delete_are_audited(store):
    pid = store.save_plan(_plan(), actor="a")
    cid = store.copy_plan(pid, actor="b", name="Bản sao")
    assert cid != pid
    assert store.get_plan(cid)["plan"]["stop_ids"] == ["demo-012", "demo-013"]
    assert store.get_plan(cid)["created_by"] == "b"
    store.delete_plan(pid, actor="c")
    with pytest.raises(NotFound, match=pid):
        store.get_plan(pid)
    assert list(store.list_plans()["plan_id"]) == [cid]
    audit = store.audit()
    actions = list(audit[audit["entity"] == "plan"]["action"])
    assert actions == ["plan_delete", "plan_copy", "plan_create"]
    deleted = audit[audit["action"] == "plan_delete"].iloc[0]
    assert deleted["actor"] == "c" and deleted["entity_id"] == pid
    assert json.loads(deleted["before_json"])["name"] == "Kiểm tra chợ Hoàn Kiếm"


def test_refusals_write_nothing(store):
    v0 = store.version()
    with pytest.raises(InputError, match="name"):
        store.save_plan({**_plan(), "name": "  "}, actor="x")
    with pytest.raises(NotFound):
        store.save_plan(_plan(), actor="x", plan_id="p-missing")
    with pytest.raises(NotFound):
        store.copy_plan("p-missing", actor="x")
    with pytest.raises(NotFound):
        store.delete_plan("p-missing", actor="x")
    assert store.version() == v0
    assert store.list_plans().empty
    assert store.audit(action="plan_create").empty


def test_plan_text_is_kept_verbatim(store):
    hostile = {**_plan(), "name": "<script>alert('x')</script> Đống Đa", "notes": "' OR 1=1 --"}
    pid = store.save_plan(hostile, actor="x")
    assert store.get_plan(pid)["plan"]["name"] == hostile["name"]
    assert store.get_plan(pid)["plan"]["notes"] == "' OR 1=1 --"
