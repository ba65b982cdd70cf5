"""Folium maps of sites and boundaries. Builds a ``folium.Map`` and nothing else.

Two parts, drawn by ``geo/maps/sites.js`` (``p03Map.base`` and ``p03Map.sites``):
:func:`base_map` (the shared frame of :mod:`geo.maps.base`, the boundary outlines, the reference
layers, the first view: :class:`SitesBase`) and :func:`sites_group` (a ``folium.FeatureGroup``
holding :class:`SitesLayer`); :func:`site_map` puts both in one map (previews, standalone pages).
The district map page draws the same two parts in the page itself from :func:`base_payload` and
:func:`sites_payload` (:mod:`geo.maps.live`), redrawing only the sites on a filter change.

Sites go to the browser as compact columns inside one element (:class:`SitesLayer`): points
through a marker-cluster group whose icons, tooltips and popups are built in JavaScript from the
columns (tooltips and popups only when a marker is first pointed at), lines and polygons as one
GeoJSON layer with rounded (and for large views simplified) coordinates. Every user-supplied
string is escaped in the browser before it becomes HTML, and the JSON payload itself is escaped
for the ``<script>`` it lives in.

Size and speed (see docs/benchmarks.md): the columns are built with numpy/pandas, not per row;
above :data:`FULL_DETAIL_MAX` sites only what the tooltip needs is sent, above :data:`NAMES_MAX`
not even names; the boundary layers are simplified once and cached per boundaries object, layer
and language (:data:`BOUNDARY_CACHE`). Pages cache the query per store version and view and
build the map each run.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import CssLink, JavascriptLink, MacroElement
from jinja2 import Template

from geo import display
from geo.boundaries import Boundaries
from geo.i18n import name_column, t
from geo.maps import asset_text
from geo.maps.base import Raw, new_map
from geo.maps.colors import HIGHLIGHT
from geo.maps.payload import geojson_texts, json_object, script_json
from geo.schema import CATEGORIES, STATUSES

#: above this many sites, rows carry only what the tooltip needs; the page shows the rest
FULL_DETAIL_MAX = 3000
#: above this many sites, names are left out too: tooltips show the category and the id
NAMES_MAX = 30_000
#: the whole city fits at zoom 9 on a phone; each level below costs the clustering time
MIN_ZOOM = 8
#: the last zoom with clusters; from the next one every marker shows on its own
CLUSTER_MAX_ZOOM = 16
#: above this many points, Supercluster replaces Leaflet.markercluster (which builds every marker
#: and every zoom level's clusters up front: ~0.5 s per 10,000 in Chromium)
GRID_MIN = 5000
_ID_IN_TOOLTIP = re.compile(r"#(\S+)\s*$")


def site_id_from_tooltip(text: str | None) -> str | None:
    """The site id that the map's tooltip ends with (``… #demo-001``), as streamlit-folium
    reports it on click."""
    if not text:
        return None
    m = _ID_IN_TOOLTIP.search(str(text).strip())
    return m.group(1) if m else None


class SitesBase(folium.plugins.MarkerCluster):
    """The site map's fixed part: the drawing code (``geo/maps/sites.js``, ``sites.css``), the
    boundary outlines and the first view (the frame, :func:`geo.maps.base.new_map`, has the
    attribution). Constant while the layer and unit stay, so streamlit-folium keeps its iframe.

    Inherits MarkerCluster only for its asset lists (set by :func:`geo.assets.use`).
    """

    _template = Template("""
{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
{% macro script(this, kwargs) %}
{{ this.js }}
p03Map.base({{ this._parent.get_name() }}, {{ this.payload }});
{% endmacro %}
""")

    def __init__(self, payload: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
        self._name = "SitesBase"
        self.payload = payload
        self.js = asset_text("sites.js")
        self.css = asset_text("sites.css")

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca returns HTML; folium macros None
        """Add the asset links, the style and the script to the figure.

        folium's own render wraps each macro's output in a ``branca.Element``, which compiles it as
        a Jinja template: with the payload inside, that compile was most of the build time. The
        macros' output goes in as it is instead (streamlit-folium calls the script macro itself)."""
        figure: Any = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        _render_raw(self, kwargs)


class SitesLayer(MacroElement):
    """The sites (compact JSON) drawn into their :class:`folium.FeatureGroup` by ``p03Map.sites``
    (a page can swap the group alone, e.g. with streamlit-folium's ``feature_group_to_add``)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = p03Map.sites({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }},
  {{ this.payload }}, {{ this.view }});
{% endmacro %}
""")

    def __init__(self, payload: str, view: list[list[float]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
        self._name = "SitesLayer"
        self.payload = payload
        self.view = json.dumps(view)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca returns HTML; folium macros None
        """The script as it is (see :meth:`SitesBase.render`)."""
        _render_raw(self, kwargs)


def _render_raw(element: MacroElement, kwargs: dict[str, Any]) -> None:
    figure: Any = element.get_root()
    module = element._template.module
    if hasattr(module, "header"):
        figure.header.add_child(Raw(module.header(element, kwargs)), name=element.get_name())
    figure.script.add_child(Raw(module.script(element, kwargs)), name=element.get_name())


# ---------------------------------------------------------------- payload


def _ints(values: np.ndarray) -> str:
    return "[" + ",".join(map(str, np.asarray(values, dtype=np.int64).tolist())) + "]"


class _Cache:
    """A small LRU of payload parts that depend only on the boundaries (and language/view).

    Keyed on the :class:`~geo.boundaries.Boundaries` object itself (kept alive in the entry, so
    its ``id`` cannot be reused) and the view."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, b: Any, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        full = (id(b), *key)
        with self._lock:
            hit = self._items.get(full)
            if hit is not None and hit[0] is b:
                self._items.move_to_end(full)
                return hit[1]
        value = make()
        with self._lock:
            self._items[full] = (b, value)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


BOUNDARY_CACHE = _Cache()
#: simplification of the faint unit outlines (degrees; ~20 m, invisible at city and district zoom)
UNIT_TOLERANCE = 0.0002
#: simplification of the highlighted outline (degrees; ~5 m)
FOCUS_TOLERANCE = 0.00005


def _unit_geojson(gdf: gpd.GeoDataFrame, tolerance: float) -> str:
    geoms = gdf.geometry.to_numpy()
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    feats = ",".join('{"type":"Feature","properties":{},"geometry":' + g + "}" for g in geojson_texts(geoms, 5))
    return '{"type":"FeatureCollection","features":[' + feats + "]}"


def _boundary_parts(b: Boundaries, lang: str, layer: str, focus: gpd.GeoDataFrame | None) -> dict[str, str]:
    key = name_column(lang)
    focus_key = (tuple(focus["code"].astype(str)), tuple(focus.total_bounds.round(7))) \
        if focus is not None and "code" in focus else None
    if focus is not None and focus_key is None:  # no codes to key on: not cached
        focus_text = _unit_geojson(focus, FOCUS_TOLERANCE)
    else:
        focus_text = BOUNDARY_CACHE.get(b, ("focus", focus_key), lambda: _unit_geojson(
            focus if focus is not None else b.city, FOCUS_TOLERANCE))
    return {
        "districts": BOUNDARY_CACHE.get(b, ("names", "district", key), lambda: script_json(
            dict(zip(b.districts["code"], b.districts[key], strict=True)))),
        "communes": BOUNDARY_CACHE.get(b, ("names", "commune", key), lambda: script_json(
            dict(zip(b.communes["code"], b.communes[key], strict=True)))),
        "units": BOUNDARY_CACHE.get(b, ("units", layer), lambda: _unit_geojson(b.layer(layer), UNIT_TOLERANCE)),
        "focus": focus_text,
    }


def _vocab_index(values: pd.Series, codes: list[str], fallback: str) -> np.ndarray:
    """Each value's position in ``codes`` (``fallback``'s for values not in it)."""
    idx: np.ndarray = pd.Index(codes).get_indexer(values.to_numpy(dtype=object)).astype(np.int64)
    idx[idx < 0] = codes.index(fallback)
    return idx


def _codes(values: pd.Series) -> tuple[str, str]:
    """(index per row, distinct values) of a text column, for lookups in the browser."""
    codes, uniques = pd.factorize(values.fillna("").astype(str))
    return _ints(codes), script_json([str(u) for u in uniques])


def _extra(lang: str) -> list[tuple[str, str, bool]]:
    return [("progress_pct", t("progress_pct", lang), True), ("indicator", t("indicator", lang), False),
            ("responsible_unit", t("responsible_unit", lang), False), ("start_date", t("start_date", lang), False),
            ("end_date", t("end_date", lang), False), ("budget_vnd", t("budget_vnd", lang), True),
            ("notes", t("notes", lang), False)]


def _column(col: pd.Series, numeric: bool) -> list[Any]:
    values: list[Any] = (col.astype(object).where(col.notna(), None) if numeric else col.fillna("").astype(str)).tolist()
    return values


def _site_parts(sites: gpd.GeoDataFrame, lang: str) -> dict[str, str]:
    """The sites as columns: ids, names (up to :data:`NAMES_MAX`), category/status indexes, unit
    codes, the popup's extra fields (up to :data:`FULL_DETAIL_MAX`), points and shapes."""
    n = len(sites)
    cats = _vocab_index(sites["category"], [c.code for c in CATEGORIES], "other")
    extra = _extra(lang) if n <= FULL_DETAIL_MAX else []
    parts = {
        "ids": script_json(sites["id"].astype(str).tolist()),
        "names": script_json(sites["name"].astype(str).tolist()) if n <= NAMES_MAX else "null",
        "cat": _ints(cats),
        "st": _ints(_vocab_index(sites["status"], [s.code for s in STATUSES], "planned")),
        "extra": script_json([list(e) for e in extra]),
        "x": script_json({name: _column(sites[name], numeric) for name, _, numeric in extra}),
        "legend": script_json(sorted(set(cats.tolist()))),
    }
    parts["dist"], parts["dcodes"] = _codes(sites["district_codes"])
    parts["comm"], parts["ccodes"] = _codes(sites["commune_codes"])
    parts.update(_geometry_parts(sites.geometry.to_numpy(), n))
    return parts


def _geometry_parts(geoms: np.ndarray, n: int) -> dict[str, str]:
    """Points as integer offsets (1e-6° up to NAMES_MAX sites, else 1e-5°), shapes as GeoJSON
    geometries with rounded (and, when many, simplified) coordinates."""
    is_point = shapely.get_type_id(geoms) == 0
    pidx = np.flatnonzero(is_point)
    scale = 1_000_000 if n <= NAMES_MAX else 100_000
    lat = np.rint(shapely.get_y(geoms[pidx]) * scale).astype(np.int64)
    lon = np.rint(shapely.get_x(geoms[pidx]) * scale).astype(np.int64)
    lat0, lon0 = (int(lat.min()), int(lon.min())) if len(pidx) else (0, 0)
    pts = {"i": "null" if len(pidx) == n else _ints(pidx), "lat": _ints(lat - lat0), "lon": _ints(lon - lon0),
           "lat0": str(lat0), "lon0": str(lon0), "scale": str(scale)}
    sidx = np.flatnonzero(~is_point)
    shapes = geoms[sidx]
    if len(sidx) > 1000:
        minx, miny, maxx, maxy = shapely.total_bounds(shapes)
        shapes = shapely.simplify(shapes, max(maxx - minx, maxy - miny) / 4000, preserve_topology=True)
    shapes = display.lighter(shapes)  # huge shapes simplified for the map only (issue #10)
    texts = geojson_texts(shapes, 6)
    return {"pts": json_object(pts), "shp": json_object({"i": _ints(sidx), "g": "[" + ",".join(texts) + "]"})}


def sites_payload(sites: gpd.GeoDataFrame, lang: str = "vi") -> str:
    """The script-safe JSON that ``p03Map.sites`` draws: the sites column-wise, vocabularies and
    labels (nothing from the boundaries: those are in :func:`base_payload`)."""
    parts = _site_parts(sites, lang)
    parts.update({
        "cats": script_json([{"label": c.label(lang), "color": c.color, "glyph": c.glyph} for c in CATEGORIES]),
        "sts": script_json([{"label": s.label(lang)} for s in STATUSES]),
        "labels": script_json({k: t(k, lang) for k in ("category", "status", "district", "commune", "id",
                                                       "legend")}),
        "gridMin": str(GRID_MIN), "clusterMax": str(CLUSTER_MAX_ZOOM + 1),
    })
    return json_object(parts)


def base_payload(b: Boundaries | None, lang: str = "vi", layer: str = "district",
                 focus: gpd.GeoDataFrame | None = None, view: list[list[float]] | None = None) -> str:
    """The script-safe JSON that ``p03Map.base`` draws: the boundary outlines of ``layer`` and the
    ``focus`` unit(s), unit names for the popups (cached per boundaries and view) and the first ``view`` ([[south, west], [north, east]])."""
    parts = {"districts": "{}", "communes": "{}", "units": "null", "focus": "null",
             "highlight": script_json(HIGHLIGHT), "view": script_json(view or _box(None))}
    if b is not None:
        parts.update(_boundary_parts(b, lang, layer, focus))
    return json_object(parts)


_HANOI = np.array([105.28, 20.56, 106.02, 21.39])


def _box(bounds: np.ndarray | None) -> list[list[float]]:
    """[[south, west], [north, east]] of ``bounds`` (minx, miny, maxx, maxy), a point padded."""
    minx, miny, maxx, maxy = (float(v) for v in (_HANOI if bounds is None else bounds))
    pad = 0.002 if (maxx - minx) < 0.004 else 0.0
    return [[miny - pad, minx - pad], [maxy + pad, maxx + pad]]


def first_view(b: Boundaries | None, focus: gpd.GeoDataFrame | None = None,
               view: list[list[float]] | None = None) -> list[list[float]]:
    """Where a site map opens, before its sites are drawn: the ``focus`` unit(s), else the city,
    else ``view``."""
    if focus is not None and len(focus):
        return _box(focus.total_bounds)
    if b is not None:
        return _box(b.city.total_bounds)
    return view or _box(None)


def sites_view(sites: gpd.GeoDataFrame, b: Boundaries | None, focus: gpd.GeoDataFrame | None = None,
               fit_city: bool = False) -> list[list[float]]:
    """Where the map looks: the ``focus`` unit(s), else the whole city when ``fit_city`` (every
    district in view), else the sites, else the city."""
    if focus is not None and len(focus):
        return _box(focus.total_bounds)
    if fit_city and b is not None:
        return _box(b.city.total_bounds)
    if len(sites):
        return _box(sites.total_bounds)
    return _box(None if b is None else b.city.total_bounds)


def base_map(b: Boundaries | None = None, *, lang: str = "vi", layer: str = "district",
             focus: gpd.GeoDataFrame | None = None, tiles: str | None | bool = True, height: int | str = "100%",
             reference: Any = None, reference_found: gpd.GeoDataFrame | None = None,
             view: list[list[float]] | None = None) -> folium.Map:
    """The site map without its sites: tiles, boundary ``layer`` with ``focus`` highlighted, the
    reference layers, opening on ``focus`` (else the city, else ``view``). Its script depends only
    on these: a page passing the sites separately (:func:`sites_group`) can keep it while the
    sites change."""
    # the shared frame (geo.maps.base): local assets without jQuery, the basemap, zoom limits on the
    # map itself (markercluster needs maxZoom and clusters every level in between), the attribution
    m = new_map(tiles=tiles, height=height, max_zoom=19, min_zoom=MIN_ZOOM, prefer_canvas=True,
                attribution=b.attribution_lines(layer) if b is not None else ())
    SitesBase(base_payload(b, lang, layer, focus, first_view(b, focus, view))).add_to(m)
    if reference is not None:
        from geo.maps import reference as map_reference  # imports this module

        map_reference.add_to(m, reference, lang, reference_found)
    return m


def sites_group(sites: gpd.GeoDataFrame, lang: str = "vi", view: list[list[float]] | None = None) -> folium.FeatureGroup:
    """The sites as a feature group for a :func:`base_map`; the map moves to ``view`` when it is not
    already the one shown."""
    group = folium.FeatureGroup(name="sites", control=False)
    SitesLayer(sites_payload(sites, lang), view or sites_view(sites, None)).add_to(group)
    return group


def site_map(sites: gpd.GeoDataFrame, b: Boundaries | None = None, *, lang: str = "vi", layer: str = "district",
             focus: gpd.GeoDataFrame | None = None, tiles: str | None | bool = True,
             height: int | str = "100%", reference: Any = None,
             reference_found: gpd.GeoDataFrame | None = None, fit_city: bool = False) -> folium.Map:
    """A map of ``sites`` over the boundary ``layer``, fitted to ``focus`` (a unit's row(s)), else
    to the whole city when ``fit_city`` (every district in view), else to the sites, else to the city.

    ``tiles``: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template.
    ``reference``: a :class:`geo.reference.Reference` whose layers are offered (off by default),
    with ``reference_found`` (its features a search matched) highlighted.
    One map, base and sites together (a standalone page, a preview); the district map page draws
    them in the page itself (:mod:`geo.maps.live`).
    """
    view = sites_view(sites, b, focus, fit_city)
    m = base_map(b, lang=lang, layer=layer, focus=focus, tiles=tiles, height=height, reference=reference,
                 reference_found=reference_found, view=view)
    sites_group(sites, lang, view).add_to(m)
    m.fit_bounds(view)
    return m


def legend_items(sites: gpd.GeoDataFrame, lang: str = "vi") -> list[tuple[str, str, str, int]]:
    """(glyph, colour, label, count) per category present, for a legend beside the map."""
    counts = sites["category"].value_counts() if len(sites) else pd.Series(dtype=int)
    return [(c.glyph, c.color, c.label(lang), int(counts.get(c.code, 0))) for c in CATEGORIES
            if counts.get(c.code, 0)]
