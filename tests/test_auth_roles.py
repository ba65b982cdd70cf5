"""The role matrix of the pages that change data (AppTest, signed in through the sidebar form):
anonymous and viewer refused, editor and admin allowed — upload commit and rollback, indicator
values; field-visit plans: anyone signed in saves their own, only editors/admins change others'.
Every allowed change leaves one audit row naming the signed-in user; a refused one leaves none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth, ingest, visits
from tests.auth_support import sign_in_form

REPO = Path(__file__).resolve().parent.parent
PW = {"root": "root-pass-123", "lan": "lan-pass-1234", "minh": "minh-pass-123", "hoa": "hoa-pass-1234"}
WHO = {None: None, "viewer": "minh", "editor": "lan", "admin": "root"}
ROLES = list(WHO)
ALLOWED = {"upload": {"editor", "admin"}, "plan": {"viewer", "editor", "admin"}, "plan_others": {"editor", "admin"}}


def _geojson(prefix: str) -> bytes:
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.8525 + i / 1000, 21.0288]},
              "properties": {"id": f"{prefix}-{i}", "name": f"Vườn hoa {prefix} {i}", "category": "park"}}
             for i in range(2)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


@pytest.fixture()
def people(demo_store):
    auth.add_user(demo_store, "root", PW["root"], "admin", actor="test", bootstrap=True)
    auth.add_user(demo_store, "lan", PW["lan"], "editor", user=auth.User("root", "admin"))
    auth.add_user(demo_store, "minh", PW["minh"], "viewer", user=auth.User("root", "admin"))
    auth.add_user(demo_store, "hoa", PW["hoa"], "viewer", user=auth.User("root", "admin"))
    return demo_store


def page(name: str, role: str | None, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "pages" / name), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if role is not None:
        sign_in_form(at, WHO[role], PW[WHO[role]])
        assert auth.can(role, "browse") and at.session_state["p03_user"]["username"] == WHO[role]
    assert not at.exception, at.exception
    return at


def refused(at: AppTest) -> bool:
    text = " ".join(str(e.value) for e in [*at.warning, *at.error])
    return "đăng nhập" in text.lower() or "không có quyền" in text


def audit_rows(store, action: str):
    df = store.audit()
    return df[df["action"] == action]


@pytest.mark.parametrize("role", ROLES)
def test_upload_commit(people, role):
    at = page("upload.py", role)
    if role not in ALLOWED["upload"]:  # the page shows no uploader at all to them (issue #10)
        assert refused(at) and not at.file_uploader and not at.dataframe
        return
    at.file_uploader[0].upload("vuon-hoa.geojson", _geojson("u")).run()
    at.button(key="up_commit").click().run()
    assert not at.exception, at.exception
    rows = audit_rows(people, "upload")
    if role in ALLOWED["upload"]:
        assert people.get_site("u-0") and list(rows["actor"]) == [WHO[role]]
    else:
        assert refused(at) and rows.empty
        assert people.query_sites().query("id == 'u-0'").empty


@pytest.mark.parametrize("role", ROLES)
def test_upload_rollback(people, role):
    result = ingest.check(_geojson("r"), "r.geojson", store=people)
    batch = ingest.commit(result, people, auth.User("lan", "editor"))
    at = page("upload.py", role)
    if role not in ALLOWED["upload"]:  # no uploads list, no rollback button (issue #10)
        assert refused(at) and not [b for b in at.button if b.key == f"up_rb_{batch}"]
        assert people.get_batch(batch)["status"] == "committed"
        return
    at.button(key=f"up_rb_{batch}").click().run()
    assert not at.exception, at.exception
    rows = audit_rows(people, "rollback")
    if role in ALLOWED["upload"]:
        assert list(rows["actor"]) == [WHO[role]] and people.get_batch(batch)["status"] == "rolled_back"
    else:
        assert refused(at) and rows.empty and people.get_batch(batch)["status"] == "committed"


@pytest.mark.parametrize("role", ROLES)
def test_indicator_value(people, role):
    at = AppTest.from_file(str(REPO / "pages" / "indicators.py"), default_timeout=120)
    at.session_state["ind_section"] = "edit"
    at.run()
    if role is not None:
        sign_in_form(at, WHO[role], PW[WHO[role]])
    assert not at.exception, at.exception
    if role not in ALLOWED["upload"]:
        assert refused(at)
        assert not [b for b in at.button if b.proto.label == "Lưu"]  # no form to submit
        return
    at.selectbox(key="ind_v_code").set_value("CT12")
    at.number_input(key="ind_v_value").set_value(42.0)
    [b for b in at.button if b.proto.label == "Lưu"][0].click().run()
    assert not at.exception, at.exception
    assert list(people.indicator_values("CT12")["entered_by"]) == [WHO[role]]
    assert list(audit_rows(people, "indicator_value")["actor"]) == [WHO[role]]


@pytest.mark.parametrize("role", ROLES)
def test_save_own_plan(people, role):
    at = page("field_visit.py", role)
    at.multiselect(key="fv_sel").set_value(["demo-012", "demo-013"]).run()
    at.text_input(key="fv_name").input("Kiểm tra chợ").run()
    at.button(key="fv_save").click().run()
    assert not at.exception, at.exception
    plans = people.list_plans()
    if role in ALLOWED["plan"]:
        assert list(plans["created_by"]) == [WHO[role]]
        assert list(audit_rows(people, "plan_create")["actor"]) == [WHO[role]]
    else:
        assert refused(at) and plans.empty and audit_rows(people, "plan_create").empty


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "others"])
def test_delete_plan(people, role, whose):
    owner = WHO[role] if whose == "own" and role else "hoa"
    plan = visits.new_plan(name="Kế hoạch của " + owner, stop_ids=["demo-012"])
    pid = people.save_plan(plan.to_dict(), actor=owner)
    at = page("field_visit.py", role, plan=pid)
    at.selectbox(key="fv_pick_plan").set_value(pid).run()
    at.button(key="fv_delete").click().run()
    assert not at.exception, at.exception
    allowed = role in (ALLOWED["plan"] if whose == "own" else ALLOWED["plan_others"])
    rows = audit_rows(people, "plan_delete")
    if allowed:
        assert people.list_plans().empty and list(rows["actor"]) == [WHO[role]]
    else:
        assert list(people.list_plans()["plan_id"]) == [pid] and rows.empty
        assert refused(at)


@pytest.mark.parametrize("role", ROLES)
def test_change_someone_elses_plan(people, role):
    """Saving over a plan another user made: editors and admins only (a viewer may copy it instead)."""
    pid = people.save_plan(visits.new_plan(name="Kế hoạch của Hoa", stop_ids=["demo-012"]).to_dict(), actor="hoa")
    at = page("field_visit.py", role, plan=pid)
    at.text_input(key="fv_name").input("Đổi tên").run()
    at.button(key="fv_save").click().run()
    assert not at.exception, at.exception
    rows = audit_rows(people, "plan_update")
    if role in ALLOWED["plan_others"]:
        assert people.get_plan(pid)["name"] == "Đổi tên" and list(rows["actor"]) == [WHO[role]]
    else:
        assert people.get_plan(pid)["name"] == "Kế hoạch của Hoa" and rows.empty
        assert refused(at)
