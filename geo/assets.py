"""Leaflet and its plugins, served by the app itself so maps work with no internet.

The files come from the xstatic PyPI packages (and Supercluster, vendored under ``geo/vendor/``); :func:`install` copies them under
``static/vendor/`` (Streamlit serves ``./static`` at ``/app/static/``), and :func:`use` points
folium's (and so streamlit-folium's) asset lists at them instead of CDNs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium
import folium.plugins
import xstatic.pkg.jquery as xs_jquery
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

APP_BASE_URL = "/app/static/vendor"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"

_SOURCES = {
    "leaflet": Path(xs_leaflet.BASE_DIR),
    "markercluster": Path(xs_cluster.BASE_DIR),
    "jquery": Path(xs_jquery.BASE_DIR),
    # Supercluster 8.0.1 (ISC, Mapbox; npm's dist/supercluster.min.js with its LICENSE): not on PyPI
    "supercluster": Path(__file__).resolve().parent / "vendor" / "supercluster",
    # Leaflet-Geoman 2.20.2 (MIT; npm's dist/ with its LICENSE): the site editor (geo/maps/edit.py)
    "leaflet_geoman": Path(__file__).resolve().parent / "vendor" / "leaflet-geoman",
}
# (folium resource name, folder, file)
_JS = [("leaflet", "leaflet", "leaflet.js"), ("jquery", "jquery", "jquery.min.js")]
_CSS = [("leaflet_css", "leaflet", "leaflet.css")]
_CLUSTER_JS = [("markerclusterjs", "markercluster", "leaflet.markercluster.js"),
               ("supercluster", "supercluster", "supercluster.min.js")]
_CLUSTER_CSS = [("markerclustercss", "markercluster", "MarkerCluster.css"),
                ("markerclusterdefaultcss", "markercluster", "MarkerCluster.Default.css")]
_GEOMAN_JS = [("leaflet_geoman_js", "leaflet_geoman", "leaflet-geoman.min.js")]
_GEOMAN_CSS = [("leaflet_geoman_css", "leaflet_geoman", "leaflet-geoman.css")]


def install(target: Path = STATIC_DIR) -> Path:
    """Copy the vendored files to ``target`` (idempotent). Returns ``target``."""
    for name, src in _SOURCES.items():
        dest = Path(target) / name
        if not (dest / ".complete").exists():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.map", "*.esm.js", "*-src.*"))
            (dest / ".complete").write_text(src.as_posix())
    return Path(target)


def use(base_url: str = APP_BASE_URL) -> None:
    """Make folium (and streamlit-folium) load every asset from ``base_url`` — ``/app/static/vendor``
    in the app, a ``file://`` URL for standalone HTML. No CDN remains in the lists."""
    base = base_url.rstrip("/")

    def urls(items: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        return [(name, f"{base}/{folder}/{file}") for name, folder, file in items]

    folium.Map.default_js = urls(_JS)
    folium.Map.default_css = urls(_CSS)
    folium.plugins.MarkerCluster.default_js = urls(_CLUSTER_JS)
    folium.plugins.MarkerCluster.default_css = urls(_CLUSTER_CSS)
    folium.plugins.GeoMan.default_js = urls(_GEOMAN_JS)  # and geo.maps.edit.SiteEditor, its subclass
    folium.plugins.GeoMan.default_css = urls(_GEOMAN_CSS)


def local_base_url(target: Path = STATIC_DIR) -> str:
    """A file:// base URL of the installed assets, for standalone HTML files."""
    return install(target).resolve().as_uri()
