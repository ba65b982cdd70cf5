"""AppTest of the home page and the district map page on the demo store (real boundaries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import sites as site_ops
from geo.maps import sites as map_sites
from geo.store import SiteFilter

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def demo_dir(demo_store, data_dir):
    return data_dir


def run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / path), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def captions(at: AppTest) -> str:
    return " | ".join(c.value for c in at.caption)


def test_home_overview(demo_dir, demo_store):
    at = run("app.py")
    assert not at.exception
    assert at.title[0].value == "Bản đồ Chương trình 03"
    total = demo_store.count_sites()
    assert at.metric[0].value == str(total)
    by_district = at.dataframe(key="home_districts_0").value
    assert len(by_district) == 30
    assert at.metric[1].value == "30" and at.metric[2].value == "126"  # counted from the layers
    hk = by_district[by_district["Mã"] == "002"].iloc[0]
    assert hk["Tổng"] == len(demo_store.query_sites(SiteFilter(district="002")))


def test_home_in_english(demo_dir):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.session_state["p03_lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Programme 03 Map"
    assert "Sites by category" in [s.value for s in at.subheader]


def test_home_with_empty_store_says_what_to_do(data_dir):
    at = run("app.py")
    assert not at.exception
    assert "make run" in at.info[0].value


@pytest.mark.postgis_smoke
def test_district_map_whole_city_then_hoan_kiem(demo_dir, demo_store):
    at = run("pages/district_map.py")
    assert not at.exception
    total = demo_store.count_sites()
    assert f"{total} công trình trong Toàn thành phố" in captions(at)
    at.sidebar.selectbox(key="dm_unit").select("002").run()
    hk = demo_store.query_sites(SiteFilter(district="002"))
    assert f"{len(hk)} công trình trong Quận Hoàn Kiếm" in captions(at)
    table = at.dataframe(key="dm_table").value
    assert set(table["Mã"]) == set(hk["id"])
    assert at.query_params["district"] in ("002", ["002"])
    assert at.get("download_button")


def test_district_map_filters_and_search(demo_dir, demo_store):
    at = run("pages/district_map.py", district="Hoàn Kiếm", category="market")
    assert not at.exception
    table = at.dataframe(key="dm_table").value
    expected = demo_store.query_sites(SiteFilter(district="002", categories=["market"]))
    assert set(table["Mã"]) == set(expected["id"]) and len(expected) >= 2
    assert set(table["Loại công trình"]) == {"Chợ"}
    at.sidebar.text_input(key="dm_q").input("dong xuan").run()
    table = at.dataframe(key="dm_table").value
    assert list(table["Tên"]) == ["Chợ Đồng Xuân"]


def test_district_map_commune_layer_from_url(demo_dir, demo_store):
    at = run("pages/district_map.py", commune="00070")
    assert not at.exception
    assert at.sidebar.radio(key="dm_layer").value == "commune"
    expected = demo_store.query_sites(SiteFilter(commune="00070"))
    assert f"{len(expected)} công trình trong Phường Hoàn Kiếm" in captions(at)


def test_district_map_unknown_district_is_a_plain_message(demo_dir):
    at = run("pages/district_map.py", district="Gotham")
    assert not at.exception
    assert "Gotham" in at.error[0].value


def test_district_map_english_labels(demo_dir):
    at = AppTest.from_file(str(REPO / "pages/district_map.py"), default_timeout=90)
    at.session_state["p03_lang"] = "en"
    at.query_params["district"] = "002"
    at.run()
    assert not at.exception
    assert at.title[0].value == "District map"
    assert "sites in Hoan Kiem" in captions(at)
    assert "Market" in set(at.dataframe(key="dm_table").value["Category"])


def test_map_of_a_district_is_built_by_geo(demo_store, bounds):
    """What the page shows in the map, checked on the folium.Map that geo/ builds."""
    sites = demo_store.query_sites(SiteFilter(district="002"))
    focus = bounds.districts[bounds.districts["code"] == "002"]
    html = map_sites.site_map(sites, bounds, focus=focus, tiles=None).get_root().render()
    for name in sites["name"]:
        assert map_sites.script_json(name)[1:-1] in html
    assert "cdn" not in html.lower() and "jsdelivr" not in html
    assert map_sites.site_id_from_tooltip("Chợ Đồng Xuân Chợ · #demo-012") == "demo-012"
    assert len(site_ops.export(sites, "geojson")) > 100
