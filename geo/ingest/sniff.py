"""Magic-byte checks run before GDAL sees an upload, so that each file is only ever opened by the
driver of its format (GDAL itself would pick whichever driver recognises the bytes: VRT XML named
``.shp`` would be opened as a VRT). See :mod:`geo.gdal_guard` for the process-wide lock-down.

Each check raises :class:`~geo.errors.InputError` naming the member and what is wrong with it.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from geo.errors import InputError

SHP_CODE = 9994
SHP_VERSION = 1000
SHAPE_TYPES = frozenset({0, 1, 3, 5, 8, 11, 13, 15, 18, 21, 23, 25, 28, 31})
#: first byte of a dBASE file: III, III+memo, FoxPro/Visual FoxPro variants, dBASE IV/V
DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB})
SQLITE_MAGIC = b"SQLite format 3\x00"
#: GeoPackage application_id (offset 68): "GPKG" (1.2+), "GP10", "GP11"
GPKG_IDS = frozenset({b"GPKG", b"GP10", b"GP11"})


def _refuse(file_name: str, member: str, vi: str, en: str) -> InputError:
    if member == file_name:
        return InputError(vi, f"the file {en}", file=file_name)
    return InputError(f"tệp “{member}” {vi}", f"member “{member}” {en}", file=file_name)


def _not_format(file_name: str, member: str, kind: tuple[str, str], head: bytes) -> InputError:
    what_vi = "là XML (có thể là tệp VRT của GDAL)" if head.lstrip()[:1] == b"<" else "có nội dung khác"
    what_en = "is XML (possibly a GDAL VRT)" if head.lstrip()[:1] == b"<" else "holds something else"
    return _refuse(file_name, member,
                   f"không phải {kind[0]}: {what_vi}. Vì an toàn, tệp chỉ được đọc theo đúng định dạng của nó. "
                   "Hãy xuất lại từ QGIS/ArcGIS.",
                   f"is not {kind[1]}: it {what_en}. For safety a file is only read as its own format. "
                   "Export it again from QGIS/ArcGIS.")


def check_shp(data: bytes, file_name: str, member: str) -> int:
    """Check a ``.shp`` or ``.shx`` header (file code 9994, version 1000, a known shape type);
    return the shape type."""
    kind = ("phần của Shapefile (.shp/.shx)", "part of a Shapefile (.shp/.shx)")
    if len(data) < 100:
        if data.lstrip()[:1] == b"<":
            raise _not_format(file_name, member, kind, data[:8])
        raise _refuse(file_name, member, "quá ngắn để là một phần của Shapefile (dưới 100 byte); tệp hỏng.",
                      "is too short to be part of a Shapefile (under 100 bytes); the file is damaged.")
    code, = struct.unpack(">i", data[:4])
    version, shape_type = struct.unpack("<ii", data[28:36])
    if code != SHP_CODE or version != SHP_VERSION or shape_type not in SHAPE_TYPES:
        raise _not_format(file_name, member, kind, data[:8])
    return int(shape_type)


def shx_count(data: bytes, file_name: str, member: str) -> int:
    """Number of shapes indexed by a ``.shx`` (after its header is checked)."""
    check_shp(data, file_name, member)
    if (len(data) - 100) % 8:
        raise _refuse(file_name, member, "có kích thước không hợp lệ (chỉ mục bị cắt cụt); tệp hỏng.",
                      "has an invalid size (the index is truncated); the file is damaged.")
    return (len(data) - 100) // 8


def dbf_count(data: bytes, file_name: str, member: str) -> int:
    """Check a ``.dbf`` header and return its number of records."""
    if len(data) < 33 or data[0] not in DBF_VERSIONS:
        raise _not_format(file_name, member, ("tệp dBASE (.dbf)", "a dBASE file (.dbf)"), data[:8])
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    if header_len < 33 or record_len < 1 or header_len > len(data):
        raise _refuse(file_name, member, "có phần đầu dBASE không hợp lệ; tệp hỏng.",
                      "has an invalid dBASE header; the file is damaged.")
    if header_len + n_records * record_len > len(data):
        have = max(0, (len(data) - header_len) // record_len)
        raise _refuse(file_name, member, f"khai báo {n_records:,} bản ghi nhưng chỉ chứa {have:,}; tệp bị cắt cụt.",
                      f"declares {n_records:,} records but holds only {have:,}; the file is truncated.")
    return int(n_records)


def check_shapefile(members: dict[str, bytes], file_name: str, names: dict[str, str]) -> None:
    """Check ``.shp``, ``.shx`` and ``.dbf`` (``members`` by extension; ``names`` the members'
    names in the zip) and that the ``.dbf`` holds one record per shape."""
    check_shp(members[".shp"], file_name, names[".shp"])
    n_shapes = shx_count(members[".shx"], file_name, names[".shx"])
    n_records = dbf_count(members[".dbf"], file_name, names[".dbf"])
    if n_shapes != n_records:
        raise InputError(
            f"Shapefile không khớp: “{names['.shp']}”/“{names['.shx']}” có {n_shapes:,} hình nhưng “{names['.dbf']}” "
            f"có {n_records:,} bản ghi thuộc tính; không thể biết thuộc tính nào thuộc hình nào. Hãy xuất lại "
            "Shapefile từ phần mềm gốc.",
            f"the Shapefile does not match: “{names['.shp']}”/“{names['.shx']}” hold {n_shapes:,} shapes but "
            f"“{names['.dbf']}” holds {n_records:,} attribute records; which attributes belong to which shape "
            "cannot be known. Export the Shapefile again from the original software.", file=file_name)


def gpkg_layer(path: Path, head: bytes, file_name: str, member: str) -> tuple[str, list[str]]:
    """Check a GeoPackage (SQLite header, application id, no virtual tables but R-trees, feature
    layers that are plain tables) and return its first feature table and all of them."""
    if head[:16] != SQLITE_MAGIC:
        raise _not_format(file_name, member, ("GeoPackage (SQLite)", "a GeoPackage (SQLite)"), head[:8])
    if head[68:72] not in GPKG_IDS:
        raise _refuse(file_name, member,
                      "là cơ sở dữ liệu SQLite nhưng không phải GeoPackage (thiếu mã ứng dụng GPKG).",
                      "is an SQLite database but not a GeoPackage (its application id is not GPKG).")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            schema = con.execute("SELECT type, name, COALESCE(sql, '') FROM sqlite_master").fetchall()
            layers = [str(r[0]) for r in con.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid").fetchall()]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _refuse(file_name, member, f"không đọc được như GeoPackage ({exc}); tệp hỏng.",
                      f"cannot be read as a GeoPackage ({exc}); the file is damaged.") from exc
    virtual = [n for t, n, sql in schema if "VIRTUAL" in sql.upper() and "USING RTREE" not in " ".join(sql.upper().split())]
    if virtual:
        raise _refuse(file_name, member, f"chứa bảng ảo “{virtual[0]}” (có thể đọc tệp khác); vì an toàn không đọc.",
                      f"holds a virtual table “{virtual[0]}” (which can read other files); refused for safety.")
    tables = {n for t, n, _ in schema if t == "table"}
    plain = [n for n in layers if n in tables]
    if not plain:
        raise _refuse(file_name, member, "không có lớp đối tượng nào (bảng có hình học).",
                      "holds no feature layer (a table with geometry).")
    return plain[0], plain
