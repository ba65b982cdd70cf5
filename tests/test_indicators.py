"""Indicators: the registry, progress on hand-built sites with known answers, status against the
straight line, history, hand-entered values, pledges, and the store's audit of every edit.

The fixture ``tests/data/indicators/sites.geojson`` is described (with every expected figure) in
``tests/data/indicators/make_sites.py``.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import pytest

from geo import auth
from geo import sites as site_ops
from geo.errors import InputError, NotFound
from geo.i18n import Text
from geo.indicators import edits as ind_edits
from geo.indicators import history as ind_history
from geo.indicators import judge as ind_judge
from geo.indicators import measure as ind_measure
from geo.indicators import progress as ind_progress
from geo.indicators import registry as ind_registry
from geo.indicators.registry import Indicator, Target
from geo.schema import CATEGORIES
from geo.store import Upload

FIXTURES = Path(__file__).resolve().parent / "data" / "indicators"
SITES = FIXTURES / "sites.geojson"
EDITOR = auth.User("editor", "editor")


@pytest.fixture()
def ind_store(store, bounds):
    """A store holding the hand-built indicator fixture sites, placed by the real boundaries."""
    content = SITES.read_bytes()
    gdf = site_ops.complete(gpd.read_file(io.BytesIO(content)).set_crs(4326, allow_override=True), bounds)
    store.commit_batch(gdf, actor="test", kind="upload", upload=Upload(SITES.name, content))
    return store


def one(store, code: str, as_of: str, **kw) -> ind_progress.Progress:
    found = [p for p in ind_judge.compute(store, as_of, **kw) if p.indicator.code == code]
    assert found, code
    return found[0]


# ---------------------------------------------------------------- the registry


def test_registry_preloads_the_twelve_named_indicators():
    reg = {i.code: i for i in ind_registry.load_registry()}
    assert list(reg) == [f"CT{n:02d}" for n in range(1, 13)]
    assert reg["CT01"].target == Target(2, 3)
    assert reg["CT02"].target == Target(3, 5)
    assert reg["CT06"].target == Target(20, 20) and reg["CT07"].target == Target(10, 10)
    assert reg["CT08"].target == Target(20, 20) and reg["CT11"].target == Target(300, 300)
    assert reg["CT12"].target == Target(50, 55) and reg["CT12"].method == "manual"
    assert reg["CT09"].target is None
    assert {c for c in ("CT03", "CT04", "CT10", "CT12") if reg[c].method == "manual"} == {"CT03", "CT04", "CT10",
                                                                                            "CT12"}
    for ind in reg.values():
        assert ind.title.vi and ind.title.en and ind.department.vi and ind.department.en


def test_registry_codes_match_the_schema_categories():
    reg = {i.code: i for i in ind_registry.load_registry()}
    for cat in CATEGORIES:
        if cat.indicator:
            assert cat.indicator in reg, cat.code
            ind = reg[cat.indicator]
            assert cat.code in ind.categories, (cat.code, ind.code)


@pytest.mark.parametrize("raw, expected", [
    (20, Target(20, 20)), ("20", Target(20, 20)), ([2, 3], Target(2, 3)), ("50-55", Target(50, 55)),
    ("3–5", Target(3, 5)), (None, None), ("", None), ("12,5", Target(12.5, 12.5)),
])
def test_parse_target(raw, expected):
    assert ind_registry.parse_target(raw) == expected


@pytest.mark.parametrize("entry, field, words", [
    ({"code": "CT 1", "title": "x"}, "code", "CT13"),
    ({"code": "CT13"}, "title", "title is missing"),
    ({"code": "CT13", "title": "x", "target": [5, 2]}, "target", "reversed"),
    ({"code": "CT13", "title": "x", "target": "lots"}, "target", "not a number"),
    ({"code": "CT13", "title": "x", "target": -1}, "target", "non-negative"),
    ({"code": "CT13", "title": "x", "method": "guess"}, "method", "count / manual"),
    ({"code": "CT13", "title": "x", "measure": "volume"}, "measure", "length_km"),
    ({"code": "CT13", "title": "x", "categories": ["bakery"]}, "categories", "bakery"),
    ({"code": "CT13", "title": "x", "statuses": ["finished"]}, "statuses", "finished"),
])
def test_bad_definitions_name_the_field_and_the_fix(entry, field, words):
    with pytest.raises(InputError) as err:
        ind_registry.parse_definition(entry, "indicators.yaml #1")
    assert err.value.field == field
    assert words in err.value.en
    assert err.value.vi and "indicators.yaml #1" in err.value.en


def test_broken_registry_files(tmp_path):
    bad = tmp_path / "indicators.yaml"
    bad.write_text("- code: CT01\n  title: a\n- code: CT01\n  title: b\n", "utf-8")
    with pytest.raises(InputError, match="repeated"):
        ind_registry.load_registry(bad)
    bad.write_text("code: [unclosed\n", "utf-8")
    with pytest.raises(InputError, match="YAML"):
        ind_registry.load_registry(bad)
    with pytest.raises(InputError, match="missing"):
        ind_registry.load_registry(tmp_path / "absent.yaml")


def test_definition_round_trips_through_to_dict():
    for ind in ind_registry.load_registry():
        again = ind_registry.parse_definition(ind.to_dict())
        assert again == ind


# ---------------------------------------------------------------- progress with known answers


@pytest.mark.parametrize("as_of, count, undated", [
    ("2020-12-31", 0, 0),   # before the programme start: even the undated completion does not count
    ("2021-01-01", 1, 1),   # mk-4 (completed, no end date) counts from the start
    ("2022-06-29", 1, 1),
    ("2022-06-30", 2, 1),   # mk-1 on its end date
    ("2024-03-14", 2, 1),
    ("2024-03-15", 3, 1),   # mk-2; mk-3 is in progress and never counts
    ("2026-01-01", 3, 1),
])
def test_markets_count_from_their_end_dates(ind_store, as_of, count, undated):
    p = one(ind_store, "CT08", as_of)
    assert (p.count, p.value, p.undated, p.total) == (count, count, undated, 4)
    assert p.progress == pytest.approx(count / 20)


@pytest.mark.parametrize("as_of, value, progress, status", [
    ("2022-12-31", 0, 0.0, "at_risk"),
    ("2023-03-01", 1, 0.5, "on_track"),  # 50 % reached, the line expects ~43 %
    ("2023-05-01", 2, 1.0, "done"),      # the low end of 2–3 reached
    ("2024-06-01", 3, 1.0, "done"),      # inside the range: still done, progress capped at 1
])
def test_supermarkets_range_target(ind_store, as_of, value, progress, status):
    p = one(ind_store, "CT01", as_of)
    assert p.value == value
    assert p.progress == pytest.approx(progress)
    assert p.status == status


def test_cable_routes_count_with_their_length_in_km(ind_store):
    before = one(ind_store, "CT11", "2023-09-29")
    assert (before.count, before.length_km) == (0, 0)
    mid = one(ind_store, "CT11", "2023-09-30")
    assert mid.count == 1 and mid.length_km == pytest.approx(1.0, abs=1e-3)
    after = one(ind_store, "CT11", "2025-01-01")
    assert after.count == 2 and after.length_km == pytest.approx(3.5, abs=1e-3)
    assert after.value == 2 and after.progress == pytest.approx(2 / 300)
    assert "3,5 km" in after.reason("vi") and "3.5 km" in after.reason("en")
    assert after.to_dict()["length_km"] == pytest.approx(3.5, abs=1e-3)


def test_lines_measured_by_length_and_polygons_by_area(ind_store):
    lines = Indicator("CT11L", Text("Chiều dài hạ ngầm", "Cable length"), Target(10, 10), Text("km", "km"),
                      measure="length_km", categories=("cable_underground",))
    p = ind_judge.compute(ind_store, "2025-01-01", indicators=[lines])[0]
    assert p.value == 0  # its sites carry the code CT11, not CT11L
    lines = ind_registry.with_definition(lines, code="CT11")
    p = ind_judge.compute(ind_store, "2025-01-01", indicators=[lines])[0]
    assert p.value == pytest.approx(3.5, abs=1e-3)
    assert p.progress == pytest.approx(0.35, abs=1e-4)
    area = Indicator("CT13", Text("Diện tích công viên", "Park area"), Target(8, 8), Text("ha", "ha"),
                     measure="area_ha")
    assert ind_judge.compute(ind_store, "2024-05-31", indicators=[area])[0].value == 0
    p = ind_judge.compute(ind_store, "2024-06-01", indicators=[area])[0]
    assert p.value == pytest.approx(4.0, abs=1e-3)
    assert p.progress == pytest.approx(0.5, abs=1e-4)


def test_site_without_code_counts_by_category(ind_store):
    p = one(ind_store, "CT06", "2022-02-02")
    assert p.count == 1


def test_no_target_and_no_data(ind_store):
    parks = one(ind_store, "CT09", "2025-01-01")
    assert parks.status == "no_target" and parks.progress is None
    assert "no figure" in parks.reason("en")
    water = one(ind_store, "CT12", "2025-01-01")
    assert water.status == "no_data" and water.value is None
    assert "enter" in water.reason("en")


# ---------------------------------------------------------------- status against the straight line


@pytest.mark.parametrize("as_of, value, status, expected", [
    ("2020-06-01", 0, "on_track", 0.0),
    ("2023-07-02", 10, "on_track", 0.5),    # exactly on the line
    ("2023-07-02", 9, "at_risk", 0.5),
    ("2025-12-31", 19, "at_risk", 1.0),
    ("2026-03-01", 19, "at_risk", 1.0),     # past the end
    ("2022-01-01", 20, "done", None),
])
def test_status_against_the_straight_line(as_of, value, status, expected):
    ind = Indicator("X", Text("x", "x"), Target(20, 20))
    p = ind_judge.judge(ind_progress.Progress(ind, dt.date.fromisoformat(as_of), float(value)),
                      dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert p.status == status
    if expected is not None:
        assert p.expected == pytest.approx(expected, abs=1e-3)
    assert p.reason("vi") and p.reason("en")


def test_at_risk_reason_in_words():
    ind = Indicator("X", Text("x", "x"), Target(20, 20), Text("chợ", "markets"))
    p = ind_judge.judge(ind_progress.Progress(ind, dt.date(2023, 7, 2), 4.0), dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert p.reason("en") == ("At risk: 4 markets of 20 (20%); the straight line from 2021-01-01 to 2025-12-31 "
                           "expects 50% (10) by 2023-07-02; 6 short.")
    assert p.reason("vi").startswith("Chậm: 4 chợ / 20 (20%); đường thẳng từ 01/01/2021 đến 31/12/2025")
    late = ind_judge.judge(ind_progress.Progress(ind, dt.date(2026, 2, 1), 4.0), dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert "has passed" in late.reason("en") and "quá hạn" in late.reason("vi")


def test_programme_dates_are_settings(ind_store, monkeypatch):
    monkeypatch.setenv("P03_PROGRAMME_END", "2023-12-31")
    assert one(ind_store, "CT01", "2023-03-01").status == "at_risk"  # 50 % where the line now expects 70 %
    monkeypatch.setenv("P03_PROGRAMME_START", "2023-01-01")
    # the undated market now counts from 2023 only
    assert one(ind_store, "CT08", "2022-12-31").count == 1
    monkeypatch.setenv("P03_PROGRAMME_END", "soon")
    with pytest.raises(Exception, match="P03_PROGRAMME_END"):
        ind_judge.compute(ind_store, "2023-01-01")


# ---------------------------------------------------------------- history


def test_history_steps_at_each_completion(ind_store):
    ind = ind_registry.get_indicator(ind_store, "CT08")
    h = ind_history.history(ind_store, ind, until=dt.date(2030, 1, 1))
    assert [d.date().isoformat() for d in h["date"]] == ["2021-01-01", "2022-06-30", "2024-03-15"]
    assert h["value"].tolist() == [1, 2, 3]
    cable = ind_registry.get_indicator(ind_store, "CT11")
    h = ind_history.history(ind_store, cable, until=dt.date(2024, 1, 1))
    assert h["value"].tolist() == [1]


def test_hand_entered_values_feed_value_and_history(ind_store):
    ind_edits.enter_value(ind_store, "CT12", 28.0, "2022-09-30", user=EDITOR, source="Báo cáo 9 tháng 2022")
    ind_edits.enter_value(ind_store, "CT12", 35.5, "2024-12-31", user=EDITOR, source="Sở Xây dựng")
    ind_edits.enter_value(ind_store, "CT12", 3.0, "2024-12-31", user=EDITOR, unit_layer="district", unit_code="002")
    p = one(ind_store, "CT12", "2023-01-01")
    assert p.value == 28.0 and p.progress == pytest.approx(28 / 50)
    # 56 % of the low end 50 where the line expects 40 %
    assert p.status == "on_track" and p.last_change == "2022-09-30" and p.last_change_by == "editor"
    p = one(ind_store, "CT12", "2025-01-01")
    assert p.value == 35.5 and p.status == "at_risk"  # 71 % where the line expects 80 %
    assert one(ind_store, "CT12", "2022-01-01").status == "no_data"
    h = ind_history.history(ind_store, ind_registry.get_indicator(ind_store, "CT12"), until=dt.date(2025, 6, 1))
    assert h["value"].tolist() == [28.0, 35.5]
    assert set(h["source"]) == {"manual"}


def test_bad_hand_values(ind_store):
    with pytest.raises(InputError, match="not a number"):
        ind_edits.enter_value(ind_store, "CT12", "many", "2024-01-01", user=EDITOR)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        ind_edits.enter_value(ind_store, "CT12", 1, "31/12/2024", user=EDITOR)
    with pytest.raises(NotFound):
        ind_edits.enter_value(ind_store, "CT99", 1, "2024-12-31", user=EDITOR)


# ---------------------------------------------------------------- edits are stored and audited


def test_editor_overrides_and_adds_definitions(ind_store):
    v0 = ind_store.version()
    d = ind_registry.get_indicator(ind_store, "CT08").to_dict()
    d["target"] = 4
    ind_edits.save_definition(ind_store, d, user=EDITOR)
    assert ind_store.version() == v0 + 1
    p = one(ind_store, "CT08", "2024-03-15")
    assert p.indicator.origin == "store" and p.indicator.updated_by == "editor"
    assert p.progress == pytest.approx(3 / 4)
    new = {"code": "CT13", "title": {"vi": "Diện tích công viên", "en": "Park area"}, "target": 8,
           "unit": {"vi": "ha", "en": "ha"}, "method": "count", "measure": "area_ha"}
    ind_edits.save_definition(ind_store, new, user=EDITOR)
    codes = [i.code for i in ind_registry.registry(ind_store)]
    assert codes[-2:] == ["CT12", "CT13"]
    assert one(ind_store, "CT13", "2025-01-01").value == pytest.approx(4.0, abs=1e-3)
    ind_edits.reset_definition(ind_store, "CT08", user=EDITOR)
    assert ind_registry.get_indicator(ind_store, "CT08").target == Target(20, 20)
    audit = ind_store.audit()
    rows = audit[audit["entity"] == "indicator"]
    assert rows["action"].tolist() == ["indicator_def_reset", "indicator_def", "indicator_def"]
    assert '"target": 4' in rows.iloc[2]["after_json"]


def test_failed_definition_edit_writes_nothing(ind_store):
    v0 = ind_store.version()
    with pytest.raises(InputError):
        ind_edits.save_definition(ind_store, {"code": "CT08", "title": "x", "target": [9, 1]}, user=EDITOR)
    assert ind_store.version() == v0
    assert ind_store.indicator_overrides() == {}


def test_values_and_pledges_are_audited(ind_store):
    vid = ind_edits.enter_value(ind_store, "CT03", 1, "2022-06-01", user=EDITOR, source="QĐ số 1")
    ind_edits.set_pledge(ind_store, "CT08", "district", "002", 3, user=EDITOR)
    ind_edits.set_pledge(ind_store, "CT08", "district", "002", 4, user=EDITOR)
    ind_edits.set_pledge(ind_store, "CT08", "district", "001", 2, user=EDITOR)
    ind_edits.set_pledge(ind_store, "CT08", "district", "001", None, user=EDITOR)
    ind_edits.remove_value(ind_store, vid, user=EDITOR)
    t = ind_store.unit_targets("CT08")
    assert t[["unit_code", "target"]].values.tolist() == [["002", 4.0]]
    assert ind_store.indicator_values("CT03").empty
    actions = ind_store.audit(actor="editor")["action"].tolist()
    assert actions == ["indicator_value_delete", "unit_target", "unit_target", "unit_target", "unit_target",
                       "indicator_value"]
    with pytest.raises(NotFound):
        ind_edits.remove_value(ind_store, vid, user=EDITOR)
    with pytest.raises(InputError, match="district or commune"):
        ind_edits.set_pledge(ind_store, "CT08", "province", "01", 1, user=EDITOR)


# ---------------------------------------------------------------- by district / commune


def test_by_district_counts_lengths_and_gaps(ind_store, bounds):
    ind_edits.set_pledge(ind_store, "CT08", "district", "002", 3, user=EDITOR)
    t = ind_measure.by_unit(ind_store, ind_registry.get_indicator(ind_store, "CT08"), bounds, "district", "2025-01-01")
    assert len(t) == 30
    hk = t.set_index("code").loc["002"]
    assert (hk["total"], hk["count"], hk["value"], hk["target"], hk["gap"]) == (2, 1, 1.0, 3.0, 2.0)
    assert hk["share"] == pytest.approx(0.5)
    assert t.set_index("code").loc["006", "count"] == 1  # the undated market in Đống Đa
    cable = ind_registry.with_definition(ind_registry.get_indicator(ind_store, "CT11"), measure="length_km")
    t = ind_measure.by_unit(ind_store, cable, bounds, "district", "2025-01-01")
    assert t["value"].sum() == pytest.approx(3.5, abs=1e-2)  # cb-2's four pieces add up to 2.5 km
    assert (t["value"] > 0).sum() == 4
    t = ind_measure.by_unit(ind_store, cable, bounds, "district", "2023-12-31")
    assert t["value"].sum() == pytest.approx(1.0, abs=1e-3)
    communes = ind_measure.by_unit(ind_store, ind_registry.get_indicator(ind_store, "CT08"), bounds, "commune", "2025-01-01")
    assert len(communes) == 126 and communes["count"].sum() == 3


def test_by_unit_hand_values(ind_store, bounds):
    ind_edits.enter_value(ind_store, "CT12", 40, "2024-01-01", user=EDITOR, unit_layer="district", unit_code="002")
    ind_edits.enter_value(ind_store, "CT12", 45, "2024-06-01", user=EDITOR, unit_layer="district", unit_code="002")
    t = ind_measure.by_unit(ind_store, ind_registry.get_indicator(ind_store, "CT12"), bounds, "district", "2024-03-01")
    assert t.set_index("code").loc["002", "value"] == 40
    t = ind_measure.by_unit(ind_store, ind_registry.get_indicator(ind_store, "CT12"), bounds, "district", "2024-07-01")
    assert t.set_index("code").loc["002", "value"] == 45


def test_demo_store_reports_every_indicator(demo_store):
    rows = ind_judge.compute(demo_store, "2025-06-30")
    assert len(rows) == 12
    by = {p.indicator.code: p for p in rows}
    assert by["CT01"].status == "done"  # 8 completed trade centres (undated) against 2–3
    assert by["CT11"].count == 0 and by["CT11"].total == 4
    assert set(p.status for p in rows) <= set(ind_progress.STATUSES)


# ---------------------------------------------------------------- permission, checked by the operation itself


@pytest.mark.parametrize("who", [None, auth.User("minh", "viewer")], ids=["anonymous", "viewer"])
def test_the_edit_itself_refuses_a_viewer_and_writes_nothing(ind_store, who):
    d = ind_registry.get_indicator(ind_store, "CT08").to_dict()
    attempts = [
        lambda: ind_edits.enter_value(ind_store, "CT12", 1.0, "2024-01-01", user=who),
        lambda: ind_edits.save_definition(ind_store, d, user=who),
        lambda: ind_edits.reset_definition(ind_store, "CT08", user=who),
        lambda: ind_edits.set_pledge(ind_store, "CT08", "district", "002", 3, user=who),
        lambda: ind_edits.remove_value(ind_store, 1, user=who),
    ]
    for attempt in attempts:
        with pytest.raises(auth.PermissionDenied) as err:
            attempt()
        assert "edit indicators" in err.value.en and "editor" in err.value.en
    assert ind_store.indicator_values().empty and ind_store.unit_targets().empty
    assert ind_store.indicator_overrides() == {}
    assert ind_edits.enter_value(ind_store, "CT12", 1.0, "2024-01-01", user=auth.User("ad", "admin")) > 0
