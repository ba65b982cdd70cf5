"""The JSON that map scripts draw from: text safe inside an HTML ``<script>`` element, and
GeoJSON geometry texts with cut coordinates. No folium here."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import shapely

_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no U+2028).

    >>> script_json({"a": "</script><b>"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in _ESCAPES:
        text = text.replace(ch, rep)
    return text


def json_object(parts: dict[str, str]) -> str:
    """A JSON object from already-serialised (script-safe) member texts.

    >>> json_object({"a": "1", "b": '"x"'})
    '{"a":1,"b":"x"}'
    """
    return "{" + ",".join(f'"{k}":{v}' for k, v in parts.items()) + "}"


def geojson_texts(geoms: np.ndarray[Any, Any], decimals: int) -> list[str]:
    """GeoJSON geometry texts with coordinates cut to ``decimals`` places (one regex pass, no per-row
    Python).

    >>> geojson_texts(np.array([shapely.Point(105.123456789, 21.1)]), 3)
    ['{"type":"Point","coordinates":[105.123,21.1]}']
    """
    if not len(geoms):
        return []
    sep = "\x1f"
    text = sep.join(shapely.to_geojson(geoms).tolist())
    text = re.sub(rf"(\.\d{{{decimals}}})\d+", r"\1", text)
    return text.split(sep)
