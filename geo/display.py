"""Geometries made light for the map (issue #10): a site whose shape has thousands of vertices
is simplified for display only — the store keeps the original, exports and checks use it."""

from __future__ import annotations

import numpy as np
import shapely

#: a shape drawn on the map keeps at most about this many vertices
DISPLAY_VERTICES = 2000


def lighter(geoms: np.ndarray, max_vertices: int = DISPLAY_VERTICES) -> np.ndarray:
    """``geoms`` with every geometry of more than ``max_vertices`` vertices simplified (topology
    preserved) with a tolerance that grows until it fits; the others untouched."""
    out = np.asarray(geoms, dtype=object).copy()
    if not len(out):
        return out
    counts = shapely.get_num_coordinates(out)
    for i in np.flatnonzero(counts > max_vertices).tolist():
        g = out[i]
        minx, miny, maxx, maxy = g.bounds
        tol = max(maxx - minx, maxy - miny) / max_vertices
        for _ in range(8):
            s = shapely.simplify(g, tol, preserve_topology=True)
            if shapely.get_num_coordinates(s) <= max_vertices:
                break
            tol *= 2
        out[i] = s
    return out
