"""The OpenStreetMap reference layers on the district map in real Chromium: offered in the map's
layer control, off by default; turned on with one click they draw (canvas) with their ODbL
attribution; a name search without diacritics also finds reference features and highlights them."""

from __future__ import annotations

import pytest

from geo import reference
from tests.browser_support import AppServer, browser, make_data_dir, map_frame, new_page, out_dir  # noqa: F401

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
        assert frame.locator("body").evaluate(on) == 0  # off by default
        attribution = frame.locator(".leaflet-control-attribution")
        assert "ODbL" not in attribution.inner_text()
        frame.locator(".leaflet-control-layers").hover()
        frame.get_by_text("Chợ (OSM)").click()
        frame.locator("body").wait_for()
        assert frame.locator("body").evaluate(on) == 1
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
        assert frame.locator("body").evaluate("() => window.p03ref.found") >= 1
        # the reader's choice of layers survives the map being drawn again
        assert frame.locator("body").evaluate(on) == 1
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
