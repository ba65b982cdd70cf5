"""Inspection photo benchmark: saving one 12-megapixel phone JPEG (hash, checks, EXIF, display
image and thumbnail, stored with its inspection) against a naive Pillow pipeline (full decode,
turn, two resizes, no store), and the site details with 20 photos rendered by the real page code
(AppTest), with the bytes of thumbnails sent against the originals'.

Targets (issue 12): ``photo_save_s`` <= 1 s; site details with 20 photos <= 1 s.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from geo import auth, photos
from geo import inspections as insp_ops
from geo import sites as site_ops
from geo.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parent.parent


def phone_jpeg(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A 12-MP JPEG with texture (a few MB, like a phone's), EXIF orientation, time and GPS."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    im = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = "2026:11:30 09:15:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 2.0, 17.5), "E", (105.0, 50.0, 59.0)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=88, exif=exif)
    return buf.getvalue()


def naive(content: bytes) -> None:
    """What a first version would do: decode everything, turn, resize twice."""
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(content))).convert("RGB")
    for px in (photos.DISPLAY_PX, photos.THUMB_PX):
        out = im.copy()
        out.thumbnail((px, px), Image.Resampling.LANCZOS)
        out.save(io.BytesIO(), format="JPEG", quality=82)


def _details_script() -> None:
    from pages.ui import inspection

    inspection.site_inspections("demo-012")


def _details_seconds(repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    times = []
    for _ in range(repeat):
        at = AppTest.from_function(_details_script, default_timeout=120)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return statistics.median(times)


def bench_photos(repeat: int = 3, show: bool = True) -> dict[str, float]:
    """Print ``BENCH`` lines; return the figures."""
    content = phone_jpeg()
    user = auth.User("bench", "viewer")
    from geo import boundaries

    b = boundaries.get()  # the installed boundaries (make setup), read before P03_DATA_DIR moves
    old_data_dir = os.environ.get("P03_DATA_DIR")  # put back afterwards: later benchmarks read it
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["P03_DATA_DIR"] = tmp
        store = SQLiteStore(Path(tmp) / "projects")
        site_ops.load_demo(store, REPO / "data" / "demo", actor="bench", b=b)
        saves, naives = [], []
        for i in range(repeat):  # interleaved: both see the same machine load
            t0 = time.perf_counter()
            photo = photos.prepare(content, f"IMG_{i}.JPG")
            insp_ops.record(store, insp_ops.Draft(site_id="demo-012", findings="bench", photos=[photo]), user)
            saves.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            naive(content)
            naives.append(time.perf_counter() - t0)
        small = [photos.prepare(phone_jpeg((1600, 1200)), f"s{i}.jpg") for i in range(20 - repeat)]
        insp_ops.record(store, insp_ops.Draft(site_id="demo-012", findings="bench 2", photos=small), user)
        pics = store.list_photos(list(store.list_inspections(site_id="demo-012")["inspection_id"]))
        details_s = _details_seconds(repeat)
    if old_data_dir is None:
        os.environ.pop("P03_DATA_DIR", None)
    else:
        os.environ["P03_DATA_DIR"] = old_data_dir
    save_s, naive_s = statistics.median(saves), statistics.median(naives)
    figures: dict[str, Any] = {
        "photo_save_s": round(save_s, 3), "photo_naive_s": round(naive_s, 3),
        "ratio_photo_naive_vs_save": round(naive_s / save_s, 2), "photo_bytes": float(len(content)),
        "site_details_20_photos_s": round(details_s, 3),
        "details_thumb_bytes": float(sum(len(t) for t in pics["thumb"])),
        "details_original_bytes": float(pics["size_bytes"].sum())}
    if show:
        for key, value in figures.items():
            print(f"BENCH {key} {value}")
    return figures


if __name__ == "__main__":
    bench_photos()
