"""Writes the bad-upload corpus in this folder (run from the repo root:
``.venv/bin/python tests/data/bad/make_corpus.py``). Every file is small and made up here, except
where noted in ``tests/data/README.md``. ``expected.csv`` lists what each must produce."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

HERE = Path(__file__).resolve().parent
HK = (105.8525, 21.0288)  # Hồ Hoàn Kiếm
PTS = [(105.8525, 21.0288), (105.8412, 21.0245), (105.8190, 21.0368), (105.7860, 21.0310), (105.8700, 21.0010)]


def fc(features: list, **extra: object) -> dict:
    return {"type": "FeatureCollection", **extra, "features": features}


def feat(geometry: object, **props: object) -> dict:
    base = {"name": "Chợ Mẫu Số Một", "category": "market"}
    base.update(props)
    return {"type": "Feature", "properties": {k: v for k, v in base.items() if v is not ...}, "geometry": geometry}


def pt(x: float = HK[0], y: float = HK[1]) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def sq(x: float = HK[0], y: float = HK[1], d: float = 0.001) -> list:
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def ok_features(n: int = 3) -> list:
    return [feat(pt(*PTS[i]), name=f"Công trình {i + 1}") for i in range(n)]


def write(name: str, data: object) -> None:
    path = HERE / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def shapefile(gdf: gpd.GeoDataFrame, prj: bool = True, drop: tuple[str, ...] = ()) -> dict[str, bytes]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sites.shp"
        pyogrio.write_dataframe(gdf, path, encoding="UTF-8")
        out = {p.name: p.read_bytes() for p in Path(tmp).iterdir()}
    if not prj:
        out.pop("sites.prj", None)
    for ext in drop:
        out.pop(f"sites{ext}", None)
    return out


def vn2000(points: list[tuple[float, float]], code: str = "EPSG:5897") -> list[tuple[float, float]]:
    tr = Transformer.from_crs("EPSG:4326", code, always_xy=True)
    return [tuple(round(v, 3) for v in tr.transform(x, y)) for x, y in points]


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: tone marks as combining characters after a precomposed base letter."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def kml(placemarks: str, head: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{placemarks}</Document></kml>\n")


def main() -> None:
    # --- JSON structure
    write("broken_json.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "prop')
    write("not_geojson.json", {"hello": "world", "items": [1, 2, 3]})
    write("deeply_nested.json", '{"type": "Point", "coordinates": ' + "[" * 200_000 + "]" * 200_000 + "}")
    write("empty_file.geojson", b"")
    write("empty_collection.geojson", fc([]))
    write("not_a_feature.geojson", fc(["just a string", *ok_features(1)]))
    write("unknown_geometry_type.geojson", fc([feat({"type": "Pointt", "coordinates": list(HK)})]))
    write("feature_root_no_category.geojson", feat(pt(), category=...))
    write("bare_geometry.json", pt())
    # --- geometries
    write("null_geometry.geojson", fc([*ok_features(1), feat(None, name="Không có hình")]))
    write("empty_point.geojson", fc([feat({"type": "Point", "coordinates": []})]))
    write("empty_polygon.geojson", fc([feat({"type": "Polygon", "coordinates": []})]))
    write("unclosed_ring.geojson", fc([feat({"type": "Polygon", "coordinates": [sq()[:-1]]})]))
    write("two_point_ring.geojson", fc([feat({"type": "Polygon", "coordinates": [[list(HK), list(HK)]]})]))
    bow = [[HK[0], HK[1]], [HK[0] + 0.002, HK[1] + 0.002], [HK[0] + 0.002, HK[1]], [HK[0], HK[1] + 0.002],
           [HK[0], HK[1]]]
    write("self_intersecting_bowtie.geojson", fc([feat({"type": "Polygon", "coordinates": [bow]}, name="Vườn hoa",
                                                       category="park")]))
    line = [[HK[0], HK[1]], [HK[0] + 0.001, HK[1]], [HK[0] + 0.002, HK[1]], [HK[0], HK[1]]]
    write("collapsed_polygon.geojson", fc([feat({"type": "Polygon", "coordinates": [line]})]))
    write("mixed_types.geojson", fc([feat(pt(), name="Điểm"), feat({"type": "LineString", "coordinates": sq()[:3]},
                                                                    name="Tuyến phố", category="pedestrian"),
                                     feat({"type": "Polygon", "coordinates": [sq(105.82, 21.03)]}, name="Công viên",
                                          category="park")]))
    write("geometrycollection_mixed.geojson", fc([feat({"type": "GeometryCollection", "geometries": [
        pt(), {"type": "LineString", "coordinates": sq()[:2]}]})]))
    write("geometrycollection_points.geojson", fc([feat({"type": "GeometryCollection", "geometries": [
        pt(), pt(105.853, 21.029)]})]))
    write("nested_geometrycollection.geojson", fc([feat({"type": "GeometryCollection", "geometries": [
        {"type": "GeometryCollection", "geometries": [pt()]}, {"type": "LineString", "coordinates": sq()[:2]}]})]))
    write("z_coordinates_3d.geojson", fc([feat({"type": "Point", "coordinates": [*HK, 12.5]}),
                                          feat({"type": "Polygon", "coordinates": [[[*c, 0.0] for c in sq(105.82)]]},
                                               name="Vườn hoa", category="park")]))
    write("nan_coordinates.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
          '{"name": "Chợ", "category": "market"}, "geometry": {"type": "Point", "coordinates": [NaN, 21.03]}}]}')
    write("strings_as_coordinates.geojson", fc([feat({"type": "LineString", "coordinates": [["105.85", "21.02"],
                                                                                            ["105.86", "21.03"]]})]))
    # --- coordinates and CRS
    write("swapped_latlon.geojson", fc([feat(pt(y, x), name=f"Điểm {i}") for i, (x, y) in enumerate(PTS)]))
    hcm = [(106.7009, 10.7769), (106.6602, 10.7626), (106.6297, 10.8231)]
    write("hcmc_points.geojson", fc([feat(pt(x, y), name=f"Chợ Sài Gòn {i}") for i, (x, y) in enumerate(hcm)]))
    write("some_outside_hanoi.geojson", fc([*ok_features(2), feat(pt(*hcm[0]), name="Chợ Bến Thành")]))
    tm3 = vn2000(PTS)
    write("vn2000_tm3_no_crs.geojson", fc([feat(pt(x, y), name=f"Điểm {i}") for i, (x, y) in enumerate(tm3)]))
    utm = vn2000(PTS, "EPSG:3405")
    write("vn2000_utm48_legacy_crs.geojson", fc([feat(pt(x, y), name=f"Điểm {i}") for i, (x, y) in enumerate(utm)],
                                              crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3405"}}))
    write("projected_nowhere_no_crs.geojson", fc([feat(pt(912345.6, 150123.4), name="Brooklyn")]))
    write("legacy_crs_unknown.geojson", fc(ok_features(2), crs={"type": "name", "properties": {"name": "urn:x:nonsense"}}))
    # --- attributes
    write("unknown_category.geojson", fc([*ok_features(1), feat(pt(*PTS[1]), name="Tiệm bánh", category="bakery")]))
    write("unknown_status.geojson", fc([feat(pt(), status="sắp làm")]))
    write("duplicate_ids.geojson", fc([feat(pt(*PTS[0]), id="A1", name="Chợ A"), feat(pt(*PTS[1]), id="A1", name="Chợ B")]))
    write("duplicate_name_nearby.geojson", fc([feat(pt(), name="Chợ Hàng Da"),
                                               feat(pt(HK[0] + 0.0002, HK[1]), name="chợ hàng da")]))
    write("missing_name.geojson", fc([*ok_features(1), feat(pt(*PTS[2]), name="  ")]))
    write("no_name_column.geojson", fc([{"type": "Feature", "properties": {"loai": "chợ"}, "geometry": pt()}]))
    write("huge_property.geojson", fc([feat(pt(), name="Chợ " + "rất dài " * 30_000)]))
    write("bad_numbers.geojson", fc([feat(pt(), budget_vnd="mười tỷ", progress_pct=50)]))
    write("progress_out_of_range.geojson", fc([feat(pt(), progress_pct=140)]))
    write("bad_dates.geojson", fc([feat(pt(), start_date="31/02/2024")]))
    write("end_before_start.geojson", fc([feat(pt(), start_date="2024-05-01", end_date="01/03/2024")]))
    write("too_many_features.geojson", fc([feat(pt(105.80 + i * 0.001, 21.02), name=f"Chợ {i}") for i in range(12)]))
    write("oversized_1mb.geojson", json.dumps(fc(ok_features(1)), ensure_ascii=False) + " " * (1024 * 1024 + 110_000))
    # --- encodings
    text = json.dumps(fc([feat(pt(), name="Chợ Mẫu Chín")]), ensure_ascii=False)
    write("utf8_bom.geojson", b"\xef\xbb\xbf" + text.encode("utf-8"))
    write("utf16_bom.geojson", text.encode("utf-16"))
    write("csv_cp1258.csv", cp1258("ten,loai,kinh do,vi do\nChợ Thử Nghiệm,chợ,105.8470,21.0330\n"))
    write("csv_no_coordinates.csv", "Code,Name\n1,Chợ Hôm\n2,Chợ Mơ\n")
    write("csv_semicolon_decimal_comma.csv", "Tên;Loại;Kinh độ;Vĩ độ;Kinh phí\nChợ Mẫu Hai;Chợ;105,8530;21,0160;1.200.000.000\n")
    write("csv_bad_coordinates.csv", "name,category,lon,lat\nChợ Hôm,market,105.853,21.016\nChợ Mơ,market,abc,21.0\n")
    write("csv_wkt_column.csv", 'name,category,wkt\n"Phố đi bộ",pedestrian,"LINESTRING (105.852 21.03, 105.855 21.031)"\n')
    write("csv_header_only.csv", "name,category,lon,lat\n")
    # --- spreadsheets
    df = pd.DataFrame({"Tên công trình": ["Công viên Mẫu Tám"], "Loại": ["Công viên"], "X": [105.8437], "Y": [21.0155]})
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    write("xlsx_vietnamese_headers.xlsx", buf.getvalue())
    write("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    # --- zip: Shapefile, KMZ, safety
    gdf = gpd.GeoDataFrame({"ten": ["Chợ Mẫu Sáu", "Chợ Mẫu Bảy"], "loai": ["chợ", "chợ"]},
                           geometry=[shapely.Point(p) for p in vn2000(PTS[:2])], crs="EPSG:5897")
    write("shapefile_vn2000_with_prj.zip", zip_bytes(shapefile(gdf)))
    write("shapefile_vn2000_no_prj.zip", zip_bytes(shapefile(gdf, prj=False)))
    write("shapefile_missing_dbf.zip", zip_bytes(shapefile(gdf, drop=(".dbf",))))
    two = shapefile(gdf)
    two.update({k.replace("sites", "other"): v for k, v in shapefile(gdf).items()})
    write("zip_two_shapefiles.zip", zip_bytes(two))
    write("zip_traversal.zip", zip_bytes({"../../evil.geojson": json.dumps(fc(ok_features(1))).encode()}))
    write("zip_absolute_path.zip", zip_bytes({"/etc/cron.d/evil": b"* * * * * root true\n"}))
    write("zip_bomb.zip", zip_bytes({"bomb.geojson": b" " * (60 * 1024 * 1024)}))
    write("zip_nothing_useful.zip", zip_bytes({"readme.txt": b"hello"}))
    write("zip_damaged.zip", zip_bytes({"a.geojson": b"{}"})[:30])
    write("kmz_points.kmz", zip_bytes({"doc.kml": kml(
        "<Placemark><name>Chợ Mẫu Bốn</name><ExtendedData><Data name=\"loai\"><value>chợ</value></Data>"
        "</ExtendedData><Point><coordinates>105.8517,21.0403,0</coordinates></Point></Placemark>").encode()}))
    # --- KML
    write("kml_billion_laughs.kml", kml("<Placemark><name>&lol3;</name></Placemark>", head=(
        '<!DOCTYPE kml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')))
    write("kml_external_entity.kml", kml("<Placemark><name>&xxe;</name></Placemark>", head=(
        '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')))
    write("kml_broken.kml", kml("<Placemark><name>Chợ</name><Point><coordinates>105.85,21.02</Point></Placemark>"))
    write("kml_extendeddata_names.kml", kml(
        '<Schema name="s" id="s"><SimpleField name="ten" type="string"/><SimpleField name="loai" type="string"/></Schema>'
        '<Placemark><ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="ten">Vườn hoa Mẫu Năm</SimpleData>'
        '<SimpleData name="loai">vườn hoa</SimpleData></SchemaData></ExtendedData>'
        "<Polygon><altitudeMode>clampToGround</altitudeMode><outerBoundaryIs><LinearRing><coordinates>"
        "105.8530,21.0270 105.8540,21.0270 105.8540,21.0280 105.8530,21.0280 105.8530,21.0270"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"))
    write("kml_no_geometry.kml", kml("<Placemark><name>Chợ</name><description>no geometry</description></Placemark>"))
    # --- GeoPackage and other formats
    g2 = gpd.GeoDataFrame({"name": ["Chợ Mẫu Ba"], "category": ["market"]}, geometry=[shapely.Point(105.853, 21.016)],
                          crs=4326)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "g.gpkg"
        pyogrio.write_dataframe(g2, p, driver="GPKG")
        write("geopackage_ok.gpkg", p.read_bytes())
        con = sqlite3.connect(Path(tmp) / "x.sqlite")
        con.execute("CREATE TABLE t (a)")
        con.commit()
        con.close()
        write("geopackage_plain_sqlite.gpkg", (Path(tmp) / "x.sqlite").read_bytes())
    write("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    write("lonely.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96)
    _ = CRS  # (pyproj imported for the VN-2000 transforms above)


if __name__ == "__main__":
    main()
