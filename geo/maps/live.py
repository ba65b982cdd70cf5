"""The district map drawn in the page itself: the module and data of an ``st.components.v2``
element (``pages/ui/live_map.py`` mounts it; nothing here imports streamlit).

Why not streamlit-folium there: its map lives in an iframe that loads its own page, its bundle and
then Leaflet's files one after the other, about 0.6 s before the first marker on every cold load
(docs/benchmarks.md). This element runs in the page: Leaflet and its plugins are loaded once per
page (in parallel) from the app's own copies (:mod:`geo.assets`), the map is made once and kept,
and each run updates only what changed: the boundaries and first view, the reference layers, the
sites (a filter swaps only the sites' layer). The drawing code is the same as the folium maps'
(``sites.js``, ``reference.js``, ``frame.js``, ``common.js``); ``live.js`` glues it to the element.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import geopandas as gpd

from geo import assets, settings
from geo.boundaries import Boundaries
from geo.maps import asset_text
from geo.maps.base import LEAFLET_PREFIX
from geo.maps.payload import json_object, script_json
from geo.maps.sites import MIN_ZOOM, base_payload, first_view, sites_payload

#: Leaflet, then its plugins (run in this order), and their style sheets, under the app's static URL
_JS = ("leaflet/leaflet.js", "markercluster/leaflet.markercluster.js", "supercluster/supercluster.min.js")
_CSS = ("leaflet/leaflet.css", "markercluster/MarkerCluster.css", "markercluster/MarkerCluster.Default.css")
#: Streamlit's page styles every <img> with max-width: Leaflet's tiles need their own size
_PAGE_CSS = ".p03-live img{max-width:none!important}.p03-live{border-radius:4px;z-index:0;position:relative}"


@cache
def module_text() -> str:
    """The map element's JavaScript module: the asset loader, the shared helpers, the layer scripts,
    then ``live.js``."""
    return "\n".join((
        asset_text("live_assets.js"),
        asset_text("common.js"),
        "const drawFrame = " + asset_text("frame.js").strip() + ";",
        "const drawReference = " + asset_text("reference.js").strip() + ";",
        asset_text("sites.js"),
        asset_text("live.js"),
    ))


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def asset_urls(base_url: str = assets.APP_BASE_URL) -> dict[str, Any]:
    """The map's scripts and style sheets under ``base_url``, and its own style text."""
    root = base_url.rstrip("/")
    return {"js": [f"{root}/{p}" for p in _JS], "css": [f"{root}/{p}" for p in _CSS],
            "style": asset_text("sites.css") + _PAGE_CSS}


def preload_links(base_url: str = assets.APP_BASE_URL) -> str:
    """An HTTP ``Link`` header value preloading the map's scripts and style sheets.

    >>> preload_links("/app/static/vendor").split(", ")[0]
    '</app/static/vendor/leaflet/leaflet.js>; rel=preload; as=script'
    """
    urls = asset_urls(base_url)
    return ", ".join([f"<{u}>; rel=preload; as=script" for u in urls["js"]] +
                     [f"<{u}>; rel=preload; as=style" for u in urls["css"]])


def frame(attribution: list[str], tiles: str | None = None) -> dict[str, Any]:
    """The base map's settings: basemap (``P03_TILES`` unless given), zoom limits, attribution."""
    return {"tiles": tiles if tiles is not None else settings.tiles(),
            "tilesAttribution": str(settings.get("P03_TILES_ATTRIBUTION")), "maxZoom": 19, "minZoom": MIN_ZOOM,
            "prefix": LEAFLET_PREFIX, "lines": list(attribution)}


def encode(parts: dict[str, Any]) -> bytes:
    """The element's data as UTF-8 JSON bytes: the payload texts of :func:`data` (``base``,
    ``ref``, ``sites``: already JSON) embedded as they are. Sent as a JSON value instead, each would
    travel as a string with every quote and every Vietnamese letter escaped (``\\u1ec7``) and be
    parsed twice in the browser: at 10,000 sites a run's map data is 0.84 MB instead of 1.03 MB
    (what a phone on a mobile network waits for) and the server no longer escapes it on every run.

    >>> import json
    >>> json.loads(encode({"base": '{"a":1}', "ref": None, "height": 620}))
    {'base': {'a': 1}, 'ref': None, 'height': 620}
    """
    raw = {"base", "ref", "sites"}
    return json_object({k: (v or "null") if k in raw else script_json(v) for k, v in parts.items()}).encode("utf-8")


def data(sites: gpd.GeoDataFrame, b: Boundaries | None, *, lang: str = "vi", layer: str = "district",
         focus: gpd.GeoDataFrame | None = None, view: list[list[float]], reference_text: str | None = None,
         height: int = 620, base_url: str = assets.APP_BASE_URL) -> dict[str, Any]:
    """The element's data for one run: the sites (fitted to ``view``) over the boundary ``layer``
    with ``focus`` highlighted, the reference layers' payload (``geo.maps.reference.payload_text``),
    and a key per part so the browser redraws only the parts that changed."""
    base = base_payload(b, lang, layer, focus, first_view(b, focus, view))
    sites_text = sites_payload(sites, lang)
    return {
        "assets": asset_urls(base_url),
        "frame": frame(b.attribution_lines(layer) if b is not None else []),
        "base": base, "baseKey": _key(base),
        "ref": reference_text, "refKey": _key(reference_text or ""),
        "sites": sites_text, "sitesKey": _key(sites_text + repr(view)), "view": view,
        "height": height,
    }
