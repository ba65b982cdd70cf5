"""AppTest of the indicators dashboard (pages/indicators.py) on the hand-built fixture store and
on the demo store; the choropleth's values against an independent spatial join with the real
district file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.indicators import edits as ind_edits
from geo.indicators import measure as ind_measure
from geo.indicators import registry as ind_registry
from geo.maps import choropleth
from tests.auth_support import sign_in_app
from tests.test_indicators import EDITOR, SITES, ind_store  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parent.parent
PAGE = str(REPO / "pages" / "indicators.py")


def run(lang: str = "vi", as_of: dt.date | None = None, section: str = "summary", store=None,
        **params: str) -> AppTest:
    """The page, run once (as an editor when ``store`` is given)."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["p03_lang"] = lang
    at.session_state["ind_section"] = section
    if store is not None:
        sign_in_app(at, store, "editor")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if as_of is not None:
        at.date_input(key="ind_as_of").set_value(as_of).run()
    return at


def markdown(at: AppTest) -> str:
    """The page's Markdown with the escapes of user text taken out."""
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def bar_texts(at: AppTest) -> list[str]:
    """The HTML of the indicator cards' progress bars (pages/ui/bars.py)."""
    return [h.proto.body for h in at.get("html") if "p03-bar" in h.proto.body]


def test_dashboard_cards(ind_store, data_dir):  # noqa: F811
    at = run(as_of=dt.date(2025, 1, 1))
    assert not at.exception, at.exception
    assert at.title[0].value == "Chỉ tiêu Chương trình 03"
    text = markdown(at)
    for n in range(1, 13):
        assert f"**CT{n:02d} · " in text
    # one progress bar per indicator; CT08 is 3 of 20 at 2025-01-01, CT01 is done
    texts = bar_texts(at)
    assert len(texts) == 12
    assert any("3 / 20 chợ (15%)" in t for t in texts), texts
    # the bar's colour follows the status: green when achieved, red only when behind
    assert all("#2e7d32" in t for t in texts if "data-status='done'" in t)
    assert all("#c62828" not in t for t in texts if "data-status='at_risk'" not in t)
    assert sum("data-status='done'" in t for t in texts) == 1
    assert ":green-badge[Đã đạt]" in text and ":red-badge[Chậm tiến độ]" in text
    assert "Chậm: 3 chợ / 20 (15%)" in text
    # the four status counters
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đã đạt"] == "1" and metrics["Chưa có số liệu"] == "4"
    # a history chart per indicator with history, and a link to the map filtered to its sites
    assert len(at.get("vega_lite_chart")) >= 4
    assert "district_map?indicator=CT08" in text


def test_dashboard_in_english_and_before_completions(ind_store, data_dir):  # noqa: F811
    at = run("en", as_of=dt.date(2022, 6, 29))
    assert not at.exception, at.exception
    assert at.title[0].value == "Programme 03 indicators"
    texts = bar_texts(at)
    assert any("Achieved: 1 / 20 markets (5%)" in t for t in texts), texts


def test_by_district_table_and_exports(ind_store, data_dir):  # noqa: F811
    at = run(as_of=dt.date(2025, 1, 1), section="units", indicator="CT08")
    assert not at.exception, at.exception
    assert at.selectbox(key="ind_unit_code").value == "CT08"
    table = at.dataframe[0].value
    assert len(table) == 30
    hk = table[table["Mã"] == "002"].iloc[0]
    assert (hk["Số công trình"], hk["Hoàn thành"]) == (2, 1)
    assert hk["Mở bản đồ"] == "district_map?district=002&indicator=CT08"
    at.radio(key="ind_unit_layer").set_value("commune").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 126
    at.radio(key="ind_section").set_value("exports").run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Bảng chỉ tiêu (CSV)", "Bảng chỉ tiêu và địa bàn (XLSX)", "Báo cáo tóm tắt 1 trang (PDF)"]


def test_editor_enters_a_value_and_a_pledge(ind_store, data_dir):  # noqa: F811
    at = run(as_of=dt.date(2025, 1, 1), section="edit", store=ind_store)
    at.selectbox(key="ind_v_code").set_value("CT12")
    at.number_input(key="ind_v_value").set_value(42.0)
    at.date_input(key="ind_v_date").set_value(dt.date(2024, 12, 31))
    at.text_input(key="ind_v_source").set_value("Báo cáo Sở Xây dựng")
    [b for b in at.button if b.proto.label == "Lưu"][0].click().run()
    assert not at.exception, at.exception
    assert "Đã lưu." in [s.value for s in at.success]
    values = ind_store.indicator_values("CT12")
    assert values["value"].tolist() == [42.0] and values["entered_by"].tolist() == ["test-editor"]
    at.radio(key="ind_section").set_value("summary").run()
    assert any("42 / 50–55 %" in t for t in bar_texts(at))
    at.radio(key="ind_section").set_value("edit").run()
    at.selectbox(key="ind_p_code").set_value("CT08")
    at.selectbox(key="ind_p_unit").set_value("002")
    at.number_input(key="ind_p_value").set_value(5.0)
    [b for b in at.button if b.proto.label == "Lưu"][1].click().run()
    assert not at.exception, at.exception
    assert ind_store.unit_targets("CT08")["target"].tolist() == [5.0]


def test_editor_error_is_shown_in_words(ind_store, data_dir):  # noqa: F811
    at = run(section="edit", store=ind_store)
    at.text_input(key="ind_def_CT01_target").set_value("9-2")
    forms_buttons = [b for b in at.button if b.proto.label == "Lưu"]
    forms_buttons[2].click().run()
    assert not at.exception
    assert any("bị ngược" in e.value for e in at.error)
    assert ind_store.indicator_overrides() == {}


def test_demo_store_dashboard(demo_store, data_dir):
    at = run()
    assert not at.exception, at.exception
    assert len(bar_texts(at)) == 12


def test_choropleth_values_equal_an_independent_spatial_join(ind_store, bounds, shared_data):  # noqa: F811
    as_of = dt.date(2025, 1, 1)
    districts = gpd.read_file(shared_data / "boundaries" / "hanoi_districts_2019.geojson")[["code", "geometry"]]
    sites = gpd.read_file(SITES)
    done = sites[(sites["status"] == "completed") & (sites["end_date"].fillna("2021-01-01") <= as_of.isoformat())]
    for code in ("CT08", "CT11", "CT01"):
        mine = done[done["indicator"] == code]
        joined = gpd.sjoin(mine, districts, predicate="intersects")
        expected = joined.groupby("code").size().to_dict()
        all_joined = gpd.sjoin(sites[sites["indicator"] == code], districts, predicate="intersects")
        totals = all_joined.groupby("code").size().to_dict()
        ind = ind_registry.get_indicator(ind_store, code)
        table = ind_measure.by_unit(ind_store, ind, bounds, "district", as_of)
        counts = choropleth.map_values(choropleth.unit_choropleth(table, bounds, "district", tiles=None))
        shares = choropleth.map_values(choropleth.unit_choropleth(table, bounds, "district", column="share",
                                                                  tiles=None))
        assert len(counts) == 30
        assert {k: v for k, v in counts.items() if v} == pytest.approx(expected), code
        assert {k: v for k, v in shares.items() if v == v and v is not None} == pytest.approx(
            {k: expected.get(k, 0) / n for k, n in totals.items()}), code


def test_choropleth_is_offline_and_escaped(ind_store, bounds):  # noqa: F811
    from geo import assets

    assets.use(assets.APP_BASE_URL)
    table = ind_measure.by_unit(ind_store, ind_registry.get_indicator(ind_store, "CT08"), bounds, "commune", "2025-01-01")
    m = choropleth.unit_choropleth(table, bounds, "commune", title="<b>x</b>", tiles=None)
    html = m.get_root().render()
    assert "cdn" not in html.lower() and "d3.js" not in html
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html or "\\u0026lt;b\\u0026gt;x" in html  # escaped, then JSON-encoded
    assert len(choropleth.map_values(m)) == 126


def test_visitors_read_why_they_cannot_edit(ind_store, data_dir):  # noqa: F811
    at = run(section="edit")
    assert not at.exception, at.exception
    assert any("đăng nhập" in w.value.lower() for w in at.warning)
    assert not [b for b in at.button if b.proto.label == "Lưu"]


def test_user_text_is_escaped_for_markdown(ind_store, data_dir):  # noqa: F811
    d = ind_registry.get_indicator(ind_store, "CT08").to_dict()
    d["title"] = {"vi": "![x](http://evil.p03.test/b.png) [bấm](javascript:alert(1)) **đậm**", "en": "x"}
    d["unit"] = {"vi": "[u](javascript:alert(2))", "en": "u"}
    ind_edits.save_definition(ind_store, d, user=EDITOR)
    at = run(as_of=dt.date(2025, 1, 1))
    assert not at.exception, at.exception
    raw = "\n".join(m.value for m in at.markdown)
    assert all("<a" not in t and "<img" not in t for t in bar_texts(at))  # bars: HTML-escaped plain text
    assert "![x](http" not in raw and "[bấm](javascript" not in raw and "[u](javascript" not in raw
    assert "\\!\\[x\\]\\(http" in raw


def test_english_editor_names_districts_in_english(ind_store, data_dir):  # noqa: F811
    at = run("en", section="edit", store=ind_store)
    assert not at.exception, at.exception
    pledge = at.selectbox(key="ind_p_unit")
    assert pledge.value == "001" and pledge.format_func("001").startswith("Ba Dinh")
    unit = at.selectbox(key="ind_v_unit")
    assert unit.format_func("") == "Whole city" and unit.format_func("district:002").startswith("Hoan Kiem")
