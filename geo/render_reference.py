"""The OpenStreetMap reference layers on a folium map: one Leaflet GeoJSON layer per reference
layer (canvas circles for points, outlines for lakes), listed in a layer control and off by
default (the reader's choice is remembered in the browser), each carrying the ODbL attribution
that Leaflet shows while the layer is on; features found by a name search are drawn highlighted
on top. Names are escaped in the browser; the payload is escaped for its ``<script>``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template

from geo.reference import LAYERS, Reference
from geo.render import _geojson_texts, _Raw, script_json

#: lake outlines simplified to ~2 m (invisible at district zoom; a third of the bytes)
LAKE_TOLERANCE = 0.00002


def _feature_collection(gdf: gpd.GeoDataFrame, decimals: int = 6) -> str:
    geoms = gdf.geometry.to_numpy()
    polys = shapely.get_type_id(geoms) >= 3
    if polys.any():
        geoms = geoms.copy()
        geoms[polys] = shapely.simplify(geoms[polys], LAKE_TOLERANCE, preserve_topology=True)
    names = [script_json(n if isinstance(n, str) else "") for n in gdf["name"].tolist()]
    feats = ",".join('{"type":"Feature","properties":{"n":' + n + '},"geometry":' + g + "}"
                     for n, g in zip(names, _geojson_texts(geoms, decimals), strict=True))
    return '{"type":"FeatureCollection","features":[' + feats + "]}"


@lru_cache(maxsize=8)
def _layers_text(ref: Reference, lang: str) -> str:
    parts = []
    for layer in LAYERS:
        fc = _feature_collection(ref.layer(layer.key))
        parts.append('{"key":' + script_json(layer.key) + ',"label":' + script_json(layer.label(lang)) +
                     ',"color":' + script_json(layer.color) + ',"fc":' + fc + "}")
    return "[" + ",".join(parts) + "]"


def payload_text(ref: Reference, lang: str = "vi", found: gpd.GeoDataFrame | None = None,
                 show: bool = False) -> str:
    """The script-safe JSON the layer script draws (the layers cached per reference and language);
    ``show``: every layer on from the start."""
    found_text = _feature_collection(found) if found is not None and len(found) else "null"
    return ('{"layers":' + _layers_text(ref, lang) + ',"found":' + found_text + ',"attribution":' +
            script_json(ref.attribution_line(lang)) + ',"show":' + ("true" if show else "false") + "}")


class ReferenceLayers(folium.MacroElement):
    """The reference layers' script (see the module docstring)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var R = {{ this.payload }};
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  var saved = [];
  try { saved = JSON.parse(window.localStorage.getItem("p03ref") || "[]"); } catch (e) { saved = []; }
  var overlays = {}, groups = {};
  function layerOf(l, fc, strong) {
    return L.geoJSON(fc, {attribution: esc(R.attribution),
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: strong ? 8 : 5, color: strong ? "#000" : l.color, weight: strong ? 2 : 1,
                                   fillColor: l.color, fillOpacity: 0.7});
      },
      style: function () { return {color: l.color, weight: strong ? 3 : 1, fillColor: l.color,
                                   fillOpacity: strong ? 0.4 : 0.25}; },
      onEachFeature: function (f, layer) {
        if (f.properties.n) layer.bindTooltip(esc(f.properties.n) + "<br><small>" + esc(l.label) + "</small>");
      }});
  }
  R.layers.forEach(function (l) {
    var g = layerOf(l, l.fc, false);
    g.p03key = l.key;
    groups[l.key] = g;
    overlays["<span style='color:" + l.color + "'>&#9679;</span> " + esc(l.label)] = g;
    if (R.show || saved.indexOf(l.key) >= 0) g.addTo(map);
  });
  L.control.layers(null, overlays, {collapsed: map.getSize().x < 600, position: "topleft"}).addTo(map);
  function remember() {
    var on = Object.keys(groups).filter(function (k) { return map.hasLayer(groups[k]); });
    try { window.localStorage.setItem("p03ref", JSON.stringify(on)); } catch (e) { /* private mode */ }
  }
  if (!R.show) map.on("overlayadd overlayremove", remember);
  if (R.found) layerOf({color: "#ffd700", label: ""}, R.found, true).addTo(map);
  window.p03ref = {groups: groups, found: R.found ? R.found.features.length : 0};
})();
{% endmacro %}
""")

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "ReferenceLayers"
        self.payload = payload

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca returns HTML; folium macros None
        """The script goes into the page as it is (a large payload is not compiled as a template)."""
        figure: Any = self.get_root()
        figure.script.add_child(_Raw(self._template.module.script(self, kwargs)), name=self.get_name())


def add_to(m: folium.Map, ref: Reference, lang: str = "vi", found: gpd.GeoDataFrame | None = None,
           show: bool = False) -> None:
    """Add the reference layers (and highlighted ``found`` features) to map ``m``."""
    ReferenceLayers(payload_text(ref, lang, found, show)).add_to(m)


#: colours of the candidate coordinate systems on the comparison map (best first)
CANDIDATE_COLORS = ("#d7301f", "#2171b5", "#238b45", "#6a51a3", "#ff7f00", "#000000")


class CandidatesLayer(folium.MacroElement):
    """An upload's points as each candidate CRS places them, one coloured layer per candidate."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var C = {{ this.payload }};
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  var overlays = {}, all = [];
  C.forEach(function (c) {
    var g = L.featureGroup();
    c.pts.forEach(function (p, k) {
      all.push(p);
      L.circleMarker(p, {radius: 7, color: "#fff", weight: 2, fillColor: c.color, fillOpacity: 0.9})
        .bindTooltip(esc(c.names[k]) + "<br><small>" + esc(c.label) + "</small>").addTo(g);
    });
    g.addTo(map);
    overlays["<span style='color:" + c.color + "'>&#9679;</span> " + esc(c.label)] = g;
  });
  L.control.layers(null, overlays, {collapsed: false, position: "bottomleft"}).addTo(map);
  if (all.length) map.fitBounds(L.latLngBounds(all).pad(0.3));
  window.p03crs = {candidates: C.length, points: all.length};
})();
{% endmacro %}
""")

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "CandidatesLayer"
        self.payload = payload

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca returns HTML; folium macros None
        figure: Any = self.get_root()
        figure.script.add_child(_Raw(self._template.module.script(self, kwargs)), name=self.get_name())


def candidates_map(candidates: list[tuple[str, Any, list[str]]], b: Any, ref: Reference | None,
                   lang: str = "vi", limit: int = 300) -> folium.Map:
    """A map comparing candidate coordinate systems: for each (label, lon/lat array, names), the
    points as that candidate places them (up to ``limit`` each), over the boundaries and the
    reference layers (on)."""
    from geo.ingest.pipeline import _empty
    from geo.render import site_map

    m = site_map(_empty(), b, lang=lang)
    if ref is not None:
        add_to(m, ref, lang, show=True)
    oks = [np.isfinite(np.asarray(lonlat, dtype=float)).all(axis=1) for _label, lonlat, _names in candidates]
    payload = [{"label": label, "color": CANDIDATE_COLORS[k % len(CANDIDATE_COLORS)],
                "pts": [[round(float(lat), 7), round(float(lon), 7)] for lon, lat in lonlat[:limit][ok[:limit]]],
                "names": [str(n) for n, good in zip(names[:limit], ok[:limit], strict=False) if good]}
               for k, ((label, lonlat, names), ok) in enumerate(zip(candidates, oks, strict=True))]
    CandidatesLayer(script_json(payload)).add_to(m)
    return m


__all__ = ["ReferenceLayers", "add_to", "payload_text"]
