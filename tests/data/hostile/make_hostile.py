"""Writes the hostile-upload corpus (issue #10): files an attacker would upload, each with the exit
code of ``python -m geo import FILE`` and a substring of the English message it must give.

The files that try to make GDAL open something else (a GDAL VRT hidden as ``.shp``, ``.shx``,
``.dbf``, ``.kml``, ``.gpkg``; a GeoPackage declaring a ``VirtualOGR`` table) point at a
``secret`` file and a ``url`` given at build time: the tests pass a file in ``tmp_path`` and a
local HTTP server on 127.0.0.1 that must receive no request. Run by hand
(``.venv/bin/python tests/data/hostile/make_hostile.py OUT_DIR``) it writes them to OUT_DIR with
``/etc/hostname`` and ``http://127.0.0.1:9/x.csv`` as targets. Everything is made up here; licence:
the project's.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

HK = (105.8525, 21.0288)  # Hồ Hoàn Kiếm


@dataclass(frozen=True)
class Case:
    file: str
    exit: int
    message: str  # substring of the English message
    build: Callable[[str, str], bytes]  # (secret path, url) -> the file's bytes
    env: str = ""


def vrt(src: str) -> bytes:
    """A GDAL VRT that reads ``src`` (a path or ``/vsicurl/`` URL) as a CSV layer of points."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="layer"><SrcDataSource>{src}</SrcDataSource>'
            '<GeometryType>wkbPoint</GeometryType><GeometryField encoding="WKT" field="WKT"/>'
            '</OGRVRTLayer></OGRVRTDataSource>').encode()


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def shapefile(n: int = 3) -> dict[str, bytes]:
    """A real Shapefile of ``n`` points around Hồ Hoàn Kiếm, by extension."""
    gdf = gpd.GeoDataFrame({"name": [f"Chợ Độc Hại {i + 1}" for i in range(n)], "category": ["market"] * n},
                           geometry=[shapely.Point(HK[0] + i * 0.001, HK[1]) for i in range(n)], crs=4326)
    with tempfile.TemporaryDirectory() as tmp:
        pyogrio.write_dataframe(gdf, Path(tmp) / "sites.shp", encoding="UTF-8")
        return {p.suffix: p.read_bytes() for p in Path(tmp).iterdir()}


def shapefile_with(**replace: bytes) -> bytes:
    parts = shapefile()
    parts.update({f".{k}": v for k, v in replace.items()})
    return zipped({f"sites{ext}": data for ext, data in parts.items()})


def short_dbf() -> bytes:
    """3 shapes, but the .dbf says (and holds) 2 records: GDAL would drop the third silently."""
    parts = shapefile(3)
    dbf = parts[".dbf"]
    header_len, record_len = struct.unpack("<HH", dbf[8:12])
    parts[".dbf"] = dbf[:4] + struct.pack("<I", 2) + dbf[8:header_len + 2 * record_len] + b"\x1a"
    return zipped({f"sites{ext}": data for ext, data in parts.items()})


def gpkg_virtual(secret: str) -> bytes:
    """A GeoPackage whose feature layer is a ``VirtualOGR`` table reading ``secret``."""
    gdf = gpd.GeoDataFrame({"name": ["Chợ Độc Hại"]}, geometry=[shapely.Point(*HK)], crs=4326)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evil.gpkg"
        pyogrio.write_dataframe(gdf, path, layer="sites", driver="GPKG")
        con = sqlite3.connect(path)
        con.execute("PRAGMA writable_schema = ON")
        con.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES "
                    "('table', 'evil', 'evil', 0, ?)", (f"CREATE VIRTUAL TABLE evil USING VirtualOGR('{secret}')",))
        con.execute("PRAGMA writable_schema = OFF")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                    "VALUES ('evil', 'features', 'evil', 4326)")
        con.commit()
        con.close()
        return path.read_bytes()


def wide_header_csv(columns: int = 200_000, rows: int = 20_000) -> bytes:
    """One very wide header row over many one-cell rows (8 MB of this grew to 3.7 GB)."""
    header = ",".join(f"c{i}" for i in range(columns))
    return (header + "\n" + "1\n" * rows).encode()


def many_keys_geojson(features: int = 200, keys: int = 200) -> bytes:
    """Every feature with its own distinct property names (700 × 700 passed 4.7 GB)."""
    feats = []
    for f in range(features):
        props = {f"k{f}_{k}": k for k in range(keys)}
        props.update(name=f"Chợ Khóa {f}", category="market")
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [HK[0], HK[1]]}})
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def shared_strings_xlsx(strings: int = 20_000) -> bytes:
    """A workbook whose sharedStrings part lists ``strings`` distinct strings (ten million took
    openpyxl 290 s and 1.9 GB)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{strings}" uniqueCount="{strings}">'
           + "".join(f"<si><t>s{i}</t></si>" for i in range(strings)) + "</sst>")
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData></worksheet>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return zipped({
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
            b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                        f'org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
                            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/sharedStrings.xml": sst.encode(),
    })


def big_polygon_geojson(vertices: int = 60_000) -> bytes:
    """One site whose polygon has ``vertices`` vertices (a million made the district map 23 MB)."""
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = np.column_stack([HK[0] + 0.002 * np.cos(t), HK[1] + 0.002 * np.sin(t)]).round(7).tolist()
    ring.append(ring[0])
    small = [[HK[0] + 0.01, HK[1]], [HK[0] + 0.011, HK[1]], [HK[0] + 0.011, HK[1] + 0.001], [HK[0] + 0.01, HK[1]]]
    feats = [{"type": "Feature", "properties": {"name": "Công Viên Nhiều Đỉnh", "category": "park"},
              "geometry": {"type": "Polygon", "coordinates": [ring]}},
             {"type": "Feature", "properties": {"name": "Công Viên Ít Đỉnh", "category": "park"},
              "geometry": {"type": "Polygon", "coordinates": [small]}}]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


NOT_SHP = "is not part of a Shapefile (.shp/.shx): it is XML (possibly a GDAL VRT)"

CASES: tuple[Case, ...] = (
    Case("vrt_file_in_shp.zip", 2, f"member “layer.shp” {NOT_SHP}",
         lambda s, u: zipped({"layer.shp": vrt(s), "layer.shx": vrt(s), "layer.dbf": vrt(s)})),
    Case("vrt_url_in_shp.zip", 2, f"member “layer.shp” {NOT_SHP}",
         lambda s, u: zipped({"layer.shp": vrt("/vsicurl/" + u), "layer.shx": vrt(u), "layer.dbf": vrt(u)})),
    Case("vrt_in_shx.zip", 2, f"member “sites.shx” {NOT_SHP}", lambda s, u: shapefile_with(shx=vrt(s))),
    Case("vrt_in_dbf.zip", 2, "member “sites.dbf” is not a dBASE file (.dbf): it is XML (possibly a GDAL VRT)",
         lambda s, u: shapefile_with(dbf=vrt(s))),
    Case("vrt_url_in_dbf.zip", 2, "member “sites.dbf” is not a dBASE file (.dbf): it is XML",
         lambda s, u: shapefile_with(dbf=vrt("/vsicurl/" + u))),
    Case("vrt_as.kml", 2, "is XML but not KML", lambda s, u: vrt(s)),
    Case("vrt_url_as.kml", 2, "is XML but not KML", lambda s, u: vrt("/vsicurl/" + u)),
    Case("vrt_as.gpkg", 2, "is named .gpkg but its content is not a GeoPackage", lambda s, u: vrt(s)),
    Case("vrt_gpkg_in.zip", 2, "is not a GeoPackage (SQLite): it is XML", lambda s, u: zipped({"sites.gpkg": vrt(u)})),
    Case("gpkg_virtualogr.gpkg", 2, "the file holds a virtual table “evil” (which can read other files)",
         lambda s, u: gpkg_virtual(s)),
    Case("shapefile_short_dbf.zip", 2, "“sites.shp”/“sites.shx” hold 3 shapes but “sites.dbf” holds 2 attribute records",
         lambda s, u: short_dbf()),
    Case("shapefile_truncated_dbf.zip", 2, "member “sites.dbf” declares 3 records but holds only 2",
         lambda s, u: shapefile_with(dbf=shapefile()[".dbf"][:-60])),
    Case("shapefile_bad_prj.zip", 2, "member “sites.prj” does not describe a readable coordinate system",
         lambda s, u: shapefile_with(prj=b"PROJCS[\"broken\", GEOGCS[")),
    Case("wide_header.csv", 2, "distinct columns/property names, beyond the limit of 500 (P03_MAX_COLUMNS)",
         lambda s, u: wide_header_csv()),
    Case("many_keys.geojson", 2, "distinct property names (or more), beyond the limit of 500 (P03_MAX_COLUMNS)",
         lambda s, u: many_keys_geojson()),
    Case("shared_strings.xlsx", 2, "shared strings (Excel), beyond the limit of 100,000 (P03_MAX_SHARED_STRINGS)",
         lambda s, u: shared_strings_xlsx(200_000), env="P03_MAX_SHARED_STRINGS=100000"),
    Case("big_polygon.geojson", 1, "the geometry has 60,001 vertices, beyond the limit of 50,000 "
         "(P03_MAX_VERTICES_PER_GEOMETRY)", lambda s, u: big_polygon_geojson()),
    Case("many_vertices.geojson", 2, "vertices in all, beyond the limit of 1,000 (P03_MAX_VERTICES)",
         lambda s, u: big_polygon_geojson(2_000), env="P03_MAX_VERTICES=1000"),
    Case("slow_check.geojson", 2, "beyond the limit of 0 s (P03_CHECK_SECONDS)",
         lambda s, u: big_polygon_geojson(100), env="P03_CHECK_SECONDS=0"),
)

#: the files whose memory the tests measure (the amplification attacks, scaled down)
AMPLIFY = ("wide_header.csv", "many_keys.geojson", "shared_strings.xlsx", "big_polygon.geojson")


def build(out: Path, secret: str, url: str) -> dict[str, Path]:
    """Write every case into ``out``; return file name -> path."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CASES:
        path = out / case.file
        path.write_bytes(case.build(secret, url))
        paths[case.file] = path
    return paths


if __name__ == "__main__":
    build(Path(sys.argv[1]), "/etc/hostname", "http://127.0.0.1:9/x.csv")
