"""QGIS and SLD styles of the sites: category colours and symbols as on the app's map.

The colours and glyphs are the schema's (:data:`geo.schema.CATEGORIES`, which the map draws
with), never copied here. Points are the map's pins — a circle in the category colour with a white
rim and the category's glyph in white; lines are drawn 1.3 mm wide in that colour; polygons are
filled at 25 % with an outline. Category labels (the legend) are in the chosen language.

:func:`style_geopackage` embeds the style in a GeoPackage as QGIS does (the ``layer_styles``
table, one row per geometry kind present, the commonest the default), so the export opens in
QGIS looking like the app's map; :func:`qml` and :func:`sld` are the same style as downloads.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from geo.schema import CATEGORIES, Term

#: geometry kind -> (QGIS symbol type, QGIS layerGeometryType, words for the style's name)
KINDS: dict[str, tuple[str, str, str]] = {
    "point": ("marker", "0", "điểm / points"),
    "line": ("line", "1", "đường / lines"),
    "polygon": ("fill", "2", "vùng / polygons"),
}
_FAMILY = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
           "Polygon": "polygon", "MultiPolygon": "polygon"}
QGIS_VERSION = "3.34.0"


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    opts = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(opts, "Option", name=name, type="QString", value=value)


def _layer(symbol: ET.Element, cls: str, values: dict[str, str]) -> None:
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, values)


def _symbol(parent: ET.Element, name: str, kind: str, term: Term) -> None:
    sym_type = KINDS[kind][0]
    symbol = ET.SubElement(parent, "symbol", type=sym_type, name=name, alpha="1", clip_to_extent="1",
                           force_rhr="0")
    if kind == "point":
        _layer(symbol, "SimpleMarker", {"name": "circle", "color": _rgba(term.color), "size": "4.6",
                                        "size_unit": "MM", "outline_color": "255,255,255,255",
                                        "outline_style": "solid", "outline_width": "0.5",
                                        "outline_width_unit": "MM"})
        _layer(symbol, "FontMarker", {"chr": term.glyph, "font": "Sans Serif", "font_style": "Bold",
                                      "color": "255,255,255,255", "size": "2.2", "size_unit": "MM",
                                      "outline_width": "0"})
    elif kind == "line":
        _layer(symbol, "SimpleLine", {"line_color": _rgba(term.color, 230), "line_width": "1.3",
                                      "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"})
    else:
        _layer(symbol, "SimpleFill", {"color": _rgba(term.color, 64), "style": "solid",
                                      "outline_color": _rgba(term.color, 230), "outline_style": "solid",
                                      "outline_width": "0.5", "outline_width_unit": "MM"})


def qml(kind: str = "point", lang: str = "vi") -> str:
    """A QGIS style (QML) for a sites layer of geometry ``kind``: categorised on ``category``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling")
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr="category", symbollevels="0",
                             enableorderby="0", forceraster="0", referencescale="-1")
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, term in enumerate(CATEGORIES):
        ET.SubElement(cats, "category", symbol=str(i), value=term.code, label=term.label(lang), render="true",
                      type="string")
        _symbol(symbols, str(i), kind, term)
    source = ET.SubElement(renderer, "source-symbol")
    _symbol(source, "0", kind, CATEGORIES[-1])
    ET.SubElement(root, "layerGeometryType").text = KINDS[kind][1]
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


_SLD = "http://www.opengis.net/sld"
_OGC = "http://www.opengis.net/ogc"
_SE = "http://www.opengis.net/se"


def _param(parent: ET.Element, tag: str, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{_SE}}}{tag}", name=name).text = value


def _sld_rule(fts: ET.Element, term: Term, lang: str) -> None:
    rule = ET.SubElement(fts, f"{{{_SE}}}Rule")
    ET.SubElement(rule, f"{{{_SE}}}Name").text = term.code
    ET.SubElement(ET.SubElement(rule, f"{{{_SE}}}Description"), f"{{{_SE}}}Title").text = term.label(lang)
    flt = ET.SubElement(rule, f"{{{_OGC}}}Filter")
    eq = ET.SubElement(flt, f"{{{_OGC}}}PropertyIsEqualTo")
    ET.SubElement(eq, f"{{{_OGC}}}PropertyName").text = "category"
    ET.SubElement(eq, f"{{{_OGC}}}Literal").text = term.code
    poly = ET.SubElement(rule, f"{{{_SE}}}PolygonSymbolizer")
    fill = ET.SubElement(poly, f"{{{_SE}}}Fill")
    _param(fill, "SvgParameter", "fill", term.color)
    _param(fill, "SvgParameter", "fill-opacity", "0.25")
    stroke = ET.SubElement(poly, f"{{{_SE}}}Stroke")
    _param(stroke, "SvgParameter", "stroke", term.color)
    line = ET.SubElement(ET.SubElement(rule, f"{{{_SE}}}LineSymbolizer"), f"{{{_SE}}}Stroke")
    _param(line, "SvgParameter", "stroke", term.color)
    _param(line, "SvgParameter", "stroke-width", "4")
    point = ET.SubElement(ET.SubElement(rule, f"{{{_SE}}}PointSymbolizer"), f"{{{_SE}}}Graphic")
    mark = ET.SubElement(point, f"{{{_SE}}}Mark")
    ET.SubElement(mark, f"{{{_SE}}}WellKnownName").text = "circle"
    _param(ET.SubElement(mark, f"{{{_SE}}}Fill"), "SvgParameter", "fill", term.color)
    mstroke = ET.SubElement(mark, f"{{{_SE}}}Stroke")
    _param(mstroke, "SvgParameter", "stroke", "#ffffff")
    _param(mstroke, "SvgParameter", "stroke-width", "2")
    ET.SubElement(point, f"{{{_SE}}}Size").text = "16"


def sld(lang: str = "vi") -> str:
    """The same style as an OGC SLD 1.1 document (one rule per category; point, line and polygon
    symbolizers in each, so one file serves any geometry)."""
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(layer, f"{{{_SE}}}Name").text = "sites"
    style = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    ET.SubElement(style, f"{{{_SE}}}Name").text = "P03 Map"
    fts = ET.SubElement(style, f"{{{_SE}}}FeatureTypeStyle")
    for term in CATEGORIES:
        _sld_rule(fts, term, lang)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def kinds_of(geom_types: list[str]) -> list[str]:
    """The geometry kinds present, commonest first (ties in point, line, polygon order)."""
    counts: dict[str, int] = {}
    for t in geom_types:
        kind = _FAMILY.get(t)
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], list(KINDS).index(k)))


def style_geopackage(path: Path, layer: str, geom_types: list[str], lang: str = "vi") -> int:
    """Add QGIS's ``layer_styles`` table to the GeoPackage at ``path`` for ``layer``: one style
    per geometry kind present, the commonest marked default. Returns the rows written."""
    import pandas as pd
    import pyogrio

    kinds = kinds_of(geom_types) or ["point"]
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", [layer]).fetchone()
    geom_col = row[0] if row else "geom"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    df = pd.DataFrame([{
        "f_table_catalog": "", "f_table_schema": "", "f_table_name": layer, "f_geometry_column": geom_col,
        "styleName": f"P03 Map – {KINDS[k][2]}", "styleQML": qml(k, lang), "styleSLD": sld(lang),
        "useAsDefault": i == 0, "description": "Màu và ký hiệu như bản đồ P03 Map / as on the P03 Map map",
        "owner": "", "ui": None, "update_time": now,
    } for i, k in enumerate(kinds)])
    pyogrio.write_dataframe(df, path, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"})
    return len(df)
