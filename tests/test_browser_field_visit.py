"""The field-visit page in real Chromium on a phone-sized screen (390×844): pick sites, see the
numbered route, prepare the brief and download the PDF; nothing leaves the machine."""

from __future__ import annotations

import io

import pypdf
import pytest
from playwright.sync_api import expect

from tests.browser_support import SCRIPT_IDLE, app_server, browser, browser_page, new_page, out_dir, pin_on_top  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(browser):
    page = new_page(browser, width=PHONE["width"], height=PHONE["height"], is_mobile=True, has_touch=True,
                    device_scale_factor=2)
    yield page
    page.context.close()


def settled(page, *ready) -> None:
    """Wait for what the next step needs: each ``ready`` assertion (a callable running an
    ``expect``, which only the run that made the change can satisfy), then the end of that run."""
    for check in ready:
        check()
    page.wait_for_function(SCRIPT_IDLE, timeout=90_000)


def stops(page, n: int):
    """The route lists ``n`` stops (each with its remove button, key ``fv_rm_<id>``): the run that
    has them is drawn."""
    return lambda: expect(page.locator("[class*='st-key-fv_rm_']")).to_have_count(n, timeout=90_000)


def pick(page, label: str, text: str, option: str, close: bool = True) -> None:
    """Type into a select box and choose ``option``; ``close`` presses Escape (for a multiselect,
    whose list stays open; a selectbox would drop a choice not yet sent)."""
    box = page.get_by_label(label, exact=True).first
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=option).first.click()
    if close:
        page.keyboard.press("Escape")


def test_phone_builds_a_plan_and_downloads_the_pdf(app_server, phone, request):
    page = phone
    page.goto(app_server.url + "/field_visit")
    page.get_by_text("Chưa chọn công trình nào.").first.wait_for(timeout=90_000)
    chosen = page.locator("[data-testid='stMultiSelect'] [data-tag]")
    for n, (typed, option) in enumerate([("Đồng Xuân", "Chợ Đồng Xuân"), ("Nhà hát Lớn", "Nhà hát Lớn Hà Nội"),
                                         ("Chợ Hôm", "Chợ Hôm")], start=1):
        pick(page, "Công trình đã chọn", typed, option, close=False)
        settled(page, lambda n=n: expect(chosen).to_have_count(n, timeout=60_000), stops(page, n))
        page.keyboard.press("Escape")  # close the list, once the choice has reached the app
    page.get_by_text("Tổng:").first.wait_for(timeout=60_000)
    for name in ("Chợ Đồng Xuân", "Nhà hát Lớn Hà Nội", "Chợ Hôm"):
        assert page.get_by_text(name).count() >= 1
    # the page fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    page.get_by_text("Kế hoạch", exact=True).first.click()  # the plan details fold away once sites are chosen
    page.get_by_label("Tên chuyến đi").first.fill("Kiểm tra chợ – Hoàn Kiếm")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Chuẩn bị tài liệu").click()
    button = page.get_by_role("button", name="Tải PDF")
    button.wait_for(timeout=90_000)
    button.scroll_into_view_if_needed()
    # the QR code and the page icon are inline (data URLs), not media files a later run drops
    assert page.locator("[data-testid='stImage'] img").first.get_attribute("src").startswith("data:image/svg+xml")
    assert page.locator("link[rel*='icon']").first.get_attribute("href").startswith("data:image/png")
    page.screenshot(path=str(out_dir(request) / "phone_brief_ready.png"), full_page=True)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = pypdf.PdfReader(io.BytesIO(open(download.path(), "rb").read()))
    assert len(reader.pages) == 4
    text = "\n".join(p.extract_text() for p in reader.pages)
    for name in ("Chợ Đồng Xuân", "Nhà hát Lớn Hà Nội", "Chợ Hôm", "Kiểm tra chợ – Hoàn Kiếm"):
        assert name in text
    # the route map is drawn with numbered stops
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").nth(1)
    frame.locator(".p03-stop").first.wait_for(timeout=30_000)
    assert frame.locator(".p03-stop").count() == 4  # start + 3 stops
    assert page.p03_external == [], page.p03_external
    assert page.p03_console_errors == [], page.p03_console_errors


def test_desktop_choose_by_ticking_the_table_and_clicking_the_map(app_server, browser_page, request):
    page = browser_page
    page.goto(app_server.url + "/field_visit")
    settled(page, lambda: page.get_by_text("Chưa chọn công trình nào.").first.wait_for(timeout=90_000))
    # filter to Hoàn Kiếm (the filters are in the first screen)
    pick(page, "Chọn quận, huyện hoặc xã, phường", "Hoàn Kiếm", "Quận Hoàn Kiếm · Hoan Kiem", close=False)
    settled(page, lambda: expect(page.get_by_text("21 công trình trong Quận Hoàn Kiếm", exact=False))
            .to_have_count(1, timeout=60_000))
    # a click anywhere on a row toggles it: on, off, on again
    chosen = page.locator("[data-testid='stMultiSelect'] [data-tag]")
    row = page.locator("[data-testid='stCheckbox']", has_text="Chợ Đồng Xuân").first
    for expected in (1, 0, 1):
        row.get_by_text("Chợ Đồng Xuân").click()
        settled(page, lambda n=expected: expect(chosen).to_have_count(n, timeout=60_000), stops(page, expected))
        row = page.locator("[data-testid='stCheckbox']", has_text="Chợ Đồng Xuân").first
    assert chosen.nth(0).get_attribute("aria-label") == "Chợ Đồng Xuân"
    # click sites on the map: each joins the selection (two in a row: no click is forgotten)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    pins = frame.locator(".p03-pin")
    pins.first.wait_for(timeout=30_000)
    for target in (2, 3):
        names = {chosen.nth(k).get_attribute("aria-label") for k in range(chosen.count())}
        # a pin's title is its site's name: click one not chosen yet
        if frame.locator(".leaflet-popup-close-button").count():
            frame.locator(".leaflet-popup-close-button").first.click()  # the last site's popup
        settled(page)  # no run in progress (the map reports its first view back once drawn: one run)
        pin = pin_on_top(pins, names)  # in view and not under another pin, a line or a control
        title = pin.get_attribute("title")
        pin.click()
        settled(page, lambda n=target: expect(chosen).to_have_count(n, timeout=60_000), stops(page, target))
        assert title in {chosen.nth(k).get_attribute("aria-label") for k in range(target)}, title
    expect(page.get_by_text("Tổng:")).to_have_count(1, timeout=60_000)
    page.screenshot(path=str(out_dir(request) / "desktop_three_stops.png"))
    assert page.p03_external == [], page.p03_external
    assert page.p03_console_errors == [], page.p03_console_errors


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_six_stop_brief_from_the_home_page_in_8_clicks(app_server, browser, request, screen):
    """From the home page: Field visit, the district (box + option), "add all shown", prepare the
    brief, download the PDF: every click counted, at most 8 (on a phone the menu is opened first)."""
    page = new_page(browser) if screen == "desktop" else new_page(
        browser, width=PHONE["width"], height=PHONE["height"], is_mobile=True, has_touch=True, device_scale_factor=2)
    request.addfinalizer(page.context.close)
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        locator.scroll_into_view_if_needed()
        locator.click()
        clicks += 1

    page.goto(app_server.url)
    link = page.get_by_role("link", name="Đi kiểm tra thực địa").first
    link.wait_for(state="attached", timeout=90_000)
    off_screen = "e => { const r = e.getBoundingClientRect(); return r.right <= 0 || r.left >= window.innerWidth; }"
    if link.evaluate(off_screen):  # the phone's sidebar is folded away: open it
        click(page.locator("[data-testid='stExpandSidebarButton']").first)
    click(link)
    box = page.get_by_label("Chọn quận, huyện hoặc xã, phường", exact=True).first
    box.wait_for(timeout=90_000)
    sidebar = page.locator("[data-testid='stSidebar']").first
    if screen == "phone" and sidebar.evaluate("e => e.getBoundingClientRect().right > window.innerWidth / 2"):
        click(page.locator("[data-testid='stSidebarHeader'] button").first)  # the drawer stays open: close it
    box = page.get_by_label("Chọn quận, huyện hoặc xã, phường", exact=True).first
    box.wait_for(timeout=90_000)
    click(box)
    page.keyboard.type("Đống Đa")
    click(page.get_by_role("option", name="Quận Đống Đa · Dong Da").first)
    page.get_by_text("6 công trình trong Quận Đống Đa").first.wait_for(timeout=60_000)
    click(page.get_by_role("button", name="Thêm tất cả đang hiển thị (6)"))
    expect(page.locator("[data-testid='stMultiSelect'] [data-tag]")).to_have_count(6, timeout=60_000)
    page.get_by_text("Tổng:").first.wait_for(timeout=60_000)
    # the run that added the stops must be over, or the click lands on a widget being replaced
    settled(page, stops(page, 6))
    click(page.get_by_role("button", name="Chuẩn bị tài liệu"))
    button = page.get_by_role("button", name="Tải PDF")
    button.wait_for(timeout=90_000)
    with page.expect_download(timeout=60_000) as info:
        click(button)
    reader = pypdf.PdfReader(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    chosen = page.locator("[data-testid='stMultiSelect'] [data-tag]")
    names = [chosen.nth(k).get_attribute("aria-label") for k in range(6)]
    assert all(name in text for name in names), names
    page.screenshot(path=str(out_dir(request) / "six_stops.png"), full_page=True)
    assert clicks <= 8, clicks
    assert page.p03_external == [], page.p03_external
    assert page.p03_console_errors == [], page.p03_console_errors
