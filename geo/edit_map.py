"""The small map a site is edited or drawn on (Leaflet-Geoman, vendored under ``geo/vendor/``).

:func:`edit_map` builds a ``folium.Map`` of one site whose geometry is editable at once — a point
is dragged, a line's or polygon's vertices are dragged, added (the middle handles) or removed (a
tap on a vertex), with an "undo" button for the last change — or, with no site, a map with the
draw toolbar (point, line, polygon; "remove last vertex" while drawing) for a new site.
``streamlit-folium`` listens for Leaflet.draw's ``draw:created`` / ``draw:edited`` events (the
editor fires them) and returns the editable layers as ``all_drawings``; :func:`drawing_geometry`
turns that into one shapely geometry (a Multi* when several parts of one kind were drawn).

Nothing here imports streamlit; the page passes ``st_folium``'s answer to :func:`drawing_geometry`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import folium.plugins
import shapely
from folium.template import Template
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from geo import settings
from geo.errors import InputError
from geo.render import script_json

#: Leaflet-Geoman's texts in Vietnamese (it ships none): the ones met while drawing and editing
_VI: dict[str, Any] = {
    "tooltips": {
        "placeMarker": "Chạm để đặt điểm", "firstVertex": "Chạm để đặt đỉnh đầu tiên",
        "continueLine": "Chạm để vẽ tiếp", "finishLine": "Chạm vào đỉnh cuối để kết thúc",
        "finishPoly": "Chạm vào đỉnh đầu tiên để khép vùng",
    },
    "actions": {"finish": "Xong", "cancel": "Huỷ", "removeLastVertex": "Xoá đỉnh cuối"},
    "buttonTitles": {"drawMarkerButton": "Đặt điểm", "drawPolyButton": "Vẽ vùng (đa giác)",
                     "drawLineButton": "Vẽ tuyến (đường)"},
}
UNDO_LABEL = {"vi": "↶ Hoàn tác", "en": "↶ Undo"}
UNDO_TITLE = {"vi": "Hoàn tác thay đổi cuối (điểm, đỉnh)", "en": "Undo the last change (point, vertex)"}


class SiteEditor(folium.plugins.GeoMan):
    """The editable layer group (``drawnItems``, the name streamlit-folium reads), the site's
    geometry in it with editing switched on (Leaflet-Geoman: drag a point or a vertex, tap a
    vertex to remove it, drag a middle handle to add one), an undo button, and the draw toolbar
    (point, line, polygon; "remove last vertex" while drawing) for a new site.

    Every change fires Leaflet.draw's ``draw:edited`` / ``draw:created`` events, the ones
    streamlit-folium listens for, so ``st_folium`` reports the geometry at once (the page's form
    saves it).
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          /* finger-sized (44 px) tools and actions: the map is used on phones in the field */
          .leaflet-pm-toolbar a.leaflet-buttons-control-button { width: 44px; height: 44px; line-height: 44px; }
          .button-container .leaflet-pm-actions-container .leaflet-pm-action { height: 44px; line-height: 44px;
            font-size: 15px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          map.pm.setLang({{ this.lang|tojson }}, {{ this.texts|tojson }}, 'en');
          var items = L.featureGroup().addTo(map);
          window.drawnItems = items;
          map.pm.setGlobalOptions({layerGroup: items, snappable: false, allowSelfIntersection: false,
                                   removeVertexOn: 'click', pathOptions: {color: '#d62728', weight: 4}});
          var undo = [];
          function snap(layer) {
            return layer.getLatLng ? layer.getLatLng() : JSON.parse(JSON.stringify(layer.getLatLngs()));
          }
          function editable(layer) {
            layer._p03Last = snap(layer);
            layer.on('pm:edit', function() {
              undo.push([layer, layer._p03Last]); layer._p03Last = snap(layer);
              map.fire('draw:edited', {layer: layer, layers: items});
            });
            layer.pm.enable({allowSelfIntersection: false, removeVertexOn: 'click', snappable: false});
          }
          var site = {{ this.site_json }};
          if (site) {
            L.geoJSON(site, {style: {color: '#d62728', weight: 4}}).eachLayer(function(layer) {
              items.addLayer(layer); editable(layer);
            });
            map.fitBounds(items.getBounds(), {maxZoom: 17, padding: [20, 20]});
          }
          {%- if this.allow_draw %}
          map.pm.addControls({position: 'topleft', drawMarker: true, drawPolyline: true, drawPolygon: true,
            drawCircle: false, drawCircleMarker: false, drawRectangle: false, drawText: false,
            editMode: false, dragMode: false, cutPolygon: false, removalMode: false, rotateMode: false});
          map.on('pm:create', function(e) {
            items.eachLayer(function(old) { if (old !== e.layer) { items.removeLayer(old); } });
            undo.length = 0;
            if (!items.hasLayer(e.layer)) { items.addLayer(e.layer); }
            editable(e.layer);
            map.fire('draw:created', {layer: e.layer, layerType: e.shape});
          });
          {%- endif %}
          var Undo = L.Control.extend({
            options: {position: 'topright'},
            onAdd: function() {
              var b = L.DomUtil.create('button', 'p03-undo leaflet-bar');
              b.type = 'button'; b.textContent = {{ this.undo_label|tojson }}; b.title = {{ this.undo_title|tojson }};
              b.style.cssText = 'min-height:44px;min-width:44px;padding:0 12px;font-size:15px;background:#fff;cursor:pointer';
              L.DomEvent.disableClickPropagation(b);
              L.DomEvent.on(b, 'click', function() {
                var last = undo.pop(); if (!last) { return; }
                var layer = last[0];
                layer.pm.disable();
                if (layer.getLatLng) { layer.setLatLng(last[1]); } else { layer.setLatLngs(last[1]); }
                layer._p03Last = snap(layer);
                layer.pm.enable({allowSelfIntersection: false, removeVertexOn: 'click', snappable: false});
                map.fire('draw:edited', {layer: layer, layers: items});
              });
              return b;
            }
          });
          new Undo().addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, site_geojson: dict[str, Any] | None, *, allow_draw: bool, lang: str = "vi") -> None:
        super().__init__()
        self._name = "SiteEditor"
        # the site's own geometry only: no user text enters the script (escaped JSON regardless)
        self.site_json = script_json(site_geojson)
        self.allow_draw = allow_draw
        self.lang = "vi" if lang == "vi" else "en"
        self.texts = _VI if lang == "vi" else {}
        self.undo_label = UNDO_LABEL.get(lang, UNDO_LABEL["en"])
        self.undo_title = UNDO_TITLE.get(lang, UNDO_TITLE["en"])


def edit_map(geometry: BaseGeometry | None, *, lang: str = "vi", tiles: str | None | bool = True,
             center: tuple[float, float] = (21.0288, 105.8525)) -> folium.Map:
    """A small map for editing ``geometry`` (a site's, WGS 84), or for drawing a new site when it is
    None (the map then starts at ``center``, lat/lon).

    ``tiles``: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template.
    """
    url = settings.tiles() if tiles is True else (tiles or None)
    m = folium.Map(tiles=None, control_scale=True, max_zoom=19, zoom_start=14, location=list(center))
    m.options.update(max_zoom=19)
    if url:
        folium.TileLayer(url, attr=str(settings.get("P03_TILES_ATTRIBUTION")), max_zoom=19, name="basemap").add_to(m)
    site = None if geometry is None else shapely.geometry.mapping(geometry)
    SiteEditor(site, allow_draw=geometry is None, lang=lang).add_to(m)
    return m


_MULTI = {"Point": MultiPoint, "LineString": MultiLineString, "Polygon": MultiPolygon}


def drawing_geometry(drawings: Sequence[dict[str, Any]] | None) -> BaseGeometry | None:
    """One geometry from ``st_folium``'s ``all_drawings`` (GeoJSON features, lon/lat), or None when
    nothing is drawn. Several parts of one kind make a Multi*; mixed kinds are refused.

    >>> drawing_geometry([{"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]}}]).wkt
    'POINT (105.85 21.03)'
    """
    parts: list[BaseGeometry] = []
    for feature in drawings or []:
        geom = (feature or {}).get("geometry") if isinstance(feature, dict) else None
        if not geom:
            continue
        try:
            parts.append(shape(geom))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise InputError(f"hình vẽ không đọc được ({exc}).", f"the drawing cannot be read ({exc}).",
                             field="geometry") from exc
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    kinds = {p.geom_type.removeprefix("Multi") for p in parts}
    if len(kinds) > 1:
        raise InputError("hãy vẽ một loại hình (điểm, tuyến hoặc vùng), không trộn lẫn.",
                         "draw one kind of shape (points, lines or polygons), not a mix.", field="geometry")
    kind = kinds.pop()
    flat = [g for p in parts for g in (p.geoms if hasattr(p, "geoms") else [p])]
    return _MULTI[kind](flat)


def center_of(focus: Any = None) -> tuple[float, float]:
    """(lat, lon) to start drawing a new site at: inside the chosen unit (a GeoDataFrame of its
    rows), else Hồ Hoàn Kiếm."""
    if focus is None or not len(focus):
        return (21.0288, 105.8525)
    p = focus.geometry.union_all().representative_point()
    return (float(p.y), float(p.x))
