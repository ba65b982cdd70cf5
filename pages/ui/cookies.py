"""The sign-in cookie's two HTTP routes and the tiny page script that calls them.

Why routes and not a cookie written by page script: a cookie set by JavaScript cannot be HttpOnly,
so any script injected into the page could read the token. Streamlit 1.67 reads cookies
(``st.context.cookies``) but cannot set one from a script run (its websocket carries no headers);
its ASGI entry point ``st.App`` accepts extra Starlette routes, and ``streamlit run app.py`` finds
the ``st.App`` in app.py and serves it. So the browser exchanges a one-time code (made by the
sign-in form, see :mod:`geo.websession`) for the cookie with a same-origin POST:

- ``POST /p03/session`` (form field ``code``) -> 204 + ``Set-Cookie: p03_session=...; HttpOnly;
  SameSite=Lax; Max-Age=...; Path=/`` (``Secure`` over https), or 403;
- ``POST /p03/session/end`` (form field ``sid``: the session just signed out) -> revokes the
  cookie's session and deletes the cookie, unless it belongs to a live sign-in made since
  (:func:`geo.websession.cookie_ended`).

Both refuse a request whose ``Origin`` is not this server (no cross-site sign-in or sign-out), and
a body over :data:`MAX_FORM_BYTES` (413) without reading the rest of it.
No extra package: the page script is an ``st.components.v2`` component (runs in the page, no
iframe), the routes are Starlette's, which Streamlit already ships.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import streamlit as st

from geo import websession
from geo.store import Store, open_store

SET_PATH = "/p03/session"
END_PATH = "/p03/session/end"
MAX_FORM_BYTES = 4096  # a hand-off code or a session id; a longer body is refused, not read on

# One request at a time, in the order the page asked for them: a sign-out's request to delete the
# cookie still in flight when the next sign-in's request sets a new one could otherwise answer last
# and delete the new cookie. Each drawing of the script reports its request's answer, a re-drawn one
# too (the drawing that sent it may be gone by the time the answer comes, and with it its report).
# <body data-p03-cookie> tells tests (and anyone looking) how the last one went: "ok" (cookie set),
# "ended" (cookie deleted) or "refused".
_JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  if (!data || !data.url || !data.nonce) return;
  const state = window.__p03cookie = window.__p03cookie || {sent: {}, queue: Promise.resolve()};
  if (!state.sent[data.nonce]) {
    state.queue = state.queue.then(() =>
      fetch(data.url, {method: "POST", credentials: "same-origin",
                       headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.body || ""})
        .then((r) => { document.body.dataset.p03Cookie = r.ok ? data.mark : "refused";
                       return (r.ok ? "ok:" : "refused:") + data.nonce; },
              () => "failed:" + data.nonce));
    state.sent[data.nonce] = state.queue;
  }
  state.sent[data.nonce].then((answer) => setTriggerValue("done", answer));
}
"""


@functools.cache
def _component() -> Any:
    return st.components.v2.component("p03_session_cookie", js=_JS)


def base_path() -> str:
    """The app's ``server.baseUrlPath`` as a path prefix ("" or "/base"), for its own routes and URLs."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def post(path: str, body: str, nonce: str, key: str, on_done: Any = None) -> None:
    """Have the browser POST ``body`` to ``path`` once (same origin, cookies on)."""
    mark = "ok" if path == SET_PATH else "ended"
    _component()(key=key, data={"url": base_path() + path, "body": body, "nonce": nonce, "mark": mark},
                 height=0, on_done_change=on_done)


# ---------------------------------------------------------------- server side (Starlette routes)

@functools.cache
def _store() -> Store:
    return open_store()


def _same_origin(request: Any) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("x-forwarded-host") or request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


def _secure(request: Any) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


async def _small_form(request: Any) -> dict[str, str] | None:
    """The request's url-encoded form, or None once its body passes :data:`MAX_FORM_BYTES`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}


async def _set(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    if not _same_origin(request):
        return Response(status_code=403)
    form = await _small_form(request)
    if form is None:
        return Response(status_code=413)
    code = form.get("code", "")
    token = await run_in_threadpool(lambda: websession.claim(_store(), code))  # opening the store blocks
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(websession.COOKIE_NAME, token, **websession.cookie_attributes(secure=_secure(request)))
    return response


async def _end(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    if not _same_origin(request):
        return Response(status_code=403)
    form = await _small_form(request)
    if form is None:
        return Response(status_code=413)
    sid = form.get("sid", "")
    token = request.cookies.get(websession.COOKIE_NAME)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if not await run_in_threadpool(lambda: websession.cookie_ended(_store(), token, sid)):
        return response  # a sign-in made after this sign-out holds the cookie now
    response.delete_cookie(websession.COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


def routes() -> list[Any]:
    """The Starlette routes ``st.App`` in app.py mounts (under ``server.baseUrlPath``)."""
    from starlette.routing import Route

    return [Route(base_path() + SET_PATH, _set, methods=["POST"]),
            Route(base_path() + END_PATH, _end, methods=["POST"])]
