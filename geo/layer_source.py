"""Layers imported at set-up (boundaries, reference layers): read each file from a folder or an
http(s) URL with a size cap, and install the validated files into their folder in one rename, so
that a failed import leaves the installed layers as they were."""

from __future__ import annotations

import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.errors import P03Error

FETCH_TIMEOUT = 30


def is_url(src: str) -> bool:
    """Whether ``src`` is an http(s) URL (anything else is a folder).

    >>> is_url("https://example.org/layers"), is_url("../shared/data/boundaries")
    (True, False)
    """
    return urllib.parse.urlparse(src).scheme in ("http", "https")


def fetch(src: str, name: str, *, max_bytes: int, setting: str, error: type[P03Error],
          missing: tuple[str, str]) -> bytes:
    """The bytes of file ``name`` in the folder or URL ``src``.

    Raises ``error`` (vi/en) when the download fails (naming ``setting``), the file is larger than
    ``max_bytes``, or the folder lacks it (``missing``: what the folder must hold, vi and en).
    """
    if is_url(src):
        url = src.rstrip("/") + "/" + urllib.parse.quote(name)
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310 (http/https only)
                blob: bytes = resp.read(max_bytes + 1)
        except OSError as exc:
            raise error(f"Không tải được {url}: {exc}. Kiểm tra địa chỉ {setting} và mạng. Không nhập gì cả.",
                        f"Could not download {url}: {exc}. Check the {setting} address and the network. "
                        "Nothing was imported.") from exc
        mb = max_bytes // (1024 * 1024)
        if len(blob) > max_bytes:
            raise error(f"{url} lớn hơn {mb} MB. Không nhập gì cả.", f"{url} is larger than {mb} MB. Nothing was imported.")
        return blob
    path = Path(src).expanduser() / name
    if not path.is_file():
        raise error(f"Thiếu tệp {path}. {setting} phải là thư mục (hoặc URL) chứa {missing[0]}. Không nhập gì cả.",
                    f"File {path} is missing. {setting} must be a folder (or URL) holding {missing[1]}. "
                    "Nothing was imported.")
    return path.read_bytes()


def install(dest: Path, files: dict[str, bytes]) -> None:
    """Replace folder ``dest`` by one holding ``files`` (name -> bytes), in one rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    for name, blob in files.items():
        (tmp / name).write_bytes(blob)
    old = dest.with_name(dest.name + ".old")
    if dest.exists():
        shutil.rmtree(old, ignore_errors=True)
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def geojson_features(blob: bytes, broken: Callable[[str, str], P03Error]) -> list[Any]:
    """The features of a GeoJSON FeatureCollection file (UTF-8, BOM allowed); ``broken(vi, en)``
    makes the error raised when the file is not GeoJSON or holds no features."""
    import json

    try:
        doc = json.loads(blob.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise broken(f"không phải GeoJSON hợp lệ ({exc}).", f"is not valid GeoJSON ({exc}).") from exc
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list) or not feats:
        raise broken("không có đối tượng nào (cần một FeatureCollection).",
                     "has no features (a FeatureCollection is needed).")
    return feats
