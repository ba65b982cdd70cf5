"""The district map in real Chromium: choose Hoàn Kiếm, see its boundary and the demo markers,
no console errors, no request leaving the machine (Leaflet is served by the app)."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import (  # noqa: F401
    SCRIPT_IDLE,
    app_server,
    browser,
    browser_page,
    map_frame,
    map_holds,
    new_page,
    out_dir,
    pin_on_top,
    rerun,
    settled,
)

pytestmark = pytest.mark.browser


def choose(page, label: str, option: str) -> None:
    box = page.get_by_label(label).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).first.click()


def test_choose_hoan_kiem_shows_boundary_and_markers(app_server, browser_page, request):
    page = browser_page
    page.goto(app_server.url + "/district_map")
    page.get_by_text("công trình trong Toàn thành phố").first.wait_for(timeout=60_000)
    choose(page, "Chọn quận, huyện hoặc xã, phường", "Quận Hoàn Kiếm · Hoan Kiem")
    page.get_by_text("công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=30_000)
    frame = map_frame(page)
    map_holds(page, 21)  # the kept map has taken the new view (it held the city's 71 sites)
    # the demo markers (single pins and clusters) and the highlighted boundary (canvas overlay)
    frame.locator(".leaflet-marker-icon").first.wait_for(timeout=30_000)
    assert frame.locator(".p03-pin, .marker-cluster").count() >= 3
    drawn = page.evaluate(  # the map is drawn in the page: its objects are the page's
        "() => window.p03.points.getLayers().length + window.p03.shapes.getLayers().length")
    assert drawn == 21  # every demo site of Hoàn Kiếm: points in the cluster group, lines/polygons
    assert frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path").count() >= 1
    # the map object knows every site of the view (21 in Hoàn Kiếm, points and shapes)
    assert page.evaluate("() => window.p03.count") == 21
    assert "Hệ thống bản đồ hành chính" in frame.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(out_dir(request) / "hoan_kiem.png"), full_page=True)
    assert page.p03_external == [], page.p03_external
    assert page.p03_console_errors == [], page.p03_console_errors
    assert page.url.endswith("district=002")


def test_search_without_diacritics_and_english(app_server, browser_page):
    page = browser_page
    page.goto(app_server.url + "/district_map?district=002")
    page.get_by_text("công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
    settled(page)  # typing into a box a run is redrawing could be lost
    page.get_by_role("textbox", name="Tìm theo tên").fill("dong xuan")
    page.keyboard.press("Enter")  # its run, or one the page had started anyway, shows the result:
    page.get_by_text("2 công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
    settled(page)
    page.get_by_text("English").click()
    page.get_by_text("2 sites in Hoan Kiem").first.wait_for(timeout=30_000)


def test_offline_without_basemap(tmp_path, boundaries_dir, browser, request):
    """P03_TILES=none and no network: the boundaries and sites still show, nothing is fetched
    from outside (Leaflet, markercluster and jQuery come from the app's static folder)."""
    from tests.browser_support import AppServer, make_data_dir, new_page

    server = AppServer(make_data_dir(tmp_path, boundaries_dir), env={"P03_TILES": "none"})
    page = new_page(browser)
    try:
        page.goto(server.url + "/district_map?commune=00070")
        page.get_by_text("công trình trong Phường Hoàn Kiếm").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".p03-pin, .marker-cluster").first.wait_for(timeout=30_000)
        assert frame.locator(".leaflet-tile").count() == 0
        assert page.evaluate("() => window.p03.count") >= 10
        scripts = page.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
        assert any("/app/static/vendor/leaflet/leaflet.js" in s for s in scripts), scripts
        assert all(s.startswith("http://127.0.0.1") for s in scripts), scripts
        page.screenshot(path=str(out_dir(request) / "offline_commune.png"), full_page=True)
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
        server.stop()


def test_click_on_a_site_shows_its_details(app_server, browser_page):
    """A click on a pin reaches the page (the map reports the site's id) and the details table shows
    the site's facts; a filter change then redraws the sites in the same map (no new element, no
    iframe) and the details stay."""
    page = browser_page
    page.goto(app_server.url + "/district_map?district=002&category=market")
    frame = map_frame(page)
    frame.locator(".p03-pin").first.wait_for(timeout=30_000)
    # the page around the map no longer moves
    page.locator(".st-key-dm_table [data-testid='stDataFrame']").wait_for(timeout=30_000)
    settled(page)
    pin_on_top(frame.locator(".p03-pin")).click()  # in view and not under another pin or a control
    page.get_by_text("Thông tin chi tiết").first.wait_for(timeout=30_000)
    details = page.get_by_test_id("stDataFrame").nth(1)
    assert details.is_visible()
    # a filter change swaps the sites in the same map (the same element) and keeps the last click
    live = "document.querySelector('.p03-live-map')"
    before = page.evaluate(f"() => {{ {live}.p03mark = 1; return window.p03.count; }}")
    choose(page, "Loại công trình", "Công viên, vườn hoa")
    page.wait_for_function("n => window.p03.count > n", arg=before, timeout=30_000)
    assert page.evaluate(f"() => {live}.p03mark") == 1
    assert page.locator(".p03-live").count() == 1
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 0
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    assert page.get_by_text("Thông tin chi tiết").first.is_visible()
    assert page.p03_console_errors == [], page.p03_console_errors


def test_pressing_the_map_does_not_scroll_the_page(app_server, browser_page):
    """Leaflet focuses the map on a press and then restores the window's scroll; Streamlit scrolls
    its main pane instead, which jumped to bring the whole map into view (geo/maps/live.js)."""
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 700})
    page.goto(app_server.url + "/district_map")
    map_frame(page).locator(".p03-pin, .marker-cluster").first.wait_for(timeout=30_000)
    settled(page)
    main = "document.querySelector('[data-testid=stMain]')"
    page.evaluate(f"() => {{ {main}.scrollTop = 0; }}")
    box = page.locator(".p03-live-map").bounding_box()
    assert box["y"] + box["height"] > 700 > box["y"] + 100  # the map's foot is below the fold
    page.mouse.move(box["x"] + 20, 690)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.classList.contains('p03-live-map')", timeout=10_000)
    assert page.evaluate(f"() => {main}.scrollTop") == 0


def test_a_linked_view_survives_runs_before_its_filters_are_drawn(app_server, browser):
    """A shared link (``?district=002&q=dong+xuan``) on a busy machine: the sidebar filters' code
    arrives after the page has run again (here the visitor opens the sign-in box first). The filters
    then show the link's view, and the next run (the visitor switches to English) keeps it (they used to report empty values back)."""
    page = new_page(browser)
    try:
        held = []  # the search box's and the unit box's code, held back until a later run is over
        page.route(re.compile(r"/static/js/(TextInput|Selectbox)\.[^/]*\.js$"), lambda route: held.append(route))
        with page.expect_request(re.compile(r"TextInput\.[^/]*\.js$"), timeout=60_000), \
                page.expect_request(re.compile(r"Selectbox\.[^/]*\.js$"), timeout=60_000):
            page.goto(app_server.url + "/district_map?district=002&q=dong+xuan")
        page.get_by_text("2 công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
        side = page.locator("[data-testid='stSidebar']")
        with rerun(page):  # a run of its own (opening the sign-in box) while the filters wait for their code
            side.get_by_text("Tài khoản cán bộ").click()
        assert not page.get_by_role("textbox", name="Tìm theo tên").count()
        for route in held:
            route.continue_()
        search = page.get_by_role("textbox", name="Tìm theo tên")
        search.wait_for(timeout=30_000)
        # one more run, known by what it draws: the page in English
        page.get_by_text("English", exact=True).click()
        page.get_by_text("2 sites in Hoan Kiem").first.wait_for(timeout=60_000)
        page.wait_for_function(SCRIPT_IDLE, timeout=60_000)
        search = page.get_by_role("textbox", name="Search by name")
        assert search.input_value() == "dong xuan"
        assert "q=dong+xuan" in page.url and "district=002" in page.url, page.url
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
