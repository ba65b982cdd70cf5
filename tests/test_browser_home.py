"""The home page in real Chromium: a city map above the tables, and a district's sites in at most
3 clicks (counted): one click on the district in the city map opens its map with its sites, one
click on a row of its table shows that site's details. A click on a row of the home page's
district table opens that district too."""

from __future__ import annotations

import pytest

from tests.browser_support import app_server, browser, new_page, settled, stable_box  # noqa: F401

pytestmark = pytest.mark.browser

HOAN_KIEM = "002"

CENTRE_OF = """(code) => {
  let found = null;
  window.p03choro.layer.eachLayer((l) => { if (l.feature.properties.code === code) found = l; });
  const map = found._map, p = map.latLngToContainerPoint(found.getBounds().getCenter());
  const box = map.getContainer().getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def ready(page) -> None:
    """The page drawn and settled (no run in progress, its map drawn): a click made during a run is
    lost with the element it hits (a full run under load timed out on the table row's click)."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    settled(page)


def click_table_row(page, table, row: int) -> None:
    """Click the second column of data row ``row`` (0-based) of an st.dataframe (a canvas grid)."""
    stable_box(page, table)  # the map above sets its height when drawn: the table moves
    table.evaluate("e => e.scrollIntoView({block: 'center'})")  # once it has stopped (clear of the top bar)
    box = stable_box(page, table)
    x, y = box["x"] + min(140, box["width"] / 2), box["y"] + 35 * (row + 1) + 17
    hit = page.evaluate("([x, y]) => !!document.elementFromPoint(x, y)?.closest(\"[data-testid='stDataFrame']\")",
                        [x, y])
    assert hit, "the table's row is covered or outside the window"
    page.mouse.click(x, y)


def test_a_districts_sites_in_three_clicks_or_fewer(app_server, browser):
    page = new_page(browser)
    clicks = 0
    try:
        page.goto(app_server.url + "/")
        ready(page)
        frame_el = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60_000)
        frame = frame_el.content_frame()
        frame.wait_for_function("window.p03choro && window.p03choro.count === 30", timeout=60_000)
        inner = frame.evaluate(CENTRE_OF, HOAN_KIEM)
        box = frame_el.bounding_box()
        page.mouse.click(box["x"] + inner["x"], box["y"] + inner["y"])
        clicks += 1
        page.wait_for_url(f"**/district_map?*district={HOAN_KIEM}*", timeout=60_000)
        page.get_by_text("công trình trong Quận Hoàn Kiếm").wait_for(timeout=60_000)
        table = page.locator("[data-testid='stDataFrame']").first
        table.wait_for(timeout=60_000)
        assert clicks <= 3  # the district's sites: on its map and in its table

        ready(page)
        click_table_row(page, table, 0)
        clicks += 1
        page.get_by_role("heading", name="Thông tin chi tiết").wait_for(timeout=60_000)
        assert clicks <= 3, clicks
        assert "None" not in page.locator("[data-testid='stMain']").inner_text()
    finally:
        page.context.close()


def test_home_table_row_opens_the_district(app_server, browser):
    page = new_page(browser)
    try:
        page.goto(app_server.url + "/")
        ready(page)
        table = page.locator("[data-testid='stDataFrame']").first
        table.wait_for(timeout=60_000)
        click_table_row(page, table, 0)  # the first district of the layer: Ba Đình (001)
        page.get_by_text("công trình trong Quận Ba Đình").wait_for(timeout=60_000)  # same tab, no reload
        assert "/district_map" in page.url and "district=001" in page.url
    finally:
        page.context.close()
