"""Read any supported upload into one shape: a table of the file's own attributes and an array of
shapely geometries in the file's coordinates, one row per feature, in file order.

Formats: GeoJSON (FeatureCollection, Feature, bare geometry; legacy ``crs`` member; UTF-8 with or
without BOM), zipped Shapefile (``.prj``, ``.cpg``), GeoPackage, KML/KMZ (``<name>`` and
``ExtendedData``; parsed with defusedxml, no DTDs or entities), CSV and XLSX with lon/lat or x/y
columns or a WKT/WKB column. Nothing here judges the features: a geometry that cannot be read is
``None`` with its reason in :attr:`Raw.geom_errors`; :mod:`geo.ingest.validate` turns that into a
per-feature problem. A file that cannot be read at all raises :class:`~geo.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import shapely
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from geo import crs as crs_mod
from geo import gdal_guard, settings
from geo.errors import GDALUnsafe, InputError
from geo.i18n import fold
from geo.ingest import encoding, limits
from geo.ingest import sniff as magic

#: a zip may expand to at most this many bytes in total, and this many times its packed size
ZIP_MAX_TOTAL = 500 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_MAX_MEMBERS = 2000
#: text longer than this in one cell is cut (and the feature rejected by the checks when used)
MAX_CELL = 100_000

Msg = tuple[str, str]


@dataclass
class Raw:
    """One file, read: attributes (source column names), geometries, declared CRS."""

    fmt: str
    props: pd.DataFrame
    geoms: np.ndarray  # object array of shapely geometries or None
    crs: str | None = None  # the CRS the file states, normalised; None when it states none
    geom_errors: dict[int, Msg] = field(default_factory=dict)  # 0-based feature -> why unreadable
    warnings: list[Msg] = field(default_factory=list)
    coord_source: str = ""  # "lon/lat columns X, Y" etc. for tables

    def __len__(self) -> int:
        return len(self.geoms)


def _err(file: str, vi: str, en: str) -> InputError:
    return InputError(vi, en, file=file)


# ---------------------------------------------------------------- dispatch


def read(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    """Read ``content`` (named ``file_name``) in whatever supported format it is.

    Raises
    ------
    InputError
        When the file is empty, of an unsupported format, or cannot be parsed at all.
    """
    if not content:
        raise _err(file_name, "tệp rỗng (0 byte). Hãy chọn đúng tệp.", "the file is empty (0 bytes). Choose the right file.")
    fmt = sniff(content, file_name)
    try:
        raw = _read_zip(content, file_name, mapping) if fmt == "zip" else _READERS[fmt](content, file_name, mapping)
        limits.check_table(len(raw.props.columns), len(raw), file_name)
        raw.geoms = limits.check_vertices(raw.geoms, raw.geom_errors, file_name)
        raw.props = nfc_frame(raw.props)
        return raw
    except InputError:
        raise
    except MemoryError as exc:
        raise limits.out_of_memory(file_name) from exc
    except Exception as exc:  # noqa: BLE001 - damaged files make zipfile, zlib, GDAL, openpyxl fail in many ways
        why = f"{type(exc).__name__}: {str(exc)[:160]}"
        raise _err(file_name, f"tệp hỏng, không đọc được ({why}). Hãy xuất lại tệp từ phần mềm gốc.",
                   f"the file is damaged and cannot be read ({why}). Export it again from the original "
                   "software.") from exc


def sniff(content: bytes, file_name: str) -> str:
    """The format of a file from its first bytes and its extension."""
    ext = PurePosixPath(file_name.lower()).suffix
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if content[:4] == b"PK\x03\x04" or content[:4] == b"PK\x05\x06":
        return "zip"
    if content[:16] == b"SQLite format 3\x00":
        return "gpkg"
    if ext == ".gpkg":
        raise _err(file_name, "tệp có đuôi .gpkg nhưng nội dung không phải GeoPackage (SQLite); vì an toàn, tệp chỉ "
                   "được đọc theo đúng định dạng của nó.",
                   "the file is named .gpkg but its content is not a GeoPackage (SQLite); for safety a file is only "
                   "read as its own format.")
    if ext in (".shp", ".shx", ".dbf", ".prj"):
        raise _err(file_name, "tệp Shapefile phải được nén thành một tệp .zip chứa cả .shp, .shx, .dbf (và .prj, .cpg).",
                   "a Shapefile must be uploaded as one .zip holding the .shp, .shx, .dbf (and .prj, .cpg) files.")
    if ext in (".xls",):
        raise _err(file_name, "không đọc được định dạng Excel cũ .xls; hãy lưu lại thành .xlsx hoặc .csv.",
                   "old Excel .xls files are not supported; save it as .xlsx or .csv.")
    if head.startswith((b"{", b"[")) or ext in (".geojson", ".json"):
        return "geojson"
    if head.startswith(b"<") or ext == ".kml":
        return "kml"
    if ext in (".csv", ".txt", ".tsv"):
        return "csv"
    if ext in (".xlsx", ".kmz", ".zip", ".gpkg"):
        raise _err(file_name, f"tệp có đuôi {ext} nhưng nội dung không đúng định dạng đó (tệp hỏng?).",
                   f"the file is named {ext} but its content is not in that format (damaged file?).")
    raise _err(file_name, "định dạng không được hỗ trợ. Hãy tải lên GeoJSON, Shapefile (.zip), GeoPackage, KML/KMZ, "
               "CSV hoặc XLSX.", "unsupported format. Upload GeoJSON, a zipped Shapefile, GeoPackage, KML/KMZ, "
               "CSV or XLSX.")


# ---------------------------------------------------------------- text


def decode_text(content: bytes, file_name: str) -> tuple[str, Msg | None]:
    """Text from bytes: UTF-8 (BOM or not), UTF-16 with BOM; otherwise per line UTF-8 or the legacy
    codec (Windows-1258, TCVN3, Windows-1252) whose text looks most Vietnamese, with a warning
    showing a sample (:mod:`geo.ingest.encoding`)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), None
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    vni = encoding.looks_vni(content)
    if vni is not None:
        raise _err(file_name, f"tệp có vẻ được gõ bằng bảng mã VNI-Windows (ví dụ “{vi_sample(vni)}”), chưa đọc được. "
                   "Hãy chuyển sang Unicode (Unikey: Công cụ › Chuyển mã, VNI Windows → Unicode) rồi tải lại.",
                   f"the file looks typed in the VNI-Windows encoding (e.g. “{vi_sample(vni)}”), which is not read. "
                   "Convert it to Unicode (Unikey: Tools › Convert, VNI Windows → Unicode) and upload it again.")
    return encoding.decode_legacy(content)


def vi_sample(text: str) -> str:
    return text[:60]


def _cell(value: Any) -> Any:
    """A property value as stored in the table: nested objects as JSON text, long text cut."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[:MAX_CELL]
    return value


def nfc_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Column names and text cells in Unicode NFC, so that an id or name typed in NFD (macOS,
    some Vietnamese keyboards) equals the same text in NFC."""
    def nfc(v: Any) -> Any:
        return unicodedata.normalize("NFC", v) if isinstance(v, str) and not unicodedata.is_normalized("NFC", v) else v

    df = df.rename(columns={c: nfc(c) for c in df.columns if isinstance(c, str)})
    for col in df.columns:
        if _texty(df[col]):
            values = df[col].tolist()
            fixed = [nfc(v) for v in values]
            if any(a is not b for a, b in zip(values, fixed, strict=True)):
                df[col] = pd.Series(fixed, index=df.index, dtype=object)
    return df


class _NonFinite(str):
    """A JSON number that is not a finite float (``1e309``, ``NaN``, ``Infinity``): kept as its
    text so that the checks refuse it per field instead of storing it as empty."""


def _json_float(text: str) -> Any:
    value = float(text)
    return value if np.isfinite(value) else _NonFinite(text)


# ---------------------------------------------------------------- GeoJSON


def _read_geojson(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    text, enc_warning = decode_text(content, file_name)
    limits.check_nesting(text, file_name)
    try:
        doc = json.loads(text, parse_float=_json_float, parse_constant=_NonFinite)
    except RecursionError as exc:
        raise limits.nested_too_deeply(file_name) from exc
    except json.JSONDecodeError as exc:
        raise _err(file_name, f"không phải JSON hợp lệ: lỗi ở dòng {exc.lineno}, cột {exc.colno} ({exc.msg}). "
                   "Hãy mở tệp bằng trình soạn thảo và sửa, hoặc xuất lại từ QGIS.",
                   f"is not valid JSON: error at line {exc.lineno}, column {exc.colno} ({exc.msg}). "
                   "Fix it in a text editor or export it again from QGIS.") from exc
    feats, declared = _features_of(doc, file_name)
    raw = _geojson_features(feats, file_name)
    raw.crs = declared
    if enc_warning:
        raw.warnings.append(enc_warning)
    if isinstance(doc, dict) and "crs" in doc and declared is None:
        raw.warnings.append(("không hiểu thành phần “crs” của tệp; đã bỏ qua.",
                             "the file's “crs” member is not understood; it was ignored."))
    return raw


def _features_of(doc: Any, file_name: str) -> tuple[list[Any], str | None]:
    kind = doc.get("type") if isinstance(doc, dict) else None
    if isinstance(doc, list) and doc and all(isinstance(f, dict) and f.get("type") == "Feature" for f in doc):
        return doc, None
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise _err(file_name, "FeatureCollection không có danh sách “features”.",
                       "the FeatureCollection has no “features” list.")
        return feats, _legacy_crs(doc.get("crs"), file_name)
    if kind == "Feature":
        return [doc], _legacy_crs(doc.get("crs"), file_name)
    if kind in ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                "GeometryCollection"):
        return [{"type": "Feature", "properties": {}, "geometry": doc}], _legacy_crs(doc.get("crs"), file_name)
    raise _err(file_name, "là JSON nhưng không phải GeoJSON (cần FeatureCollection, Feature hoặc một hình học).",
               "is JSON but not GeoJSON (a FeatureCollection, a Feature or a geometry is needed).")


def _legacy_crs(member: Any, file_name: str) -> str | None:
    """The CRS named by a pre-RFC 7946 ``crs`` member, normalised; None when absent/unreadable."""
    if not isinstance(member, dict):
        return None
    props = member.get("properties") or {}
    name = props.get("name") if isinstance(props, dict) else None
    if member.get("type") == "EPSG" and isinstance(props, dict) and props.get("code"):
        name = f"EPSG:{props['code']}"
    if not name:
        return None
    try:
        return crs_mod.parse(str(name), file=file_name)
    except InputError:
        return None


_GEOM_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")


def _geojson_features(feats: list[Any], file_name: str) -> Raw:
    n = len(feats)
    props: list[dict[str, Any]] = []
    gjs: list[Any] = []
    errors: dict[int, Msg] = {}
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            errors[i] = ("không phải một Feature GeoJSON (thiếu \"type\": \"Feature\").",
                         "is not a GeoJSON Feature (\"type\": \"Feature\" is missing).")
            props.append({})
            gjs.append(None)
            continue
        p = f.get("properties")
        if not isinstance(p, dict):
            p = {}
        if "id" not in p and f.get("id") not in (None, ""):
            p["id"] = str(f["id"])
        props.append(p)
        gjs.append(f.get("geometry"))
    limits.check_table(len(limits.distinct_keys(props, file_name)), n, file_name)
    geoms = _build_geoms(gjs, errors)
    df = pd.DataFrame.from_records(props, index=range(n)) if n else pd.DataFrame(index=range(0))
    return Raw("geojson", _flat_cells(df), geoms, geom_errors=errors)


def _flat_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Nested objects as JSON text and over-long text cut, looking only at columns that may
    hold them (pandas infers each column's kind in C)."""
    for col in df.columns:
        kind = pd.api.types.infer_dtype(df[col], skipna=True)
        if kind in ("integer", "floating", "boolean", "empty", "decimal"):
            continue
        if kind == "string" and df[col].str.len().max() <= MAX_CELL:
            continue
        df[col] = pd.Series([_cell(v) for v in df[col].tolist()], index=df.index, dtype=object)
    return df


def _build_geoms(gjs: list[Any], errors: dict[int, Msg]) -> np.ndarray:
    """shapely geometries from GeoJSON geometry dicts: points in one vectorised call, the rest
    through GEOS' GeoJSON reader; each failure explained per feature."""
    n = len(gjs)
    out = np.full(n, None, dtype=object)
    pts: list[int] = []
    coords: list[Any] = []
    polys: list[int] = []
    rest: list[int] = []
    for i, g in enumerate(gjs):
        if i in errors or g is None:
            continue
        if not isinstance(g, dict) or g.get("type") not in _GEOM_TYPES:
            kind = g.get("type") if isinstance(g, dict) else type(g).__name__
            errors[i] = (f"loại hình học “{kind}” không phải GeoJSON.", f"geometry type “{kind}” is not GeoJSON.")
            continue
        c = g.get("coordinates")
        if g["type"] == "Point" and isinstance(c, list) and len(c) == 2 and all(type(v) in (int, float) for v in c):
            pts.append(i)
            coords.append(c)
        elif g["type"] == "Polygon" and _plain_rings(c):
            polys.append(i)
        else:
            rest.append(i)
    if pts:
        out[np.array(pts)] = shapely.points(np.array(coords, dtype=float))
    if polys:
        out[np.array(polys)] = _polygons([gjs[i]["coordinates"] for i in polys])
    if rest:
        texts = [json.dumps(gjs[i]) for i in rest]
        built = shapely.from_geojson(texts, on_invalid="ignore")
        for i, text, geom in zip(rest, texts, built, strict=True):
            if geom is None:
                errors[i] = _why_unreadable(text, gjs[i])
            out[i] = geom
    return out


def _plain_rings(rings: Any) -> bool:
    """Polygon coordinates GEOS would take as they are: closed rings of ≥ 4 numeric x, y pairs."""
    if not isinstance(rings, list) or not rings:
        return False
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
            return False
        for p in ring:
            if type(p) is not list or len(p) != 2 or type(p[0]) not in (int, float) or type(p[1]) not in (int, float):
                return False
    return True


def _polygons(polygons: list[list[list[list[float]]]]) -> np.ndarray:
    """Many polygons in three vectorised calls (rings, then polygons with their holes)."""
    points = [p for rings in polygons for ring in rings for p in ring]
    ring_sizes = [len(ring) for rings in polygons for ring in rings]
    ring_owner = [k for k, rings in enumerate(polygons) for _ in rings]
    rings = shapely.linearrings(np.array(points, dtype=float), indices=np.repeat(np.arange(len(ring_sizes)), ring_sizes))
    out: np.ndarray = shapely.polygons(rings, indices=np.array(ring_owner))
    return out


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, _NonFinite):
        return True
    return isinstance(value, list) and any(_has_non_finite(v) for v in value)


def _why_unreadable(text: str, g: dict[str, Any]) -> Msg:
    if _has_non_finite(g.get("coordinates")):
        return ("tọa độ không phải số hữu hạn (NaN/Infinity).", "coordinates are not finite numbers (NaN/Infinity).")
    if "coordinates" not in g and g.get("type") != "GeometryCollection":
        return ("hình học không có “coordinates”.", "the geometry has no “coordinates”.")
    try:
        shapely.from_geojson(text)
    except shapely.errors.GEOSException as exc:
        why = str(exc).split(":", 1)[-1].strip()
        if "closed linestring" in why:
            return ("vòng của vùng (Polygon) không khép kín: điểm cuối phải trùng điểm đầu.",
                    "a polygon ring is not closed: its last point must repeat the first.")
        if "LinearRing" in why:
            return (f"vòng của vùng có quá ít điểm ({why}).", f"a polygon ring has too few points ({why}).")
        return (f"tọa độ không đọc được ({why}).", f"the coordinates cannot be read ({why}).")
    return ("tọa độ không đọc được (phải là số).", "the coordinates cannot be read (they must be numbers).")


# ---------------------------------------------------------------- KML


_KML_GEOMS = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track", "MultiTrack", "Model")


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _read_kml(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    try:
        root = SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _err(file_name, "tệp KML chứa khai báo DTD/thực thể XML; vì an toàn, không đọc các tệp như vậy. "
                   "Hãy xuất lại KML từ Google Earth hoặc QGIS.",
                   "the KML holds an XML DTD or entity declarations, which are refused for safety. "
                   "Export the KML again from Google Earth or QGIS.") from exc
    except SafeET.ParseError as exc:
        raise _err(file_name, f"không phải XML/KML hợp lệ ({exc}).", f"is not valid XML/KML ({exc}).") from exc
    if _local(root.tag).lower() != "kml":
        raise _err(file_name, "là XML nhưng không phải KML (thiếu phần tử <kml>).",
                   "is XML but not KML (no <kml> root element).")
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    errors: dict[int, Msg] = {}
    for i, pm in enumerate(e for e in root.iter() if _local(e.tag) == "Placemark"):
        rows.append(_kml_props(pm))
        geom_el = next((c for c in pm if _local(c.tag) in _KML_GEOMS), None)
        if geom_el is None:
            geoms.append(None)
            continue
        try:
            geoms.append(_kml_geom(geom_el))
        except (ValueError, shapely.errors.GEOSException) as exc:
            geoms.append(None)
            errors[i] = (f"hình học KML không đọc được ({exc}).", f"the KML geometry cannot be read ({exc}).")
    limits.check_table(len(limits.distinct_keys(rows, file_name)), len(rows), file_name)
    df = pd.DataFrame.from_records(rows, index=range(len(rows))) if rows else pd.DataFrame(index=range(0))
    return Raw("kml", df, np.array(geoms + [None], dtype=object)[:-1], crs=crs_mod.WGS84, geom_errors=errors)


def _kml_props(pm: Any) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for child in pm:
        tag = _local(child.tag)
        if tag in ("name", "description") and child.text and child.text.strip():
            props[tag] = _cell(child.text.strip())
        elif tag == "ExtendedData":
            for el in child.iter():
                t = _local(el.tag)
                if t == "SimpleData" and el.get("name"):
                    props[el.get("name")] = _cell((el.text or "").strip())
                elif t == "Data" and el.get("name"):
                    val = next((v for v in el if _local(v.tag) == "value"), None)
                    props[el.get("name")] = _cell((val.text or "").strip() if val is not None else "")
    return props


def _kml_coords(el: Any) -> np.ndarray:
    node = next((c for c in el.iter() if _local(c.tag) == "coordinates"), None)
    if node is None or not (node.text or "").strip():
        raise ValueError("no <coordinates>")
    tuples = [t.split(",") for t in node.text.split()]
    dims = {len(t) for t in tuples}
    if len(dims) != 1 or dims - {2, 3}:
        raise ValueError("each coordinate must be lon,lat or lon,lat,alt")
    return np.array(tuples, dtype=float)


def _kml_geom(el: Any) -> Any:
    tag = _local(el.tag)
    if tag == "Point":
        return shapely.Point(_kml_coords(el)[0])
    if tag == "LineString":
        return shapely.LineString(_kml_coords(el))
    if tag == "LinearRing":
        return shapely.Polygon(_kml_coords(el))
    if tag == "Polygon":
        outer = next((c for c in el if _local(c.tag) == "outerBoundaryIs"), None)
        if outer is None:
            raise ValueError("Polygon without <outerBoundaryIs>")
        holes = [_kml_coords(c) for c in el if _local(c.tag) == "innerBoundaryIs"]
        return shapely.Polygon(_kml_coords(outer), holes)
    if tag == "MultiGeometry":
        parts = [_kml_geom(c) for c in el if _local(c.tag) in _KML_GEOMS]
        kinds = {p.geom_type for p in parts}
        if kinds == {"Point"}:
            return shapely.MultiPoint(parts)
        if kinds == {"LineString"}:
            return shapely.MultiLineString(parts)
        if kinds <= {"Polygon", "MultiPolygon"} and parts:
            return shapely.MultiPolygon([g for p in parts for g in getattr(p, "geoms", [p])])
        return shapely.GeometryCollection(parts)
    raise ValueError(f"<{tag}> is not supported")


# ---------------------------------------------------------------- zip (Shapefile, KMZ, XLSX)


def safe_members(zf: zipfile.ZipFile, file_name: str, packed_size: int) -> list[zipfile.ZipInfo]:
    """The zip's file members, after refusing path traversal, links and zip bombs."""
    infos = zf.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        raise _err(file_name, f"tệp zip có quá nhiều mục ({len(infos)}).", f"the zip holds too many entries ({len(infos)}).")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        mode = (info.external_attr >> 16) & 0o170000
        if name.startswith("/") or ".." in parts or re.match(r"^[A-Za-z]:", name) or mode == 0o120000:
            raise _err(file_name, f"tệp zip chứa đường dẫn không an toàn “{info.filename}”; không đọc tệp này.",
                       f"the zip holds an unsafe path “{info.filename}”; the file is refused.")
        if info.flag_bits & 0x1:
            raise _err(file_name, "tệp zip được đặt mật khẩu; hãy nén lại không mật khẩu.",
                       "the zip is password-protected; zip it again without a password.")
        total += info.file_size
    if total > ZIP_MAX_TOTAL or total > ZIP_MAX_RATIO * max(packed_size, 1):
        raise _err(file_name, f"tệp zip giải nén ra {total / 1e6:.0f} MB, vượt giới hạn an toàn "
                   f"({ZIP_MAX_TOTAL // 1024 // 1024} MB, tỉ lệ nén {ZIP_MAX_RATIO}:1); không đọc tệp này.",
                   f"the zip expands to {total / 1e6:.0f} MB, beyond the safety limits "
                   f"({ZIP_MAX_TOTAL // 1024 // 1024} MB, compression ratio {ZIP_MAX_RATIO}:1); the file is refused.")
    return [i for i in infos if not i.is_dir()]


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str) -> bytes:
    """A member's bytes, never more than its declared size (a lying header cannot bomb us)."""
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise _err(file_name, f"mục “{info.filename}” trong zip lớn hơn kích thước khai báo; tệp hỏng hoặc độc hại.",
                   f"entry “{info.filename}” of the zip is larger than it declares; damaged or malicious file.")
    return data


def _open_zip(content: bytes, file_name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError) as exc:
        raise _err(file_name, f"tệp zip hỏng ({exc}).", f"the zip file is damaged ({exc}).") from exc


def _read_zip(content: bytes, file_name: str, mapping: dict[str, Any] | None) -> Raw:
    zf = _open_zip(content, file_name)
    members = safe_members(zf, file_name, len(content))
    names = {PurePosixPath(i.filename).name.lower(): i for i in members}
    if "xl/workbook.xml" in {i.filename.lower() for i in members}:
        return _read_xlsx(content, file_name, mapping)
    useful = [i for i in members if not PurePosixPath(i.filename).name.startswith((".", "__MACOSX"))
              and "__MACOSX" not in i.filename]
    shps = [i for i in useful if i.filename.lower().endswith(".shp")]
    if len(shps) > 1:
        listed = ", ".join(PurePosixPath(i.filename).name for i in shps[:5])
        raise _err(file_name, f"tệp zip chứa nhiều Shapefile ({listed}); hãy tải lên từng lớp một.",
                   f"the zip holds several Shapefiles ({listed}); upload one layer at a time.")
    if shps:
        return _read_shapefile(zf, shps[0], useful, file_name)
    for ext, reader in ((".kml", _read_kml), (".geojson", _read_geojson), (".json", _read_geojson),
                        (".gpkg", _read_gpkg), (".csv", _read_csv)):
        inner = [i for i in useful if i.filename.lower().endswith(ext)]
        if inner:
            pick = names.get("doc.kml", inner[0]) if ext == ".kml" else inner[0]
            raw = reader(read_member(zf, pick, file_name), file_name, mapping)
            raw.fmt = "kmz" if ext == ".kml" else raw.fmt
            return raw
    if any(i.filename.lower().endswith((".dbf", ".shx")) for i in useful):
        raise _err(file_name, "tệp zip có .dbf/.shx nhưng thiếu .shp; hãy nén đủ các tệp của Shapefile.",
                   "the zip has .dbf/.shx but no .shp; zip all the files of the Shapefile.")
    raise _err(file_name, "tệp zip không chứa Shapefile, KML, GeoJSON, GeoPackage hay CSV nào.",
               "the zip holds no Shapefile, KML, GeoJSON, GeoPackage or CSV.")


def _read_shapefile(zf: zipfile.ZipFile, shp: zipfile.ZipInfo, members: list[zipfile.ZipInfo], file_name: str) -> Raw:
    stem = shp.filename[:-4].lower()
    parts = {i.filename[len(stem):].lower(): i for i in members if i.filename.lower().startswith(stem)
             and i.filename[len(stem):].lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        raise _err(file_name, f"Shapefile thiếu tệp {', '.join(missing)}; hãy nén đủ .shp, .shx, .dbf, .prj.",
                   f"the Shapefile lacks {', '.join(missing)}; zip the .shp, .shx, .dbf and .prj together.")
    data = {ext: read_member(zf, info, file_name) for ext, info in parts.items()}
    magic.check_shapefile(data, file_name, {ext: PurePosixPath(i.filename).name for ext, i in parts.items()})
    pyogrio = _gdal(file_name)
    with tempfile.TemporaryDirectory(prefix="p03-shp-") as tmp:
        for ext in (".shp", ".shx", ".dbf"):  # .prj and .cpg are read here, not by GDAL
            (Path(tmp) / f"layer{ext}").write_bytes(data[ext])
        _gdal_limits(pyogrio, Path(tmp) / "layer.shp", None, file_name)
        try:
            gdf = pyogrio.read_dataframe(Path(tmp) / "layer.shp", encoding="latin1")
        except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
            raise _err(file_name, f"không đọc được Shapefile ({exc}).", f"the Shapefile cannot be read ({exc}).") from exc
    prj = data[".prj"].decode("utf-8", errors="replace") if ".prj" in data else None
    cpg = data[".cpg"].decode("ascii", "replace").strip() if ".cpg" in data else None
    cpg_name = PurePosixPath(parts[".cpg"].filename).name if ".cpg" in parts else ""
    cpg_warning = None
    if cpg is not None and _codec(cpg) is None:
        cpg_warning = (f"tệp “{cpg_name}” ghi bảng mã không biết “{cpg[:40]}”; đã bỏ qua và tự đoán bảng mã.",
                       f"member “{cpg_name}” names an unknown encoding “{cpg[:40]}”; it was ignored and the "
                       "encoding guessed.")
        cpg = None
    gdf, warning = _recode(gdf, cpg, file_name)
    raw = _from_frame(gdf, "shapefile")
    raw.crs = _prj_crs(prj, file_name, PurePosixPath(parts[".prj"].filename).name) if prj and prj.strip() else None
    raw.warnings.extend(w for w in (cpg_warning, warning) if w)
    return raw


def _prj_crs(prj: str, file_name: str, member: str) -> str:
    """The CRS of a ``.prj``; a bad one is refused naming the member."""
    try:
        return crs_mod.parse(prj)
    except InputError as exc:
        raise _err(file_name, f"tệp “{member}” không mô tả một hệ tọa độ đọc được ({exc.vi[:120]}). Hãy bỏ tệp .prj "
                   "khỏi zip và chọn hệ tọa độ, hoặc xuất lại Shapefile.",
                   f"member “{member}” does not describe a readable coordinate system ({exc.en[:120]}). Remove the "
                   ".prj from the zip and choose the CRS, or export the Shapefile again.") from exc


def _gdal(file_name: str) -> Any:
    """pyogrio, after GDAL is locked down for hostile files (:mod:`geo.gdal_guard`)."""
    try:
        gdal_guard.harden()
    except GDALUnsafe as exc:
        raise _err(file_name, "máy chủ không khóa được GDAL nên không đọc định dạng này; hãy tải lên GeoJSON hoặc CSV.",
                   "the server cannot lock GDAL down, so it does not read this format; upload GeoJSON or CSV.") from exc
    import pyogrio

    return pyogrio


def _gdal_limits(pyogrio: Any, path: Path, layer: str | None, file_name: str) -> None:
    """Fields and features of a layer within the limits, asked of GDAL before reading the rows."""
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise _err(file_name, f"không đọc được lớp dữ liệu ({exc}).", f"the layer cannot be read ({exc}).") from exc
    limits.check_table(len(info.get("fields", [])), max(int(info.get("features") or 0), 0), file_name)


def _texty(col: pd.Series) -> bool:
    return bool(pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col))


def _codec(cpg: str) -> str | None:
    """Python codec for a .cpg text ("UTF-8", "CP1258", "1258", "65001", "ANSI 1252"...)."""
    import codecs

    name = cpg.upper().replace("ANSI", "").strip()
    if name.isdigit():
        name = "utf-8" if name == "65001" else f"cp{name}"
    try:
        return codecs.lookup(name).name if name and name.isprintable() else None
    except (LookupError, ValueError, TypeError):
        return None


def _recode(gdf: Any, cpg: str | None, file_name: str) -> tuple[Any, Msg | None]:
    """Text read as Latin-1 bytes, decoded with the .cpg's codec (or UTF-8, else the best guess)."""
    codec = _codec(cpg) if cpg else None
    text_cols = [c for c in gdf.columns if c != "geometry" and _texty(gdf[c])]
    blob = "\x00".join([*map(str, gdf.columns), *(str(v) for c in text_cols for v in gdf[c] if isinstance(v, str))])
    try:
        raw_bytes = blob.encode("latin-1")
    except UnicodeEncodeError:
        return gdf, None  # GDAL already decoded it (a DBF language id): keep
    warning = None
    if codec is None:
        try:
            raw_bytes.decode("utf-8")
            codec = "utf-8"
        except UnicodeDecodeError:
            guess = decode_text(raw_bytes, file_name)[1] or ("", "")
            codec = "cp1258" if "cp1258" in guess[1] else "cp1252"
            warning = ("Shapefile không có tệp .cpg và chữ không ở UTF-8; " + guess[0],
                       "the Shapefile has no .cpg file and its text is not UTF-8; " + guess[1])

    def fix(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        return unicodedata.normalize("NFC", v.encode("latin-1").decode(str(codec), "replace"))

    gdf = gdf.rename(columns={c: fix(c) for c in gdf.columns if c != "geometry"})
    for col in gdf.columns:
        if col in text_cols:
            gdf[col] = pd.Series([fix(v) for v in gdf[col]], index=gdf.index, dtype=object)
    return gdf, warning


def _from_frame(gdf: Any, fmt: str) -> Raw:
    geoms = np.asarray(gdf.geometry.values, dtype=object) if "geometry" in gdf else np.full(len(gdf), None, dtype=object)
    if len(geoms):
        geoms[shapely.is_missing(geoms)] = None
    props = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    props = props.astype(object).where(props.notna(), None)
    return Raw(fmt, props, geoms)


def _read_gpkg(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    pyogrio = _gdal(file_name)
    with tempfile.TemporaryDirectory(prefix="p03-gpkg-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(content)
        first, spatial = magic.gpkg_layer(path, content[:100], file_name, file_name)
        _gdal_limits(pyogrio, path, first, file_name)
        try:
            gdf = pyogrio.read_dataframe(path, layer=first)
        except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
            raise _err(file_name, f"không đọc được GeoPackage ({exc}).", f"the GeoPackage cannot be read ({exc}).") from exc
    raw = _from_frame(gdf, "gpkg")
    raw.crs = crs_mod.parse(gdf.crs.to_wkt(), file=file_name) if gdf.crs is not None else None
    if len(spatial) > 1:
        raw.warnings.append((f"GeoPackage có {len(spatial)} lớp; chỉ đọc lớp đầu “{spatial[0]}”.",
                             f"the GeoPackage has {len(spatial)} layers; only the first, “{spatial[0]}”, was read."))
    return raw


# ---------------------------------------------------------------- tables (CSV, XLSX)


def _read_csv(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    text, enc_warning = decode_text(content, file_name)
    if not text.strip():
        raise _err(file_name, "tệp CSV không có dòng nào.", "the CSV file has no rows.")
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    rows = _csv_rows(text, delim, file_name)
    raw = _from_rows(rows, file_name, "csv")
    if enc_warning:
        raw.warnings.insert(0, enc_warning)
    return table_geometry(raw, file_name, mapping)


def _csv_rows(text: str, delim: str, file_name: str) -> list[list[str]]:
    """The non-blank rows, read one at a time and refused as soon as they pass the limits on
    columns, rows and cells (a very wide header over many one-cell rows would otherwise grow a
    few megabytes into gigabytes)."""
    end = text.find("\n")
    limits.check_table(text.count(delim, 0, end if end >= 0 else len(text)) + 1, 0, file_name)
    max_rows = int(settings.get("P03_MAX_FEATURES")) + 1
    max_cells = int(settings.get("P03_MAX_CELLS"))
    rows: list[list[str]] = []
    width = 0
    try:
        for r in csv.reader(io.StringIO(text), delimiter=delim):
            if not any(c.strip() for c in r):
                continue
            rows.append(r)
            width = max(width, len(r))
            if len(rows) > max_rows or width * len(rows) > max_cells:
                limits.check_table(width, len(rows) - 1, file_name)
    except csv.Error as exc:
        raise _err(file_name, f"không đọc được CSV ({exc}).", f"the CSV cannot be read ({exc}).") from exc
    return rows


def _read_xlsx(content: bytes, file_name: str, mapping: dict[str, Any] | None = None) -> Raw:
    limits.check_xlsx(_open_zip(content, file_name), file_name)
    try:
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise _err(file_name, f"không đọc được tệp Excel ({exc}).", f"the Excel file cannot be read ({exc}).") from exc
    filled = [(name, df.dropna(how="all")) for name, df in sheets.items()]
    filled = [(name, df) for name, df in filled if len(df)]
    if not filled:
        raise _err(file_name, "tệp Excel không có dữ liệu.", "the Excel file holds no data.")
    name, df = filled[0]
    rows = [["" if pd.isna(v) else v for v in row] for row in df.itertuples(index=False)]
    raw = _from_rows(rows, file_name, "xlsx")
    if len(filled) > 1:
        raw.warnings.append((f"tệp Excel có {len(filled)} trang; chỉ đọc trang đầu “{name}”.",
                             f"the Excel file has {len(filled)} sheets; only the first, “{name}”, was read."))
    return table_geometry(raw, file_name, mapping)


_NUMBER = re.compile(r"^\s*[-+]?\d+([.,]\d+)?\s*$")
_WKT = re.compile(r"^\s*(SRID=\d+;)?\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
                  r"GEOMETRYCOLLECTION)\b", re.I)
_HEXWKB = re.compile(r"^\s*0[01][0-9A-Fa-f]{16,}\s*$")


def _looks_like_data(cell: Any) -> bool:
    if not isinstance(cell, str):
        return cell is not None and cell != ""
    return bool(_NUMBER.match(cell) or _WKT.match(cell) or _HEXWKB.match(cell))


def _from_rows(rows: list[list[Any]], file_name: str, fmt: str) -> Raw:
    if not rows:
        raise _err(file_name, "bảng không có dòng nào.", "the table has no rows.")
    width = max(len(r) for r in rows)
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    warnings: list[Msg] = []
    if any(_looks_like_data(c) for c in rows[0]):
        header = [f"column {i + 1}" for i in range(width)]
        body = rows
        warnings.append(("bảng không có dòng tiêu đề (dòng đầu là dữ liệu); các cột được đặt tên “column 1”, "
                         "“column 2”…; hãy chọn cột nào là tên, loại, tọa độ.",
                         "the table has no header row (the first row is data); columns are named “column 1”, "
                         "“column 2”…; map which column is the name, category, coordinates."))
    else:
        header = [h or f"column {i + 1}" for i, h in enumerate(header + [""] * (width - len(header)))]
        body = rows[1:]
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen:
            seen[h] += 1
            header[i] = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
    limits.check_table(width, len(body), file_name)
    records = [[_cell(v) for v in r] + [None] * (width - len(r)) for r in body]
    df = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header)
    df = df.where(df.notna() & (df.astype(str).apply(lambda s: s.str.strip()) != ""), None)
    return Raw(fmt, df.reset_index(drop=True), np.full(len(df), None, dtype=object), warnings=warnings)


#: folded column names recognised as coordinates / geometry (English, Vietnamese, surveyors')
LON_NAMES = ("lon", "lng", "long", "longitude", "kinh do", "kinhdo", "kinh_do", "x", "easting", "toa do x", "xcoord",
             "x coord", "coord x")
LAT_NAMES = ("lat", "latitude", "vi do", "vido", "vi_do", "y", "northing", "toa do y", "ycoord", "y coord", "coord y",
             )
GEOM_NAMES = ("wkt", "geom", "geometry", "the_geom", "wkb", "shape", "hinh hoc", "geojson")


def _norm_col(name: str) -> str:
    return fold(re.sub(r"[_\-.()\[\]]+", " ", str(name)))


def find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first column whose folded name is one of ``names`` or, failing that, starts with one
    of the longer ones ("Kinh độ (X)", "Longitude WGS84").

    >>> find_column(["STT", "Kinh độ (X)"], LON_NAMES)
    'Kinh độ (X)'
    """
    folded = {c: _norm_col(c) for c in columns}
    for wanted in names:
        for col, f in folded.items():
            if f == wanted:
                return col
    for wanted in (n for n in names if len(n) >= 5):
        for col, f in folded.items():
            if f.startswith(wanted + " "):
                return col
    return None


def table_geometry(raw: Raw, file_name: str, mapping: dict[str, Any] | None) -> Raw:
    """For CSV/XLSX: build geometries from lon/lat (x/y) columns or a WKT/WKB column, honouring
    ``mapping`` keys ``lon``, ``lat`` and ``geometry``. Rows without coordinates get a reason."""
    mapping = mapping or {}
    cols = [str(c) for c in raw.props.columns]
    for key in ("lon", "lat", "geometry"):
        if mapping.get(key) and mapping[key] not in cols:
            raise InputError(f"không có cột “{mapping[key]}” để làm {key}; các cột là: {', '.join(cols)}.",
                             f"there is no column “{mapping[key]}” for {key}; the columns are: {', '.join(cols)}.",
                             file=file_name, field=key)
    gcol = mapping.get("geometry") or find_column(cols, GEOM_NAMES) or _geometry_by_content(raw.props)
    lon = mapping.get("lon") or (None if mapping.get("geometry") else find_column(cols, LON_NAMES))
    lat = mapping.get("lat") or (None if mapping.get("geometry") else find_column(cols, LAT_NAMES))
    n = len(raw.props)
    if lon and lat and not mapping.get("geometry"):
        x, y = _numbers(raw.props[lon]), _numbers(raw.props[lat])
        ok = np.isfinite(x) & np.isfinite(y)
        raw.geoms = np.full(n, None, dtype=object)
        if ok.any():
            raw.geoms[ok] = shapely.points(x[ok], y[ok])
        for k in np.flatnonzero(~ok).tolist():
            raw.geom_errors[k] = (f"không có tọa độ số ở cột “{lon}”, “{lat}”.",
                                       f"no numeric coordinates in columns “{lon}”, “{lat}”.")
        raw.coord_source = f"{lon}, {lat}"
        return raw
    if gcol:
        raw.geoms, srid = _parse_geometry_column(raw.props[gcol], raw.geom_errors)
        raw.coord_source = gcol
        if srid and raw.crs is None:
            raw.crs = _srid_crs(srid, file_name)
        return raw
    shown = ", ".join(cols[:12])
    for i in range(n):
        raw.geom_errors[i] = (f"không có tọa độ: bảng không có cột kinh độ/vĩ độ, x/y hay WKT (các cột: {shown}). "
                              "Hãy chọn cột tọa độ hoặc thêm chúng vào tệp.",
                              f"no coordinates: the table has no longitude/latitude, x/y or WKT column (columns: "
                              f"{shown}). Map the coordinate columns or add them to the file.")
    return raw


def _srid_crs(srid: int, file_name: str) -> str:
    """The CRS of a WKT ``SRID=n;`` prefix; an unknown or unusable one refused in words."""
    try:
        return crs_mod.parse(f"EPSG:{srid}")
    except InputError as exc:
        raise _err(file_name, f"cột hình học ghi SRID={srid}, không phải hệ tọa độ EPSG dùng được. Hãy bỏ tiền tố "
                   "“SRID=…;” hoặc chọn hệ tọa độ.",
                   f"the geometry column states SRID={srid}, which is not a usable EPSG coordinate system. Remove "
                   "the “SRID=…;” prefix or choose the coordinate system.") from exc


def _numbers(col: pd.Series) -> np.ndarray:
    """Numbers from cells, accepting a decimal comma ("105,85") and degrees-minutes-seconds
    ("21°01'44.5\"N")."""
    text = col.astype(object).where(col.notna(), "").astype(str).str.strip()
    comma = text.str.fullmatch(r"[-+]?\d+,\d+")
    text = text.where(~comma, text.str.replace(",", ".", regex=False))
    out: np.ndarray = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
    for i in np.flatnonzero(np.isnan(out) & text.str.contains("°", regex=False).to_numpy()):
        out[i] = dms(text.iat[i])
    return out


_DMS = re.compile(r"^\s*(-)?\s*(\d+(?:[.,]\d+)?)\s*°\s*(?:(\d+(?:[.,]\d+)?)\s*['′’]\s*)?"
                  r"(?:(\d+(?:[.,]\d+)?)\s*(?:\"|″|”|''|′′)\s*)?([NSEWnsew]?)\s*$")


def dms(text: str) -> float:
    """Decimal degrees from degrees, minutes, seconds (NaN when it is not such a value).

    >>> round(dms("21°01'44.5''N"), 6), round(dms("105° 51' 9'' E"), 5), dms("abc")
    (21.029028, 105.8525, nan)
    """
    m = _DMS.match(text)
    if not m:
        return float("nan")
    deg, mins, secs = (float((g or "0").replace(",", ".")) for g in m.group(2, 3, 4))
    value = deg + mins / 60 + secs / 3600
    return -value if m.group(1) or m.group(5).upper() in ("S", "W") else value


def _geometry_by_content(df: pd.DataFrame) -> str | None:
    for col in df.columns:
        sample = [v for v in df[col].head(20) if isinstance(v, str) and v.strip()]
        if sample and all(_WKT.match(v) or _HEXWKB.match(v) for v in sample):
            return str(col)
    return None


def _parse_geometry_column(col: pd.Series, errors: dict[int, Msg]) -> tuple[np.ndarray, int | None]:
    values = col.astype(object).where(col.notna(), None).tolist()
    out = np.full(len(values), None, dtype=object)
    srids: set[int] = set()
    for i, v in enumerate(values):
        if v is None or str(v).strip() == "":
            continue
        text = str(v).strip()
        try:
            if _HEXWKB.match(text):
                g = shapely.from_wkb(text)
            else:
                m = re.match(r"^SRID=(\d+);(.*)$", text, re.S | re.I)
                if m:
                    srids.add(int(m.group(1)))
                    text = m.group(2)
                g = shapely.from_wkt(text)
        except shapely.errors.GEOSException as exc:
            errors[i] = (f"WKT/WKB không đọc được ({exc}).", f"the WKT/WKB cannot be read ({exc}).")
            continue
        srid = int(shapely.get_srid(g))
        if srid:
            srids.add(srid)
        out[i] = g
    return out, (srids.pop() if len(srids) == 1 else None)


_READERS = {"geojson": _read_geojson, "kml": _read_kml, "gpkg": _read_gpkg, "csv": _read_csv}
