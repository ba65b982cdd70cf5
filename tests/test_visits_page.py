"""AppTest of the field-visit page on the demo store (real boundaries): choose sites, see the
ordered route, move a stop, prepare the brief, save / reopen / copy / delete a plan."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from geo import visits
from tests.auth_support import sign_in_app

REPO = Path(__file__).resolve().parent.parent
PAGE = str(REPO / "pages" / "field_visit.py")
STOPS = ["demo-013", "demo-012", "demo-042", "demo-047"]


@pytest.fixture()
def demo_dir(demo_store, data_dir):
    return data_dir


def page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def stop_lines(at: AppTest) -> list[str]:
    return [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**") and ". " in m.value.split("**")[1]]


def test_page_builds_a_route_and_the_brief(demo_dir, demo_store):
    at = page()
    assert not at.exception
    assert at.title[0].value == "Đi kiểm tra thực địa"
    assert at.info and at.info[0].value == "Chưa chọn công trình nào."
    at.multiselect(key="fv_sel").set_value(STOPS).run()
    assert not at.exception
    lines = stop_lines(at)
    assert len(lines) == 4
    sites = demo_store.query_sites()
    best = visits.optimise(visits.new_plan(stop_ids=STOPS), sites).stop_ids
    names = dict(zip(sites["id"], sites["name"]))
    assert [line.split(". ", 1)[1].replace("\\", "") for line in lines] == [names[i] for i in best]
    assert "Tổng:" in texts(at) and "google.com/maps/dir" in texts(at)
    # move the last stop up: the order changes and stays manual
    at.button(key=f"fv_up_{best[-1]}").click().run()
    assert at.session_state["fv_order"] == [*best[:2], best[3], best[2]]
    assert at.session_state["fv_manual"] is True
    # the brief
    at.text_input(key="fv_name").input("Kiểm tra chợ Hoàn Kiếm").run()
    at.button(key="fv_prepare").click().run()
    assert not at.exception
    key, pdf, html = at.session_state["fv_brief"]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 5
    assert "Kiểm tra chợ Hoàn Kiếm" in reader.pages[0].extract_text()
    assert "Chợ Đồng Xuân" in html


def test_save_reopen_copy_delete(demo_dir, demo_store):
    at = page()
    sign_in_app(at, demo_store, "viewer", "minh")  # a viewer plans visits for themselves
    at.multiselect(key="fv_sel").set_value(STOPS[:2]).run()
    at.button(key="fv_save").click().run()
    assert "tên" in at.error[0].value  # a name is needed
    at.text_input(key="fv_name").input("Chợ <b>Hôm</b>").run()
    at.checkbox(key="fv_return").check().run()
    at.button(key="fv_save").click().run()
    assert not at.exception
    plans = demo_store.list_plans()
    assert list(plans["name"]) == ["Chợ <b>Hôm</b>"]
    pid = plans.iloc[0]["plan_id"]
    assert at.query_params["plan"] == [pid] or at.query_params["plan"] == pid
    saved = demo_store.get_plan(pid)["plan"]
    assert saved["return_to_start"] is True and sorted(saved["stop_ids"]) == sorted(STOPS[:2])
    assert demo_store.audit(action="plan_create").iloc[0]["actor"] == "minh"

    # a fresh session opens it from the address (as the QR code does)
    again = page(plan=pid)
    sign_in_app(again, demo_store, "viewer", "minh")
    assert not again.exception
    assert again.session_state["fv_sel"] == saved["stop_ids"]
    assert again.session_state["fv_name"] == "Chợ <b>Hôm</b>"
    assert again.session_state["fv_return"] is True
    # copy, then delete the original
    again.button(key="fv_copy").click().run()
    assert len(demo_store.list_plans()) == 2
    assert again.session_state["fv_name"] == "Bản sao của Chợ <b>Hôm</b>"  # the copy is open
    copy_id = again.session_state["fv_plan_id"]
    assert copy_id != pid
    again.selectbox(key="fv_pick_plan").set_value(pid).run()
    again.button(key="fv_open").click().run()
    assert again.session_state["fv_plan_id"] == pid and again.session_state["fv_name"] == "Chợ <b>Hôm</b>"
    again.button(key="fv_delete").click().run()
    assert not again.exception
    assert list(demo_store.list_plans()["name"]) == ["Bản sao của Chợ <b>Hôm</b>"]
    assert again.session_state["fv_plan_id"] is None and again.session_state["fv_sel"] == []  # a new plan


def test_unsaved_plan_from_address_and_english(demo_dir):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["p03_lang"] = "en"
    at.query_params.update({"sites": "demo-012,demo-013", "start": "21.030000,105.853000", "ret": "1"})
    at.run()
    assert not at.exception
    assert at.title[0].value == "Field visit"
    assert at.session_state["fv_sel"] == ["demo-012", "demo-013"]
    assert "Back at the start" in " ".join(c.value for c in at.caption)


def test_bad_address_and_missing_plan_are_explained(demo_dir):
    at = page(plan="p-missing")
    assert not at.exception
    assert "p-missing" in at.error[0].value.replace("\\", "")
    at = page(sites="demo-012", start="north pole")
    assert "north pole" in at.error[0].value
    # what the address carries is shown as text, never as Markdown (no link, no emphasis)
    at = page(plan="[x](javascript:alert(1)) **b**")
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\*\\*b\\*\\*" in at.error[0].value


def test_start_from_coordinates_and_filters(demo_dir):
    at = page()
    at.multiselect(key="fv_sel").set_value(STOPS[:3]).run()
    at.radio(key="fv_start_kind").set_value("coords").run()
    at.text_input(key="fv_coords").input("21.0245, 105.8412").run()  # Ga Hà Nội
    assert not at.exception
    assert at.session_state["fv_sig"][1:3] == (21.0245, 105.8412)
    at.text_input(key="fv_coords").input("nowhere").run()
    assert "nowhere" in at.error[0].value.replace("\\", "")
    at.text_input(key="fv_coords").input("21.0245, 105.8412").run()
    at.selectbox(key="fv_unit").set_value("002").run()
    assert not at.exception
    assert "công trình trong Quận Hoàn Kiếm" in " ".join(c.value for c in at.caption)
