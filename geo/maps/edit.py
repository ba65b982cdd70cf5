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
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.i18n import Text, pick
from geo.maps import colors
from geo.maps.base import ScriptLayer, Tiles, new_map
from geo.maps.payload import script_json

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
#: Leaflet-Geoman's own texts per language it is set to (English is built in)
_TEXTS: dict[str, dict[str, Any]] = {"vi": _VI, "en": {}}
#: where a new site is drawn when no unit is chosen: Hồ Hoàn Kiếm (lat, lon)
HOAN_KIEM = (21.0288, 105.8525)
UNDO_LABEL = Text("↶ Hoàn tác", "↶ Undo")
UNDO_TITLE = Text("Hoàn tác thay đổi cuối (điểm, đỉnh)", "Undo the last change (point, vertex)")


class SiteEditor(ScriptLayer, folium.plugins.GeoMan):
    """The editable layer group (``drawnItems``, the name streamlit-folium reads), the site's
    geometry in it with editing switched on (Leaflet-Geoman: drag a point or a vertex, tap a
    vertex to remove it, drag a middle handle to add one), an undo button, and the draw toolbar
    (point, line, polygon; "remove last vertex" while drawing) for a new site (``edit.js``).

    Every change fires Leaflet.draw's ``draw:edited`` / ``draw:created`` events, the ones
    streamlit-folium listens for, so ``st_folium`` reports the geometry at once (the page's form
    saves it). Inherits GeoMan for its asset lists (set by :func:`geo.assets.use`).
    """

    script_file = "edit.js"
    style_file = "edit.css"

    def __init__(self, site_geojson: dict[str, Any] | None, *, allow_draw: bool, lang: str = "vi") -> None:
        # the site's own geometry only: no user text enters the script (escaped JSON regardless)
        super().__init__(script_json({
            "lang": pick(lang, "vi", "en"), "texts": _TEXTS[pick(lang, "vi", "en")],
            "site": site_geojson, "draw": allow_draw, "color": colors.EDITING,
            "undo_label": UNDO_LABEL(lang), "undo_title": UNDO_TITLE(lang)}))


def edit_map(geometry: BaseGeometry | None, *, lang: str = "vi", tiles: Tiles = True,
             center: tuple[float, float] = HOAN_KIEM) -> folium.Map:
    """A small map for editing ``geometry`` (a site's, WGS 84), or for drawing a new site when it is
    None (the map then starts at ``center``, lat/lon).

    ``tiles``: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template.
    """
    m = new_map(tiles=tiles, max_zoom=19, center=center, zoom_start=14)
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
        return HOAN_KIEM
    p = focus.geometry.union_all().representative_point()
    return (float(p.y), float(p.x))
