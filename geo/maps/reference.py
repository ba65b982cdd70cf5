"""The OpenStreetMap reference layers on a folium map: one Leaflet GeoJSON layer per reference
layer (canvas circles for points, outlines for lakes), listed in a layer control and off by
default (the reader's choice is remembered in the browser), each carrying the ODbL attribution
that Leaflet shows while the layer is on; features found by a name search are drawn highlighted
on top. Names are escaped in the browser; the payload is escaped for its ``<script>``."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.maps import colors
from geo.maps.base import ScriptLayer
from geo.maps.payload import geojson_texts, script_json
from geo.reference import LAYERS, Reference

#: lake outlines simplified to ~2 m (invisible at district zoom; a third of the bytes)
LAKE_TOLERANCE = 0.00002


def _feature_collection(gdf: gpd.GeoDataFrame, decimals: int = 6) -> str:
    geoms = gdf.geometry.to_numpy()
    polys = shapely.get_type_id(geoms) >= 3
    if polys.any():
        geoms = geoms.copy()
        geoms[polys] = shapely.simplify(geoms[polys], LAKE_TOLERANCE, preserve_topology=True)
    names = [script_json(n if isinstance(n, str) else "") for n in gdf["name"].tolist()]
    feats = ",".join('{"type":"Feature","properties":{"n":' + n + '},"geometry":' + g + "}"
                     for n, g in zip(names, geojson_texts(geoms, decimals), strict=True))
    return '{"type":"FeatureCollection","features":[' + feats + "]}"


@lru_cache(maxsize=8)
def _layers_text(ref: Reference, lang: str) -> str:
    parts = []
    for layer in LAYERS:
        fc = _feature_collection(ref.layer(layer.key))
        parts.append('{"key":' + script_json(layer.key) + ',"label":' + script_json(layer.label(lang)) +
                     ',"color":' + script_json(layer.color) + ',"fc":' + fc + "}")
    return "[" + ",".join(parts) + "]"


def layers_text(ref: Reference, lang: str = "vi") -> str:
    """Every layer with its features, as JSON (``[{key, label, color, fc}]``, cached per reference
    and language): what a map given a ``url`` by :func:`payload_text` fetches."""
    return _layers_text(ref, lang)


def layers_version(ref: Reference, lang: str = "vi") -> str:
    """A short hash of :func:`layers_text`: the fetched file's URL changes with its content."""
    return _version(ref, lang)


@lru_cache(maxsize=8)
def _version(ref: Reference, lang: str) -> str:
    return hashlib.blake2b(_layers_text(ref, lang).encode("utf-8"), digest_size=6).hexdigest()


def payload_text(ref: Reference, lang: str = "vi", found: gpd.GeoDataFrame | None = None,
                 show: bool = False, url: str | None = None) -> str:
    """The script-safe JSON the layer script draws (the layers cached per reference and language);
    ``show``: every layer on from the start. With ``url`` the layers' features are left out: the
    browser fetches them from ``url`` (:func:`layers_text`) when a layer is first turned on (263 KB
    the district map's first paint does without; the layer list and the search hits stay here)."""
    found_text = _feature_collection(found) if found is not None and len(found) else "null"
    layers = _layers_text(ref, lang) if url is None else script_json(
        [{"key": layer.key, "label": layer.label(lang), "color": layer.color} for layer in LAYERS])
    return ('{"layers":' + layers + ',"found":' + found_text + ',"attribution":' +
            script_json(ref.attribution_line(lang)) + ',"show":' + ("true" if show else "false") +
            ',"found_color":' + script_json(colors.FOUND) + ',"url":' + script_json(url) + "}")


class ReferenceLayers(ScriptLayer):
    """The reference layers' script (``reference.js``; see the module docstring)."""

    script_file = "reference.js"


def add_to(m: folium.Map, ref: Reference, lang: str = "vi", found: gpd.GeoDataFrame | None = None,
           show: bool = False) -> None:
    """Add the reference layers (and highlighted ``found`` features) to map ``m``."""
    ReferenceLayers(payload_text(ref, lang, found, show)).add_to(m)


#: colours of the candidate coordinate systems on the comparison map (best first)
CANDIDATE_COLORS = colors.CANDIDATES


class CandidatesLayer(ScriptLayer):
    """An upload's points as each candidate CRS places them, one coloured layer per candidate
    (``candidates.js``)."""

    script_file = "candidates.js"


def candidates_map(candidates: list[tuple[str, Any, list[str]]], b: Any, ref: Reference | None,
                   lang: str = "vi", limit: int = 300) -> folium.Map:
    """A map comparing candidate coordinate systems: for each (label, lon/lat array, names), the
    points as that candidate places them (up to ``limit`` each), over the boundaries and the
    reference layers (on)."""
    from geo.ingest.pipeline import _empty
    from geo.maps.sites import site_map

    m = site_map(_empty(), b, lang=lang)
    if ref is not None:
        add_to(m, ref, lang, show=True)
    oks = [np.isfinite(np.asarray(lonlat, dtype=float)).all(axis=1) for _label, lonlat, _names in candidates]
    payload = [{"label": label, "color": CANDIDATE_COLORS[k % len(CANDIDATE_COLORS)],
                "pts": [[round(float(lat), 7), round(float(lon), 7)] for lon, lat in lonlat[:limit][ok[:limit]]],
                "names": [str(n) for n, good in zip(names[:limit], ok[:limit], strict=False) if good]}
               for k, ((label, lonlat, names), ok) in enumerate(zip(candidates, oks, strict=True))]
    CandidatesLayer(script_json(payload)).add_to(m)
    return m


__all__ = ["CANDIDATE_COLORS", "CandidatesLayer", "ReferenceLayers", "add_to", "candidates_map", "layers_text",
           "layers_version", "payload_text"]
