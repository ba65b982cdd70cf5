"""pages.ui.asset_cache: Streamlit's immutable frontend files answered from memory after their
first answer, exactly as Streamlit gave it; nothing else kept. The inner application here stands
for Streamlit's static route (its answers are shaped like Streamlit's: a start, then the body in
pieces); the real server's answers are checked in test_browser_page_html.py."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pages.ui.asset_cache import AssetCache

IMMUTABLE = (b"cache-control", b"public, immutable, max-age=31536000")


class Static:
    """Answers every path with its own body in two pieces; counts what it was asked."""

    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None, status: int = 200) -> None:
        self.asked: list[str] = []
        self.headers = headers if headers is not None else [(b"content-type", b"text/javascript"), IMMUTABLE]
        self.status = status

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.asked.append(scope["path"])
        body = scope["path"].encode() * 1000
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [*self.headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})


def get(app: Any, path: str, method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path, "headers": headers or []}
    with ThreadPoolExecutor(1) as thread:  # a loop of its own (the browser tests' may run in this one)
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_the_first_answer_is_passed_on_and_kept_then_replayed():
    inner = Static()
    app = AssetCache(inner)
    first = get(app, "/static/js/index.abc.js")
    again = get(app, "/static/js/index.abc.js")
    assert inner.asked == ["/static/js/index.abc.js"]  # asked once
    assert first == again and first[0] == 200 and first[2] == b"/static/js/index.abc.js" * 1000
    assert first[1][b"cache-control"] == IMMUTABLE[1]


@pytest.mark.parametrize(("path", "method", "headers"), [
    ("/district_map", "GET", []),  # not under /static/
    ("/app/static/vendor/leaflet/leaflet.js", "GET", []),  # the app's own files: Streamlit does not call them immutable
    ("/static/js/a.js", "HEAD", []),
    ("/static/js/a.js", "GET", [(b"range", b"bytes=0-9")]),
    ("/static/js/a.js", "GET", [(b"If-None-Match", b'"x"')]),
])
def test_other_requests_always_go_to_streamlit(path, method, headers):
    inner = Static()
    app = AssetCache(inner)
    for _ in range(2):
        get(app, path, method, headers)
    assert inner.asked == [path, path]
    assert app.kept == {}


@pytest.mark.parametrize(("headers", "status"), [
    ([(b"content-type", b"text/html"), (b"cache-control", b"no-cache")], 200),  # not immutable
    ([IMMUTABLE, (b"content-encoding", b"gzip")], 200),
    ([IMMUTABLE, (b"vary", b"accept-encoding")], 200),
    ([IMMUTABLE], 404),
])
def test_answers_that_may_change_or_differ_are_not_kept(headers, status):
    inner = Static(headers, status)
    app = AssetCache(inner)
    get(app, "/static/js/a.js")
    get(app, "/static/js/a.js")
    assert len(inner.asked) == 2 and app.kept == {}


def test_the_copies_are_bounded():
    inner = Static()
    app = AssetCache(inner, limit=len("/static/js/a.js") * 1000 + 10)
    for path in ("/static/js/a.js", "/static/js/b.js", "/static/js/a.js", "/static/js/b.js"):
        get(app, path)
    assert inner.asked == ["/static/js/a.js", "/static/js/b.js", "/static/js/b.js"]  # b did not fit
    assert app.size <= app.limit
