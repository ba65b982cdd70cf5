"""The field-visit page's logic, without Streamlit (geo.visits.draft, geo.visits.saved, the
timetable's lines): the form <-> plan round trip, the stop order kept through edits, when the
order is suggested again, the plan the address opens, saved plans' labels. On the demo sites in a
real SQLite store with the real boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from geo import auth, visits
from geo import sites as site_ops
from geo.errors import NotFound
from geo.store import open_store
from geo.visits import draft, saved
from tests.conftest import DEMO_DIR

STOPS = ["demo-013", "demo-012", "demo-042", "demo-047"]
MINH = auth.User("minh", "viewer")


@pytest.fixture()
def demo(data_dir):
    """A SQLite store holding the demo set (the logic here does not depend on the backend)."""
    store = open_store()
    site_ops.load_demo(store, DEMO_DIR, actor="test")
    yield store
    getattr(store, "close", lambda: None)()


def _plan(**values: object) -> visits.Plan:
    return visits.new_plan(name="Kiểm tra chợ", visit_date="2026-11-26", participants=["Đ/c A", "Đ/c B"],
                           return_to_start=True, depart="07:45", speed_kmh=18, dwell_min=25, stop_ids=STOPS,
                           notes="mang mũ", **values)


def test_form_round_trip_and_default_date():
    plan = _plan()
    values = draft.form_values(plan)
    assert set(values) == set(draft.FORM_KEYS)
    assert values["date"] == dt.date(2026, 11, 26) and values["people"] == "Đ/c A\nĐ/c B"
    assert draft.plan_from_form(values, plan.start) == plan
    # typed with spaces and blank lines: trimmed
    typed = {**values, "name": "  Kiểm tra chợ ", "people": "\n Đ/c A \n\nĐ/c B\n", "notes": " mang mũ "}
    assert draft.plan_from_form(typed, plan.start) == plan
    # a plan without a date is for tomorrow
    assert draft.form_values(visits.new_plan(), today=dt.date(2026, 12, 31))["date"] == dt.date(2027, 1, 1)
    assert draft.plan_from_form({**values, "date": None}, plan.start).visit_date == ""


def test_order_survives_edits():
    order = ["c", "a", "b"]
    assert draft.reconcile_order(["a", "b", "c", "d"], order) == ["c", "a", "b", "d"]  # d chosen: last
    assert draft.reconcile_order(["a", "c"], order) == ["c", "a"]  # b taken out
    assert draft.reconcile_order([], order) == []
    moved = draft.move(order, "b", -1)
    assert draft.reconcile_order(["a", "b", "c"], moved) == ["c", "b", "a"]
    values = {**draft.form_values(_plan()), "sel": ["demo-012", "demo-013", "demo-099"],
              "order": ["demo-013", "demo-042", "demo-012"]}
    assert draft.plan_from_form(values, _plan().start).stop_ids == ["demo-013", "demo-012", "demo-099"]


def test_when_the_order_is_suggested_again(demo):
    sites = demo.query_sites()
    plan = _plan()
    best, sig = draft.arranged(plan, sites, manual=False, last=None)
    assert best.stop_ids == visits.optimise(plan, sites).stop_ids
    assert sig == draft.signature(best)
    # the same stops, start and return: the order the user sees stays (here: by hand)
    by_hand = visits.Plan(**{**best.__dict__, "stop_ids": draft.move(best.stop_ids, best.stop_ids[-1], -1)})
    assert draft.arranged(by_hand, sites, manual=False, last=sig)[0].stop_ids == by_hand.stop_ids
    # another start: suggested again, unless ordered by hand
    moved = visits.Plan(**{**by_hand.__dict__, "start": visits.Start.coords(21.0245, 105.8412)})
    assert draft.arranged(moved, sites, manual=True, last=sig)[0].stop_ids == by_hand.stop_ids
    again, new_sig = draft.arranged(moved, sites, manual=False, last=sig)
    assert again.stop_ids == visits.optimise(moved, sites).stop_ids and new_sig != sig
    assert draft.arranged(visits.new_plan(), sites, manual=False, last=None)[0].stop_ids == []


def test_selection_edits_keep_to_the_most_stops():
    full = [f"s{i}" for i in range(visits.MAX_STOPS)]
    assert draft.toggled(full, "new", True) == full
    assert draft.with_all(full[:-2], ["x", "y", "z"]) == [*full[:-2], "x", "y"]
    assert draft.toggled(["a", "b"], "a", False) == ["b"]
    assert draft.without(["a", "b"], "zz") == ["a", "b"]


def test_start_at_a_site_lies_on_it(demo):
    sites = demo.query_sites()
    start = visits.Start.at_site(sites, "demo-051")  # Công viên Thống Nhất, a polygon
    geom = sites.set_index("id").loc["demo-051", "geometry"]
    assert start.kind == "site" and start.key == "demo-051"
    assert geom.contains(shapely.Point(start.lon, start.lat))
    assert start.label == sites.set_index("id").loc["demo-051", "name"]


def test_plan_the_address_opens(demo):
    pid = saved.save(demo, _plan().to_dict(), MINH)
    assert saved.from_address(demo, {"plan": pid}) == (_plan(), pid)
    unsaved, none = saved.from_address(demo, visits.plan_params(_plan()))
    assert none is None and unsaved.stop_ids == STOPS and unsaved.return_to_start
    fresh, _ = saved.from_address(demo, {}, "en")
    assert fresh.stop_ids == [] and fresh.start.label.startswith("Hanoi People's Committee")
    with pytest.raises(NotFound, match="p-missing"):
        saved.from_address(demo, {"plan": "p-missing"})


def test_saved_plans_copy_delete_and_labels(demo):
    pid = saved.save(demo, _plan().to_dict(), MINH)
    copy_id, copy_name = saved.copy_named(demo, pid, MINH, "en")
    assert copy_name == "Copy of Kiểm tra chợ" and demo.get_plan(copy_id)["name"] == copy_name
    labels = saved.labels(demo.list_plans(), "vi")
    assert labels[pid] == "26/11/2026 · Kiểm tra chợ (4)"
    assert saved.labels(demo.list_plans(), "en")[pid].startswith("2026-11-26 · ")
    assert saved.delete(demo, copy_id, MINH) == copy_name
    assert list(demo.list_plans()["plan_id"]) == [pid]


def test_total_and_return_lines_in_both_languages(demo):
    sites = demo.query_sites()
    route = visits.compute_route(visits.new_plan(stop_ids=STOPS[:2], speed_kmh=20, dwell_min=30), sites)
    minutes = int(round(route.total_minutes))
    assert visits.total_line(route, "vi").startswith(f"Tổng: {route.total_km:.1f}".replace(".", ",") + " km, "
                                                     f"{minutes // 60} giờ {minutes % 60:02d} phút")
    assert f"{route.total_km:.1f} km, {minutes // 60} h {minutes % 60:02d} min" in visits.total_line(route, "en")
    assert visits.back_line(route, "vi") == ""
    back = visits.compute_route(visits.new_plan(stop_ids=STOPS[:2], return_to_start=True), sites)
    assert back.back_at is not None and f"{back.back_at:%H:%M}" in visits.back_line(back, "en")
    assert visits.file_stem(back.plan) == "p03_visit"


def test_sites_to_choose_from_read_in_the_page_language(demo, bounds):
    shown = demo.query_sites()
    shown = shown[shown["id"].isin(STOPS)]
    vi, en = draft.choice_rows(shown, bounds, "vi"), draft.choice_rows(shown, bounds, "en")
    assert list(vi.columns) == ["id", "name", "category", "district", "status"]
    assert list(vi["id"]) == list(shown["id"]) and list(vi["name"]) == list(shown["name"])
    market = dict(zip(vi["id"], vi["district"]))["demo-013"], dict(zip(en["id"], en["district"]))["demo-013"]
    assert "Hai Bà Trưng" in market[0] and "Hai Ba Trung" in market[1]  # Chợ Hôm
    assert (vi["category"] != en["category"]).all() and (vi["status"] != en["status"]).all()
    assert draft.choice_rows(shown, None, "vi")["district"].eq("").all()
    assert draft.start_site(None, list(vi["id"])) == vi["id"].iloc[0]
