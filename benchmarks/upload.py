"""Upload benchmark: check + place a 10,000-feature GeoJSON inside Hanoi, next to the time
pyogrio alone takes to read the same file, in the same run.

Target (issue 3): check + place <= 3x the bare read and < 3 s on the 2-core machine.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def synthetic_geojson(n: int = 10_000, seed: int = 3) -> bytes:
    """``n`` sites inside central Hanoi: 70 % points, 30 % small polygons (building footprints),
    each with a name, a category, a status, a budget, a progress and a start date."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(105.78, 105.88, n)
    lat = rng.uniform(20.98, 21.06, n)
    cats = ["market", "park", "old_villa", "Chợ", "Công viên", "supermarket", "pre1954", "wastewater"]
    stats = ["planned", "Đang thực hiện", "completed", "Hoàn thành"]
    feats = []
    for i in range(n):
        x, y = round(float(lon[i]), 6), round(float(lat[i]), 6)
        if i % 10 < 7:
            geom: dict[str, Any] = {"type": "Point", "coordinates": [x, y]}
        else:
            d = 0.0003
            geom = {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}
        feats.append({"type": "Feature", "geometry": geom, "properties": {
            "id": f"bench-{i:05d}", "name": f"Công trình số {i}", "category": cats[i % len(cats)],
            "status": stats[i % len(stats)], "budget_vnd": 1_000_000 * (i % 97), "progress_pct": i % 101,
            "start_date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "responsible_unit": "UBND quận"}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode("utf-8")


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_upload(n: int = 10_000, repeat: int = 5, show: bool = True) -> dict[str, float]:
    """Time :func:`geo.ingest.check` (read + checks + placing, no store) against
    ``pyogrio.read_dataframe`` of the same file, and the preview map of the accepted features
    (``geo.maps.sites.site_map`` built and rendered to HTML); print ``BENCH`` lines; return the figures.

    Needs the boundary layers installed (``make setup``)."""
    import pyogrio

    from geo import boundaries
    from geo.ingest import check
    from geo.maps import sites as map_sites

    content = synthetic_geojson(n)
    b = boundaries.get()
    result = check(content, "bench.geojson", b=b)
    if result.n_valid != n:
        raise RuntimeError(f"benchmark file: {result.n_valid} of {n} valid: {result.problems[:3]}")
    reads, checks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.geojson"
        path.write_bytes(content)
        pyogrio.read_dataframe(path)  # warm GDAL up
        for _ in range(repeat):  # interleaved, so that both see the same machine load
            reads.append(_median(lambda: pyogrio.read_dataframe(path), 1))
            checks.append(_median(lambda: check(content, "bench.geojson", b=b), 1))
    read_s, check_s = statistics.median(reads), statistics.median(checks)
    preview_s = _median(lambda: map_sites.site_map(result.accepted, b, tiles=None).get_root().render(), repeat)
    figures = {"upload_check_s": round(check_s, 3), "upload_read_s": round(read_s, 3),
               "ratio_upload_check_vs_read": round(check_s / read_s, 2), "upload_preview_s": round(preview_s, 3),
               "upload_features": float(n)}
    if show:
        for key in ("upload_check_s", "upload_read_s", "ratio_upload_check_vs_read", "upload_preview_s"):
            print(f"BENCH {key} {figures[key]}")
    return figures


if __name__ == "__main__":
    bench_upload()
