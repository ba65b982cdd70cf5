"""What the app's server adds to the HTML page Streamlit sends for each of the app's pages
(:class:`PageMiddleware`, added to the ``st.App`` in app.py).

- **Where the server is.** Opened at ``/district_map``, Streamlit's page cannot tell whether the
  app lives at ``/`` or at ``/district_map/``. It asks ``/district_map/_stcore/health`` first,
  gets a 404, waits 100 ms and asks ``/_stcore/health``: every page but the home page, opened from
  a link, a bookmark or a reload, started ~120 ms late (``docs/benchmarks.md``, eighth round).
  The page now says where the server is before Streamlit's script runs
  (``window.__streamlit.BACKEND_BASE_URL``, the setting Streamlit reads for exactly that), worked
  out in the browser from its own address minus the page's name, so a proxy in front that adds a
  prefix is still right. A page that already has ``window.__streamlit`` (an embedding host) keeps
  it.
- **Leaflet fetched with Streamlit's own scripts** on the district map: ``Link: <...>;
  rel=preload`` headers for the map's scripts and style sheets (:func:`geo.maps.live.preload_links`;
  the map's element arrives after a score of Streamlit's lazily loaded chunks, and the files
  fetched only then took 0.3-0.4 s). An in-app move to the page loads them in the element.

Only the app's own page names are matched (never anything taken from the request), and only
``GET`` answers of type ``text/html``; the page is sent uncompressed (8 KB) so it can be edited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo import assets
from geo.maps import live
from pages.ui.cookies import base_path

PRELOAD_PAGES = ("district_map",)  # the pages whose HTML names the map's files for preloading


def page_names() -> tuple[str, ...]:
    """The URL names of the app's pages other than the home page (``pages/district_map.py`` ->
    ``district_map``), as Streamlit derives them from the files."""
    from pages.ui import existing_pages

    return tuple(Path(script).stem for script, _key, _icon in existing_pages() if script.startswith("pages/"))


def boot_script(name: str) -> bytes:
    """The ``<script>`` telling Streamlit where its server is, for the page called ``name``."""
    js = ("(function(n){if(window.__streamlit)return;var p=location.pathname.replace(/\\/+$/,'');"
          "var b=p.slice(-n.length-1)==='/'+n?p.slice(0,-n.length):p+'/';"
          "window.__streamlit={BACKEND_BASE_URL:location.origin+b};})(" + json.dumps(name) + ");")
    return f"<script>{js}</script>".encode("ascii")


class PageMiddleware:
    """ASGI middleware: the app's page documents get :func:`boot_script` (every page but the home
    page) and the map's preload ``Link`` header (:data:`PRELOAD_PAGES`); see the module docstring."""

    def __init__(self, app: Any, pages: tuple[str, ...] | None = None,
                 preload: tuple[str, ...] = PRELOAD_PAGES) -> None:
        self.app = app
        base = base_path()  # server.baseUrlPath: the paths the server sees start with it
        names = page_names() if pages is None else pages
        self.boot = {f"{base}/{name}": boot_script(name) for name in names}
        link = live.preload_links(base + assets.APP_BASE_URL).encode("ascii")
        self.link = {f"{base}/{name}": link for name in preload if name in names}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "").rstrip("/") if scope["type"] == "http" else ""
        if scope.get("method") != "GET" or path not in self.boot:
            await self.app(scope, receive, send)
            return
        plain = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def edit(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if not _is_html(message):
                    start["pass"] = True
                    await send(message)
                return
            if start.get("pass") or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_edited(send, start, b"".join(body), path)

        await self.app({**scope, "headers": plain}, receive, edit)

    async def _send_edited(self, send: Any, start: dict[str, Any], body: bytes, path: str) -> None:
        if b"<head>" in body:
            body = body.replace(b"<head>", b"<head>" + self.boot[path], 1)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        if path in self.link:
            headers.append((b"link", self.link[path]))
        await send({"type": "http.response.start", "status": start.get("status", 200), "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _is_html(message: Any) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in message.get("headers", []))
