"""Administrative boundary layers: import, validate, look up.

Two layers matter (see PROGRAMME03.md): the 30 pre-2025 districts the programme reports by, and
the 126 communes/wards in force since 1 July 2025. Both are imported from ``P03_BOUNDARIES_SRC``
into ``P03_DATA_DIR/boundaries/`` after validation; a broken source is refused whole.
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layer_source, settings
from geo.errors import BoundariesMissing, BoundaryError, NotFound, OutsideHanoi
from geo.i18n import fold, name_column
from geo.locate import COMMUNES_FILE as COMMUNES_FILE
from geo.locate import DISTRICTS_FILE as DISTRICTS_FILE

CITY_FILE = "hanoi_city.geojson"
CROSSWALK_FILE = "hanoi_communes_2025_crosswalk.csv"
ATTRIBUTION_FILE = "attribution.json"

# file -> properties every feature must carry
REQUIRED_PROPS: dict[str, tuple[str, ...]] = {
    DISTRICTS_FILE: ("code", "name", "type", "name_en"),
    COMMUNES_FILE: ("code", "name", "type", "name_en", "old_district_codes"),
    CITY_FILE: ("code", "name"),
}
CROSSWALK_COLUMNS = ("new_code", "new_name", "old_ward_code", "old_district_code", "merge_type")

# Used when the source carries no SOURCES.md (the texts of ../shared/data/SOURCES.md).
DEFAULT_ATTRIBUTION = {
    DISTRICTS_FILE: "Ranh giới hành chính: Hệ thống bản đồ hành chính Việt Nam (gis.chinhphu.vn), "
    "trích xuất bởi daohoangson/dvhcvn (GPL-3.0).",
    CITY_FILE: "Ranh giới hành chính: Hệ thống bản đồ hành chính Việt Nam (gis.chinhphu.vn), "
    "trích xuất bởi daohoangson/dvhcvn (GPL-3.0).",
    COMMUNES_FILE: "© OpenStreetMap contributors (ODbL 1.0, openstreetmap.org/copyright); mã và danh sách "
    "sáp nhập: dvhcvn/20250701 (MIT), daohoangson/dvhcvn (GPL-3.0).",
    CROSSWALK_FILE: "dvhcvn/20250701 (MIT); daohoangson/dvhcvn (GPL-3.0); nguồn: Nghị quyết 1656/NQ-UBTVQH15, "
    "Tổng cục Thống kê.",
}

LAYERS = ("district", "commune")
_MAX_FETCH_BYTES = 100 * 1024 * 1024


# ---------------------------------------------------------------- import


def import_boundaries(src: str | Path | None = None, dest: Path | None = None) -> dict[str, int]:
    """Fetch, validate and install the boundary layers from a folder or an http(s) URL.

    Everything is validated before anything is written; the destination is replaced in one
    rename, so a failed import leaves the previous layers in place.

    Returns
    -------
    dict
        Feature counts per layer file.

    Raises
    ------
    BoundaryError
        Naming the file, feature and property that is wrong.
    """
    src = str(src if src is not None else settings.get("P03_BOUNDARIES_SRC"))
    dest = Path(dest) if dest is not None else settings.boundaries_dir()
    blobs = {name: _fetch(src, name) for name in (DISTRICTS_FILE, COMMUNES_FILE, CITY_FILE, CROSSWALK_FILE)}
    counts = {name: _validate_layer(name, blobs[name]) for name in REQUIRED_PROPS}
    counts[CROSSWALK_FILE] = _validate_crosswalk(blobs[CROSSWALK_FILE], blobs[COMMUNES_FILE])
    attribution = _attribution(src)

    files = {**blobs, ATTRIBUTION_FILE: json.dumps(attribution, ensure_ascii=False, indent=1).encode("utf-8")}
    layer_source.install(dest, files)
    load.cache_clear()
    return counts


def _is_url(src: str) -> bool:
    return layer_source.is_url(src)


def _fetch(src: str, name: str) -> bytes:
    files = f"{DISTRICTS_FILE}, {COMMUNES_FILE}, {CITY_FILE}"
    return layer_source.fetch(src, name, max_bytes=_MAX_FETCH_BYTES, setting="P03_BOUNDARIES_SRC", error=BoundaryError,
                              missing=(f"{files} và {CROSSWALK_FILE}", f"{files} and {CROSSWALK_FILE}"))


def _broken(name: str, vi: str, en: str, feature: int | None = None) -> BoundaryError:
    where_vi = f"Tệp ranh giới {name}" + (f", đối tượng số {feature}" if feature is not None else "")
    where_en = f"Boundary file {name}" + (f", feature {feature}" if feature is not None else "")
    return BoundaryError(
        f"{where_vi}: {vi} Không nhập gì cả; hãy sửa nguồn rồi nhập lại.",
        f"{where_en}: {en} Nothing was imported; fix the source and import again.",
    )


def _validate_layer(name: str, blob: bytes) -> int:
    feats = layer_source.geojson_features(blob, lambda vi, en: _broken(name, vi, en))
    codes: set[str] = set()
    for i, feat in enumerate(feats, start=1):
        props = (feat or {}).get("properties") or {}
        for prop in REQUIRED_PROPS[name]:
            if props.get(prop) in (None, ""):
                raise _broken(name, f"thiếu thuộc tính “{prop}”.", f"property “{prop}” is missing.", i)
        code = str(props["code"])
        if code in codes:
            raise _broken(name, f"mã “{code}” bị trùng.", f"code “{code}” is repeated.", i)
        codes.add(code)
        try:
            geom = shapely.geometry.shape(feat.get("geometry"))
        except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            raise _broken(name, f"hình học không đọc được ({exc}).", f"geometry cannot be read ({exc}).", i) from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise _broken(name, f"hình học phải là vùng (Polygon), gặp {geom.geom_type}.",
                          f"geometry must be a polygon, found {geom.geom_type}.", i)
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            raise _broken(name, f"hình học không hợp lệ ({why}).", f"geometry is invalid ({why}).", i)
        minx, miny, maxx, maxy = geom.bounds
        if not (100 <= minx and maxx <= 112 and 7 <= miny and maxy <= 24):
            raise _broken(name, "tọa độ không nằm ở Việt Nam theo kinh độ/vĩ độ WGS 84.",
                          "coordinates are not WGS 84 longitude/latitude in Vietnam.", i)
    return len(feats)


def _validate_crosswalk(blob: bytes, communes_blob: bytes) -> int:
    try:
        df = pd.read_csv(io.BytesIO(blob), dtype=str, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise _broken(CROSSWALK_FILE, f"không đọc được CSV ({exc}).", f"cannot be read as CSV ({exc}).") from exc
    missing = [c for c in CROSSWALK_COLUMNS if c not in df.columns]
    if missing:
        raise _broken(CROSSWALK_FILE, f"thiếu cột {', '.join(missing)}.", f"lacks columns {', '.join(missing)}.")
    communes = {str(f["properties"]["code"]) for f in json.loads(communes_blob.decode("utf-8-sig"))["features"]}
    unknown = sorted(set(df["new_code"]) - communes)
    if unknown:
        raise _broken(CROSSWALK_FILE, f"mã xã/phường không có trong {COMMUNES_FILE}: {', '.join(unknown[:5])}.",
                      f"commune codes not in {COMMUNES_FILE}: {', '.join(unknown[:5])}.")
    return len(df)


_SECTION = re.compile(r"^## boundaries/(\S+)", re.M)
_ATTR = re.compile(r'^\* Attribution: "(.+?)"\s*$', re.M | re.S)


def _attribution(src: str) -> dict[str, str]:
    """Per-file attribution lines from the source's SOURCES.md (its folder or the parent)."""
    text = None
    for rel in ("SOURCES.md", "../SOURCES.md"):
        try:
            if _is_url(src):
                with urllib.request.urlopen(urllib.parse.urljoin(src.rstrip("/") + "/", rel),  # noqa: S310
                                            timeout=layer_source.FETCH_TIMEOUT) as resp:
                    text = resp.read(1_000_000).decode("utf-8")
            else:
                path = (Path(src).expanduser() / rel).resolve()
                text = path.read_text("utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError):
            text = None
        if text:
            break
    found = dict(DEFAULT_ATTRIBUTION)
    if text:
        parts = _SECTION.split(text)
        for name, body in zip(parts[1::2], parts[2::2]):
            m = _ATTR.search(body)
            if m and name in found:
                found[name] = " ".join(m.group(1).split())
    return found


# ---------------------------------------------------------------- loaded layers


@dataclass(frozen=True)
class Boundaries:
    """The installed layers, indexed for lookups."""

    districts: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    city: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    attribution: dict[str, str]

    def layer(self, layer: str) -> gpd.GeoDataFrame:
        return self.districts if layer == "district" else self.communes

    @property
    def city_shape(self) -> shapely.Geometry:
        return self.city.geometry.iloc[0]

    def attribution_lines(self, layer: str = "district") -> list[str]:
        files = [DISTRICTS_FILE if layer == "district" else COMMUNES_FILE]
        if layer == "commune":
            files.append(CROSSWALK_FILE)
        return [self.attribution[f] for f in files if f in self.attribution]


def _mtime(folder: Path) -> float:
    path = folder / DISTRICTS_FILE
    return path.stat().st_mtime if path.exists() else 0.0


def get(folder: Path | None = None) -> Boundaries:
    """The installed boundaries (cached until the files change).

    Raises
    ------
    BoundariesMissing
        When nothing has been imported yet.
    """
    folder = Path(folder) if folder is not None else settings.boundaries_dir()
    if not (folder / DISTRICTS_FILE).exists():
        raise BoundariesMissing(str(folder))
    return load(str(folder.resolve()), _mtime(folder))


def _prepare_units(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf["code"] = gdf["code"].astype(str)
    gdf["folded"] = [fold(n) for n in gdf["name"]]
    return gdf.sort_values("folded", ignore_index=True)


@lru_cache(maxsize=4)
def load(folder: str, mtime: float) -> Boundaries:
    base = Path(folder)
    districts = gpd.read_file(base / DISTRICTS_FILE, engine="pyogrio").set_crs(4326, allow_override=True)
    communes = gpd.read_file(base / COMMUNES_FILE, engine="pyogrio").set_crs(4326, allow_override=True)
    city = gpd.read_file(base / CITY_FILE, engine="pyogrio").set_crs(4326, allow_override=True)
    districts, communes = (_prepare_units(gdf) for gdf in (districts, communes))
    crosswalk = pd.read_csv(base / CROSSWALK_FILE, dtype=str, encoding="utf-8-sig")
    attr_path = base / ATTRIBUTION_FILE
    attribution = json.loads(attr_path.read_text("utf-8")) if attr_path.exists() else dict(DEFAULT_ATTRIBUTION)
    return Boundaries(districts, communes, city, crosswalk, attribution)


# ---------------------------------------------------------------- lookups


_PREFIXES = ("quan ", "huyen ", "thi xa ", "phuong ", "xa ", "thi tran ", "district ", "commune ", "ward ")


def find_unit(b: Boundaries, layer: str, key: str) -> pd.Series:
    """The district or commune whose code, name (with or without diacritics or a prefix such as
    "Quận") or English name is ``key``.

    Raises
    ------
    NotFound
    """
    gdf = b.layer(layer)
    k = fold(key)
    for prefix in _PREFIXES:
        if k.startswith(prefix) and k[len(prefix):] in set(gdf["folded"]):
            k = k[len(prefix):]
            break
    hit = gdf[(gdf["code"] == str(key).strip()) | (gdf["folded"] == k) | (gdf["name_en"].map(fold) == k)]
    if hit.empty and k.isdigit():
        hit = gdf[gdf["code"].str.lstrip("0") == k.lstrip("0")]
    if hit.empty:
        what = ("quận, huyện", "district") if layer == "district" else ("xã, phường", "commune or ward")
        raise NotFound(what[0], what[1], key)
    return hit.iloc[0]


def where(lat: float, lon: float, b: Boundaries | None = None) -> dict[str, Any]:
    """The district and 2025 commune containing a point.

    Raises
    ------
    OutsideHanoi
        With the distance to the city boundary.
    """
    b = b or get()
    pt = shapely.Point(lon, lat)
    d = _units_for([pt], b.districts)[0]
    if not d:
        raise OutsideHanoi(lat, lon, distance_to_city_km(np.array([pt]), b)[0])
    c = _units_for([pt], b.communes, nearest_m=300)[0]
    drow = b.districts.set_index("code").loc[d[0]]
    out = {"lat": lat, "lon": lon,
           "district": {"code": d[0], "name": drow["name"], "type": drow["type"], "name_en": drow["name_en"]},
           "commune": None}
    if c:
        crow = b.communes.set_index("code").loc[c[0]]
        out["commune"] = {"code": c[0], "name": crow["name"], "type": crow["type"], "name_en": crow["name_en"]}
    return out


def _units_for(geoms: list[Any] | np.ndarray, layer: gpd.GeoDataFrame, nearest_m: float = 0) -> list[list[str]]:
    """For each geometry, the codes of the units it intersects (in layer order)."""
    geoms = np.asarray(geoms, dtype=object)
    result: list[list[str]] = [[] for _ in range(len(geoms))]
    if not len(geoms):
        return result
    tree = layer.sindex
    codes = layer["code"].to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    for mask, predicate in ((is_point, "within"), (~is_point, "intersects")):
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        pairs = tree.query(geoms[idx], predicate=predicate)
        for gi, ui in zip(pairs[0], pairs[1]):
            result[idx[gi]].append(codes[ui])
    if nearest_m:
        missing = np.array([i for i, r in enumerate(result) if not r], dtype=int)
        if len(missing):
            # the 2025 OSM layer's edge differs from the district layer's by up to a few hundred m
            deg = nearest_m / 111_000
            pairs = tree.nearest(geoms[missing], max_distance=deg, return_all=False)
            for gi, ui in zip(pairs[0], pairs[1]):
                if not result[missing[gi]]:
                    result[missing[gi]].append(codes[ui])
    return [sorted(set(r)) for r in result]


def place(geoms: list[Any] | np.ndarray | gpd.GeoSeries, b: Boundaries | None = None) -> tuple[list[str], list[str]]:
    """District and 2025 commune codes for each geometry, ";"-joined (every unit it touches).

    >>> import shapely
    >>> place([shapely.Point(105.8525, 21.0288)])[0]  # needs installed layers  # doctest: +SKIP
    ['002']
    """
    b = b or get()
    arr = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    districts = [";".join(r) for r in _units_for(arr, b.districts)]
    communes = [";".join(r) for r in _units_for(arr, b.communes, nearest_m=300)]
    return districts, communes


def distance_to_city_km(geoms: np.ndarray, b: Boundaries | None = None) -> np.ndarray:
    """Distance in km from each geometry to the city (0 inside), measured in VN-2000 / UTM 48N."""
    b = b or get()
    city = gpd.GeoSeries([b.city_shape], crs=4326).to_crs(3405).iloc[0]
    projected = gpd.GeoSeries(list(geoms), crs=4326).to_crs(3405)
    return np.asarray(projected.distance(city).to_numpy() / 1000.0)


def unit_names(b: Boundaries, layer: str, codes: str | None, lang: str = "vi") -> str:
    """"001;002" -> "Ba Đình, Hoàn Kiếm"."""
    return unit_namer(b, layer, lang)(codes)


def unit_namer(b: Boundaries, layer: str, lang: str = "vi") -> Callable[[str | None], str]:
    """:func:`unit_names` for many code lists: the code -> name lookup is built once."""
    lookup = dict(zip(b.layer(layer)["code"], b.layer(layer)[name_column(lang)], strict=True))

    def names(codes: str | None) -> str:
        if not codes:
            return ""
        return ", ".join(lookup.get(c, c) for c in str(codes).split(";") if c)

    return names
