"""Write the VN-2000 upload files of the issue-13 tests (run from the repo root:
``.venv/bin/python tests/data/vn2000/make_files.py``).

* ``cong_trinh_tt.zip``: a zipped shapefile in VN-2000 / TM-3 105° (EPSG:5897, with its .prj and a
  UTF-8 .cpg) whose columns are named as surveyors name them: ``TEN`` (name), ``LOAI`` (category,
  phrased as people do: "Khu xử lý chất thải rắn", "TTTM", "Khu tập thể", "hạ ngầm"), ``TT``
  (tình trạng, the status). Names are placeholders ("… Mẫu VN2000 …") that match no demo site.
* ``utm48n_osm_names.csv``: a CSV with no CRS whose X/Y are truly VN-2000 / UTM 48N (EPSG:3405)
  and whose names are OpenStreetMap features of ../shared/data/reference (markets, parks) at
  their OSM positions: the CRS evidence test must pick 3405 over 5897 by the names.
* ``utm48n_no_names.csv``: the same coordinates with placeholder names: no evidence either way.

Coordinates were computed with pyproj (the EPSG default VN-2000 -> WGS 84 operation).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[2].parent / "shared" / "data" / "reference"

# (name, category as written, status as written, lon, lat)
SHAPEFILE_ROWS = [
    ("Chợ Mẫu VN2000 Ba Đình", "Chợ", "Đang thi công", 105.8400, 21.0400),
    ("TTTM Mẫu VN2000 Cầu Giấy", "TTTM", "Hoàn thành", 105.8050, 21.0300),
    ("Khu tập thể Mẫu VN2000", "Khu tập thể", "Chuẩn bị đầu tư", 105.8600, 21.0050),
    ("Tuyến cáp Mẫu VN2000", "Tuyến hạ ngầm cáp điện", "Tạm dừng", 105.8520, 21.0330),
    ("Khu xử lý Mẫu VN2000 Sóc Sơn", "Khu xử lý chất thải rắn", "Đã hoàn thành", 105.7900, 21.2600),
]
EXPECTED_STATUS = ["in_progress", "completed", "planned", "suspended", "completed"]
EXPECTED_CATEGORY = ["market", "supermarket", "old_apartment", "cable_underground", "solid_waste"]

# OSM features (layer file, name) used as evidence, taken at their positions in the reference files
OSM_NAMES = [("hanoi_osm_markets.geojson", "Chợ Đồng Xuân"), ("hanoi_osm_parks.geojson", "Công viên Thống Nhất"),
             ("hanoi_osm_markets.geojson", "Chợ Hôm"), ("hanoi_osm_parks.geojson", "Vườn hoa Lý Tự Trọng")]


def shapefile(path: Path) -> None:
    to_tm3 = Transformer.from_crs("EPSG:4326", "EPSG:5897", always_xy=True)
    xs, ys = to_tm3.transform([r[3] for r in SHAPEFILE_ROWS], [r[4] for r in SHAPEFILE_ROWS])
    gdf = gpd.GeoDataFrame({"TEN": [r[0] for r in SHAPEFILE_ROWS], "LOAI": [r[1] for r in SHAPEFILE_ROWS],
                            "TT": [r[2] for r in SHAPEFILE_ROWS]},
                           geometry=[shapely.Point(round(x, 3), round(y, 3)) for x, y in zip(xs, ys)], crs="EPSG:5897")
    tmp = HERE / "_shp"
    tmp.mkdir(exist_ok=True)
    gdf.to_file(tmp / "cong_trinh_tt.shp", engine="pyogrio", encoding="UTF-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(tmp.iterdir()):
            z.writestr(zipfile.ZipInfo(part.name, date_time=(2025, 1, 1, 0, 0, 0)), part.read_bytes())
            part.unlink()
    tmp.rmdir()


def osm_points() -> list[tuple[str, float, float]]:
    out = []
    for file, name in OSM_NAMES:
        feats = json.loads((REFERENCE / file).read_text("utf-8"))["features"]
        feat = next(f for f in feats if f["properties"]["name"] == name)
        lon, lat = feat["geometry"]["coordinates"]
        out.append((name, lon, lat))
    return out


def utm_csv(path: Path, placeholder: bool) -> None:
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:3405", always_xy=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["ten", "loai", "x", "y"])
    for k, (name, lon, lat) in enumerate(osm_points(), start=1):
        x, y = to_utm.transform(lon, lat)
        w.writerow([f"Điểm Mẫu UTM {k}" if placeholder else name, "park" if "Công viên" in name or "Vườn hoa" in name
                    else "market", f"{x:.2f}", f"{y:.2f}"])
    path.write_text(buf.getvalue(), "utf-8")


if __name__ == "__main__":
    shapefile(HERE / "cong_trinh_tt.zip")
    utm_csv(HERE / "utm48n_osm_names.csv", placeholder=False)
    utm_csv(HERE / "utm48n_no_names.csv", placeholder=True)
    print("written:", *sorted(p.name for p in HERE.iterdir() if p.suffix in (".zip", ".csv")))
