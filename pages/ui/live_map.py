"""The district map drawn in the page (an ``st.components.v2`` element; its module and data are
built by :mod:`geo.maps.live`): no iframe, Leaflet loaded once per page, the map kept between
runs with only the changed parts drawn again. :func:`live_map` returns the id of the site last
clicked.

:class:`PreloadMiddleware` (added to the app's server in app.py) answers the district map's HTML
page with ``Link: <...>; rel=preload`` headers for Leaflet and its plugins, so the browser fetches
them with Streamlit's own bundle instead of after it: the map's element arrives ~1.2 s into a cold
load, behind a score of Streamlit's lazily loaded chunks, and the files fetched then took 0.3-0.4 s
(docs/benchmarks.md). An in-app move to the page (no new HTML page) loads them in the element.
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from geo import assets
from geo import reference as geo_reference
from geo.maps import live
from geo.maps import reference as map_reference
from pages.ui.cookies import base_path


@functools.cache
def _component() -> Any:
    # isolate_styles=False: Leaflet's style sheets, added to the page's <head>, must reach the map
    return st.components.v2.component("p03_live_map", js=live.module_text(), isolate_styles=False)


@functools.cache
def _early() -> Any:
    return st.components.v2.component("p03_live_map_early", js="export default function () {}")


def early() -> None:
    """An empty element of the same kind as the map, drawn first on the page: Streamlit fetches the
    code of that kind of element when the first one arrives, and the map's own arrives after a
    score of other elements whose code is fetched at the same moment."""
    _early()(key="p03_map_early", height=0)


def _static_url() -> str:
    return base_path() + assets.APP_BASE_URL


REFERENCE_PATH = "/p03/reference/{lang}.json"


def reference_url(ref: Any, lang: str) -> str:
    """Where the map fetches the reference layers' features (versioned: cached by the browser)."""
    return (base_path() + REFERENCE_PATH.format(lang=lang) +
            f"?v={map_reference.layers_version(ref, lang)}")


def live_map(key: str, height: int, **kwargs: Any) -> str | None:
    """Draw the map (``kwargs`` as :func:`geo.maps.live.data`); the id of the site last clicked."""
    payload = live.data(height=height, base_url=_static_url(), **kwargs)
    result = _component()(key=key, data=live.encode(payload), height=height, default={"clicked": None},
                          on_clicked_change=lambda: None)
    clicked = result.get("clicked") if result is not None else None
    return str(clicked) if clicked else None


async def _reference(request: Any) -> Any:
    """``GET /p03/reference/{lang}.json``: every reference layer's features (public OpenStreetMap
    data, ODbL), fetched by the map when a layer is first turned on; 404 when none are installed."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    lang = request.path_params["lang"]
    if lang not in ("vi", "en"):
        return Response(status_code=404)

    def text() -> str | None:
        ref = geo_reference.get()
        return None if ref is None else map_reference.layers_text(ref, lang)

    body = await run_in_threadpool(text)  # reading the layers blocks
    if body is None:
        return Response(status_code=404)
    # the URL carries the content's hash (?v=): a copy may be kept for a day
    return Response(body, media_type="application/json", headers={"Cache-Control": "public, max-age=86400"})


def routes() -> list[Any]:
    """The Starlette routes ``st.App`` in app.py mounts: the reference layers' features."""
    from starlette.routing import Route

    return [Route(base_path() + REFERENCE_PATH, _reference, methods=["GET"])]
