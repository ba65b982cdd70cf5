"""What the app's server adds to Streamlit's answers, on the real server and in real Chromium:
each page's HTML (pages.ui.page_html) tells Streamlit where the server is, so a page opened from a
link asks the right address at once (no 404 on ``<page>/_stcore/health`` and no 100 ms wait for
the retry); only the district map's names Leaflet's files for preloading; Streamlit's own script
chunks come from memory after their first answer, unchanged (pages.ui.asset_cache)."""

from __future__ import annotations

import urllib.request

import pytest

from pages.ui import page_html
from tests.browser_support import app_server, browser, new_page, settled  # noqa: F401

pytestmark = pytest.mark.browser


def _get(url: str, method: str = "GET") -> tuple[bytes, dict[str, str]]:
    req = urllib.request.Request(url, method=method, headers={"Accept-Encoding": "gzip, br"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
        return r.read(), {k.lower(): v for k, v in r.headers.items()}


@pytest.mark.parametrize(("path", "name", "link"), [
    ("/district_map", "district_map", True),
    ("/district_map/", "district_map", True),
    ("/upload", "upload", False),
    ("/field_visit", "field_visit", False),
])
def test_each_page_says_where_the_server_is(app_server, path, name, link):
    body, headers = _get(app_server.url + path)
    assert "content-encoding" not in headers  # sent plain so that it could be edited
    assert int(headers["content-length"]) == len(body)
    script = page_html.boot_script(name)
    assert body.count(script) == 1 and body.index(script) == body.index(b"<head>") + len(b"<head>")
    assert b'<div id="root">' in body  # Streamlit's page otherwise as it was
    assert ("</app/static/vendor/leaflet/leaflet.js>; rel=preload; as=script" in headers.get("link", "")) is link


@pytest.mark.parametrize("path", ["/", "/district_mapx", "/upload/district_map"])
def test_other_documents_are_not_changed(app_server, path):
    body, headers = _get(app_server.url + path)
    assert b"__streamlit" not in body
    assert "link" not in headers


def test_streamlits_own_files_are_answered_again_exactly_as_the_first_time(app_server):
    """pages.ui.asset_cache on the real server: a script chunk fetched twice (the second time from
    memory) comes back byte for byte and header for header the same, marked immutable; the app's
    own files (not immutable) as before."""
    import re

    page, _ = _get(app_server.url + "/")
    chunk = "/" + re.findall(rb'src="\.?/?(static/js/[^"]+)"', page)[0].decode()
    first = _get(app_server.url + chunk)
    again = _get(app_server.url + chunk)
    drop = ("date", "server")
    assert first[0] == again[0] and len(first[0]) > 10_000
    assert {k: v for k, v in first[1].items() if k not in drop} == {k: v for k, v in again[1].items() if k not in drop}
    assert "immutable" in first[1]["cache-control"]
    _, headers = _get(app_server.url + "/app/static/vendor/leaflet/leaflet.js")
    assert headers.get("content-encoding") == "gzip"  # compressed on each request, as before
    assert "immutable" not in headers.get("cache-control", "")


def test_a_page_opened_from_a_link_asks_the_server_once(app_server, browser):
    page = new_page(browser)
    asked: list[tuple[str, int]] = []
    page.on("response", lambda r: asked.append((r.url, r.status)) if "/_stcore/" in r.url else None)
    try:
        page.goto(app_server.url + "/indicators?lang=en")
        settled(page)
        assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == app_server.url + "/"
        probes = [(u, s) for u, s in asked if u.endswith(("/health", "/host-config"))]
        assert probes and all(s == 200 and "/indicators/" not in u for u, s in probes), probes
        assert page.p03_console_errors == [], page.p03_console_errors
    finally:
        page.context.close()


@pytest.mark.parametrize(("url", "base"), [
    ("http://p03.test/district_map", "http://p03.test/"),
    ("http://p03.test/district_map/?district=002", "http://p03.test/"),
    ("http://p03.test/p03map/district_map", "http://p03.test/p03map/"),  # a proxy's prefix
    ("http://p03.test/p03map/upload", None),  # another page's name: the page's own address
])
def test_the_address_is_worked_out_in_the_browser(browser, url, base):
    """The script alone, at addresses this server does not have (served by the test)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        html = b"<html><head>" + page_html.boot_script("district_map") + b"</head><body></body></html>"
        context.route("http://p03.test/**", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto(url)
        got = page.evaluate("() => window.__streamlit.BACKEND_BASE_URL")
        assert got == (base or url.rstrip("/") + "/")
        # an embedding host's own setting is kept
        context.add_init_script("window.__streamlit = {BACKEND_BASE_URL: 'http://host.test/app/'}")
        page.goto(url)
        assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == "http://host.test/app/"
    finally:
        context.close()
