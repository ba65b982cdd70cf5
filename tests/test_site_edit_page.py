"""The district map's site editing (AppTest, SQLite): the edit form saves a valid change as a new
version, refuses an invalid one naming the field, is never shown to viewers or anonymous
visitors; a second editor's stale save is refused showing both values; the history lists each
version with its differences and restores an earlier one; the "as at date" shows the past."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth
from geo import sites as site_ops
from tests.auth_support import open_sign_in

REPO = Path(__file__).resolve().parent.parent
PAGE = str(REPO / "pages" / "district_map.py")
SID = "demo-012"  # Chợ Đồng Xuân, a point in Hoàn Kiếm
PW = {"ed": "editor-pass-123", "ed2": "editor-pass-456", "vi": "viewer-pass-123"}



@pytest.fixture()
def people(store):
    site_ops.load_demo(store, REPO / "data" / "demo", actor="test")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "ed", PW["ed"], "editor", user=auth.User("root", "admin"))
    auth.add_user(store, "ed2", PW["ed2"], "editor", user=auth.User("root", "admin"))
    auth.add_user(store, "vi", PW["vi"], "viewer", user=auth.User("root", "admin"))
    return store


def page(user: str | None = None, site: str | None = SID) -> AppTest:
    """The district map of Hoàn Kiếm as ``user`` with ``site``'s details open."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["district"] = "002"
    if site:
        at.session_state["se_last"] = site
    at.run()
    assert not at.exception, at.exception
    if user:
        open_sign_in(at)
        at.sidebar.text_input(key="p03_signin_user").input(user)
        at.sidebar.text_input(key="p03_signin_pw").input(PW[user])
        at.sidebar.button(key="p03_signin_submit").click()
        at.run()
        assert not at.exception, at.exception
    return at


def open_form(at: AppTest, sid: str = SID) -> AppTest:
    at.toggle(key=f"se_edit_on_{sid}").set_value(True).run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_valid_edit_saves_a_new_version(people):
    before = people.get_site(SID)
    at = open_form(page("ed"))
    assert at.text_input(key=f"se_f_name_{SID}_0").value == before["name"]
    at.selectbox(key=f"se_f_status_{SID}_0").set_value("completed")
    at.number_input(key=f"se_f_progress_pct_{SID}_0").set_value(100.0)
    at.date_input(key=f"se_f_end_date_{SID}_0").set_value(dt.date(2025, 6, 30))
    at.text_input(key=f"se_f_reason_{SID}_0").input("Nghiệm thu 30/6")
    at.button(key=f"se_save_{SID}").click().run()
    assert not at.exception, at.exception
    after = people.get_site(SID)
    assert (after["status"], after["progress_pct"], after["end_date"]) == ("completed", 100.0, "2025-06-30")
    assert after["version"] == before["version"] + 1 and after["name"] == before["name"]
    assert f"Đã lưu phiên bản {after['version']}" in texts(at.success)


def test_invalid_edit_names_the_field_and_writes_nothing(people):
    before = people.get_site(SID)
    at = open_form(page("ed"))
    at.number_input(key=f"se_f_progress_pct_{SID}_0").set_value(140.0)
    at.button(key=f"se_save_{SID}").click().run()
    assert not at.exception, at.exception
    assert "progress_pct" in texts(at.error) or "Tiến độ" in texts(at.error)
    assert people.get_site(SID)["version"] == before["version"]


def test_status_change_needs_a_reason(people):
    at = open_form(page("ed"))
    at.selectbox(key=f"se_f_status_{SID}_0").set_value("suspended")
    at.button(key=f"se_save_{SID}").click().run()
    assert not at.exception, at.exception
    assert at.error, "a status change without a reason is refused"
    assert people.get_site(SID)["status"] != "suspended"


@pytest.mark.parametrize("user", [None, "vi"])
def test_viewers_and_anonymous_never_see_the_form(people, user):
    at = page(user)
    assert not [t for t in at.toggle if str(t.key).startswith("se_edit_on_")]
    assert not [t for t in at.toggle if t.key == "se_new_on"]
    assert at.toggle(key=f"se_hist_on_{SID}") is not None  # the history is for everyone
    at.toggle(key=f"se_hist_on_{SID}").set_value(True).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if str(b.key).startswith("se_restore_")]


def test_second_editor_is_refused_with_both_values(people):
    first, second = open_form(page("ed")), open_form(page("ed2"))
    first.text_input(key=f"se_f_responsible_unit_{SID}_0").input("Ban quản lý chợ A")
    first.button(key=f"se_save_{SID}").click().run()
    second.text_input(key=f"se_f_responsible_unit_{SID}_0").input("Ban quản lý chợ B")
    second.button(key=f"se_save_{SID}").click().run()
    assert not second.exception, second.exception
    message = texts(second.error)
    assert "Ban quản lý chợ A" in message and "Ban quản lý chợ B" in message
    assert people.get_site(SID)["responsible_unit"] == "Ban quản lý chợ A"
    second.button(key=f"se_reload_{SID}").click().run()  # start again from the stored site
    assert second.text_input(key=f"se_f_responsible_unit_{SID}_1").value == "Ban quản lý chợ A"


def test_history_shows_the_change_and_restores_a_version(people):
    original = people.get_site(SID)
    at = open_form(page("ed"))
    hostile = "<img src=x onerror=alert(1)> **đậm** [x](javascript:alert(1))"
    at.text_input(key=f"se_f_name_{SID}_0").input(hostile)
    at.text_input(key=f"se_f_reason_{SID}_0").input("lý do <script>alert(2)</script>")
    at.button(key=f"se_save_{SID}").click().run()
    assert people.get_site(SID)["name"] == hostile
    at.toggle(key=f"se_hist_on_{SID}").set_value(True).run()
    assert not at.exception, at.exception
    shown = texts(at.markdown) + texts(at.caption)
    assert "Phiên bản " + str(original["version"] + 1) in shown
    assert "\\<script\\>" in shown and "<script>" not in shown.replace("\\<script\\>", "")
    tables = [df.value for df in at.dataframe]
    assert any(hostile in set(t.astype(str).to_numpy().ravel()) for t in tables)  # old -> new, as text
    at.button(key=f"se_restore_{SID}_{original['version']}").click().run()
    assert not at.exception, at.exception
    restored = people.get_site(SID)
    assert restored["name"] == original["name"] and restored["version"] == original["version"] + 2


def test_delete_then_undelete(people):
    at = open_form(page("ed"))
    at.text_input(key=f"se_f_delreason_{SID}_0").input("Trùng với demo-016")
    at.button(key=f"se_delete_{SID}").click().run()
    assert not at.exception, at.exception
    assert people.get_site(SID, include_deleted=True)["deleted"]
    assert "Công trình này đã bị xoá." in texts(at.warning)
    at.toggle(key=f"se_hist_on_{SID}").set_value(True).run()
    at.button(key=f"se_undelete_{SID}").click().run()
    assert not at.exception, at.exception
    assert not people.get_site(SID)["deleted"]


def test_as_at_date_shows_the_sites_as_they_stood(people):
    at = open_form(page("ed"))
    at.selectbox(key=f"se_f_status_{SID}_0").set_value("completed")
    at.text_input(key=f"se_f_reason_{SID}_0").input("Hoàn thành")
    at.button(key=f"se_save_{SID}").click().run()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert not at.sidebar.date_input  # the date box is drawn only once its expander is open
    at.session_state["dm_as_of_open"] = True  # what a click on the expander does
    at.run()
    at.sidebar.date_input(key="dm_as_of").set_value(yesterday).run()
    assert not at.exception, at.exception
    shown = texts(at.caption)
    assert "0 công trình trong Quận Hoàn Kiếm" in shown  # the demo sites were stored today
    assert f"chưa có trong kho vào ngày {yesterday.isoformat()}" in shown  # its details say so
    assert not [t for t in at.toggle if str(t.key).startswith("se_edit_on_")]
    at.sidebar.date_input(key="dm_as_of").set_value(dt.date.today()).run()  # today: as stored, no edit form
    assert not at.exception, at.exception
    assert f"như tại ngày {dt.date.today().isoformat()}" in texts(at.caption)
    assert not [t for t in at.toggle if str(t.key).startswith("se_edit_on_")]
    details = at.dataframe[1].value
    assert "Hoàn thành" in set(details.astype(str).to_numpy().ravel())  # the status saved today
    at.sidebar.date_input(key="dm_as_of").set_value(yesterday).run()
    at.session_state["dm_as_of_open"] = False  # closing the expander: today again
    at.run()
    assert not at.exception, at.exception
    assert not at.sidebar.date_input
    assert "21 công trình trong Quận Hoàn Kiếm" in texts(at.caption)  # today's sites again
