"""A blank-tile server on 127.0.0.1 for browser tests and page benchmarks: the map's basemap is
the one outside service the app calls, and this stands in for it (every path answers a 1×1 PNG).

A real server rather than Playwright's request interception: routing a browser context through
Playwright disables Chromium's HTTP cache and sends every request (Streamlit's scripts, the map's
assets) through the test process and back, which costs CPU and adds latency the app's users never
pay. Requests that would leave the machine are recorded from the context's ``request`` events instead.
"""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII=")
#: what a page may load without it counting as leaving the machine
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(BLANK_PNG)))
            self.send_header("Cache-Control", "max-age=3600")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(BLANK_PNG)
        except (BrokenPipeError, ConnectionResetError):  # the page moved on before its tile came
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


_SERVER: dict[str, ThreadingHTTPServer] = {}


def tile_url() -> str:
    """The ``P03_TILES`` template of this process's blank-tile server (started on first use)."""
    if "server" not in _SERVER:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="blank-tiles", daemon=True).start()
        _SERVER["server"] = server
    port = _SERVER["server"].server_address[1]
    return f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"


def is_local(url: str) -> bool:
    """Whether a page's request stays on this machine."""
    return url.startswith(LOCAL_PREFIXES)
