"""Every page in real Chromium, in Vietnamese: none of Streamlit's own English strings shows
(placeholders, the uploader, hints, status), no emoji anywhere (icons are Material Symbols); and at
390 px (a phone) no page scrolls sideways and no element is wider than the viewport. Full-page
screenshots of each page at 390 px go to test-output/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo import auth
from geo.store import open_store
from tests.browser_support import AppServer, browser, make_data_dir, new_page, out_dir, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = ("/", "/district_map?district=002", "/upload", "/field_visit", "/indicators", "/admin")
#: English that Streamlit 1.67 draws by itself (checked against the visible text and placeholders)
STREAMLIT_ENGLISH = ("Choose an option", "Choose options", "Upload", "per file", "Drag and drop", "Browse files",
                     "No results", "No options", "Press Enter", "Skip to main content", "Running...", "Stop",
                     "Clear all", "Deploy", "Made with Streamlit")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")

VISIBLE_TEXT = """() => {
  const out = [document.body.innerText];
  for (const e of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && !e.value) out.push(e.placeholder);
  }
  // icon ligatures (Material Symbols) are glyphs, not words
  for (const e of document.querySelectorAll('[data-testid=stIconMaterial]')) out.push('');
  return out.join('\\n');
}"""

TOO_WIDE = """(width) => {
  const main = document.querySelector('[data-testid=stMain]');
  const bad = [];
  const name = (e) => `${e.tagName}.${e.getAttribute('data-testid') || e.className || ''} in ${(e.parentElement.closest('[data-testid]') || main).getAttribute('data-testid')} ${(e.innerText || '').slice(0, 30)}`.slice(0, 120);
  for (const e of main.querySelectorAll('*')) {
    // a table may scroll inside its own frame; the frame itself must fit
    if (e.closest('[data-testid=stDataFrame]') && e.getAttribute('data-testid') !== 'stDataFrame') continue;
    if (e.closest('[data-testid=stProgressBarTrack]')) continue;  // the fill slides inside its clipped track
    // the district map is drawn in the page: its tiles and panes slide inside the map, which clips them
    if (e.closest('.leaflet-container') && !e.classList.contains('leaflet-container')) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 1 || r.left < -1) bad.push(`${name(e)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    const s = getComputedStyle(e);
    if (/(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
      bad.push(`${name(e)} scrolls sideways ${e.scrollWidth} > ${e.clientWidth}`);
  }
  return {scroll: Math.max(document.documentElement.scrollWidth, main.scrollWidth), bad: bad.slice(0, 10)};
}"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, boundaries_dir):
    """The app over the demo sites with an editor, so that the pages show their editing widgets."""
    data = make_data_dir(tmp_path_factory.mktemp("lang"), boundaries_dir)
    auth.add_user(open_store(url="", folder=data / "projects"), "lan", "lan-pass-123", "admin", actor="test",
                  bootstrap=True)
    server = AppServer(data)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_cookie(app_server, browser):
    """The signed-in admin's cookies, from one sign-in through the sidebar form for the module."""
    page = signed_in_page(browser, app_server)
    try:
        return page.context.storage_state()
    finally:
        page.context.close()


def admin_page(browser, server, state, path: str, **kwargs):
    """``path`` opened in a fresh browser context holding the admin's sign-in cookie; ready, and
    showing the admin signed in (the cookie signs the page load in)."""
    page = new_page(browser, storage_state=state, **kwargs)
    page.goto(server.url + path)
    settle(page)
    assert page.get_by_text("Đang đăng nhập:").count() >= 1, path  # signed in by the cookie
    return page


def signed_in_page(browser, server, **kwargs):
    """A page signed in as the admin (the cookie then signs every later page load in)."""
    page = new_page(browser, **kwargs)
    page.goto(server.url + "/")
    settle(page)
    side = page.locator("[data-testid='stSidebar']")
    if not side.is_visible():
        page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button"
                     ).first.click()
    sign_in(page, "lan", "lan-pass-123")
    page.wait_for_function("document.body.dataset.p03Cookie === 'ok'", timeout=60_000)
    return page


def settle(page) -> None:
    """Readiness: the script run has finished (Streamlit's own state attribute) and drawn a title."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    page.wait_for_load_state("networkidle", timeout=60_000)  # lazily loaded widget code (the uploader's)


def strip_icons(page, text: str) -> str:
    icons = page.eval_on_selector_all("[data-testid=stIconMaterial]", "es => es.map(e => e.innerText)")
    for name in sorted(set(icons), key=len, reverse=True):
        text = re.sub(rf"(?m)^{re.escape(name)}$", "", text)
    return text


@pytest.mark.parametrize("path", PAGES)
def test_vietnamese_pages_show_no_streamlit_english_and_no_emoji(app_server, admin_cookie, browser, path):
    page = admin_page(browser, app_server, admin_cookie, path)
    try:
        if path == "/upload":
            page.wait_for_selector("[data-testid='stFileUploaderDropzone']", timeout=30_000)
        try:  # the page's stylesheet arrives with the script run's output: give it time to apply
            page.wait_for_function("(words) => !words.some((w) => document.body.innerText.includes(w))",
                                   arg=["Skip to main content", "per file"], timeout=20_000)
        except PlaywrightTimeout:
            pass  # reported below, word by word
        text = strip_icons(page, page.evaluate(VISIBLE_TEXT))
        leaks = [w for w in STREAMLIT_ENGLISH if re.search(rf"(?<![\w/]){re.escape(w)}(?!\w)", text)]
        assert leaks == [], (path, leaks)
        assert EMOJI.findall(text) == [], (path, EMOJI.findall(text))
        assert page.p03_external == [], page.p03_external  # icons and favicon are served by the app
    finally:
        page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_no_sideways_overflow(app_server, admin_cookie, browser, request, path):
    page = admin_page(browser, app_server, admin_cookie, path, width=390, height=844, is_mobile=True, has_touch=True,
                      device_scale_factor=2)
    try:
        found = page.evaluate(TOO_WIDE, 390)
        # Streamlit scrolls inside its main pane: grow the viewport to the content for a full page
        height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": 390, "height": min(int(height), 12_000)})
        settle(page)
        name = path.strip("/").split("?")[0] or "home"
        page.screenshot(path=str(out_dir(request) / f"{name}-390.png"), full_page=True)
        assert found["scroll"] <= 390 and found["bad"] == [], (path, found)
    finally:
        page.context.close()
