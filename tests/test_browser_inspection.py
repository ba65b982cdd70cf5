"""Recording a field inspection in real Chromium on a 390-px phone: a viewer opens a saved visit
plan, records findings and two photos (picked as from the gallery) for its first stop, sees the stop
marked recorded, then finds the site on the district map and sees the two thumbnails (thumbnails,
not originals) in its details; one opens full size. Nothing leaves the machine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo import auth
from geo.store import open_store
from tests.browser_support import (  # noqa: F401
    SCRIPT_IDLE,
    AppServer,
    browser,
    make_data_dir,
    new_page,
    out_dir,
    rerun,
    sign_in,
)
from tests.photo_support import DONG_XUAN, make_photo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def field_app(tmp_path_factory, boundaries_dir):
    data = make_data_dir(tmp_path_factory.mktemp("insp"), boundaries_dir)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "minh", "minh-pass-123", "viewer", user=auth.User("root", "admin"), display_name="Trần Minh")
    pid = store.save_plan({"name": "Kiểm tra chợ", "stop_ids": ["demo-012", "demo-031"], "visit_date": "2026-11-30"},
                          actor="minh")
    server = AppServer(data)
    server.plan_id = pid  # type: ignore[attr-defined]
    server.store = store  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_phone_records_a_stop_with_two_photos(field_app, browser, request):
    page = new_page(browser, width=1200, height=900)
    try:
        page.goto(field_app.url + f"/field_visit?plan={field_app.plan_id}")
        sign_in(page, "minh", "minh-pass-123")
        page.get_by_text("Trần Minh").first.wait_for(timeout=60_000)
        page.set_viewport_size({"width": 390, "height": 844})  # the same session, on a phone-sized screen
        expect(page.get_by_text("Chưa ghi", exact=False)).to_have_count(2, timeout=90_000)
        page.get_by_text("Ghi kết quả kiểm tra").first.click()
        findings = page.get_by_label("Kết quả kiểm tra (điều thấy được)").first
        findings.fill("Mái chợ đã lợp xong; các quầy chưa chuyển về.")
        a = make_photo((1200, 900), lat=DONG_XUAN[0], lon=DONG_XUAN[1], taken="2026:11:30 09:10:00", orientation=6)
        b = make_photo((1200, 800), color="olive")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files([
            {"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": a},
            {"name": "IMG_0002.JPG", "mimeType": "image/jpeg", "buffer": b}])
        captions = page.get_by_label("Chú thích ảnh")
        expect(captions).to_have_count(2, timeout=90_000)
        # each caption is sent (typing or Enter): the run it starts is over before the next one is typed
        with rerun(page):
            captions.nth(0).fill("Mái chợ")
            captions.nth(0).press("Enter")
        with rerun(page):
            captions.nth(1).fill("Quầy hàng tầng 2")
            captions.nth(1).press("Enter")
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        captions.nth(0).scroll_into_view_if_needed()
        page.screenshot(path=str(out_dir(request) / "phone_form.png"))
        page.get_by_role("button", name="Lưu kết quả kiểm tra").first.click()
        page.get_by_text("Đã lưu kết quả kiểm tra (2 ảnh).").wait_for(timeout=90_000)
        expect(page.get_by_text("Đã ghi 1 lần", exact=False)).to_have_count(1, timeout=60_000)
        df = field_app.store.list_inspections(plan_id=field_app.plan_id)
        assert len(df) == 1 and df.iloc[0]["n_photos"] == 2
        stored = field_app.store.list_photos(list(df["inspection_id"]), thumbs=False)
        assert [field_app.store.read_blob(s) for s in stored["sha256"]] == [a, b]  # byte for byte
        assert list(stored["caption"]) == ["Mái chợ", "Quầy hàng tầng 2"]

        page.goto(field_app.url + "/district_map?q=chợ đồng xuân")  # one site found: its details open
        page.get_by_text("Kết quả kiểm tra thực địa").first.wait_for(timeout=90_000)
        page.get_by_text("Mái chợ đã lợp xong; các quầy chưa chuyển về.").first.wait_for(timeout=60_000)
        thumbs = page.locator("[data-testid='stImage'] img")
        expect(thumbs).to_have_count(2, timeout=60_000)
        page.wait_for_function("[...document.querySelectorAll('[data-testid=stImage] img')].every(i => i.complete"
                               " && i.naturalWidth > 0)", timeout=60_000)
        sizes = thumbs.evaluate_all("els => els.map(e => [e.naturalWidth, e.naturalHeight])")
        assert all(max(w, h) <= 320 for w, h in sizes), sizes  # thumbnails are sent, not the originals
        assert sizes[0][0] < sizes[0][1]  # the EXIF orientation applied: portrait
        page.get_by_text("Quầy hàng tầng 2").first.wait_for()
        thumbs.first.scroll_into_view_if_needed()
        page.screenshot(path=str(out_dir(request) / "phone_site_details.png"))
        page.get_by_role("button", name="Xem ảnh lớn").first.click()
        big = page.locator("[role='dialog'] [data-testid='stImage'] img")
        big.wait_for(timeout=60_000)
        page.wait_for_function("document.querySelector(\"[role='dialog'] [data-testid=stImage] img\").naturalWidth"
                               " > 320", timeout=60_000)
        assert page.locator("[role='dialog']").get_by_role("button", name="Tải ảnh gốc").count() == 1
        # (the page icon, a Material Symbol set by ui.sidebar, is fetched by Streamlit as a favicon from
        # fonts.gstatic.com: not this feature's, left to its owner)
        outside = [u for u in page.p03_external if "/materialsymbolsrounded/" not in u]
        assert not outside, outside
    finally:
        page.context.close()


def test_a_plan_link_survives_runs_before_its_form_is_drawn(field_app, browser):
    """A saved plan's link on a busy machine: the form's code (multiselect, text boxes) arrives after
    the page has run again (the visitor opened the sign-in box first). The form then shows the plan,
    and the next run (the visitor switches to English) keeps its stops and name (they used to come back empty)."""
    page = new_page(browser)
    try:
        held = []  # the chosen-sites box's and the text boxes' code, held back until a later run is over
        page.route(re.compile(r"/static/js/(Multiselect|TextInput|TextArea)\.[^/]*\.js$"), lambda r: held.append(r))
        with page.expect_request(re.compile(r"Multiselect\.[^/]*\.js$"), timeout=60_000):
            page.goto(field_app.url + f"/field_visit?plan={field_app.plan_id}")
        side = page.locator("[data-testid='stSidebar']")
        side.get_by_text("Tài khoản cán bộ").wait_for(timeout=60_000)
        with rerun(page):  # a run of its own while the form waits for its code
            side.get_by_text("Tài khoản cán bộ").click()
        assert not page.locator("[data-testid='stMultiSelect']").count()
        for route in held:
            route.continue_()
        chosen = page.locator("[data-testid='stMultiSelect'] [data-tag]")
        expect(chosen).to_have_count(2, timeout=30_000)
        # one more run, known by what it draws: the page in English
        page.get_by_text("English", exact=True).click()
        page.get_by_label("Visit name").first.wait_for(state="attached", timeout=60_000)  # in the folded plan box
        page.wait_for_function(SCRIPT_IDLE, timeout=60_000)
        expect(chosen).to_have_count(2)
        assert {chosen.nth(k).get_attribute("aria-label") for k in range(2)} == {"Chợ Đồng Xuân", "Tuyến phố đi bộ đêm Hàng Đào – Đồng Xuân"}  # demo-012, demo-031
        assert page.get_by_label("Visit name").first.input_value() == "Kiểm tra chợ"
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()
