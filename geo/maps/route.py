"""The field-visit route on the site map: numbered stops and the path between them."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd

from geo.boundaries import Boundaries
from geo.maps.base import ScriptLayer, Tiles, fit
from geo.maps.payload import script_json
from geo.visits import ROUTE_COLOR, Route


class StopsLayer(ScriptLayer):
    """Numbered stop markers drawn in JavaScript from JSON (texts escaped in the browser), each
    with its own icon from the start (no default-icon images are fetched)."""

    script_file = "route.js"
    style_file = "route.css"

    def __init__(self, stops: list[dict[str, Any]]) -> None:
        super().__init__(script_json(stops))


def route_map(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None = None, *, lang: str = "vi",
              tiles: Tiles = True, height: int | str = 420) -> folium.Map:
    """Numbered stops, the path between them and the chosen sites (with their outlines) on the
    site map of :func:`geo.maps.sites.site_map`."""
    from geo.maps.sites import site_map

    chosen = sites[sites["id"].isin(route.plan.stop_ids)]
    m = site_map(chosen, b, lang=lang, tiles=tiles, height=height)
    path = route.path()
    if len(path) > 1:
        folium.PolyLine(path, color=ROUTE_COLOR, weight=4, opacity=0.85, dash_array="8 6").add_to(m)
    start = route.plan.start
    marks = [{"lat": start.lat, "lon": start.lon, "text": "▶", "color": "#333333", "tip": start.label}]
    marks += [{"lat": s.lat, "lon": s.lon, "text": str(s.seq), "color": ROUTE_COLOR,
               "tip": f"{s.seq}. {s.name} · {s.arrive:%H:%M}"} for s in route.stops]
    StopsLayer(marks).add_to(m)
    lats = [p[0] for p in path]
    lons = [p[1] for p in path]
    fit(m, (min(lons), min(lats), max(lons), max(lats)), pad=0.003)
    return m
