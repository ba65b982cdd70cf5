"""The map builder (geo.maps.sites): what goes into the folium.Map and its HTML — local assets only,
escaped names, every point and shape, the slim payload above the thresholds, cached boundaries —
and, in Chromium, what a person sees and what the page gets on a click."""

from __future__ import annotations

import json
import re
import threading
import time

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from benchmarks import synthetic_sites
from geo import assets
from geo import sites as site_ops
from geo.maps import sites as map_sites
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

HOSTILE = "</script><img src=x onerror=\"window.pwned=1\">&amp; `${x}` \u2028 Chợ"


@pytest.fixture(autouse=True)
def local_assets():
    assets.use(assets.local_base_url())


def payload(html: str) -> dict:
    """The base map's payload (boundaries, view) and the sites' payload, merged."""
    base = re.search(r"^p03Map\.base\([^,]+, (.*)\);$", html, flags=re.M)
    sites = re.search(r"^  (\{.*\}), (\[\[.*\]\])\);$", html, flags=re.M)
    assert base and sites, "the base map's and the sites layer's payloads are in the HTML"
    return json.loads(base.group(1)) | json.loads(sites.group(1)) | {"sites_view": json.loads(sites.group(2))}


def mixed_sites(bounds) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame([
        {"id": "p-1", "name": HOSTILE, "category": "market", "status": "in_progress", "progress_pct": 40,
         "budget_vnd": 2.5e9, "notes": "<b>ghi chú</b>", "geometry": Point(105.8525, 21.0288)},
        {"id": "p-2", "name": "Công viên Thống Nhất", "category": "park", "status": "planned",
         "geometry": Polygon([(105.840, 21.014), (105.846, 21.014), (105.846, 21.019), (105.840, 21.019)])},
        {"id": "p-3", "name": "Hạ ngầm cáp", "category": "cable_underground", "status": "completed",
         "geometry": LineString([(105.776, 20.971), (105.780, 20.975)])},
        {"id": "p-4", "name": "Không rõ loại", "category": "bakery", "status": "weird",
         "geometry": Point(105.80, 21.00)},
    ], geometry="geometry", crs=4326)
    return site_ops.complete(gdf, bounds)


def test_no_cdn_and_assets_local(bounds):
    html = map_sites.site_map(mixed_sites(bounds), bounds, tiles=None).get_root().render()
    refs = re.findall(r"""<(?:script|link)[^>]*(?:src|href)=["']([^"']+)""", html)
    assert refs, "assets are referenced"
    assert all(r.startswith("file://") for r in refs), refs
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "code.jquery", "maxcdn", "netdna", "googleapis"):
        assert cdn not in html


def test_hostile_names_escaped(bounds):
    html = map_sites.site_map(mixed_sites(bounds), bounds, tiles=None).get_root().render()
    assert "</script><img" not in html
    assert "onerror=\"window" not in html
    assert "\u2028" not in html
    assert html.count("</script>") == html.count("<script")  # no early end of a script element
    d = payload(html)
    assert d["names"][0] == HOSTILE  # the data itself is intact; the browser escapes it (esc())
    assert d["x"]["notes"][0] == "<b>ghi chú</b>"


def test_points_shapes_and_fields(bounds):
    sites = mixed_sites(bounds)
    d = payload(map_sites.site_map(sites, bounds, tiles=None).get_root().render())
    assert d["ids"] == ["p-1", "p-2", "p-3", "p-4"]
    assert d["pts"]["i"] == [0, 3]
    lat = (np.array(d["pts"]["lat"]) + d["pts"]["lat0"]) / d["pts"]["scale"]
    lon = (np.array(d["pts"]["lon"]) + d["pts"]["lon0"]) / d["pts"]["scale"]
    assert np.allclose(lat, [21.0288, 21.00], atol=1e-6) and np.allclose(lon, [105.8525, 105.80], atol=1e-6)
    assert d["shp"]["i"] == [1, 2]
    assert [g["type"] for g in d["shp"]["g"]] == ["Polygon", "LineString"]
    coords = json.dumps(d["shp"]["g"])
    assert not re.search(r"\.\d{7,}", coords), "coordinates rounded to 6 decimals"
    cats = [c["label"] for c in d["cats"]]
    assert cats[d["cat"][3]] == "Khác"  # unknown category -> other
    assert d["st"][3] == 0  # unknown status -> planned
    assert d["dcodes"][d["dist"][0]] == sites["district_codes"].iloc[0]
    assert sorted(d["legend"]) == d["legend"] and len(d["legend"]) == 4
    assert d["x"]["progress_pct"] == [40.0, None, None, None]
    assert d["units"]["features"] and d["focus"]["features"]


def test_english_labels(bounds):
    d = payload(map_sites.site_map(mixed_sites(bounds), bounds, lang="en", tiles=None).get_root().render())
    assert d["labels"]["category"] != payload(map_sites.site_map(mixed_sites(bounds), bounds, tiles=None)
                                              .get_root().render())["labels"]["category"]
    assert "Market" in [c["label"] for c in d["cats"]]
    code = d["dcodes"][d["dist"][0]]
    assert d["districts"][code] == bounds.districts.set_index("code").loc[code, "name_en"]


def test_slim_rows_above_thresholds(bounds, monkeypatch):
    sites = synthetic_sites(60, bounds)
    monkeypatch.setattr(map_sites, "FULL_DETAIL_MAX", 50)
    d = payload(map_sites.site_map(sites, bounds, tiles=None).get_root().render())
    assert d["extra"] == [] and d["x"] == {}
    assert len(d["names"]) == 60 and len(d["ids"]) == 60
    assert d["pts"]["i"] is None and len(d["pts"]["lat"]) == 60 and d["pts"]["scale"] == 1_000_000
    monkeypatch.setattr(map_sites, "NAMES_MAX", 50)
    d = payload(map_sites.site_map(sites, bounds, tiles=None).get_root().render())
    assert d["names"] is None and len(d["ids"]) == 60
    assert d["pts"]["scale"] == 100_000
    lat = (np.array(d["pts"]["lat"]) + d["pts"]["lat0"]) / d["pts"]["scale"]
    assert np.allclose(lat, sites.geometry.y, atol=1e-5)


def test_empty_and_no_boundaries(bounds):
    empty = mixed_sites(bounds).iloc[:0]
    d = payload(map_sites.site_map(empty, bounds, tiles=None).get_root().render())
    assert d["ids"] == [] and d["pts"]["lat"] == [] and d["legend"] == []
    d = payload(map_sites.site_map(mixed_sites(bounds), None, tiles=None).get_root().render())
    assert d["units"] is None and d["districts"] == {}


def test_focus_and_layer(bounds):
    unit = bounds.communes.iloc[[0]]
    html = map_sites.site_map(mixed_sites(bounds), bounds, layer="commune", focus=unit, tiles=None).get_root().render()
    d = payload(html)
    assert len(d["units"]["features"]) == len(bounds.communes)
    assert len(d["focus"]["features"]) == 1
    minx, miny, maxx, maxy = unit.total_bounds
    assert f"[[{miny}, {minx}], [{maxy}, {maxx}]]" in html  # fitted to the unit


def test_boundaries_cached(bounds, monkeypatch):
    map_sites.BOUNDARY_CACHE.clear()
    calls = []
    real = map_sites._unit_geojson
    monkeypatch.setattr(map_sites, "_unit_geojson", lambda gdf, tol: calls.append(len(gdf)) or real(gdf, tol))
    first = map_sites.base_payload(bounds, "vi", "commune")
    assert calls == [len(bounds.city), len(bounds.communes)]  # the city outline and the layer, simplified once
    second = map_sites.base_payload(bounds, "en", "commune")
    assert len(calls) == 2  # cached: not simplified again (names are per language)
    assert first != second and map_sites.base_payload(bounds, "vi", "commune") == first
    assert map_sites.base_payload(bounds, "vi", "district") != first
    assert len(calls) == 3


def test_tiles_and_attribution(bounds, monkeypatch):
    html = map_sites.site_map(mixed_sites(bounds), bounds, tiles="http://tiles.example/{z}/{x}/{y}.png") \
        .get_root().render()
    assert "http://tiles.example/{z}/{x}/{y}.png" in html
    monkeypatch.setenv("P03_TILES", "none")
    assert "tileLayer" not in map_sites.site_map(mixed_sites(bounds), bounds).get_root().render()


@pytest.mark.slow
def test_large_views_fast_and_small(bounds):
    sites = synthetic_sites(10_000, bounds)
    map_sites.site_map(sites, bounds, tiles=None).get_root().render()  # boundaries cached
    t0 = time.perf_counter()
    html = map_sites.site_map(sites, bounds, tiles=None).get_root().render()
    assert time.perf_counter() - t0 < 1.0  # 0.025 s on the quiet 2-core machine, 0.7 s with load 14
    assert len(html.encode()) < 1_000_000
    big = synthetic_sites(100_000, bounds)
    t0 = time.perf_counter()
    html = map_sites.site_map(big, bounds, tiles=None).get_root().render()
    assert time.perf_counter() - t0 < 5.0  # 0.18 s quiet
    assert len(html.encode()) < 5_000_000


@pytest.mark.browser
@pytest.mark.parametrize("grid_min", [5000, 1], ids=["markercluster", "grid"])
def test_browser_shows_escapes_and_reports_ids(bounds, tmp_path, monkeypatch, grid_min):
    monkeypatch.setattr(map_sites, "GRID_MIN", grid_min)
    html = map_sites.site_map(mixed_sites(bounds), bounds, tiles=None).get_root().render()
    path = tmp_path / "map.html"
    path.write_text(html, "utf-8")
    # in a thread of its own: other browser tests keep a sync Playwright (an asyncio loop) in this one
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _check_in_browser(path)
        except BaseException as exc:  # reported in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser check did not finish in 120 s"
    if failure:
        raise failure[0]


def _check_in_browser(path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            _check_page(browser, path)
        finally:
            browser.close()


def _check_page(browser, path) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    outside: list[str] = []
    def route(r) -> None:  # only the file:// page and its file:// assets are served
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => window.p03 && window.p03.count === 4")
        assert page.evaluate("() => window.p03.points.getLayers().length") == 2
        assert page.evaluate("() => window.p03.shapes.getLayers().length") == 2
        # what streamlit-folium reads on a click: the marker's tooltip, bound before any click handler
        tip = page.evaluate("""() => {
            const m = window.p03.points.getLayers().find(l => l.options.i === 0);
            m.fire("preclick", {}, true);
            const t = m.getTooltip();
            const div = document.createElement("div"); div.innerHTML = t.getContent();
            // a clustered marker is on the map only once zoomToShowLayer has finished (animated,
            // slower on a busy machine): open its popup from the callback, not before
            if (window.p03.points.zoomToShowLayer) window.p03.points.zoomToShowLayer(m, () => m.openPopup());
            else m.openPopup();
            return div.innerText;
        }""")
        assert tip.strip().endswith("#p-1")
        assert map_sites.site_id_from_tooltip(tip) == "p-1"
        assert HOSTILE.split("\u2028")[0][:20] in tip  # shown as text
        page.wait_for_selector(".p03-popup")
        assert page.locator(".p03-popup h4").inner_text().startswith("</script><img")
        assert page.evaluate("() => window.pwned") is None
        assert page.locator(".p03-popup img").count() == 0
        assert page.locator(".p03-legend").count() == 1
        assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text() or \
            "Ranh giới" in page.locator(".leaflet-control-attribution").inner_text()
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()


@pytest.mark.browser
def test_browser_grid_clusters_many_points(bounds, tmp_path):
    sites = synthetic_sites(map_sites.GRID_MIN + 500, bounds)
    path = tmp_path / "many.html"
    path.write_text(map_sites.site_map(sites, bounds, tiles=None).get_root().render(), "utf-8")
    out: dict = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.goto(path.as_uri())
            page.wait_for_selector(".marker-cluster")
            out["count"] = page.evaluate("() => window.p03.count")
            out["shown"] = page.evaluate("() => window.p03.points.getLayers().length")
            out["total"] = page.evaluate("""() => window.p03.points.getLayers()
                .reduce((t, l) => t + (l.options.i === undefined ? Number(l.options.icon.options.html
                .replace(/<[^>]+>/g, "")) : 1), 0)""")
            page.evaluate("() => window.p03.points.getLayers().find(l => l.p03cluster !== undefined)"
                          ".fire('click', {}, true)")
            page.wait_for_function("() => window.p03.points._map.getZoom() > 10")
            out["zoomed_in"] = page.evaluate("() => window.p03.points.getLayers().length")
            browser.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert out.get("count") == len(sites)
    assert 10 < out["shown"] < 500  # clusters of the view, not one layer per site
    assert out["total"] == len(sites)  # every site counted once at the city view
    assert out["zoomed_in"] >= 1
