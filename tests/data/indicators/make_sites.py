"""How ``sites.geojson`` was written (kept for provenance; the tests read the GeoJSON, not this).

Every figure the tests expect follows from the numbers below by hand: lines are straight and
drawn in VN-2000 / UTM 48N (EPSG:3405), the metric system the app measures in, so a route of
1,000 m is 1.000 km there; the polygon is a 200 m x 200 m square (4 ha).

Run: ``.venv/bin/python tests/data/indicators/make_sites.py`` (writes sites.geojson beside it).
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Transformer

TO_WGS84 = Transformer.from_crs("EPSG:3405", "EPSG:4326", always_xy=True)


def lonlat(e: float, n: float) -> list[float]:
    lon, lat = TO_WGS84.transform(e, n)
    return [round(lon, 7), round(lat, 7)]


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(e0: float, n0: float, e1: float, n1: float) -> dict:
    return {"type": "LineString", "coordinates": [lonlat(e0, n0), lonlat(e1, n1)]}


def square(e: float, n: float, side: float) -> dict:
    ring = [(e, n), (e + side, n), (e + side, n + side), (e, n + side), (e, n)]
    return {"type": "Polygon", "coordinates": [[lonlat(x, y) for x, y in ring]]}


# id, category, status, indicator, end_date, geometry, note
SITES = [
    # CT08 markets (target 20): two dated completions, one undated completion, one under way
    ("mk-1", "market", "completed", "CT08", "2022-06-30", point(105.8500, 21.0340), "Hoàn Kiếm"),
    ("mk-2", "market", "completed", "CT08", "2024-03-15", point(105.8340, 21.0370), "Ba Đình"),
    ("mk-3", "market", "in_progress", "CT08", "2025-06-30", point(105.8530, 21.0300), "Hoàn Kiếm"),
    ("mk-4", "market", "completed", "CT08", None, point(105.8300, 21.0180), "Đống Đa, undated"),
    # CT01 supermarkets (target 2-3)
    ("sm-1", "supermarket", "completed", "CT01", "2023-01-10", point(105.8560, 21.0150), "Hai Bà Trưng"),
    ("sm-2", "supermarket", "completed", "CT01", "2023-05-01", point(105.8000, 21.0300), "Cầu Giấy"),
    ("sm-3", "supermarket", "completed", "CT01", "2024-01-01", point(105.7700, 20.9700), "Hà Đông"),
    # CT11 old-quarter cable routes (target 300 streets): 1,000 m done 2023, 2,500 m done 2024,
    # 800 m under way; cb-2 runs north across four districts (the per-district lengths add up to it)
    ("cb-1", "cable_underground", "completed", "CT11", "2023-09-30",
     line(588000, 2326300, 589000, 2326300), "1000 m"),
    ("cb-2", "cable_underground", "completed", "CT11", "2024-11-20",
     line(587900, 2326500, 587900, 2329000), "2500 m"),
    ("cb-3", "cable_underground", "in_progress", "CT11", None,
     line(588100, 2326100, 588900, 2326100), "800 m"),
    # CT13, an indicator added in the app: park area (ha) — a 4 ha square, done 2024
    ("pk-1", "park", "completed", "CT13", "2024-06-01", square(588500, 2325000, 200), "4 ha"),
    # a site with no indicator code counts by its category (CT06 old villas)
    ("vl-1", "old_villa", "completed", None, "2022-02-02", point(105.8480, 21.0220), "Hoàn Kiếm, no code"),
]


def main() -> None:
    feats = []
    for sid, cat, status, ind, end, geom, note in SITES:
        feats.append({"type": "Feature", "geometry": geom, "properties": {
            "id": sid, "name": f"Fixture {sid} ({note})", "category": cat, "status": status, "indicator": ind,
            "responsible_unit": None, "start_date": None, "end_date": end, "budget_vnd": None,
            "progress_pct": None, "notes": "Hand-built test fixture."}})
    doc = {"type": "FeatureCollection", "features": feats}
    out = Path(__file__).with_name("sites.geojson")
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
