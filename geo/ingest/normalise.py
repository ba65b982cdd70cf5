"""Coordinates and geometry of an upload, made fit to store: the CRS chosen (stated, given, or
found among those used in Hanoi), swapped axes detected, everything in WGS 84, 2-D, valid, of an
allowed type and inside Hanoi. Vectorised over all features with shapely 2; each problem is
reported per feature."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Geod
from pyproj.exceptions import CRSError

from geo import boundaries
from geo import crs as crs_mod
from geo.ingest.read import Msg, Raw
from geo.ingest.report import ERROR, WARNING, Problems
from geo.schema import GEOMETRY_TYPES

_ALLOWED = np.array([int(getattr(shapely.GeometryType, t.upper())) for t in GEOMETRY_TYPES])
_GC = int(shapely.GeometryType.GEOMETRYCOLLECTION)
#: a line or polygon must lie at least this much (length, area) inside the city
MIN_SHARE_INSIDE = 0.5


@dataclass
class CRSChoice:
    """The CRS an upload is read in. ``source``: user, file, default (RFC 7946 WGS 84), guessed or
    none (no known CRS fits: features rejected)."""

    used: str | None
    source: str
    declared: str | None = None
    candidates: list[str] = field(default_factory=list)
    swapped: bool = False
    warnings: list[Msg] = field(default_factory=list)


def _is_geographic(code: str | None) -> bool:
    if code is None:
        return True
    try:
        return bool(CRS.from_user_input(code).is_geographic)
    except CRSError:
        return False


def choose_crs(xy: np.ndarray, declared: str | None, user_crs: str | None, file_name: str) -> CRSChoice:
    """Decide the CRS of coordinates ``xy`` (n×2, finite).

    A CRS given by the user wins; then a projected CRS the file states. Otherwise the numbers are
    read as longitude/latitude when they are (swapped when lat/lon order is evident), else the
    known CRSs that put them in Hanoi are proposed, best first.
    """
    if user_crs:
        return CRSChoice(crs_mod.parse(user_crs, file=file_name), "user", declared)
    if declared and not _is_geographic(declared):
        return CRSChoice(declared, "file", declared)
    x, y = xy[:, 0], xy[:, 1]
    if not len(x) or crs_mod.looks_lonlat(x, y) or crs_mod.looks_swapped(x, y):
        return _geographic(x, y, declared)
    choice = CRSChoice(None, "none", declared)
    if declared:
        choice.warnings.append((f"tệp ghi hệ tọa độ {declared} nhưng các số không phải kinh độ/vĩ độ; đã bỏ qua "
                                "và tìm hệ tọa độ phù hợp.",
                                f"the file states {declared} but its numbers are not longitude/latitude; this was "
                                "ignored and a fitting CRS looked for."))
    cands = crs_mod.candidates(x, y)
    if not cands:
        cands = crs_mod.candidates(y, x)
        choice.swapped = bool(cands)
    choice.candidates = [c.code for c in cands]
    if cands:
        best = cands[0]
        choice.used, choice.source = best.code, "guessed"
        order = (" (cột X/Y theo thứ tự Bắc/Đông của trắc địa, đã đảo lại)", " (X/Y in the surveyors' "
                 "northing/easting order, swapped)") if choice.swapped else ("", "")
        choice.warnings.append((
            f"tệp không ghi hệ tọa độ; {crs_mod.describe(best.code, 'vi')} đặt {best.share_in_hanoi:.0%} số điểm vào "
            f"Hà Nội{order[0]}. Hãy xác nhận hoặc chọn hệ khác ({', '.join(choice.candidates)}).",
            f"the file states no coordinate system; {crs_mod.describe(best.code, 'en')} puts "
            f"{best.share_in_hanoi:.0%} of the points in Hanoi{order[1]}. Confirm it or choose another "
            f"({', '.join(choice.candidates)})."))
    return choice


def _geographic(x: np.ndarray, y: np.ndarray, declared: str | None) -> CRSChoice:
    choice = CRSChoice(declared or crs_mod.WGS84, "file" if declared else "default", declared)
    choice.candidates = [c.code for c in crs_mod.candidates(x, y)] if len(x) else []
    if len(x) and crs_mod.looks_swapped(x, y):
        choice.swapped = True
        choice.warnings.append((
            "tọa độ được ghi theo thứ tự (vĩ độ, kinh độ) thay vì (kinh độ, vĩ độ); đã đảo lại.",
            "coordinates are written as (latitude, longitude) instead of (longitude, latitude); they were swapped."))
    return choice


def to_wgs84(geoms: np.ndarray, choice: CRSChoice) -> np.ndarray:
    """2-D geometries in WGS 84 (None stays None)."""
    out = geoms
    if choice.swapped:
        out = shapely.transform(out, lambda c: c[:, ::-1])
    if choice.used and choice.used != crs_mod.WGS84:
        with np.errstate(all="ignore"):
            out = shapely.transform(out, lambda c: np.column_stack(crs_mod.to_wgs84_xy(choice.used, c[:, 0], c[:, 1])))
    return out


def present_xy(geoms: np.ndarray) -> np.ndarray:
    """All finite x/y coordinates of the geometries (for CRS detection), sampled to 20,000."""
    coords = shapely.get_coordinates(geoms)
    coords = coords[np.isfinite(coords).all(axis=1)]
    if len(coords) > 20_000:
        coords = coords[np.linspace(0, len(coords) - 1, 20_000).astype(int)]
    sample: np.ndarray = coords
    return sample


# ---------------------------------------------------------------- geometry checks


def readable(raw: Raw, problems: Problems) -> np.ndarray:
    """Geometries present, non-empty, 2-D, finite and of an allowed type; the rest rejected."""
    geoms = raw.geoms.copy()
    missing = shapely.is_missing(geoms)
    for i in np.flatnonzero(missing):
        vi, en = raw.geom_errors.get(int(i), ("không có hình học (geometry rỗng/null).", "has no geometry (null)."))
        problems.add(int(i), "geometry", None, ERROR, vi, en)
    present = np.flatnonzero(~missing)
    g = geoms[present]
    z = shapely.has_z(g) | shapely.has_m(g)
    if z.any():
        g = np.where(z, shapely.force_2d(g), g)
        problems.file_warning(f"đã bỏ tọa độ Z/M (độ cao) của {int(z.sum())} đối tượng; chỉ lưu 2D.",
                              f"dropped the Z/M (height) coordinates of {int(z.sum())} features; only 2-D is stored.",
                              "geometry")
    g = _unwrap_collections(g, present, problems)
    empty = shapely.is_empty(g)
    problems.add_each(present[empty], "geometry", None, ERROR, "hình học rỗng (không có tọa độ).",
                      "the geometry is empty (no coordinates).")
    types = shapely.get_type_id(g)
    bad_type = ~np.isin(types, _ALLOWED) & ~empty & ~problems.rejected[present]
    for i, t in zip(present[bad_type], types[bad_type], strict=True):
        name = shapely.GeometryType(int(t)).name.title().replace("collection", "Collection").replace("ring", "Ring")
        problems.add(int(i), "geometry", name, ERROR,
                     f"loại hình học {name} không được hỗ trợ; dùng {', '.join(GEOMETRY_TYPES)}.",
                     f"geometry type {name} is not supported; use {', '.join(GEOMETRY_TYPES)}.")
    coords, idx = shapely.get_coordinates(g, return_index=True)
    nonfinite = np.unique(idx[~np.isfinite(coords).all(axis=1)])
    problems.add_each(present[nonfinite], "geometry", None, ERROR, "tọa độ không phải số hữu hạn (NaN/Infinity).",
                      "coordinates are not finite numbers (NaN/Infinity).")
    geoms[present] = g
    geoms[problems.rejected] = None
    return geoms


def _unwrap_collections(g: np.ndarray, present: np.ndarray, problems: Problems) -> np.ndarray:
    """A GeometryCollection whose parts are all points (lines, polygons) becomes a Multi*; the
    rest are left for the type check to reject."""
    out = g.copy()
    for k in np.flatnonzero(shapely.get_type_id(g) == _GC):
        parts = shapely.get_parts(g[k])
        kinds = set(shapely.get_type_id(parts).tolist())
        if not len(parts):
            continue
        if kinds <= {0, 4}:
            out[k] = shapely.multipoints(shapely.get_parts(parts))
        elif kinds <= {1, 5}:
            out[k] = shapely.multilinestrings(shapely.get_parts(parts))
        elif kinds <= {3, 6}:
            out[k] = shapely.multipolygons(shapely.get_parts(parts))
        else:
            problems.add(int(present[k]), "geometry", "GeometryCollection", ERROR,
                         "GeometryCollection trộn nhiều loại (điểm, đường, vùng); hãy tách thành các đối tượng riêng.",
                         "a GeometryCollection mixing points, lines and polygons; split it into separate features.")
            continue
        problems.add(int(present[k]), "geometry", "GeometryCollection", WARNING,
                     f"GeometryCollection đã được đổi thành {out[k].geom_type}.",
                     f"the GeometryCollection was turned into a {out[k].geom_type}.")
    return out


def repair(geoms: np.ndarray, problems: Problems) -> np.ndarray:
    """Invalid geometries repaired with ``make_valid`` (and said so); unrepairable ones rejected."""
    live = np.flatnonzero(~shapely.is_missing(geoms))
    g = geoms[live]
    bad = ~shapely.is_valid(g)
    if not bad.any():
        return geoms
    reasons = shapely.is_valid_reason(g[bad])
    fixed = shapely.make_valid(g[bad], method="structure", keep_collapsed=False)
    out = geoms.copy()
    for i, why, f in zip(live[bad], reasons, fixed, strict=True):
        if f is None or shapely.is_empty(f) or int(shapely.get_type_id(f)) not in _ALLOWED:
            problems.add(int(i), "geometry", why, ERROR, f"hình học không hợp lệ ({why}) và không sửa được.",
                         f"the geometry is invalid ({why}) and cannot be repaired.")
            out[i] = None
        else:
            problems.add(int(i), "geometry", why, WARNING, f"hình học không hợp lệ ({why}); đã tự sửa (make_valid).",
                         f"the geometry was invalid ({why}); it was repaired (make_valid).")
            out[i] = f
    return out


def inside_hanoi(geoms: np.ndarray, b: boundaries.Boundaries, problems: Problems) -> None:
    """Reject features that do not touch Hanoi, with their distance to the city boundary and a
    hint when swapping latitude and longitude would put them inside."""
    live = np.flatnonzero(~shapely.is_missing(geoms))
    if not len(live):
        return
    city = b.city_shape
    shapely.prepare(city)
    touching = shapely.intersects(city, geoms[live])
    outside = live[~touching]
    _mostly_outside(geoms, live[touching], city, problems)
    if not len(outside):
        return
    km = distance_km(geoms[outside], city)
    swapped = shapely.transform(geoms[outside], lambda c: c[:, ::-1])
    hint = shapely.intersects(city, swapped)
    where = shapely.get_coordinates(shapely.point_on_surface(geoms[outside]))
    for i, d, h, pt in zip(outside, km, hint, where, strict=True):
        extra_vi = " Có vẻ vĩ độ và kinh độ bị đảo chỗ." if h else " Kiểm tra hệ tọa độ và thứ tự kinh độ, vĩ độ."
        extra_en = " Latitude and longitude look swapped." if h else " Check the coordinate system and the order " \
            "of longitude and latitude."
        problems.add(int(i), "geometry", f"{pt[0]:.6f}, {pt[1]:.6f}", ERROR,
                     f"nằm ngoài Hà Nội, cách ranh giới thành phố {d:.1f} km.{extra_vi}",
                     f"lies outside Hanoi, {d:.1f} km from the city boundary.{extra_en}")


def _mostly_outside(geoms: np.ndarray, touching: np.ndarray, city: shapely.Geometry, problems: Problems) -> None:
    """Reject lines and polygons that only touch Hanoi: less than half their length or area
    inside (e.g. a neighbouring province sharing a border). Only those not wholly inside are
    measured."""
    partial = touching[~shapely.contains(city, geoms[touching])]
    dim = shapely.get_dimensions(geoms[partial])
    partial, dim = partial[dim > 0], dim[dim > 0]
    if not len(partial):
        return
    inside = shapely.intersection(geoms[partial], city)
    whole = np.where(dim == 2, shapely.area(geoms[partial]), shapely.length(geoms[partial]))
    part = np.where(dim == 2, shapely.area(inside), shapely.length(inside))
    share = np.divide(part, whole, out=np.zeros_like(whole), where=whole > 0)
    for i, sh in zip(partial[share < MIN_SHARE_INSIDE], share[share < MIN_SHARE_INSIDE], strict=True):
        problems.add(int(i), "geometry", f"{sh:.0%}", ERROR,
                     f"phần lớn nằm ngoài Hà Nội: chỉ {sh:.0%} nằm trong thành phố (cần ít nhất {MIN_SHARE_INSIDE:.0%}).",
                     f"lies mostly outside Hanoi: only {sh:.0%} of it is inside the city (at least "
                     f"{MIN_SHARE_INSIDE:.0%} is needed).")


_GEOD = Geod(ellps="WGS84")


def distance_km(geoms: np.ndarray, city: shapely.Geometry) -> np.ndarray:
    """Geodesic distance in km from each geometry (lon/lat) to ``city`` along their shortest line."""
    lines = shapely.shortest_line(geoms, city)
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    _, _, metres = _GEOD.inv(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
    return np.asarray(metres) / 1000.0
