"""A choropleth of one indicator by pre-2025 district or 2025 commune. Builds a ``folium.Map`` and
nothing else; the page shows it with ``st_folium`` and opens a unit's site map when it is clicked
(the clicked feature's ``code`` property).

Only Leaflet itself is used (no branca colormap, whose legend loads d3 from a CDN): colours are
chosen here, the legend is plain HTML escaped here.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import Boundaries
from geo.fmt import figure as fmt_number
from geo.i18n import pick, t
from geo.maps import colors
from geo.maps.base import ScriptLayer, Tiles, fit, new_map, view_of
from geo.maps.payload import script_json

PALETTE = ("#edf8fb", "#b2e2e2", "#66c2a4", "#2ca25f", "#006d2c")
NO_DATA = "#f2f2f2"


def breaks(values: pd.Series, share: bool = False) -> list[float]:
    """Upper bounds of the colour classes for ``values`` (0 and missing have their own colour).

    >>> breaks(pd.Series([0, 1, 3]))
    [1.0, 2.0, 3.0]
    >>> breaks(pd.Series([0, 0]))
    []
    >>> breaks(pd.Series([0.1, 0.5]), share=True)
    [0.2, 0.4, 0.6, 0.8, 1.0]
    """
    if share:
        return [0.2, 0.4, 0.6, 0.8, 1.0]
    top = float(np.nanmax(values.to_numpy(dtype=float))) if len(values) and values.notna().any() else 0.0
    if top <= 0:
        return []  # nothing achieved anywhere: every unit has the "0 / —" colour
    if top <= len(PALETTE) and float(top).is_integer() and bool((values.dropna() % 1 == 0).all()):
        return [float(i) for i in range(1, int(top) + 1)]
    step = top / len(PALETTE)
    return [step * (i + 1) for i in range(len(PALETTE))]


def color_for(value: float | None, bounds: list[float]) -> str:
    """The fill colour of ``value`` given the class upper bounds (``NO_DATA`` for 0 / missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value <= 0:
        return NO_DATA
    colors = PALETTE[-len(bounds):] if 0 < len(bounds) < len(PALETTE) else PALETTE
    for bound, color in zip(bounds, colors, strict=False):
        if value <= bound + 1e-9:
            return color
    return colors[-1]


#: the lag scale (share achieved minus share expected): red behind, yellow on the line, green ahead
LAG_BREAKS = (-0.5, -0.2, -0.05, 0.05, 0.2, 0.5)
LAG_PALETTE = ("#d73027", "#fc8d59", "#fee08b", "#ffffbf", "#d9ef8b", "#91cf60", "#1a9850")


def lag_color(value: float | None) -> str:
    """The fill of a unit ``value`` percentage points from its expected share (``NO_DATA`` when
    the unit has no site: no data is grey, on the line is yellow).

    >>> lag_color(-0.6), lag_color(0.0), lag_color(None), lag_color(0.7)
    ('#d73027', '#ffffbf', '#f2f2f2', '#1a9850')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    for bound, color in zip(LAG_BREAKS, LAG_PALETTE, strict=False):
        if value < bound:
            return color
    return LAG_PALETTE[-1]


def _lag_text(value: float, lang: str) -> str:
    points = fmt_number(abs(value) * 100, lang, 0)
    sign = "−" if value < -0.0005 else ("+" if value > 0.0005 else "±")
    return f"{sign}{points} %"


def _lag_legend(lang: str) -> list[tuple[str, str]]:
    edges = [None, *LAG_BREAKS, None]
    rows = []
    for low, high, color in zip(edges[:-1], edges[1:], LAG_PALETTE, strict=True):
        if low is None:
            text = f"< {_lag_text(float(high), lang)}"  # type: ignore[arg-type]  # only the ends are None
        elif high is None:
            text = f"> {_lag_text(low, lang)}"
        else:
            text = f"{_lag_text(low, lang)} … {_lag_text(high, lang)}"
        rows.append((color, text))
    return [*reversed(rows), (NO_DATA, t("ind_no_sites_unit", lang))]


def _legend_rows(bounds: list[float], share: bool, lang: str) -> list[tuple[str, str]]:
    colors = PALETTE[-len(bounds):] if 0 < len(bounds) < len(PALETTE) else PALETTE
    rows, low = [], 0.0
    for bound, color in zip(bounds, colors, strict=False):
        if share:
            text = f"{low:.0%}–{bound:.0%}"
        elif len(bounds) < len(PALETTE) and float(bound).is_integer():
            text = fmt_number(bound, lang)
        else:
            text = f"{fmt_number(low, lang, 1)}–{fmt_number(bound, lang, 1)}"
        rows.append((color, text))
        low = bound
    return [(NO_DATA, "0 / —"), *rows]


class UnitsLayer(ScriptLayer):
    """The units as one GeoJSON layer drawn by ``choropleth.js``: fill from each feature's ``color``,
    a tooltip with the unit and its value, a highlight on hover, the legend, the inner-districts
    zoom button. All in one closure (no global names), so it works inside streamlit-folium, which
    reports the clicked feature as ``last_active_drawing``. Every text is escaped in Python."""

    script_file = "choropleth.js"
    style_file = "choropleth.css"

    def __init__(self, data: dict[str, Any], title: str, rows: list[tuple[str, str]], link: str | None = None,
                 inner: dict[str, Any] | None = None, city: list[list[float]] | None = None) -> None:
        legend = f"<b>{html.escape(title)}</b><br>" + "".join(
            f"<i style='background:{html.escape(c)}'></i>{html.escape(text)}<br>" for c, text in rows)
        super().__init__(script_json({"data": data, "title": html.escape(title), "legend": legend, "link": link,
                                      "inner": inner, "city": city, "highlight": colors.HIGHLIGHT,
                                      "outline": colors.OUTLINE}))
        self.data = data


def _features(table: pd.DataFrame, b: Boundaries, layer: str, column: str, bounds: list[float],
              lang: str) -> dict[str, Any]:
    units = b.layer(layer)[["code", "type", "name", "name_en", "geometry"]].merge(
        table.drop(columns=[c for c in ("name", "name_en") if c in table.columns]), on="code", how="left")
    geoms = shapely.set_precision(shapely.simplify(units.geometry.to_numpy(), 0.0002, preserve_topology=True), 1e-5)
    share = column == "share"
    feats = []
    for row, geom in zip(units.to_dict("records"), geoms, strict=True):
        value = row.get(column)
        value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        label = pick(lang, f"{row['type']} {row['name']}", str(row["name_en"]))
        if column == "lag":
            text = "—" if value is None else _lag_text(value, lang)
        else:
            text = "—" if value is None else (f"{value:.0%}" if share else fmt_number(value, lang))
        feats.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geom)), "properties": {
            "code": row["code"], "label": html.escape(str(label)), "value": value, "value_text": html.escape(text),
            "count": int(row.get("count") or 0), "total": int(row.get("total") or 0),
            "color": lag_color(value) if column == "lag" else color_for(value, bounds)}})
    return {"type": "FeatureCollection", "features": feats}


def unit_choropleth(table: pd.DataFrame, b: Boundaries, layer: str = "district", *, column: str = "value",
                    lang: str = "vi", title: str = "", tiles: Tiles = True,
                    height: int | str = "100%", link: str | None = None) -> folium.Map:
    """A map of ``layer``'s units coloured by ``table[column]`` (``value`` or ``share``), where
    ``table`` is :func:`geo.indicators.measure.by_unit`'s result. Each feature carries ``code`` and
    ``value``; hovering shows the unit and its value. With ``link`` (a relative URL holding
    ``{code}``, e.g. ``district_map?district={code}``), clicking a unit opens that page."""
    m = new_map(tiles=tiles, height=height, max_zoom=18, min_zoom=7, attribution=b.attribution_lines(layer),
                 font_size="0.75rem", zoom_snap=0.25, zoom_delta=0.5)
    bounds = [] if column == "lag" else breaks(table[column] if column in table else pd.Series(dtype=float),
                                               share=column == "share")
    data = _features(table, b, layer, column, bounds, lang)
    legend = _lag_legend(lang) if column == "lag" else _legend_rows(bounds, column == "share", lang)
    city = view_of(b.city.total_bounds)
    UnitsLayer(data, title, legend, link, _inner(b, lang), city).add_to(m)
    fit(m, b.city.total_bounds)
    return m


def _inner(b: Boundaries, lang: str) -> dict[str, Any] | None:
    """The bounds of the urban districts (type "Quận") and the zoom button's labels."""
    urban = b.districts[b.districts["type"] == "Quận"]
    if urban.empty:
        return None
    return {"bounds": view_of(urban.total_bounds), "label_in": html.escape(t("choro_zoom_inner", lang)),
            "label_out": html.escape(t("choro_zoom_city", lang))}


def map_values(m: folium.Map) -> dict[str, float | None]:
    """The value each unit is coloured by in a map built by :func:`unit_choropleth`, by code."""
    for child in m._children.values():
        if isinstance(child, UnitsLayer):
            return {f["properties"]["code"]: f["properties"]["value"] for f in child.data["features"]}
    return {}
