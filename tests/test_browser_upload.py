"""Upload in real Chromium: an editor signs in, uploads a GeoJSON through the page, reads the
report, commits, finds the new sites on the district map, and rolls the batch back."""

from __future__ import annotations

import json

import pytest

from geo import auth
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
    sign_in,
)

pytestmark = pytest.mark.browser

NAMES = ["Chợ Trình Duyệt Một", "Chợ Trình Duyệt Hai", "Chợ Trình Duyệt Ba"]


def upload_file(tmp_path):
    feats = [{"type": "Feature", "properties": {"name": name, "category": "chợ", "status": "Đang thi công"},
              "geometry": {"type": "Point", "coordinates": [105.845 + i * 0.004, 21.030]}}
             for i, name in enumerate(NAMES)]
    feats.append({"type": "Feature", "properties": {"name": "Chợ Bến Thành", "category": "chợ"},
                  "geometry": {"type": "Point", "coordinates": [106.698, 10.772]}})
    path = tmp_path / "cho_moi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture()
def server(tmp_path, boundaries_dir):
    data = make_data_dir(tmp_path, boundaries_dir)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "bientap", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    srv = AppServer(data)
    yield srv, store
    srv.stop()


def sign_in_editor(page) -> None:
    sign_in(page, "bientap", "mat-khau-dai-1")
    page.get_by_text("bientap").first.wait_for(timeout=30_000)


def test_upload_commit_see_on_map_and_roll_back(server, browser, tmp_path, request):
    srv, store = server
    before = store.count_sites()
    page = new_page(browser)
    try:
        page.goto(srv.url + "/upload")
        page.get_by_label("Tên đăng nhập").wait_for(timeout=60_000)  # the page is for editors only
        assert page.get_by_text("Tệp cần tải lên").count() == 0
        sign_in_editor(page)
        page.get_by_text("Tệp cần tải lên").first.wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(str(upload_file(tmp_path)))
        page.get_by_text("4 đối tượng — 3 hợp lệ, 1 bị loại").first.wait_for(timeout=60_000)
        # the report: the Hồ Chí Minh City point, with its distance to Hanoi
        page.get_by_text("Các vấn đề").first.wait_for()
        report = page.locator("[data-testid='stDataFrame']").first
        report.wait_for()
        assert store.count_sites() == before  # nothing written before the commit
        preview = map_frame(page)
        assert in_map(preview, "() => window.p03.count") == 3
        page.screenshot(path=str(out_dir(request) / "report.png"), full_page=True)
        page.get_by_role("button", name="Lưu 3 đối tượng hợp lệ").click()
        page.get_by_text("Đã lưu 3 công trình thành lô").first.wait_for(timeout=60_000)
        assert store.count_sites() == before + 3
        batch = store.list_batches().iloc[0]["batch_id"]

        # the new sites on the district map (in-app navigation keeps the signed-in session)
        page.get_by_role("link", name="Bản đồ theo quận").first.click()
        page.get_by_role("textbox", name="Tìm theo tên").fill("trinh duyet")
        page.keyboard.press("Enter")
        page.get_by_text("3 công trình trong Toàn thành phố").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".leaflet-marker-icon").first.wait_for(timeout=30_000)
        map_holds(page, 3)  # the kept map takes the run's sites a moment after the caption
        page.screenshot(path=str(out_dir(request) / "district_map.png"), full_page=True)

        # roll the batch back from the upload page
        page.get_by_role("link", name="Tải lên").first.click()
        page.get_by_role("button", name=f"Hoàn tác lô {batch}").click()
        page.get_by_text(f"Đã hoàn tác lô {batch}: gỡ 3 công trình").first.wait_for(timeout=60_000)
        assert store.count_sites() == before
        assert page.p03_external == [], page.p03_external
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
