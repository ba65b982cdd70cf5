"""Folium maps of sites and boundaries. Builds a ``folium.Map`` and nothing else.

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
build the map each run (a folium.Map rendered twice makes st_folium forget the last click).
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
from branca.element import CssLink, Element, JavascriptLink
from jinja2 import Template

from geo import display, settings
from geo.boundaries import Boundaries
from geo.i18n import t
from geo.schema import CATEGORIES, STATUSES

#: above this many sites, rows carry only what the tooltip needs; the page shows the rest
FULL_DETAIL_MAX = 3000
#: above this many sites, names are left out too: tooltips show the category and the id
NAMES_MAX = 30_000
HIGHLIGHT = "#d7301f"
#: the whole city fits at zoom 9 on a phone; each level below costs the clustering time
MIN_ZOOM = 8
#: the last zoom with clusters; from the next one every marker shows on its own
CLUSTER_MAX_ZOOM = 16
#: above this many points, Supercluster replaces Leaflet.markercluster (which builds every marker
#: and every zoom level's clusters up front: ~0.5 s per 10,000 in Chromium)
GRID_MIN = 5000
_ID_IN_TOOLTIP = re.compile(r"#(\S+)\s*$")


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no U+2028).

    >>> script_json({"a": "</script><b>"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text


def site_id_from_tooltip(text: str | None) -> str | None:
    """The site id that the map's tooltip ends with (``… #demo-001``), as streamlit-folium
    reports it on click."""
    if not text:
        return None
    m = _ID_IN_TOOLTIP.search(str(text).strip())
    return m.group(1) if m else None


class SitesLayer(folium.plugins.MarkerCluster):
    """Sites and boundaries drawn from compact JSON in one script.

    Inherits MarkerCluster only for its asset lists (set by :func:`geo.assets.use`).
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.p03-pin span{display:flex;align-items:center;justify-content:center;width:24px;height:24px;border-radius:50%;
  border:2px solid #fff;box-shadow:0 0 2px rgba(0,0,0,.6);font:bold 10px/1 sans-serif;line-height:1;color:#fff}
.p03-popup table{border-collapse:collapse;font-size:12px}.p03-popup th{text-align:left;padding-right:6px;
  color:#555;font-weight:600;vertical-align:top}.p03-popup h4{margin:0 0 4px 0;font-size:14px}
.p03-legend{background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;font:12px/18px sans-serif;
  box-shadow:0 0 3px rgba(0,0,0,.3);max-height:45vh;overflow:auto}.p03-legend summary{cursor:pointer;font-weight:600}
.leaflet-container .leaflet-control-attribution{font-size:10px;line-height:1.3;max-width:70%;white-space:normal}
.p03-legend i{display:inline-block;width:16px;height:16px;border-radius:50%;margin-right:5px;vertical-align:-3px;
  text-align:center;font:bold 8px/16px sans-serif;color:#fff}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var map = {{ this._parent.get_name() }};
  var D = {{ this.payload }};
  var n = D.ids.length;
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function names(table, codes) {
    if (!codes) return "";
    return codes.split(";").map(function (c) { return table[c] || c; }).join(", ");
  }
  function tip(i) {
    var c = D.cats[D.cat[i]];
    return (D.names ? "<b>" + esc(D.names[i]) + "</b><br>" : "") +
      "<small>" + esc(c.label) + " · #" + esc(D.ids[i]) + "</small>";
  }
  function popup(i) {
    var rows = [[D.labels.category, D.cats[D.cat[i]].label], [D.labels.status, D.sts[D.st[i]].label],
                [D.labels.district, names(D.districts, D.dcodes[D.dist[i]])],
                [D.labels.commune, names(D.communes, D.ccodes[D.comm[i]])]];
    D.extra.forEach(function (e) {
      var v = D.x[e[0]][i];
      if (v !== null && v !== "" && v !== undefined) rows.push([e[1], e[2] ? Number(v).toLocaleString("vi-VN") : v]);
    });
    var html = "<div class='p03-popup'>" + (D.names ? "<h4>" + esc(D.names[i]) + "</h4>" : "") + "<table>";
    rows.forEach(function (r) { html += "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>"; });
    html += "<tr><th>" + esc(D.labels.id) + "</th><td>" + esc(D.ids[i]) + "</td></tr></table></div>";
    return html;
  }
  var icons = D.cats.map(function (c) {
    return L.divIcon({className: "p03-pin", iconSize: [24, 24], iconAnchor: [12, 12],
      html: "<span style='background:" + c.color + "'>" + esc(c.glyph) + "</span>"});
  });
  // boundaries: every unit faint, the chosen one highlighted; not clickable
  if (D.units) L.geoJSON(D.units, {interactive: false, style: {color: "#555", weight: 1, opacity: 0.6,
      fill: false, dashArray: "3"}}).addTo(map);
  if (D.focus) L.geoJSON(D.focus, {interactive: false, style: {color: "{{ this.highlight }}", weight: 3,
      fillColor: "{{ this.highlight }}", fillOpacity: 0.06}}).addTo(map);
  map.fitBounds({{ this.view }});  // before the layers: drawn once, at the final zoom
  var P = D.pts, np = P.lat.length, lat = new Float64Array(np), lon = new Float64Array(np);
  for (var k = 0; k < np; k++) {
    lat[k] = (P.lat[k] + P.lat0) / P.scale;
    lon[k] = (P.lon[k] + P.lon0) / P.scale;
  }
  function marker(k) {
    var i = P.i ? P.i[k] : k;
    return L.marker([lat[k], lon[k]], {icon: icons[D.cat[i]], title: D.names ? D.names[i] : D.ids[i], i: i});
  }
  function popupOf(i) { return function () { return popup(i); }; }
  var group = np > D.gridMin ? superClusters() : markerClusters();
  // tooltips and popups are bound when a marker is first pointed at, tapped or clicked: "preclick"
  // comes before any click handler, so the page's click handler always finds the tooltip (#id)
  function bind(e) {
    var m = e.propagatedFrom || e.layer;
    if (!m || m.options.i === undefined || m.getTooltip()) return false;
    m.bindTooltip(tip(m.options.i));
    m.bindPopup(popupOf(m.options.i), {maxWidth: 320});
    return m;
  }
  group.on("preclick", bind);
  group.on("mouseover", function (e) { var m = bind(e); if (m) m.openTooltip(); });
  group.on("click", function (e) { var m = bind(e); if (m) m.openPopup(); });  // keyboard: Enter

  // up to gridMin points: Leaflet.markercluster (animated, spiderfies at the last zoom)
  function markerClusters() {
    var g = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, showCoverageOnHover: false,
        disableClusteringAtZoom: D.clusterMax, spiderfyOnMaxZoom: true});
    var markers = new Array(np);
    for (var k = 0; k < np; k++) markers[k] = marker(k);
    g.addLayers(markers);
    return g;
  }
  // above: Supercluster (a KD-tree per zoom, built once in the browser); only the clusters and
  // single markers in view exist as Leaflet layers, recomputed on every move
  function superClusters() {
    if (typeof Supercluster === "undefined") return markerClusters();
    var g = L.featureGroup(), singles = {}, feats = new Array(np);
    for (var k = 0; k < np; k++) {
      feats[k] = {type: "Feature", properties: {k: k}, geometry: {type: "Point", coordinates: [lon[k], lat[k]]}};
    }
    var index = new Supercluster({radius: 60, minZoom: 0, maxZoom: D.clusterMax - 1}).load(feats);
    function single(k) { return singles[k] || (singles[k] = marker(k)); }
    function cluster(f) {
      var n = f.properties.point_count, cls = n < 10 ? "small" : n < 100 ? "medium" : "large";
      var m = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {icon: L.divIcon({
          html: "<div><span>" + n + "</span></div>", className: "marker-cluster marker-cluster-" + cls,
          iconSize: [40, 40]})});
      m.p03cluster = f.properties.cluster_id;
      return m;
    }
    function draw() {
      var b = map.getBounds().pad(0.2);
      var found = index.getClusters([Math.max(b.getWest(), -180), Math.max(b.getSouth(), -85),
                                     Math.min(b.getEast(), 180), Math.min(b.getNorth(), 85)],
                                    Math.floor(map.getZoom()));
      g.clearLayers();
      found.forEach(function (f) { g.addLayer(f.properties.cluster ? cluster(f) : single(f.properties.k)); });
    }
    g.on("click", function (e) {
      var m = e.propagatedFrom || e.layer;
      if (m && m.p03cluster !== undefined) {
        map.setView(m.getLatLng(), Math.min(index.getClusterExpansionZoom(m.p03cluster), D.clusterMax));
      }
    });
    g.on("add", function () { map.on("moveend", draw); draw(); });
    g.on("remove", function () { map.off("moveend", draw); });
    return g;
  }
  var shapes = L.geoJSON({type: "FeatureCollection", features: D.shp.g.map(function (g, k) {
    return {type: "Feature", properties: {i: D.shp.i[k]}, geometry: g};
  })}, {
    style: function (f) {
      var c = D.cats[D.cat[f.properties.i]];
      var line = f.geometry.type.indexOf("Line") >= 0;
      return {color: c.color, weight: line ? 5 : 2, opacity: 0.9, fillColor: c.color, fillOpacity: 0.25};
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(tip(f.properties.i), {sticky: true});
      layer.bindPopup(popupOf(f.properties.i), {maxWidth: 320});
    }
  });
  shapes.addTo(map);
  group.addTo(map);
  map.attributionControl.setPrefix("<a href='https://leafletjs.com'>Leaflet</a>");
  D.attribution.forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });
  if (D.legend.length) {
    var legend = L.control({position: "topright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "p03-legend");
      var open = map.getSize().x >= 600 ? " open" : "";
      var html = "<details" + open + "><summary>" + esc(D.labels.legend) + "</summary>";
      D.legend.forEach(function (i) {
        var c = D.cats[i];
        html += "<i style='background:" + c.color + "'>" + esc(c.glyph) + "</i>" + esc(c.label) + "<br>";
      });
      div.innerHTML = html + "</details>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }
  window.p03 = {points: group, shapes: shapes, count: n};
  return group;
})();
{% endmacro %}
""")

    def __init__(self, payload: str, view: list[list[float]]) -> None:
        super().__init__()
        self._name = "SitesLayer"
        self.payload = payload
        self.view = json.dumps(view)
        self.highlight = HIGHLIGHT

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Add the asset links, the style and the script to the figure.

        folium's own render wraps each macro's output in a ``branca.Element``, which compiles it as
        a Jinja template: with the payload inside, that compile was most of the build time. The
        macros' output goes in as it is instead (streamlit-folium calls the script macro itself)."""
        figure: Any = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        module = self._template.module
        figure.header.add_child(_Raw(module.header(self, kwargs)), name=self.get_name())
        figure.script.add_child(_Raw(module.script(self, kwargs)), name=self.get_name())


class _Raw(Element):
    """Text that goes into the page as it is (not compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


# ---------------------------------------------------------------- payload


def _obj(parts: dict[str, str]) -> str:
    """A JSON object from already-serialised (script-safe) member texts."""
    return "{" + ",".join(f'"{k}":{v}' for k, v in parts.items()) + "}"


def _ints(values: np.ndarray) -> str:
    return "[" + ",".join(map(str, np.asarray(values, dtype=np.int64).tolist())) + "]"


def _geojson_texts(geoms: np.ndarray, decimals: int) -> list[str]:
    """GeoJSON geometry texts with coordinates cut to ``decimals`` places (one regex pass, no per-row
    Python)."""
    if not len(geoms):
        return []
    sep = "\x1f"
    text = sep.join(shapely.to_geojson(geoms).tolist())
    text = re.sub(rf"(\.\d{{{decimals}}})\d+", r"\1", text)
    return text.split(sep)


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
    feats = ",".join('{"type":"Feature","properties":{},"geometry":' + g + "}" for g in _geojson_texts(geoms, 5))
    return '{"type":"FeatureCollection","features":[' + feats + "]}"


def _boundary_parts(b: Boundaries, lang: str, layer: str, focus: gpd.GeoDataFrame | None) -> dict[str, str]:
    key = "name" if lang == "vi" else "name_en"
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
        "attribution": script_json(b.attribution_lines(layer)),
        "focus": focus_text,
    }


def _vocab_index(values: pd.Series, codes: list[str], fallback: str) -> np.ndarray:
    """Each value's position in ``codes`` (``fallback``'s for values not in it)."""
    idx = pd.Index(codes).get_indexer(values.to_numpy(dtype=object)).astype(np.int64)
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
    if numeric:
        return col.astype(object).where(col.notna(), None).tolist()
    return col.fillna("").astype(str).tolist()


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
    texts = _geojson_texts(shapes, 6)
    return {"pts": _obj(pts), "shp": _obj({"i": _ints(sidx), "g": "[" + ",".join(texts) + "]"})}


def payload_text(sites: gpd.GeoDataFrame, b: Boundaries | None, lang: str = "vi", layer: str = "district",
                 focus: gpd.GeoDataFrame | None = None) -> str:
    """The script-safe JSON that :class:`SitesLayer` draws: sites column-wise, vocabularies, labels
    and (cached per boundaries and view) the boundary layers."""
    parts = _site_parts(sites, lang)
    parts.update({
        "cats": script_json([{"label": c.label(lang), "color": c.color, "glyph": c.glyph} for c in CATEGORIES]),
        "sts": script_json([{"label": s.label(lang)} for s in STATUSES]),
        "labels": script_json({k: t(k, lang) for k in ("category", "status", "district", "commune", "id",
                                                       "legend")}),
        "districts": "{}", "communes": "{}", "units": "null", "focus": "null", "attribution": "[]",
        "gridMin": str(GRID_MIN), "clusterMax": str(CLUSTER_MAX_ZOOM + 1),
    })
    if b is not None:
        parts.update(_boundary_parts(b, lang, layer, focus))
    return _obj(parts)


def site_map(sites: gpd.GeoDataFrame, b: Boundaries | None = None, *, lang: str = "vi", layer: str = "district",
             focus: gpd.GeoDataFrame | None = None, tiles: str | None | bool = True,
             height: int | str = "100%", reference: Any = None,
             reference_found: gpd.GeoDataFrame | None = None, fit_city: bool = False) -> folium.Map:
    """A map of ``sites`` over the boundary ``layer``, fitted to ``focus`` (a unit's row(s)), else
    to the whole city when ``fit_city`` (every district in view), else to the sites, else to the city.

    ``tiles``: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template.
    ``reference``: a :class:`geo.reference.Reference` whose layers are offered (off by default),
    with ``reference_found`` (its features a search matched) highlighted.
    """
    url = settings.tiles() if tiles is True else (tiles or None)
    m = folium.Map(tiles=None, control_scale=True, max_zoom=19, min_zoom=MIN_ZOOM, prefer_canvas=True,
                   zoom_start=10, location=[21.03, 105.85], height=height)
    # the map's own limits: markercluster needs maxZoom, and clusters every level in between
    m.options.update(max_zoom=19, min_zoom=MIN_ZOOM)
    if url:
        folium.TileLayer(url, attr=str(settings.get("P03_TILES_ATTRIBUTION")), max_zoom=19, name="basemap").add_to(m)
    if focus is not None and len(focus):
        bounds = focus.total_bounds
    elif fit_city and b is not None:
        bounds = b.city.total_bounds
    elif len(sites):
        bounds = sites.total_bounds
    elif b is not None:
        bounds = b.city.total_bounds
    else:
        bounds = np.array([105.28, 20.56, 106.02, 21.39])
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    pad = 0.002 if (maxx - minx) < 0.004 else 0.0
    view = [[miny - pad, minx - pad], [maxy + pad, maxx + pad]]
    SitesLayer(payload_text(sites, b, lang, layer, focus), view).add_to(m)
    if reference is not None:
        from geo import render_reference  # imports this module
        render_reference.add_to(m, reference, lang, reference_found)
    m.fit_bounds(view)
    return m


def legend_items(sites: gpd.GeoDataFrame, lang: str = "vi") -> list[tuple[str, str, str, int]]:
    """(glyph, colour, label, count) per category present, for a legend beside the map."""
    counts = sites["category"].value_counts() if len(sites) else pd.Series(dtype=int)
    return [(c.glyph, c.color, c.label(lang), int(counts.get(c.code, 0))) for c in CATEGORIES
            if counts.get(c.code, 0)]
