"""Which district and 2025 commune a point lies in, without pandas or geopandas.

``python -m geo where`` answers one point, and importing geopandas (with pandas) costs more than
the rest of the command together. This module reads the two installed layers with :mod:`json` and
tests the point against them with shapely alone. It answers only the plain case (the point inside
exactly the polygons :func:`geo.boundaries.where` would find, at least one of each layer); a point
on a boundary line, within the 2025 layer's 300 m edge tolerance or outside Hanoi is answered by
:func:`geo.boundaries.where` itself, so there is one definition of every edge case. The tests
check both agree on a grid over the whole city.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from geo import settings
from geo.errors import BoundariesMissing

DISTRICTS_FILE = "hanoi_districts_2019.geojson"  # the names geo.boundaries installs them under
COMMUNES_FILE = "hanoi_communes_2025.geojson"
FIELDS = ("code", "name", "type", "name_en")


@lru_cache(maxsize=4)
def _layer(path: Path, mtime: float) -> tuple[np.ndarray, list[dict[str, str]]]:
    """The layer's polygons (prepared) and each feature's code, name, type and English name (read
    again when the file changes)."""
    features = json.loads(path.read_bytes())["features"]
    geoms = np.array([shapely.geometry.shape(f["geometry"]) for f in features], dtype=object)
    shapely.prepare(geoms)
    return geoms, [{k: str(f["properties"][k]) for k in FIELDS} for f in features]


def _inside(path: Path, lon: float, lat: float) -> dict[str, str] | None:
    """The unit with the lowest code among those whose interior holds the point (as
    ``geo.boundaries`` orders them), or None when none does."""
    geoms, props = _layer(path, path.stat().st_mtime)
    hits = [props[i] for i in np.flatnonzero(shapely.contains_xy(geoms, lon, lat))]
    return min(hits, key=lambda p: p["code"]) if hits else None


def where(lat: float, lon: float, folder: Path | None = None) -> dict[str, Any]:
    """The same answer as :func:`geo.boundaries.where` (which it falls back to off the plain case).

    Raises
    ------
    BoundariesMissing
        When nothing has been imported yet.
    OutsideHanoi
        With the distance to the city boundary.
    """
    folder = Path(folder) if folder is not None else settings.boundaries_dir()
    if not (folder / DISTRICTS_FILE).exists():
        raise BoundariesMissing(str(folder))
    district = _inside(folder / DISTRICTS_FILE, lon, lat)
    commune = _inside(folder / COMMUNES_FILE, lon, lat) if district else None
    if district is None or commune is None:
        from geo import boundaries  # the edge cases: geopandas' spatial index and metric distances

        return boundaries.where(lat, lon, boundaries.get(folder))
    return {"lat": lat, "lon": lon, "district": district, "commune": commune}
