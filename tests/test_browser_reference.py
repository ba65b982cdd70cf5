"""The OpenStreetMap reference layers on the district map in real Chromium: offered in the map's
layer control, off by default; turned on with one click they draw (canvas) with their ODbL
attribution, their features fetched then from the app's own route (not sent with every run); a
name search without diacritics also finds reference features and highlights them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from geo import reference
from tests.browser_support import AppServer, browser, in_map, make_data_dir, map_frame, new_page, out_dir  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ref_server(tmp_path_factory, boundaries_dir, shared_data):
    data = make_data_dir(tmp_path_factory.mktemp("refapp"), boundaries_dir)
    reference.import_reference(shared_data / "reference", data / "reference")
    srv = AppServer(data)
    yield srv
    srv.stop()


def test_reference_layers_toggle_with_attribution(ref_server, browser, request):
    page = new_page(browser)
    try:
        page.goto(ref_server.url + "/district_map?district=002")
        page.get_by_text("công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".leaflet-control-layers").wait_for(timeout=30_000)
        on = "() => Object.keys(window.p03ref.groups).filter(k => window.p03ref.groups[k]._map).length"
        assert in_map(frame, on) == 0  # off by default
        attribution = frame.locator(".leaflet-control-attribution")
        assert "ODbL" not in attribution.inner_text()
        frame.locator(".leaflet-control-layers").hover()
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if "/p03/reference/" in r.url else None)
        assert in_map(frame, "() => window.p03ref.loaded") is False  # nothing fetched while every layer is off
        frame.get_by_text("Chợ (OSM)").click()
        assert in_map(frame, on) == 1
        page.wait_for_function("() => window.p03ref.loaded === true", timeout=30_000)
        assert in_map(frame, "() => window.p03ref.groups.markets.getLayers().length") > 10
        assert len(fetched) == 1 and "/p03/reference/vi.json?v=" in fetched[0], fetched
        assert "OpenStreetMap contributors (ODbL 1.0)" in attribution.inner_text() or \
            "OpenStreetMap (ODbL 1.0)" in attribution.inner_text()
        page.screenshot(path=str(out_dir(request) / "markets_on.png"), full_page=True)

        # a search finds the OSM market by name without diacritics and highlights it
        page.get_by_role("textbox", name="Tìm theo tên").fill("dong xuan")
        page.keyboard.press("Enter")
        page.get_by_text("Đối tượng tham chiếu khớp “dong xuan”").first.wait_for(timeout=60_000)
        page.locator("[data-testid=glide-cell-0-1]", has_text="Chợ Đồng Xuân").first.wait_for(state="attached")
        frame = map_frame(page)
        frame.locator(".leaflet-control-layers").wait_for(timeout=30_000)
        page.wait_for_function("() => window.p03ref.found >= 1", timeout=30_000)
        # the reader's choice of layers survives the layers being drawn again
        assert in_map(frame, on) == 1
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()


def test_reference_route_and_preload_header(ref_server):
    with urllib.request.urlopen(ref_server.url + "/p03/reference/en.json", timeout=30) as r:  # noqa: S310
        layers = json.loads(r.read())
        assert r.headers["Content-Type"].startswith("application/json")
        assert "max-age" in r.headers["Cache-Control"]
    assert [layer["key"] for layer in layers] == [layer.key for layer in reference.LAYERS]
    assert all(layer["fc"]["features"] for layer in layers)
    for bad in ("/p03/reference/xx.json", "/p03/reference/VI.json", "/p03/reference/%2e%2e.json"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(ref_server.url + bad, timeout=30)  # noqa: S310
        assert err.value.code == 404, bad
    # the district map's HTML page names Leaflet's files for the browser to fetch at once
    with urllib.request.urlopen(ref_server.url + "/district_map", timeout=30) as r:  # noqa: S310
        link = r.headers["Link"]
    assert "</app/static/vendor/leaflet/leaflet.js>; rel=preload; as=script" in link
    with urllib.request.urlopen(ref_server.url + "/upload", timeout=30) as r:  # noqa: S310
        assert r.headers["Link"] is None  # only the page with that map
