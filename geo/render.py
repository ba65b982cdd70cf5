"""Folium maps of sites and boundaries. Builds a ``folium.Map`` and nothing else.

Sites go to the browser as compact rows inside one element (:class:`SitesLayer`): points through
a marker-cluster group whose icons, tooltips and popups are built in JavaScript from the rows,
lines and polygons as one GeoJSON layer with rounded (and for large views simplified)
coordinates. Every user-supplied string is escaped in the browser before it becomes HTML, and the
JSON payload itself is escaped for the ``<script>`` it lives in.
"""

from __future__ import annotations

import json
import re
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import settings
from geo.boundaries import Boundaries
from geo.i18n import t
from geo.schema import CATEGORIES, STATUSES

#: above this many sites, rows carry only what the tooltip needs; the page shows the rest
FULL_DETAIL_MAX = 3000
HIGHLIGHT = "#d7301f"
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
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"'`=\\/]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function names(table, codes) {
    if (!codes) return "";
    return codes.split(";").map(function (c) { return table[c] || c; }).join(", ");
  }
  var F = D.fields;
  function tip(s) {
    var c = D.cats[s[F.cat]];
    return "<b>" + esc(s[F.name]) + "</b><br><small>" + esc(c.label) + " · #" + esc(s[F.id]) + "</small>";
  }
  function popup(s) {
    var rows = [[D.labels.category, D.cats[s[F.cat]].label], [D.labels.status, D.sts[s[F.status]].label],
                [D.labels.district, names(D.districts, s[F.district])],
                [D.labels.commune, names(D.communes, s[F.commune])]];
    D.extra.forEach(function (e) {
      var v = s[F[e[0]]];
      if (v !== null && v !== "" && v !== undefined) rows.push([e[1], e[2] ? Number(v).toLocaleString("vi-VN") : v]);
    });
    var html = "<div class='p03-popup'><h4>" + esc(s[F.name]) + "</h4><table>";
    rows.forEach(function (r) { html += "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>"; });
    html += "<tr><th>" + esc(D.labels.id) + "</th><td>" + esc(s[F.id]) + "</td></tr></table></div>";
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
  var group = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, showCoverageOnHover: false,
      disableClusteringAtZoom: 18, spiderfyOnMaxZoom: true});
  var markers = [];
  D.points.forEach(function (p) {
    var s = D.sites[p[2]];
    var m = L.marker([p[0], p[1]], {icon: icons[s[F.cat]], title: s[F.name], keyboard: true});
    m.bindTooltip(tip(s));
    m.bindPopup(function () { return popup(s); }, {maxWidth: 320});
    markers.push(m);
  });
  group.addLayers(markers);
  var shapes = L.geoJSON(D.shapes, {
    style: function (f) {
      var s = D.sites[f.properties.i], c = D.cats[s[F.cat]];
      var line = f.geometry.type.indexOf("Line") >= 0;
      return {color: c.color, weight: line ? 5 : 2, opacity: 0.9, fillColor: c.color, fillOpacity: 0.25};
    },
    onEachFeature: function (f, layer) {
      var s = D.sites[f.properties.i];
      layer.bindTooltip(tip(s), {sticky: true});
      layer.bindPopup(function () { return popup(s); }, {maxWidth: 320});
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
  window.p03 = {points: group, shapes: shapes, count: D.sites.length};
  return group;
})();
{% endmacro %}
""")

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "SitesLayer"
        self.payload = script_json(payload)
        self.highlight = HIGHLIGHT


def _unit_geojson(gdf: gpd.GeoDataFrame, tolerance: float) -> dict[str, Any]:
    geoms = gdf.geometry.to_numpy()
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1e-6)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))} for g in geoms]}


def _payload(sites: gpd.GeoDataFrame, b: Boundaries | None, lang: str, layer: str,
             focus: gpd.GeoDataFrame | None) -> dict[str, Any]:
    cat_idx = {c.code: i for i, c in enumerate(CATEGORIES)}
    st_idx = {s.code: i for i, s in enumerate(STATUSES)}
    full = len(sites) <= FULL_DETAIL_MAX
    cols = ["id", "name", "category", "status", "district_codes", "commune_codes"]
    extra = [("progress_pct", t("progress_pct", lang), True), ("indicator", t("indicator", lang), False),
             ("responsible_unit", t("responsible_unit", lang), False), ("start_date", t("start_date", lang), False),
             ("end_date", t("end_date", lang), False), ("budget_vnd", t("budget_vnd", lang), True),
             ("notes", t("notes", lang), False)] if full else []
    fields = {"id": 0, "name": 1, "cat": 2, "status": 3, "district": 4, "commune": 5}
    fields.update({name: 6 + i for i, (name, _, _) in enumerate(extra)})
    df = pd.DataFrame(sites.drop(columns="geometry"))
    table = [df["id"].astype(str), df["name"].astype(str),
             df["category"].map(cat_idx).fillna(cat_idx["other"]).astype(int),
             df["status"].map(st_idx).fillna(0).astype(int),
             df["district_codes"].fillna(""), df["commune_codes"].fillna("")]
    for name, _, numeric in extra:
        col = df[name]
        table.append(col.astype(object).where(col.notna(), None) if numeric else col.fillna("").astype(str))
    rows = [list(r) for r in zip(*(c.tolist() for c in table))] if len(df) else []

    geoms = sites.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    pidx = np.flatnonzero(is_point)
    points = [[round(float(y), 6), round(float(x), 6), int(i)] for x, y, i in
              zip(shapely.get_x(geoms[pidx]), shapely.get_y(geoms[pidx]), pidx)]
    sidx = np.flatnonzero(~is_point)
    shapes_geoms = geoms[sidx]
    if len(sidx) > 1000:
        minx, miny, maxx, maxy = shapely.total_bounds(shapes_geoms)
        shapes_geoms = shapely.simplify(shapes_geoms, max(maxx - minx, maxy - miny) / 4000, preserve_topology=True)
    shapes_geoms = shapely.set_precision(shapes_geoms, 1e-6) if len(sidx) else shapes_geoms
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"i": int(i)}, "geometry": json.loads(shapely.to_geojson(g))}
        for i, g in zip(sidx, shapes_geoms)]}

    used = sorted(set(table[2].tolist()))
    payload: dict[str, Any] = {
        "fields": fields, "sites": rows, "points": points, "shapes": shapes,
        "cats": [{"label": c.label(lang), "color": c.color, "glyph": c.glyph} for c in CATEGORIES],
        "sts": [{"label": s.label(lang)} for s in STATUSES],
        "labels": {k: t(k, lang) for k in ("category", "status", "district", "commune", "id", "legend")},
        "extra": [[name, label, numeric] for name, label, numeric in extra],
        "legend": used, "districts": {}, "communes": {}, "units": None, "focus": None, "attribution": [],
    }
    if b is not None:
        key = "name" if lang == "vi" else "name_en"
        payload["districts"] = dict(zip(b.districts["code"], b.districts[key]))
        payload["communes"] = dict(zip(b.communes["code"], b.communes[key]))
        payload["units"] = _unit_geojson(b.layer(layer), 0.0002)
        payload["attribution"] = b.attribution_lines(layer)
        payload["focus"] = _unit_geojson(focus if focus is not None else b.city, 0)
    return payload


def site_map(sites: gpd.GeoDataFrame, b: Boundaries | None = None, *, lang: str = "vi", layer: str = "district",
             focus: gpd.GeoDataFrame | None = None, tiles: str | None | bool = True,
             height: int | str = "100%") -> folium.Map:
    """A map of ``sites`` over the boundary ``layer``, fitted to ``focus`` (a unit's row(s)), else
    to the sites, else to the city.

    ``tiles``: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template.
    """
    url = settings.tiles() if tiles is True else (tiles or None)
    m = folium.Map(tiles=None, control_scale=True, max_zoom=19, min_zoom=7, prefer_canvas=True,
                   zoom_start=10, location=[21.03, 105.85], height=height)
    m.options.update(max_zoom=19, min_zoom=7)  # the map's own limits (markercluster needs maxZoom)
    if url:
        folium.TileLayer(url, attr=str(settings.get("P03_TILES_ATTRIBUTION")), max_zoom=19, name="basemap").add_to(m)
    SitesLayer(_payload(sites, b, lang, layer, focus)).add_to(m)
    if focus is not None and len(focus):
        bounds = focus.total_bounds
    elif len(sites):
        bounds = sites.total_bounds
    elif b is not None:
        bounds = b.city.total_bounds
    else:
        bounds = np.array([105.28, 20.56, 106.02, 21.39])
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    pad = 0.002 if (maxx - minx) < 0.004 else 0.0
    m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return m


def legend_items(sites: gpd.GeoDataFrame, lang: str = "vi") -> list[tuple[str, str, str, int]]:
    """(glyph, colour, label, count) per category present, for a legend beside the map."""
    counts = sites["category"].value_counts() if len(sites) else pd.Series(dtype=int)
    return [(c.glyph, c.color, c.label(lang), int(counts.get(c.code, 0))) for c in CATEGORIES
            if counts.get(c.code, 0)]
