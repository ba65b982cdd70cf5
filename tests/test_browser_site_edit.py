"""Editing sites on the district map in real Chromium (Leaflet-Geoman served by the app): an editor
drags a market's marker into the neighbouring commune and the details then name that commune;
an editor draws a new polygon site and fills its form; on a 390-px phone the edit map's controls
are big enough for a finger. No request leaves 127.0.0.1."""

from __future__ import annotations

import re

import pytest
import shapely
from playwright.sync_api import expect

from geo import auth, boundaries
from geo.store import open_store
from tests.browser_support import (  # noqa: F401
    AppServer,
    browser,
    make_data_dir,
    map_frame,
    map_holds,
    new_page,
    out_dir,
    settled,
    sign_in,
    stable_box,
)

pytestmark = pytest.mark.browser
PASSWORD = "editor-pass-123"


@pytest.fixture(scope="module")
def edit_app(tmp_path_factory, boundaries_dir):
    data = make_data_dir(tmp_path_factory.mktemp("edit"), boundaries_dir)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", PASSWORD, "editor", user=auth.User("root", "admin"), display_name="Nguyễn Lan")
    server = AppServer(data)
    server.store = store
    server.bounds = boundaries.get(data / "boundaries")
    yield server
    server.stop()


def sign_in_lan(page) -> None:
    sign_in(page, "lan", PASSWORD)
    page.get_by_text("Đăng nhập với").or_(page.get_by_text("Nguyễn Lan")).first.wait_for(timeout=30_000)


def edit_frame(page, nth: int = 0):
    """The first streamlit-folium iframe: the edit map (the browsing map is drawn in the page)."""
    sel = "iframe[title='streamlit_folium.st_folium']"
    page.locator(sel).nth(nth).wait_for(timeout=60_000)
    frame = page.frame_locator(sel).nth(nth)
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    return frame, page.locator(sel).nth(nth)


def page_xy(frame, iframe, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is on the page, through the edit map's own projection."""
    x, y = frame.locator("body").evaluate(
        "(_el, [lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
        " const r = window.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        [lat, lon])
    box = iframe.bounding_box()
    return box["x"] + x, box["y"] + y


# Fit the edit map to both points, without animation, until its view holds them: Leaflet drops a
# new view asked for while a zoom is still animating (its _tryAnimatedZoom returns early).
SHOW_BOTH = """([a, b]) => { const m = window.map; if (!m || m._animatingZoom) return false;
  const inner = m.getBounds().pad(-0.1);
  if (inner.contains(a) && inner.contains(b)) return true;
  m.fitBounds([a, b], {padding: [60, 60], animate: false}); return false; }"""


def show_both(iframe, a: list[float], b: list[float]) -> None:
    iframe.element_handle().content_frame().wait_for_function(SHOW_BOTH, arg=[a, b], timeout=30_000, polling=100)


def neighbour_point(b, site_geom, commune_code: str) -> tuple[shapely.Point, str]:
    """A point inside the commune nearest to the site other than its own, in the same district."""
    communes = b.layer("commune")
    district = b.layer("district")
    own = district[district.contains(site_geom)].geometry.iloc[0]
    others = communes[(communes["code"] != commune_code) & communes.representative_point().within(own)]
    nearest = others.iloc[int(shapely.distance(others.geometry.to_numpy(), site_geom).argmin())]
    return nearest.geometry.representative_point(), str(nearest["name"])


def test_drag_a_marker_into_another_commune(edit_app, browser, request):
    site = edit_app.store.get_site("demo-012")  # Chợ Đồng Xuân, Phường Hoàn Kiếm
    target, commune_name = neighbour_point(edit_app.bounds, site["geometry"], site["commune_codes"])
    page = new_page(browser)
    try:
        page.goto(edit_app.url + "/district_map?district=002&q=dong+xuan")
        sign_in_lan(page)
        frame = map_frame(page)
        frame.locator(".p03-pin").first.wait_for(timeout=30_000)
        settled(page)
        assert page.get_by_role("textbox", name="Tìm theo tên").input_value() == "dong xuan"
        map_holds(page, 2)  # Chợ Đồng Xuân (the one pin) and the Hàng Đào – Đồng Xuân night street
        frame.locator(".p03-pin").first.click()  # Playwright waits until the pin stops moving (zoom animation)
        page.get_by_text(re.compile(r"Sửa công trình$")).click()
        ef, iframe = edit_frame(page)
        marker = ef.locator(".leaflet-marker-icon.leaflet-pm-draggable")
        marker.wait_for(timeout=30_000)
        settled(page)  # the run that opened the editor is over: nothing moves the edit map any more
        # the edit map sits low on the page: bring all of it into view (Playwright's "if needed"
        # leaves a partly visible element where it is, and a drag below the window is never seen)
        iframe.evaluate("e => e.scrollIntoView({block: 'center'})")
        # show both the market and the target, then drag with the mouse like a person
        show_both(iframe, [site["geometry"].y, site["geometry"].x], [target.y, target.x])
        box = stable_box(page, marker)  # where the icon really is on the page now, and stays
        x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        x1, y1 = page_xy(ef, iframe, target.y, target.x)
        y1 -= box["height"] / 2  # the icon's anchor is its bottom tip: keep the grab point above it
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=8)
        page.mouse.move(x1, y1, steps=8)
        page.mouse.up()
        page.get_by_text("Vị trí mới nằm ở").wait_for(timeout=30_000)
        assert commune_name in page.get_by_text("Vị trí mới nằm ở").inner_text()
        page.get_by_role("button", name="Lưu thay đổi").click()
        page.get_by_text("Đã lưu phiên bản").wait_for(timeout=30_000)
        details = page.get_by_test_id("stDataFrame").nth(1)
        details.get_by_text(commune_name).first.wait_for(state="attached", timeout=30_000)  # glide grid cells
        moved = edit_app.store.get_site("demo-012")
        assert moved["commune_codes"] != site["commune_codes"]
        assert moved["geometry"].distance(target) < 0.0005  # within ~50 m of where it was dropped
        page.screenshot(path=str(out_dir(request) / "dragged.png"), full_page=True)
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.screenshot(path=str(out_dir(request) / "last.png"), full_page=True)
        page.context.close()


def test_draw_a_new_polygon_site(edit_app, browser, request):
    page = new_page(browser)
    try:
        page.goto(edit_app.url + "/district_map?district=002")
        sign_in_lan(page)
        map_frame(page)
        page.get_by_text(re.compile(r"Vẽ công trình mới$")).click()
        ef, iframe = edit_frame(page)
        ef.locator(".leaflet-pm-icon-polygon").click()
        settled(page)  # the run that opened the editor is over: the page around the edit map stops moving
        iframe.scroll_into_view_if_needed()
        box = stable_box(page, iframe)
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(20, -40), (140, -40), (150, 50), (30, 60)]  # right of the toolbar and its actions
        drawing = iframe.element_handle().content_frame()
        extra = (90, 110)  # a fifth vertex, below the ring and clear of the toolbar's action buttons
        for n, (dx, dy) in enumerate([*corners, extra], start=1):
            page.mouse.click(cx + dx, cy + dy)
            # one tap at a time, as a finger would: the next once Geoman holds this vertex
            drawing.wait_for_function("n => window.map.pm.Draw.Polygon._layer.getLatLngs().length === n", arg=n,
                                      timeout=30_000)
        ef.locator(".action-removeLastVertex:visible").click()  # undo the last vertex (the extra one)
        ef.locator(".action-finish:visible").click()  # "Xong": close the ring
        page.get_by_text("Vị trí mới nằm ở").wait_for(timeout=30_000)
        form = page.locator("[data-testid='stForm']")
        form.get_by_label("Tên").fill("Không gian đi bộ <b>mới</b>")
        form.get_by_label("Loại công trình").click()
        page.keyboard.type("Phố đi bộ")
        page.get_by_role("option", name="Phố đi bộ, không gian đi bộ").first.wait_for(timeout=30_000)
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Tạo công trình").click()
        page.get_by_text("Đã tạo công trình").wait_for(timeout=30_000)
        sites = edit_app.store.query_sites()
        new = sites[sites["name"] == "Không gian đi bộ <b>mới</b>"]
        assert len(new) == 1
        geom = new.geometry.iloc[0]
        assert geom.geom_type == "Polygon" and len(geom.exterior.coords) == 5  # 4 corners, closed
        assert new["category"].iloc[0] == "pedestrian" and new["district_codes"].iloc[0]
        page.screenshot(path=str(out_dir(request) / "drawn.png"), full_page=True)
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.screenshot(path=str(out_dir(request) / "last.png"), full_page=True)
        page.context.close()


def test_phone_places_a_point_with_a_tap(edit_app, browser, request):
    """390 px wide, touch only: the draw tools, their actions and the undo button are finger-sized
    (44 px), and a new site's point is placed by two taps (tool, map); its form names where it lies."""
    page = new_page(browser, width=390, height=844, has_touch=True, is_mobile=True)
    try:
        page.goto(edit_app.url + "/district_map?district=002")
        page.get_by_text("công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
        side = page.locator("[data-testid='stSidebar']")
        sign_in(page, "lan", PASSWORD)  # opens the collapsed sidebar and its sign-in box first
        page.get_by_text("Nguyễn Lan").first.wait_for(timeout=30_000)
        if side.get_attribute("data-collapsed") == "false":  # close it (its button shows on hover only)
            side.locator("[data-testid='stSidebarHeader'] button").first.evaluate("b => b.click()")
        expect(side).to_have_attribute("data-collapsed", "true", timeout=30_000)
        toggle = page.get_by_text(re.compile(r"Vẽ công trình mới$"))
        toggle.scroll_into_view_if_needed()
        toggle.tap()
        ef, iframe = edit_frame(page)
        iframe.scroll_into_view_if_needed()
        line = ef.locator("a.leaflet-buttons-control-button").filter(has=ef.locator(".leaflet-pm-icon-polyline"))
        for control in (line, ef.locator(".p03-undo")):
            box = control.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, box  # a finger's size
        line.tap()
        cancel = ef.locator(".action-cancel:visible")
        assert cancel.bounding_box(timeout=10_000)["height"] >= 44  # "Huỷ", "Xong", "Xoá đỉnh cuối"
        cancel.tap()
        ef.locator("a.leaflet-buttons-control-button").filter(has=ef.locator(".leaflet-pm-icon-marker")).tap()
        box = iframe.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.get_by_text("Vị trí mới nằm ở").wait_for(timeout=30_000)
        assert ef.locator("body").evaluate("() => window.drawnItems.toGeoJSON().features[0].geometry.type") == "Point"
        page.screenshot(path=str(out_dir(request) / "phone.png"), full_page=True)
        assert page.p03_external == [], page.p03_external
    finally:
        page.screenshot(path=str(out_dir(request) / "last.png"), full_page=True)
        page.context.close()
