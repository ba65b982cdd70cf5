"""Read-only feature indexes the API serves: one per collection, rebuilt when the data changes.

A :class:`FeatureIndex` keeps the GeoJSON features of a layer with numpy arrays of what the API
filters on (bounds, codes, end dates), so a page of a filtered query is a mask and a slice, not a
new database query. The sites' index is keyed by the store's version number: an edit in the app is
served on the next request after it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.schema import ATTRIBUTE_NAMES
from geo.store import Store, open_store

#: the sites' list fields split into codes in the API (as in the GeoJSON export)
LIST_FIELDS = ("district_codes", "commune_codes")
#: queryable -> the column it filters on (``district_code`` matches one code of ``district_codes``)
SITE_QUERYABLES: dict[str, str] = {
    "category": "category", "status": "status", "indicator": "indicator",
    "district_code": "district_codes", "commune_code": "commune_codes",
}


@dataclass
class FeatureIndex:
    """The features of one collection and the arrays their filters run on."""

    features: list[dict[str, Any]]
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # equality filters
    multi: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # column -> code -> row numbers
    end_dates: np.ndarray | None = None  # ISO dates as strings ('' when none)
    version: Any = None
    _raw: list[Any] | None = None

    def raw(self, row: int) -> Any:
        """Feature ``row`` serialised once (an ``orjson.Fragment``: pages are written without
        encoding the same feature again on every request)."""
        if self._raw is None:
            import orjson

            self._raw = [orjson.Fragment(orjson.dumps(f, option=orjson.OPT_SERIALIZE_NUMPY)) for f in self.features]
        return self._raw[row]

    def __len__(self) -> int:
        return len(self.features)

    def select(self, *, bbox: Sequence[float] = (), equals: Sequence[tuple[str, str]] = (),
               date_range: tuple[str | None, str | None] | None = None) -> np.ndarray:
        """Row numbers matching every condition, in store order."""
        mask = np.ones(len(self.features), dtype=bool)
        if len(bbox) == 4 and len(self.features):
            minx, miny, maxx, maxy = (float(v) for v in bbox)
            b = self.bounds
            mask &= (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
        for name, value in equals:
            if name in self.multi:
                rows = self.multi[name].get(value)
                hit = np.zeros(len(mask), dtype=bool)
                if rows is not None:
                    hit[rows] = True
                mask &= hit
            else:
                mask &= self.columns[name] == value
        if date_range is not None and self.end_dates is not None:
            start, end = date_range
            has = self.end_dates != ""
            if start:
                has &= self.end_dates >= start
            if end:
                has &= self.end_dates <= end
            mask &= has
        return np.flatnonzero(mask)


def _features(gdf: gpd.GeoDataFrame, id_column: str | None) -> list[dict[str, Any]]:
    """GeoJSON features (RFC 7946) of ``gdf``; missing values as null."""
    geoms = gdf.geometry.to_numpy()
    geo_json = shapely.to_geojson(geoms)
    props = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    records = props.astype(object).where(props.notna(), None).to_dict("records")
    out = []
    for i, (rec, g) in enumerate(zip(records, geo_json, strict=True)):
        fid = rec.get(id_column) if id_column else None
        out.append({"type": "Feature", "id": str(fid) if fid is not None else str(i + 1),
                    "geometry": json.loads(g) if g is not None else None, "properties": rec})
    return out


def sites_index(store: Store) -> FeatureIndex:
    """Every site of ``store`` as an index (schema fields; district/commune codes as lists)."""
    version = store.version()
    gdf = store.query_sites()
    feats = _features(gdf, "id")
    multi: dict[str, dict[str, list[int]]] = {name: {} for name in SITE_QUERYABLES if name.endswith("_code")}
    for i, feat in enumerate(feats):
        props = feat["properties"]
        for col in LIST_FIELDS:
            codes = [c for c in (props.get(col) or "").split(";") if c]
            props[col] = codes
            for code in codes:
                multi[col[:-1]].setdefault(code, []).append(i)
    cols = {name: np.asarray([f["properties"].get(name) or "" for f in feats], dtype=object)
            for name in ("category", "status", "indicator")}
    ends = np.asarray([f["properties"].get("end_date") or "" for f in feats], dtype=object)
    return FeatureIndex(feats, _bounds(gdf), cols,
                        {k: {c: np.asarray(v) for c, v in d.items()} for k, d in multi.items()},
                        ends.astype(str), version)


def _bounds(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.bounds(gdf.geometry.to_numpy()) if len(gdf) else np.zeros((0, 4))


def layer_index(path: Path, id_column: str | None) -> FeatureIndex:
    """A boundary or reference layer file as an index (its own properties)."""
    import pyogrio

    gdf = pyogrio.read_dataframe(path)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    return FeatureIndex(_features(gdf, id_column), _bounds(gdf), version=path.stat().st_mtime)


# ---------------------------------------------------------------- caches

_LOCK = threading.Lock()
_STORES: dict[str, Store] = {}
_SITES: dict[str, FeatureIndex] = {}
_LAYERS: dict[str, FeatureIndex] = {}


def store() -> Store:
    """The configured store, opened once per process and URL."""
    key = f"{settings.get('P03_DATABASE_URL')}|{settings.projects_dir()}"
    with _LOCK:
        if key not in _STORES:
            _STORES[key] = open_store()
        return _STORES[key]


def sites() -> FeatureIndex:
    """The sites' index, rebuilt when the store's version changed since the last call."""
    st = store()
    key = f"{settings.get('P03_DATABASE_URL')}|{settings.projects_dir()}"
    version = st.version()
    with _LOCK:
        cached = _SITES.get(key)
        if cached is not None and cached.version == version:
            return cached
    index = sites_index(st)
    with _LOCK:
        _SITES[key] = index
    return index


def layer(path: Path, id_column: str | None) -> FeatureIndex:
    """The index of a layer file, re-read when the file changes."""
    mtime = path.stat().st_mtime
    with _LOCK:
        cached = _LAYERS.get(str(path))
        if cached is not None and cached.version == mtime:
            return cached
    index = layer_index(path, id_column)
    with _LOCK:
        _LAYERS[str(path)] = index
    return index


def site_fields() -> tuple[str, ...]:
    """The schema's attribute names (every one is served)."""
    return tuple(ATTRIBUTE_NAMES)

