"""Coordinate reference systems people in Hanoi really use, detection and transforms.

Everything is stored in WGS 84 (EPSG:4326, lon/lat order). Transforms use pyproj with the EPSG
database's default VN-2000 → WGS 84 operation (EPSG:6960, the official 7-parameter set of
Circular 973/2001, ~1 m), never a proj4 string without ``+towgs84`` (224 m off at Hanoi).

>>> round(to_wgs84_xy("EPSG:5897", 588415.054, 2326377.582)[1], 5)
21.0288
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from geo.errors import InputError
from geo.i18n import pick

WGS84 = "EPSG:4326"

# Hanoi's extent with a margin (lon/lat). Used to judge candidate CRSs.
HANOI_BBOX = (105.25, 20.50, 106.05, 21.45)


@dataclass(frozen=True)
class KnownCRS:
    code: str
    vi: str
    en: str


# Ranked by how often each is met in Hanoi's files: the local VN-2000 grid first.
KNOWN: tuple[KnownCRS, ...] = (
    KnownCRS("EPSG:4326", "WGS 84 (kinh độ, vĩ độ)", "WGS 84 (longitude, latitude)"),
    KnownCRS("EPSG:5897", "VN-2000 / TM-3 kinh tuyến trục 105°00' (Hà Nội, k=0,9999)",
             "VN-2000 / TM-3 central meridian 105°00' (Hanoi, k=0.9999)"),
    KnownCRS("EPSG:3405", "VN-2000 / UTM múi 48N", "VN-2000 / UTM zone 48N"),
    KnownCRS("EPSG:4756", "VN-2000 địa lý (kinh độ, vĩ độ)", "VN-2000 geographic (longitude, latitude)"),
    KnownCRS("EPSG:32648", "WGS 84 / UTM múi 48N", "WGS 84 / UTM zone 48N"),
    KnownCRS("EPSG:3857", "Web Mercator (Google, OSM)", "Web Mercator (Google, OSM)"),
)
KNOWN_BY_CODE = {k.code: k for k in KNOWN}


def describe(code: str, lang: str = "vi") -> str:
    """Human label for a CRS code (known ones in the user's language, others by pyproj name)."""
    known = KNOWN_BY_CODE.get(code)
    if known:
        return f"{pick(lang, known.vi, known.en)} ({code})"
    try:
        return f"{CRS.from_user_input(code).name} ({code})"
    except (CRSError, ProjError, ValueError, TypeError):
        return code


def parse(text: str, *, file: str | None = None) -> str:
    """Normalise a CRS given by a user or a file (``5897``, ``EPSG:5897``, WKT, ``.prj``) to an
    authority code such as ``EPSG:5897`` where one matches, so that datum shifts come from EPSG.

    Every pyproj failure becomes an :class:`InputError` (this and :func:`check` are the one
    wrapper around pyproj's parsing): unknown codes, broken WKT, PROJ ``+init=`` files, and CRSs
    that cannot place points on the Earth's surface (vertical, engineering, other planets).

    Raises
    ------
    InputError
        When pyproj cannot understand it or it cannot be converted to WGS 84.
    """
    raw = str(text).strip()
    if raw.isdigit():
        raw = f"EPSG:{raw}"
    shown = raw[:80]
    if "init=" in raw.replace(" ", "").lower():
        raise _crs_error(shown, ("các chuỗi PROJ “+init=” đọc tệp trên máy chủ nên không được nhận",
                                 "PROJ “+init=” strings read files on the server and are not accepted"), file)
    try:
        crs = CRS.from_user_input(raw)
        code = normalise(crs)
    except (CRSError, ProjError, ValueError, TypeError) as exc:
        raise _crs_error(shown, (f"pyproj: {str(exc)[:120]}", f"pyproj: {str(exc)[:120]}"), file) from exc
    check(code, file=file, shown=shown)
    return code


def _crs_error(shown: str, why: tuple[str, str], file: str | None) -> InputError:
    return InputError(
        f"không dùng được hệ tọa độ “{shown}” ({why[0]}). Hãy chọn một mã EPSG của hệ tọa độ mặt bằng, ví dụ "
        "EPSG:5897 (VN-2000 Hà Nội) hoặc EPSG:4326 (WGS 84).",
        f"cannot use the coordinate system “{shown}” ({why[1]}). Choose the EPSG code of a horizontal "
        "coordinate system, e.g. EPSG:5897 (VN-2000 Hanoi) or EPSG:4326 (WGS 84).",
        file=file,
    )


def check(code: str, *, file: str | None = None, shown: str | None = None) -> None:
    """Refuse a CRS that cannot place points on the Earth: unknown, vertical only, engineering
    (local, not tied to the Earth), or of another celestial body (no operation to WGS 84).

    Raises
    ------
    InputError
        Naming the CRS and why, in both languages.
    """
    shown = shown or str(code)[:80]
    try:
        crs = CRS.from_user_input(code)
    except (CRSError, ProjError, ValueError, TypeError) as exc:
        raise _crs_error(shown, (f"pyproj: {str(exc)[:120]}", f"pyproj: {str(exc)[:120]}"), file) from exc
    horizontal = crs.sub_crs_list[0] if crs.is_compound and crs.sub_crs_list else crs
    if horizontal.is_vertical:
        raise _crs_error(shown, ("đây là hệ độ cao, không phải hệ tọa độ mặt bằng",
                                 "it is a vertical (height) system, not a horizontal one"), file)
    if "engineering" in horizontal.type_name.lower() or not (horizontal.is_geographic or horizontal.is_projected):
        raise _crs_error(shown, ("đây là hệ tọa độ cục bộ (kỹ thuật), không gắn với Trái Đất",
                                 "it is a local (engineering) system, not tied to the Earth"), file)
    try:
        _transformer(str(code), WGS84)
    except (CRSError, ProjError) as exc:
        raise _crs_error(shown, ("không chuyển được sang WGS 84 — có thể là hệ của thiên thể khác",
                                 "it cannot be converted to WGS 84 — perhaps a system of another celestial body"),
                         file) from exc


def normalise(crs: CRS) -> str:
    """An EPSG/OGC code for ``crs`` where one is identified with confidence, else its WKT."""
    if crs.is_geographic and crs.to_epsg() is None:
        # GeoJSON's legacy "urn:ogc:def:crs:OGC:1.3:CRS84"
        auth = crs.to_authority()
        if auth and auth[1] == "CRS84":
            return WGS84
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is not None:
        return f"EPSG:{epsg}"
    # A .prj (ESRI WKT) names VN-2000 without an EPSG match: look for the same projection.
    for cand in ("EPSG:5897", "EPSG:3405", "EPSG:4756", "EPSG:5896", "EPSG:5898", "EPSG:5899"):
        if crs.equals(CRS.from_user_input(cand), ignore_axis_order=True):
            return cand
    return crs.to_wkt()


@lru_cache(maxsize=32)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_wgs84_xy(src: str, x: float | np.ndarray, y: float | np.ndarray) -> tuple[Any, Any]:
    """Transform coordinates from ``src`` to WGS 84 lon/lat (vectorised)."""
    return _transformer(src, WGS84).transform(x, y)


def from_wgs84_xy(dst: str, lon: float | np.ndarray, lat: float | np.ndarray) -> tuple[Any, Any]:
    return _transformer(WGS84, dst).transform(lon, lat)


#: VN-2000 / UTM zone 48N: metres for distances and areas around Hanoi
METRIC = "EPSG:3405"


def to_metric(geoms: np.ndarray) -> np.ndarray:
    """WGS 84 lon/lat geometries → VN-2000 / UTM 48N (EPSG:3405) metres (distances in metres)."""
    out: np.ndarray = shapely.transform(np.asarray(geoms, dtype=object),
                                        lambda c: np.column_stack(from_wgs84_xy(METRIC, c[:, 0], c[:, 1])))
    return out


def in_hanoi_bbox(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    minx, miny, maxx, maxy = HANOI_BBOX
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def looks_lonlat(x: np.ndarray, y: np.ndarray) -> bool:
    """True when every coordinate is a valid longitude/latitude pair."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return bool(len(x)) and bool(np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90))


def looks_swapped(x: np.ndarray, y: np.ndarray) -> bool:
    """True when the numbers are lat/lon written as lon/lat: swapping them lands in Vietnam and
    not swapping does not.

    >>> looks_swapped(np.array([21.03]), np.array([105.85]))
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not len(x):
        return False
    vn = (102.0, 8.0, 110.0, 23.5)

    def share(lon: np.ndarray, lat: np.ndarray) -> float:
        return float(np.mean((lon >= vn[0]) & (lon <= vn[2]) & (lat >= vn[1]) & (lat <= vn[3])))

    return share(y, x) > 0.9 and share(x, y) < 0.1


@dataclass(frozen=True)
class Candidate:
    code: str
    share_in_hanoi: float


def candidates(x: np.ndarray, y: np.ndarray) -> list[Candidate]:
    """The known CRSs that put these coordinates in Hanoi, best first.

    ``share_in_hanoi`` is the fraction of the (sampled) coordinates that land in Hanoi's box. Only
    candidates putting at least half of them there are returned. Several VN-2000 grids can fit the
    same numbers (their origins differ by a few hundred metres): the order of :data:`KNOWN` breaks
    ties, and the user confirms.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) > 2000:
        idx = np.linspace(0, len(x) - 1, 2000).astype(int)
        x, y = x[idx], y[idx]
    out = []
    for rank, known in enumerate(KNOWN):
        with np.errstate(all="ignore"):
            lon, lat = to_wgs84_xy(known.code, x, y)
        lon, lat = np.asarray(lon), np.asarray(lat)
        ok = np.isfinite(lon) & np.isfinite(lat)
        share = float(np.mean(ok & in_hanoi_bbox(lon, lat))) if len(x) else 0.0
        if share >= 0.5:
            out.append((-round(share, 2), rank, Candidate(known.code, share)))
    return [c for _, _, c in sorted(out, key=lambda item: (item[0], item[1]))]
