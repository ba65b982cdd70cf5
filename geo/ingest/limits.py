"""Bounded work for one upload check (issue #10): limits, as settings, on what a file may make the
server build — columns, distinct property keys, cells, vertices, XLSX shared strings, nesting,
wall time — checked as early as possible, before the expensive structure is built, so that a check
of a file under the size limit stays within ~10× its size in memory and ``P03_CHECK_SECONDS``.

Every refusal names the limit (its setting) and says how to split or simplify the file.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely

from geo import settings
from geo.errors import InputError

Msg = tuple[str, str]


def _limit(name: str) -> int:
    return int(settings.get(name))


def _too_many(file_name: str, what: Msg, n: int, name: str, fix: Msg) -> InputError:
    limit = _limit(name)
    return InputError(f"tệp có {n:,} {what[0]}, vượt giới hạn {limit:,} ({name}). {fix[0]}",
                      f"the file holds {n:,} {what[1]}, beyond the limit of {limit:,} ({name}). {fix[1]}",
                      file=file_name)


SPLIT: Msg = ("Hãy chia tệp thành nhiều tệp nhỏ hơn.", "Split it into smaller files.")
DROP_COLUMNS: Msg = ("Hãy bỏ bớt các cột/thuộc tính không cần (chỉ giữ tên, loại, trạng thái, ...), hoặc chia tệp.",
                     "Remove the columns/properties that are not needed (keep name, category, status, ...), or "
                     "split the file.")
SIMPLIFY: Msg = ("Hãy đơn giản hóa hình học (QGIS: Vector ▸ Geometry Tools ▸ Simplify, dung sai 0,5 m) hoặc chia tệp.",
                 "Simplify the geometries (QGIS: Vector ▸ Geometry Tools ▸ Simplify, tolerance 0.5 m) or split the "
                 "file.")


def check_size(n_bytes: int, file_name: str) -> None:
    """Refuse a file over ``P03_MAX_UPLOAD_MB`` — call it with the size on disk / of the upload,
    before reading the content."""
    limit = _limit("P03_MAX_UPLOAD_MB")
    if n_bytes > limit * 1024 * 1024:
        raise InputError(f"tệp nặng {n_bytes / 1024 / 1024:.2f} MB, vượt giới hạn {limit} MB (P03_MAX_UPLOAD_MB). "
                         "Hãy chia nhỏ tệp.",
                         f"the file is {n_bytes / 1024 / 1024:.2f} MB, beyond the {limit} MB limit "
                         "(P03_MAX_UPLOAD_MB). Split it into smaller files.", file=file_name)


def check_features(n: int, file_name: str) -> None:
    if n > _limit("P03_MAX_FEATURES"):
        raise _too_many(file_name, ("đối tượng", "features"), n, "P03_MAX_FEATURES", SPLIT)


def check_table(n_columns: int, n_rows: int, file_name: str) -> None:
    """Columns (or distinct property keys) and cells (rows × columns) within their limits."""
    if n_columns > _limit("P03_MAX_COLUMNS"):
        raise _too_many(file_name, ("cột/tên thuộc tính khác nhau", "distinct columns/property names"), n_columns,
                        "P03_MAX_COLUMNS", DROP_COLUMNS)
    check_features(n_rows, file_name)
    if n_columns * n_rows > _limit("P03_MAX_CELLS"):
        raise _too_many(file_name, (f"ô ({n_rows:,} dòng × {n_columns:,} cột)", f"cells ({n_rows:,} rows × "
                                    f"{n_columns:,} columns)"), n_columns * n_rows, "P03_MAX_CELLS", DROP_COLUMNS)


def distinct_keys(rows: Iterable[dict[str, Any]], file_name: str) -> list[str]:
    """The distinct keys of many property dicts, in first-seen order, refusing as soon as they pass
    ``P03_MAX_COLUMNS`` (700 features × 700 distinct keys would make a 490,000-column table)."""
    limit = _limit("P03_MAX_COLUMNS")
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
        if len(seen) > limit:
            raise _too_many(file_name, ("tên thuộc tính khác nhau (trở lên)", "distinct property names (or more)"),
                            len(seen), "P03_MAX_COLUMNS", DROP_COLUMNS)
    return list(seen)


def check_nesting(text: str, file_name: str) -> None:
    """Refuse JSON with a run of more than ``P03_MAX_NESTING`` opening brackets (one regular-expression
    scan, ~0.2 s for 8 MB, before parsing). Objects nested through keys (``{"a":{"a":…``) are bounded
    by the JSON parser's recursion limit, reported with the same message."""
    limit = _limit("P03_MAX_NESTING")
    if re.search(r"[\[{](?:\s*[\[{]){" + str(limit) + ",}", text):
        raise nested_too_deeply(file_name)


def nested_too_deeply(file_name: str) -> InputError:
    limit = _limit("P03_MAX_NESTING")
    return InputError(f"JSON lồng nhau quá sâu (hơn {limit} cấp, P03_MAX_NESTING); tệp hỏng hoặc độc hại. Hãy xuất "
                      "lại tệp từ QGIS.",
                      f"the JSON is nested too deeply (more than {limit} levels, P03_MAX_NESTING); the file is "
                      "damaged or malicious. Export it again from QGIS.", file=file_name)


def _count_in_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, needles: tuple[bytes, ...]) -> int:
    """Occurrences of ``needles`` in a zip member, read in 64 KB pieces (never the whole member)."""
    count = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 16):
            data = tail + chunk
            count += sum(data.count(n) for n in needles)
            tail = data[-16:]
            count -= sum(tail.count(n) for n in needles)
        count += sum(tail.count(n) for n in needles)
    return count


def check_xlsx(zf: zipfile.ZipFile, file_name: str) -> None:
    """Shared strings and cells of a workbook counted by streaming its XML, before openpyxl loads it
    (10 million shared strings took openpyxl 290 s and 1.9 GB)."""
    for info in zf.infolist():
        name = info.filename.lower()
        if name == "xl/sharedstrings.xml":
            n = _count_in_member(zf, info, (b"<si>", b"<si ", b":si>", b":si "))
            if n > _limit("P03_MAX_SHARED_STRINGS"):
                raise _too_many(file_name, ("chuỗi dùng chung (sharedStrings) trong Excel", "shared strings (Excel)"),
                                n, "P03_MAX_SHARED_STRINGS", SPLIT)
        elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
            n = _count_in_member(zf, info, (b"<c ", b"<c>", b":c ", b":c>"))
            if n > _limit("P03_MAX_CELLS"):
                raise _too_many(file_name, ("ô trong một trang Excel", "cells in one Excel sheet"), n, "P03_MAX_CELLS",
                                DROP_COLUMNS)


def check_vertices(geoms: np.ndarray, errors: dict[int, Msg], file_name: str) -> np.ndarray:
    """Features with more than ``P03_MAX_VERTICES_PER_GEOMETRY`` vertices lose their geometry
    (explained in ``errors``); a file with more than ``P03_MAX_VERTICES`` in all is refused."""
    if not len(geoms):
        return geoms
    counts = shapely.get_num_coordinates(geoms)
    total = int(counts.sum())
    if total > _limit("P03_MAX_VERTICES"):
        raise _too_many(file_name, ("đỉnh (điểm tọa độ) tổng cộng", "vertices in all"), total, "P03_MAX_VERTICES",
                        SIMPLIFY)
    per = _limit("P03_MAX_VERTICES_PER_GEOMETRY")
    big = np.flatnonzero(counts > per)
    if len(big):
        geoms = geoms.copy()
        for i in big.tolist():
            errors[i] = (f"hình học có {int(counts[i]):,} đỉnh, vượt giới hạn {per:,} (P03_MAX_VERTICES_PER_GEOMETRY). "
                         + SIMPLIFY[0],
                         f"the geometry has {int(counts[i]):,} vertices, beyond the limit of {per:,} "
                         "(P03_MAX_VERTICES_PER_GEOMETRY). " + SIMPLIFY[1])
            geoms[i] = None
    return geoms


class Deadline:
    """Wall time of one check: :meth:`check` between stages refuses once ``P03_CHECK_SECONDS``
    have passed (the check stops there; nothing is written)."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.limit = float(_limit("P03_CHECK_SECONDS"))
        self.start = time.monotonic()

    def check(self, stage: str = "") -> None:
        took = time.monotonic() - self.start
        if took > self.limit:
            raise InputError(f"kiểm tra tệp đã mất {took:.0f} giây, vượt giới hạn {self.limit:.0f} giây "
                             f"(P03_CHECK_SECONDS) ở bước “{stage}”. Hãy chia tệp thành nhiều tệp nhỏ hơn.",
                             f"checking the file took {took:.0f} s, beyond the limit of {self.limit:.0f} s "
                             f"(P03_CHECK_SECONDS) at stage “{stage}”. Split it into smaller files.",
                             file=self.file_name)


def out_of_memory(file_name: str) -> InputError:
    """What a MemoryError during a check becomes (never "file damaged")."""
    return InputError("máy chủ không đủ bộ nhớ để kiểm tra tệp này (tệp không hỏng, nhưng quá lớn hoặc quá phức tạp). "
                      "Hãy chia tệp thành nhiều tệp nhỏ hơn hoặc bỏ bớt cột.",
                      "the server ran out of memory checking this file (it is not damaged, but too large or too "
                      "complex). Split it into smaller files or remove columns.", file=file_name)
