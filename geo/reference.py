"""Reference layers: what already exists in Hanoi, from OpenStreetMap (markets, supermarkets,
parks, historic sites, lakes), shown beside the programme's sites and used as evidence when an
upload's coordinate system is ambiguous.

The layers are imported from ``P03_REFERENCE_SRC`` into ``P03_DATA_DIR/reference/`` at set-up,
like the boundaries: every file is validated before anything is written, and a broken source is
refused whole (the previous layers stay). File names are kept as in the source folder so that
other readers (the OGC API) find them. All of it is © OpenStreetMap contributors, ODbL 1.0: the
attribution travels with every display.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs as crs_mod
from geo import layer_source, settings
from geo.errors import ReferenceLayerError
from geo.i18n import Bilingual, fold


@dataclass(frozen=True)
class RefLayer(Bilingual):
    """One reference layer: its file, key, labels, colour and allowed geometry types."""

    key: str
    file: str
    vi: str
    en: str
    color: str
    geom_types: tuple[str, ...]


LAYERS: tuple[RefLayer, ...] = (
    RefLayer("markets", "hanoi_osm_markets.geojson", "Chợ (OSM)", "Markets (OSM)", "#e6550d", ("Point",)),
    RefLayer("supermarkets", "hanoi_osm_supermarkets.geojson", "Siêu thị (OSM)", "Supermarkets (OSM)", "#c51b8a",
             ("Point",)),
    RefLayer("parks", "hanoi_osm_parks.geojson", "Công viên (OSM)", "Parks (OSM)", "#31a354", ("Point",)),
    RefLayer("historic", "hanoi_osm_historic.geojson", "Di tích lịch sử (OSM)", "Historic sites (OSM)", "#8c6d31",
             ("Point",)),
    RefLayer("lakes", "hanoi_osm_lakes.geojson", "Hồ, ao (OSM)", "Lakes and ponds (OSM)", "#3182bd",
             ("Polygon", "MultiPolygon")),
)
LAYER_BY_KEY = {layer.key: layer for layer in LAYERS}
SOURCES_FILE = "SOURCES.md"
ATTRIBUTION_FILE = "attribution.json"
ATTRIBUTION = {"vi": "Lớp tham chiếu © Những người đóng góp OpenStreetMap (ODbL 1.0)",
               "en": "Reference layers © OpenStreetMap contributors (ODbL 1.0)"}
#: SOURCES.md states the licence; a source whose SOURCES.md does not name ODbL is refused
_LICENCE = re.compile(r"OpenStreetMap contributors,?\s*ODbL", re.I)
#: every feature must lie in Hanoi's box (with a margin), in WGS 84 lon/lat
BBOX = (105.2, 20.5, 106.1, 21.45)
_MAX_FETCH_BYTES = 50 * 1024 * 1024
COLUMNS = ("layer", "osm_id", "kind", "name", "name_en", "folded")


# ---------------------------------------------------------------- import


def import_reference(src: str | Path | None = None, dest: Path | None = None) -> dict[str, int]:
    """Fetch, validate and install the reference layers from a folder or an http(s) URL.

    Returns
    -------
    dict
        Feature counts per layer file.

    Raises
    ------
    ReferenceLayerError
        Naming the file, feature and property that is wrong; nothing is written then.
    """
    src = str(src if src is not None else settings.get("P03_REFERENCE_SRC"))
    dest = Path(dest) if dest is not None else settings.reference_dir()
    sources = _fetch(src, SOURCES_FILE)
    if not _LICENCE.search(sources.decode("utf-8", "replace")):
        raise _broken(SOURCES_FILE, "không ghi giấy phép “© OpenStreetMap contributors, ODbL”.",
                      "does not state the licence “© OpenStreetMap contributors, ODbL”.")
    blobs = {layer.file: _fetch(src, layer.file) for layer in LAYERS}
    counts = {layer.file: validate_layer(layer, blobs[layer.file]) for layer in LAYERS}
    files = {**blobs, SOURCES_FILE: sources,
             ATTRIBUTION_FILE: json.dumps(ATTRIBUTION, ensure_ascii=False).encode("utf-8")}
    layer_source.install(dest, files)
    load.cache_clear()
    return counts


def _fetch(src: str, name: str) -> bytes:
    files = ", ".join([SOURCES_FILE, *(layer.file for layer in LAYERS)])
    return layer_source.fetch(src, name, max_bytes=_MAX_FETCH_BYTES, setting="P03_REFERENCE_SRC",
                              error=ReferenceLayerError, missing=(files, files))


def _broken(name: str, vi: str, en: str, feature: int | None = None) -> ReferenceLayerError:
    where_vi = f"Tệp lớp tham chiếu {name}" + (f", đối tượng số {feature}" if feature is not None else "")
    where_en = f"Reference-layer file {name}" + (f", feature {feature}" if feature is not None else "")
    return ReferenceLayerError(f"{where_vi}: {vi} Không nhập gì cả; hãy sửa nguồn rồi nhập lại.",
                               f"{where_en}: {en} Nothing was imported; fix the source and import again.")


def validate_layer(layer: RefLayer, blob: bytes) -> int:
    """The number of features of one layer file; raises :class:`ReferenceLayerError` when any
    feature lacks ``kind``/``name`` properties, has a geometry of the wrong type, an invalid one,
    or one outside Hanoi."""
    name = layer.file
    feats = layer_source.geojson_features(blob, lambda vi, en: _broken(name, vi, en))
    for i, feat in enumerate(feats, start=1):
        props = (feat or {}).get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict) or "name" not in props or not props.get("kind"):
            raise _broken(name, "thiếu thuộc tính “kind” hoặc “name”.", "property “kind” or “name” is missing.", i)
        if props["name"] is not None and not isinstance(props["name"], str):
            raise _broken(name, "“name” phải là chuỗi hoặc null.", "“name” must be a string or null.", i)
        try:
            geom = shapely.geometry.shape(feat.get("geometry"))
        except (AttributeError, TypeError, ValueError, KeyError, IndexError,
                shapely.errors.GEOSException) as exc:
            raise _broken(name, f"hình học không đọc được ({exc}).", f"geometry cannot be read ({exc}).", i) from exc
        if geom.geom_type not in layer.geom_types or geom.is_empty:
            raise _broken(name, f"hình học phải là {'/'.join(layer.geom_types)}, gặp {geom.geom_type}.",
                          f"geometry must be {'/'.join(layer.geom_types)}, found {geom.geom_type}.", i)
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            raise _broken(name, f"hình học không hợp lệ ({why}).", f"geometry is invalid ({why}).", i)
        minx, miny, maxx, maxy = geom.bounds
        if not (BBOX[0] <= minx and maxx <= BBOX[2] and BBOX[1] <= miny and maxy <= BBOX[3]):
            raise _broken(name, "nằm ngoài Hà Nội (cần kinh độ/vĩ độ WGS 84).",
                          "lies outside Hanoi (WGS 84 longitude/latitude is needed).", i)
    return len(feats)


# ---------------------------------------------------------------- loaded layers


@dataclass(frozen=True, eq=False)
class Reference:
    """The installed reference layers as one GeoDataFrame (``layer`` column: the layer key)."""

    features: gpd.GeoDataFrame
    attribution: dict[str, str]
    metric: np.ndarray  # the geometries in VN-2000 / UTM 48N metres (for 30 m tests)

    def layer(self, key: str) -> gpd.GeoDataFrame:
        return self.features[self.features["layer"] == key]

    def attribution_line(self, lang: str = "vi") -> str:
        return self.attribution.get(lang) or ATTRIBUTION[lang if lang in ATTRIBUTION else "en"]


def installed(folder: Path | None = None) -> bool:
    folder = Path(folder) if folder is not None else settings.reference_dir()
    return all((folder / layer.file).is_file() for layer in LAYERS)


def get(folder: Path | None = None) -> Reference | None:
    """The installed reference layers (cached until the files change), or None when none were
    imported (the layers are optional: pages and checks work without them)."""
    folder = Path(folder) if folder is not None else settings.reference_dir()
    if not installed(folder):
        return None
    mtime = max((folder / layer.file).stat().st_mtime for layer in LAYERS)
    return load(str(folder.resolve()), mtime)


@lru_cache(maxsize=4)
def load(folder: str, mtime: float) -> Reference:
    base = Path(folder)
    frames = []
    for layer in LAYERS:
        gdf = gpd.read_file(base / layer.file, engine="pyogrio").set_crs(4326, allow_override=True)
        for col in COLUMNS[1:5]:
            if col not in gdf:
                gdf[col] = None
        gdf["layer"] = layer.key
        gdf["folded"] = [fold(n) + " | " + fold(e) if e else fold(n) for n, e in zip(gdf["name"], gdf["name_en"])]
        frames.append(gdf[[*COLUMNS, "geometry"]])
    features = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)
    features = features.astype({c: object for c in COLUMNS})
    features = features.where(features.notna(), None)
    attr_path = base / ATTRIBUTION_FILE
    attribution = json.loads(attr_path.read_text("utf-8")) if attr_path.exists() else dict(ATTRIBUTION)
    return Reference(features, attribution, crs_mod.to_metric(features.geometry.to_numpy()))


# ---------------------------------------------------------------- search and evidence


def search(ref: Reference, query: str, layers: tuple[str, ...] = (), limit: int = 50) -> gpd.GeoDataFrame:
    """Named features whose name (or English name) holds every word of ``query``, diacritics and
    case ignored ("ho guom" finds "Hồ Gươm"); optionally only in ``layers``.

    >>> # search(get(), "dong xuan")["name"].tolist()  -> ['Chợ Đồng Xuân', ...]
    """
    words = fold(query).split()
    if not words:
        return ref.features.iloc[0:0]
    feats = ref.features if not layers else ref.features[ref.features["layer"].isin(layers)]
    hay = feats["folded"]
    mask = np.ones(len(feats), dtype=bool) & feats["name"].notna().to_numpy()
    for w in words:
        mask &= hay.str.contains(w, regex=False).to_numpy()
    return feats[mask].head(limit)


def name_key(text: object) -> str:
    """A name folded for matching across sources: diacritics, case, punctuation and the common
    generic words (chợ, hồ, công viên, siêu thị, ...) ignored only when something else is left.

    >>> name_key("Chợ Đồng Xuân"), name_key("cho dong xuan"), name_key("Hồ  Gươm!")
    ('dong xuan', 'dong xuan', 'guom')
    """
    words = re.sub(r"[^0-9a-z ]+", " ", fold(text)).split()
    core = [w for w in words if w not in _GENERIC]
    return " ".join(core or words)


_GENERIC = frozenset("cho ho ao cong vien vuon hoa sieu thi trung tam thuong mai market lake pond park "
                     "supermarket the mall di tich den chua dinh".split())


def names_near(ref: Reference | None, names: list[object], metric_points: np.ndarray,
               distance_m: float = 30.0) -> np.ndarray:
    """For each (name, point in VN-2000 / UTM 48N metres), whether a reference feature of the same
    name (see :func:`name_key`) lies within ``distance_m``. Empty names never match."""
    out = np.zeros(len(names), dtype=bool)
    if ref is None or not len(names):
        return out
    keys = np.array([name_key(n) for n in names], dtype=object)
    ref_keys = np.array([name_key(n) for n in ref.features["name"].tolist()], dtype=object)
    ref_en = np.array([name_key(n) for n in ref.features["name_en"].tolist()], dtype=object)
    tree = shapely.STRtree(ref.metric)
    a, b = tree.query(np.asarray(metric_points, dtype=object), predicate="dwithin", distance=distance_m)
    for i, j in zip(a, b, strict=True):
        if keys[i] and (keys[i] == ref_keys[j] or keys[i] == ref_en[j]):
            out[i] = True
    return out
