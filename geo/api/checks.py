"""Query values checked before pygeoapi sees them: anything hostile gets a 400 JSON error.

Refused: a bbox that is not 4 finite numbers within lon ±180 / lat ±90 (min ≤ max), a limit that
is not a whole number ≥ 1, an offset that is not a whole number in 0 … MAX_OFFSET, a datetime that
is not an ISO date, an unknown parameter or queryable, a CQL ``filter``/``q``/``sortby`` (not
offered), a queryable value outside its vocabulary or code pattern, a repeated or over-long
parameter. Each check is O(length of the value): no query ever runs for a refused request.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from flask import Response

from geo.api import config
from geo.i18n import pick
from geo.schema import CATEGORIES, STATUSES

_COMMON = {"f", "lang"}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_ITEMS = _COMMON | {"bbox", "bbox-crs", "crs", "limit", "offset", "properties", "skipGeometry", "resulttype"}
_SITES = _ITEMS | {"datetime", "category", "status", "indicator", "district_code", "commune_code"}
_NOT_OFFERED = {"filter", "filter-lang", "filter-crs", "q", "sortby"}
_FORMATS = {"json", "html", "jsonld"}
_CODE = re.compile(r"^[0-9]{1,10}$")
_WORD = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_VALUES: dict[str, Any] = {
    "category": {t.code for t in CATEGORIES}, "status": {t.code for t in STATUSES},
    "indicator": _WORD, "district_code": _CODE, "commune_code": _CODE,
    "kind": {"point", "line", "polygon"}, "resulttype": {"results", "hits"}, "skipGeometry": {"true", "false"}, "crs": {CRS84}, "bbox-crs": {CRS84},
}
MAX_VALUE = 1000


def error(status: int, code: str, description: str, lang: str = "vi") -> Response:
    """An OGC-style JSON exception document."""
    body = {"code": code, "description": description}
    return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


def _bad(param: str, vi: str, en: str, lang: str) -> Response:
    text = pick(lang, f"Tham số “{param}”: {vi}", f"Parameter “{param}”: {en}")
    return error(400, "InvalidParameterValue", text, lang)


def _int(value: str, low: int, high: int) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,12}", value)) and low <= int(value) <= high


def _bbox_ok(value: str) -> bool:
    parts = value.split(",")
    if len(parts) != 4:
        return False
    try:
        x1, y1, x2, y2 = (float(p) for p in parts)
    except ValueError:
        return False
    nums = (x1, y1, x2, y2)
    return (all(math.isfinite(v) for v in nums) and -180 <= x1 <= x2 <= 180 and -90 <= y1 <= y2 <= 90)


def _date_ok(value: str) -> bool:
    parts = value.split("/")
    if len(parts) > 2 or not any(p not in ("", "..") for p in parts):
        return False
    for p in parts:
        if p in ("", ".."):
            continue
        try:
            dt.datetime.fromisoformat(p.replace("Z", "+00:00")) if "T" in p else dt.date.fromisoformat(p)
        except ValueError:
            return False
    return True


def _value_problem(name: str, value: str) -> tuple[str, str] | None:
    if name == "bbox" and not _bbox_ok(value):
        return ("cần 4 số minLon,minLat,maxLon,maxLat trong khoảng ±180/±90.",
                "needs 4 numbers minLon,minLat,maxLon,maxLat within ±180/±90.")
    if name == "limit" and not _int(value, 1, 10**9):
        return ("cần số nguyên dương.", "must be a whole number of at least 1.")
    if name == "offset" and not _int(value, 0, config.MAX_OFFSET):
        return (f"cần số nguyên từ 0 đến {config.MAX_OFFSET}.", f"must be a whole number from 0 to {config.MAX_OFFSET}.")
    if name == "datetime" and not _date_ok(value):
        return ("cần ngày ISO (YYYY-MM-DD) hoặc khoảng A/B ('..' để mở).",
                "must be an ISO date (YYYY-MM-DD) or an interval A/B ('..' open).")
    if name == "lang" and value[:2] not in ("vi", "en"):
        return ("chọn vi hoặc en.", "choose vi or en.")
    if name == "f" and value not in _FORMATS:
        return ("chọn json hoặc html.", "choose json or html.")
    allowed = _VALUES.get(name)
    if isinstance(allowed, set) and value not in allowed:
        return (f"giá trị không hợp lệ; chọn {', '.join(sorted(allowed))}.",
                f"unknown value; choose {', '.join(sorted(allowed))}.")
    if isinstance(allowed, re.Pattern) and not allowed.match(value):
        return ("giá trị không hợp lệ.", "malformed value.")
    return None


def check_request(path: str, args: Mapping[str, Any], lang: str) -> Response | None:
    """A 400 response for a hostile or unknown query parameter of ``path``, else None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "collections" and parts[2] == "items":
        allowed = _SITES if parts[1] == "sites" else _ITEMS
        if len(parts) > 3:
            allowed = _COMMON | {"crs"}
    elif parts[:1] == ["styles"]:
        allowed = {"lang", "kind"}
    else:
        allowed = _COMMON
    for name in args:
        values = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        if name in _NOT_OFFERED:
            return _bad(name, "không hỗ trợ (chỉ lọc theo bbox, datetime và các trường trong /queryables).",
                        "not supported (filter by bbox, datetime and the fields in /queryables).", lang)
        if name not in allowed:
            return _bad(name, "không có trong danh sách được truy vấn (xem /queryables).",
                        "unknown parameter or queryable (see /queryables).", lang)
        if len(values) != 1 or len(values[0]) > MAX_VALUE:
            return _bad(name, "chỉ một giá trị, tối đa 1000 ký tự.", "one value only, at most 1000 characters.", lang)
        problem = _value_problem(name, values[0])
        if problem is not None:
            return _bad(name, *problem, lang)
    return None
