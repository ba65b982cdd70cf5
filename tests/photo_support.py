"""Real photos made by a script: Pillow writes the pixels and the EXIF (orientation, time, GPS,
free text), as a phone camera would."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

# Chợ Đồng Xuân (demo site) and a point about 1.5 km away (Hồ Hoàn Kiếm)
DONG_XUAN = (21.0383, 105.8497)
HOAN_KIEM = (21.0288, 105.8525)


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return float(d), float(m), round((value - d - m / 60) * 3600, 4)


def make_photo(size: tuple[int, int] = (800, 600), *, fmt: str = "JPEG", lat: float | None = None,
               lon: float | None = None, taken: str | None = None, orientation: int | None = None,
               description: str | None = None, color: str = "steelblue", noise: bool = False) -> bytes:
    """An image of ``size`` (as stored, before orientation) with a red block top-left (to see
    rotations), and EXIF: ``taken`` "YYYY:MM:DD HH:MM:SS", GPS, Orientation, ImageDescription."""
    im = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill="red")
    if noise:
        im = Image.merge("RGB", [Image.effect_noise(size, 60).point(lambda v: v) for _ in range(3)])
        ImageDraw.Draw(im).rectangle((0, 0, size[0] // 4, size[1] // 4), fill="red")
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if description is not None:
        exif[0x010E] = description
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    buf = io.BytesIO()
    kwargs = {"exif": exif} if len(exif) or exif.get_ifd(0x8825) or exif.get_ifd(0x8769) else {}
    im.save(buf, format=fmt, quality=90, **kwargs) if fmt == "JPEG" else im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def png_bomb(side: int = 9_000, height: int | None = None) -> bytes:
    """A tiny PNG (a few hundred kB) that would decode to ``side``² pixels."""
    im = Image.new("1", (side, height or side), 0)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
