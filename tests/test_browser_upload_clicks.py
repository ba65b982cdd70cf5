"""Upload as a surveyor does it, in real Chromium, counting clicks: from the home page, open
Upload, sign in with the form it shows, choose the VN-2000 shapefile with its `TT` (tình trạng) column, commit, and follow
"show on map" to the district map filtered to the new batch: at most 5 clicks, statuses kept.
And a CSV with no CRS that several systems fit: the candidates side by side, one click to choose."""

from __future__ import annotations

import pytest

from geo import auth, reference
from geo.store import open_store
from tests.browser_support import (  # noqa: F401
    AppServer,
    browser,
    in_map,
    make_data_dir,
    map_frame,
    map_holds,
    new_page,
    out_dir,
    settled,
    sign_in,
)
from tests.conftest import TEST_DATA
from tests.data.vn2000.make_files import EXPECTED_STATUS, SHAPEFILE_ROWS

pytestmark = pytest.mark.browser
SHAPEFILE = TEST_DATA / "vn2000" / "cong_trinh_tt.zip"


class Clicks:
    """Every click of the scripted user goes through here and is counted."""

    def __init__(self) -> None:
        self.n = 0

    def click(self, locator) -> None:
        locator.click()
        self.n += 1


@pytest.fixture(scope="module")
def server(tmp_path_factory, boundaries_dir, shared_data):
    """One app for the module: the first test commits a batch, the second only previews files (no
    commit), so it sees the same pages with one more batch in the store."""
    data = make_data_dir(tmp_path_factory.mktemp("clicks"), boundaries_dir)
    reference.import_reference(shared_data / "reference", data / "reference")
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "khaosat", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    srv = AppServer(data)
    yield srv, store
    srv.stop()


def test_vn2000_shapefile_with_tt_onto_the_map_in_5_clicks(server, browser, request):
    srv, store = server
    page = new_page(browser)
    clicks = Clicks()
    try:
        page.goto(srv.url)
        settled(page)  # a click during the home page's first run (or its map's) is lost with the page it hits
        clicks.click(page.get_by_role("link", name="Tải lên").first)
        page.get_by_label("Tên đăng nhập").wait_for(timeout=60_000)  # the page is for editors: its form shows
        sign_in(page, "khaosat", "mat-khau-dai-1")
        clicks.n += 1  # the sign-in button
        page.get_by_text("khaosat").first.wait_for(timeout=30_000)
        try:
            page.get_by_text("Tệp cần tải lên").first.wait_for(timeout=90_000)
        finally:
            page.screenshot(path=str(out_dir(request) / "upload_page.png"), full_page=True)
        with page.expect_file_chooser() as chooser:
            clicks.click(page.locator("[data-testid='stFileUploaderDropzone'] button").first)
        chooser.value.set_files(str(SHAPEFILE))
        n = len(SHAPEFILE_ROWS)
        page.get_by_text(f"{n} đối tượng — {n} hợp lệ, 0 bị loại").first.wait_for(timeout=90_000)
        page.get_by_text("Giá trị được nhận theo quy tắc từ khóa").first.wait_for()  # the rules shown
        page.screenshot(path=str(out_dir(request) / "checked.png"), full_page=True)
        clicks.click(page.get_by_role("button", name=f"Lưu {n} đối tượng hợp lệ"))
        link = page.get_by_role("link", name=f"Xem {n} công trình của lô")
        link.wait_for(timeout=60_000)
        batch = store.list_batches().iloc[0]["batch_id"]
        clicks.click(link)
        page.get_by_text(f"{n} công trình trong Toàn thành phố").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".leaflet-marker-icon").first.wait_for(timeout=30_000)
        map_holds(page, n)  # the kept map takes the run's sites a moment after the caption
        assert f"batch={batch}" in page.url
        page.screenshot(path=str(out_dir(request) / "on_map.png"), full_page=True)
        assert clicks.n <= 5, clicks.n
        sites = store.query_sites().set_index("name")
        assert [sites.at[row[0], "status"] for row in SHAPEFILE_ROWS] == EXPECTED_STATUS
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()


def sign_in_surveyor(page) -> None:
    sign_in(page, "khaosat", "mat-khau-dai-1")
    page.get_by_text("khaosat").first.wait_for(timeout=30_000)


def test_ambiguous_crs_shows_the_candidates_and_one_click_chooses(server, browser, request):
    srv, _store = server
    page = new_page(browser)
    try:
        page.goto(srv.url + "/upload")
        page.get_by_label("Tên đăng nhập").wait_for(timeout=60_000)
        sign_in_surveyor(page)
        page.locator("input[type=file]").set_input_files(str(TEST_DATA / "vn2000" / "utm48n_no_names.csv"))
        page.get_by_text("hệ tọa độ cùng đặt các điểm vào Hà Nội").first.wait_for(timeout=90_000)
        frames = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        compare = frames.first  # the comparison map comes before the preview
        compare.locator(".leaflet-container").wait_for(timeout=30_000)
        assert compare.locator("body").evaluate("() => window.p03crs.candidates") == 3
        assert compare.locator("body").evaluate("() => window.p03crs.points") == 12
        page.screenshot(path=str(out_dir(request) / "ambiguous.png"), full_page=True)
        # the second candidate is VN-2000 / UTM 48N: one click reads the file in it
        page.get_by_role("button", name="Dùng hệ này").nth(1).click()
        page.get_by_text("Hệ tọa độ: VN-2000 / UTM múi 48N (EPSG:3405)").first.wait_for(timeout=60_000)

        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
    # names that are OpenStreetMap features at those places: picked by evidence, said so
    page = new_page(browser)
    try:
        page.goto(srv.url + "/upload")
        page.get_by_label("Tên đăng nhập").wait_for(timeout=60_000)
        sign_in_surveyor(page)
        page.locator("input[type=file]").set_input_files(str(TEST_DATA / "vn2000" / "utm48n_osm_names.csv"))
        page.get_by_text("theo bằng chứng").first.wait_for(timeout=90_000)
        page.get_by_text("Hệ tọa độ: VN-2000 / UTM múi 48N (EPSG:3405)").first.wait_for()
        page.screenshot(path=str(out_dir(request) / "by_evidence.png"), full_page=True)
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
