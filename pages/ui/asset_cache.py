"""Streamlit's own frontend files answered from memory (:class:`AssetCache`, added to the
``st.App`` in app.py).

A cold load of a page fetches some 60 of Streamlit's script chunks before it can draw anything.
Streamlit answers each through Starlette's ``StaticFiles``: a ``stat`` and the file's reads on a
worker thread, the body in 64 KB pieces, behind its security and compression middleware. With
the browser compiling those scripts on the same two cores, the last chunk arrived ~0.25 s after
the first; answered from memory the page drew its first marker 0.05-0.1 s sooner (A/B, 10,000
sites, ``docs/benchmarks.md``, eighth round).

What is kept is exactly what Streamlit answered the first time (status, headers, body), and only
answers Streamlit itself marks ``immutable`` (its content-hashed files under ``/static/``: a new
Streamlit version brings new names), uncompressed and not varying with the request. Requests with
a ``Range`` or a condition, and anything but ``GET``, always go to Streamlit. The copies are bounded
(:data:`LIMIT_BYTES`; all of Streamlit's files together are 25 MB, a page uses about 5 MB).
"""

from __future__ import annotations

from typing import Any

from pages.ui.cookies import base_path

LIMIT_BYTES = 64 * 1024 * 1024
_PASS_HEADERS = (b"range", b"if-none-match", b"if-modified-since", b"if-range", b"if-match", b"if-unmodified-since")


class AssetCache:
    """ASGI middleware keeping Streamlit's immutable frontend files in memory after their first
    answer (see the module docstring)."""

    def __init__(self, app: Any, limit: int = LIMIT_BYTES) -> None:
        self.app = app
        self.prefix = base_path() + "/static/"
        self.limit = limit
        self.size = 0
        self.kept: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.prefix) or scope.get("method") != "GET" or \
                any(k.lower() in _PASS_HEADERS for k, _ in scope.get("headers", [])):
            await self.app(scope, receive, send)
            return
        hit = self.kept.get(path)
        if hit is not None:
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def keep(message: Any) -> None:  # passed on as it comes; a copy kept if it may be
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(path, start, b"".join(body))
            await send(message)

        await self.app(scope, receive, keep)

    def _keep(self, path: str, start: dict[str, Any], body: bytes) -> None:
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        named = dict(headers)
        if start.get("status") != 200 or b"immutable" not in named.get(b"cache-control", b"") or \
                b"content-encoding" in named or b"vary" in named or self.size + len(body) > self.limit:
            return
        self.kept[path] = (headers, body)
        self.size += len(body)
