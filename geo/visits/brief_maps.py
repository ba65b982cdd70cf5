"""The brief's pictures, drawn on the server with matplotlib from the boundary layers and the sites
alone (no tiles, no network): the route map, a map around each stop, and the QR code."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import qrcode
import qrcode.image.svg
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as MplPolygon

from geo.boundaries import Boundaries
from geo.i18n import name_column
from geo.schema import CATEGORY_BY_CODE
from geo.visits.timetable import ROUTE_COLOR, Route


def nfc(value: Any) -> str:
    """``value`` as text in Unicode NFC (one code point per Vietnamese letter, as fonts expect)."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))

# ---------------------------------------------------------------- map images


def _extent(points: np.ndarray, geoms: Iterable[Any], aspect: float, min_km: float) -> tuple[float, ...]:
    """(minx, miny, maxx, maxy) covering ``points`` (lat, lon rows) and ``geoms``, padded, at
    least ``min_km`` across, and shaped to ``aspect`` (width/height on the ground)."""
    arr = np.asarray(list(geoms), dtype=object)
    boxes = [shapely.bounds(arr)] if len(arr) else []
    xs = np.concatenate([points[:, 1], *[b[:, [0, 2]].ravel() for b in boxes]])
    ys = np.concatenate([points[:, 0], *[b[:, [1, 3]].ravel() for b in boxes]])
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    k = math.cos(math.radians(cy))
    w_km = max((xs.max() - xs.min()) * 111.32 * k * 1.15, min_km)
    h_km = max((ys.max() - ys.min()) * 111.32 * 1.15, min_km)
    w_km, h_km = max(w_km, h_km * aspect), max(h_km, w_km / aspect)
    dx, dy = w_km / (111.32 * k) / 2, h_km / 111.32 / 2
    return cx - dx, cy - dy, cx + dx, cy + dy


def _segments(geoms: np.ndarray) -> list[np.ndarray]:
    """Every ring or line of ``geoms`` as an (n, 2) lon/lat array."""
    out: list[np.ndarray] = []
    lines = shapely.get_parts(shapely.boundary(geoms[shapely.get_dimensions(geoms) == 2]))
    lines = np.concatenate([lines, shapely.get_parts(geoms[shapely.get_dimensions(geoms) == 1])])
    for line in shapely.get_parts(lines):
        out.append(shapely.get_coordinates(line))
    return out


def _draw_units(ax: Any, layer: gpd.GeoDataFrame, box: tuple[float, ...], **style: Any) -> None:
    minx, miny, maxx, maxy = box
    near = layer.geometry.to_numpy()[layer.sindex.query(shapely.box(minx, miny, maxx, maxy))]
    if len(near):
        ax.add_collection(LineCollection(_segments(near), **style))


def _label_units(ax: Any, layer: gpd.GeoDataFrame, box: tuple[float, ...], lang: str) -> None:
    """Unit names at a point inside each unit's part within the view (faint, behind everything)."""
    view = shapely.box(*box)
    near = layer.iloc[layer.sindex.query(view, predicate="intersects")]
    inner = shapely.box(*shapely.bounds(shapely.buffer(view, -(box[2] - box[0]) * 0.04)))
    for name, geom in zip(near[name_column(lang)], near.geometry, strict=True):
        part = shapely.intersection(geom, inner)
        if part.is_empty or part.area < inner.area * 0.02:
            continue
        pt = part.representative_point()
        ax.text(pt.x, pt.y, nfc(name), ha="center", va="center", fontsize=7, color="#8a8a8a", zorder=1,
                clip_on=True)


def _draw_sites(ax: Any, sites: gpd.GeoDataFrame) -> None:
    for _, row in sites.iterrows():
        color = CATEGORY_BY_CODE.get(row["category"], CATEGORY_BY_CODE["other"]).color
        geom = row.geometry
        for part in shapely.get_parts(geom):
            dim = shapely.get_dimensions(part)
            if dim == 2:
                ax.add_patch(MplPolygon(shapely.get_coordinates(part.exterior), closed=True, facecolor=color,
                                        edgecolor=color, alpha=0.3, linewidth=1.5, zorder=2))
            elif dim == 1:
                xy = shapely.get_coordinates(part)
                ax.plot(xy[:, 0], xy[:, 1], color=color, linewidth=4, alpha=0.8, solid_capstyle="round", zorder=2)
            else:
                ax.plot([part.x], [part.y], "o", color=color, markersize=5, zorder=2)


def _draw_route(ax: Any, route: Route, highlight: int | None, scale: float) -> None:
    path = np.array(route.path())
    if len(path) > 1:
        ax.plot(path[:, 1], path[:, 0], color=ROUTE_COLOR, linewidth=2 * scale, linestyle=(0, (4, 3)),
                alpha=0.85, zorder=3)
    start = route.plan.start
    ax.plot([start.lon], [start.lat], marker="s", color="#222222", markersize=9 * scale,
            markeredgecolor="white", zorder=4)
    for s in route.stops:
        on = highlight is None or s.seq == highlight
        ax.text(s.lon, s.lat, str(s.seq), ha="center", va="center", color="white", fontsize=8 * scale,
                fontweight="bold", zorder=5 if on else 4,
                bbox={"boxstyle": "circle,pad=0.3", "facecolor": ROUTE_COLOR if on else "#999999",
                      "edgecolor": "white", "linewidth": 1.2})


def _scale_bar(ax: Any, box: tuple[float, ...]) -> None:
    minx, miny, maxx, maxy = box
    k = math.cos(math.radians((miny + maxy) / 2))
    width_km = (maxx - minx) * 111.32 * k
    nice = next(v for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if v >= width_km / 6)
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.05
    x1 = x0 + nice / (111.32 * k)
    ax.plot([x0, x1], [y0, y0], color="black", linewidth=2.5, zorder=6, solid_capstyle="butt")
    ax.text((x0 + x1) / 2, y0 + (maxy - miny) * 0.015, f"{nice:g} km", ha="center", va="bottom",
            fontsize=7, zorder=6)


def map_image(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None, *,
              focus: int | None = None, size_mm: tuple[float, float] = (180, 120), dpi: int = 150,
              min_km: float = 1.0, lang: str = "vi") -> bytes:
    """A PNG of the route (or, with ``focus``, of stop number ``focus`` and its surroundings):
    district (and, zoomed in, commune) boundaries, the chosen sites, the path and the numbers."""
    w_in, h_in = size_mm[0] / 25.4, size_mm[1] / 25.4
    chosen = sites[sites["id"].isin(route.plan.stop_ids)]
    if focus is None:
        pts = np.array(route.path())
        box = _extent(pts, chosen.geometry.to_numpy(), w_in / h_in, min_km)
    else:
        stop = route.stops[focus - 1]
        geom = chosen.set_index("id").geometry.get(stop.site_id)
        box = _extent(np.array([[stop.lat, stop.lon]]), [geom] if geom is not None else [], w_in / h_in, min_km)
    fig = Figure(figsize=(w_in, h_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_facecolor("white")
    if b is not None:
        zoomed = (box[2] - box[0]) < 0.12
        if zoomed:
            _draw_units(ax, b.communes, box, colors="#9e9e9e", linewidths=0.6, linestyles="dashed", zorder=1)
        _draw_units(ax, b.districts, box, colors="#555555", linewidths=1.0, zorder=1)
        _label_units(ax, b.communes if zoomed else b.districts, box, lang)
    _draw_sites(ax, chosen)
    _draw_route(ax, route, focus, 1.0 if focus is None else 1.3)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1 / math.cos(math.radians((box[1] + box[3]) / 2)), adjustable="datalim")
    _scale_bar(ax, box)
    ax.add_patch(matplotlib.patches.Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                                              edgecolor="#888888", linewidth=1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _qr(url: str, **kwargs: Any) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2, **kwargs)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as PNG (for the PDF brief)."""
    buf = io.BytesIO()
    _qr(url).make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as SVG text on a white ground (for a page: Streamlit shows an SVG string
    inline, as a data URL, so a rerun that changes the code leaves no superseded media file for the
    browser to ask for and miss)."""
    return str(_qr(url, image_factory=qrcode.image.svg.SvgPathFillImage).make_image().to_string(encoding="unicode"))
