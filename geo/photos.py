"""Inspection photos: checked, read (EXIF time and GPS), and reduced to a display size and a thumbnail.

A photo is kept byte for byte as it came (with its SHA-256); what is shown is derived from it:
a display image (longest side :data:`DISPLAY_PX` to :data:`DISPLAY_MAX`) and a thumbnail
(:data:`THUMB_PX`), both JPEG, turned upright by the EXIF orientation, and both without any EXIF (so neither carries the GPS).

Refused, whatever the file's name: anything Pillow does not recognise as JPEG, PNG or HEIC/HEIF
(HEIC through pillow-heif), files over ``P03_MAX_PHOTO_MB``, and images of more than
:data:`MAX_PIXELS` pixels (a decompression bomb or a 200-megapixel picture) — checked from the
header, before anything is decoded; Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) is set to the
same figure. EXIF text is never shown: only the time and the GPS position are read, and only when
they parse as a time and as numbers (anything else, e.g. script text, is ignored).

Flags (warnings, not refusals): a photo taken more than :data:`FAR_M` metres from its site, or on
another day than the inspection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import shapely
from PIL import Image, UnidentifiedImageError

from geo import settings
from geo.errors import InputError

#: the largest image accepted, in pixels (a 48-megapixel phone photo passes, 200 MP does not)
MAX_PIXELS = 64_000_000
DISPLAY_PX = 1600  # the display image's longest side is at least this (when the photo is), at most DISPLAY_MAX
DISPLAY_MAX = 2048
THUMB_PX = 320
FAR_M = 300.0
#: Pillow format -> the media type kept with the photo
FORMATS: dict[str, str] = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
_EXIF_IFD, _GPS_IFD, _DATETIME_ORIGINAL, _DATETIME = 0x8769, 0x8825, 0x9003, 0x0132
_EXIF_TIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


def heif_available() -> bool:
    """Whether HEIC/HEIF photos can be read (pillow-heif installed); registers its opener."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


@dataclass
class Photo:
    """A checked photo, ready to store: the original bytes and what was derived from them."""

    file_name: str
    content: bytes
    sha256: str
    media_type: str
    width: int  # upright, after the EXIF orientation
    height: int
    thumb: bytes
    display: bytes
    taken_at: str | None = None  # local time as the camera wrote it, ISO "YYYY-MM-DDTHH:MM:SS"
    lat: float | None = None
    lon: float | None = None
    caption: str = ""
    flags: list[dict[str, Any]] = field(default_factory=list)  # {"code", "vi", "en", ...}
    distance_m: float | None = None

    @property
    def size_bytes(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    """``P03_MAX_PHOTO_MB`` in bytes."""
    return int(settings.get("P03_MAX_PHOTO_MB")) * 1024 * 1024


def _refuse(name: str, vi: str, en: str) -> InputError:
    return InputError(vi, en, file=name, field="photo")


def _open(content: bytes, name: str) -> Image.Image:
    """The image in ``content`` after Pillow's checks, or InputError (not an image, wrong kind, too big)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # set explicitly: Pillow refuses beyond twice this
    heif_available()
    kinds = "JPEG, PNG" + (", HEIC" if heif_available() else "")
    not_image = _refuse(name, f"không phải ảnh đọc được ({kinds}); chọn một tệp ảnh khác.",
                        f"is not a readable image ({kinds}); choose another picture file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked just below
            probe = Image.open(io.BytesIO(content))
            fmt = probe.format or ""
            w, h = probe.size
            if w * h > MAX_PIXELS:
                raise _too_many_pixels(name, w, h)
            if fmt not in FORMATS:
                raise _refuse(name, f"là ảnh {fmt or '?'}; chỉ nhận {kinds}.",
                              f"is a {fmt or '?'} image; only {kinds} are accepted.")
            probe.verify()
            image = Image.open(io.BytesIO(content))
    except Image.DecompressionBombError as exc:  # beyond twice the limit: Pillow refuses at once
        raise _too_many_pixels(name, 0, 0) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise not_image from exc
    return image


def _too_many_pixels(name: str, w: int, h: int) -> InputError:
    size = f" ({w}×{h} = {w * h / 1e6:.0f} MP)" if w else ""
    limit = f"{MAX_PIXELS // 1_000_000} MP"
    return _refuse(name, f"quá nhiều điểm ảnh{size}, tối đa {limit}; chụp lại ở độ phân giải thấp hơn.",
                   f"has too many pixels{size}, at most {limit}; take it again at a lower resolution.")


#: EXIF orientation -> the transpose that turns the picture upright
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}


def _fit(image: Image.Image, px: int, resample: Image.Resampling) -> Image.Image:
    """``image`` scaled down (never up) so that its longest side is at most ``px``."""
    scale = px / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, resample, reducing_gap=2.0)


def _encode(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)  # no exif= : the derived images carry no EXIF
    return buf.getvalue()


def _derive(image: Image.Image, orientation: Any) -> tuple[bytes, bytes]:
    """(display, thumbnail) JPEGs, upright. Scaled first, turned after: the turn is then cheap."""
    if image.format in ("JPEG", "MPO"):
        k = DISPLAY_PX / max(image.size)  # decode at a reduced scale (1/2, 1/4 ...) keeping DISPLAY_PX: much faster
        image.draft("RGB", (math.ceil(image.width * k), math.ceil(image.height * k)))
    # a JPEG drafted to 1/2, 1/4 ... is used as it comes when it fits DISPLAY_MAX (12 MP -> 2000 px): no resampling
    display = _fit(_rgb(image), DISPLAY_MAX if image.format in ("JPEG", "MPO") else DISPLAY_PX,
                   Image.Resampling.LANCZOS)
    if orientation in _UPRIGHT:
        display = display.transpose(_UPRIGHT[orientation])
    thumb = _fit(display, THUMB_PX, Image.Resampling.BICUBIC)
    return _encode(display, 82), _encode(thumb, 75)


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def prepare(content: bytes, file_name: str, caption: str = "") -> Photo:
    """Check a photo and derive its display image, thumbnail, EXIF time and GPS.

    Raises
    ------
    InputError
        The file is over ``P03_MAX_PHOTO_MB``, is not a JPEG/PNG/HEIC image (whatever its name),
        or has more than :data:`MAX_PIXELS` pixels. Nothing is kept.
    """
    name = str(file_name or "photo")
    if len(content) > max_bytes():
        mb = settings.get("P03_MAX_PHOTO_MB")
        raise _refuse(name, f"nặng {len(content) / 1048576:.1f} MB, quá giới hạn {mb} MB (P03_MAX_PHOTO_MB); "
                      "gửi ảnh nhỏ hơn.", f"is {len(content) / 1048576:.1f} MB, over the {mb} MB limit "
                      "(P03_MAX_PHOTO_MB); send a smaller picture.")
    if not content:
        raise _refuse(name, "trống; chọn lại ảnh.", "is empty; choose the picture again.")
    image = _open(content, name)
    exif = image.getexif()
    w, h = image.size
    if exif.get(0x0112) in (5, 6, 7, 8):  # turned a quarter: upright it is the other way round
        w, h = h, w
    try:
        display, thumb = _derive(image, exif.get(0x0112))
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _refuse(name, "bị hỏng, không giải mã được; chọn lại ảnh.",
                      "is damaged and cannot be decoded; choose the picture again.") from exc
    lat, lon = exif_gps(exif)
    return Photo(file_name=name, content=content, sha256=hashlib.sha256(content).hexdigest(),
                 media_type=FORMATS[str(image.format)], width=w, height=h, thumb=thumb, display=display,
                 taken_at=exif_time(exif), lat=lat, lon=lon, caption=(caption or "").strip()[:500])


# ---------------------------------------------------------------- EXIF


def exif_time(exif: Image.Exif) -> str | None:
    """The time the photo was taken (DateTimeOriginal, else DateTime) as ISO text, or None when
    absent or not a real time (text that is not ``YYYY:MM:DD HH:MM:SS`` is ignored).

    >>> from PIL import Image
    >>> e = Image.Exif(); e[0x0132] = "2026:11:30 09:15:00"; exif_time(e)
    '2026-11-30T09:15:00'
    >>> e[0x0132] = "<script>alert(1)</script>"; exif_time(e) is None
    True
    """
    for value in (exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL), exif.get(_DATETIME)):
        m = _EXIF_TIME.match(str(value or "").strip())
        if not m:
            continue
        try:
            y, mo, d, h, mi, sec = (int(g) for g in m.groups())
            return dt.datetime(y, mo, d, h, mi, sec).isoformat()
        except ValueError:
            continue
    return None


def _degrees(value: Any) -> float | None:
    try:
        parts = [float(v) for v in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if len(parts) != 3 or not all(math.isfinite(p) for p in parts):
        return None
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def exif_gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lat, lon) from the GPS IFD, or (None, None) when absent or not numbers in range."""
    gps = exif.get_ifd(_GPS_IFD)
    lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    if lat is None or lon is None:
        return None, None
    if str(gps.get(1, "N")).strip().upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).strip().upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lat, 7), round(lon, 7)


# ---------------------------------------------------------------- flags


def distance_m(geom: Any, lat: float, lon: float) -> float:
    """Metres from the point (lat, lon) to ``geom`` (WGS 84; 0 inside a polygon), on a local
    equirectangular projection (well under 1 % off at a few km).

    >>> from shapely.geometry import Point
    >>> round(distance_m(Point(105.85, 21.03), 21.03, 105.853))
    312
    """
    k = math.cos(math.radians(lat))
    project = lambda xy: (xy - [lon, lat]) * [111_320.0 * k, 110_574.0]  # noqa: E731
    return float(shapely.distance(shapely.transform(geom, project), shapely.Point(0, 0)))


def flag(photo: Photo, site_geom: Any, inspected_at: str) -> list[dict[str, Any]]:
    """Warnings about ``photo`` for an inspection of the site ``site_geom`` at ``inspected_at``
    (ISO local time): taken more than :data:`FAR_M` m away, or on another day. Also sets
    ``photo.flags`` and ``photo.distance_m``."""
    out: list[dict[str, Any]] = []
    photo.distance_m = None
    if photo.lat is not None and photo.lon is not None and site_geom is not None:
        d = distance_m(site_geom, photo.lat, photo.lon)
        photo.distance_m = round(d, 1)
        if d > FAR_M:
            far = f"{d / 1000:.1f} km" if d >= 1000 else f"{d:.0f} m"
            out.append({"code": "far", "distance_m": round(d, 1),
                        "vi": f"Ảnh “{photo.file_name}” chụp cách công trình {far} (quá {FAR_M:.0f} m): có đúng nơi?",
                        "en": f"Photo “{photo.file_name}” was taken {far} from the site (over {FAR_M:.0f} m): "
                              "is it the right place?"})
    day = (inspected_at or "")[:10]
    if photo.taken_at and day and photo.taken_at[:10] != day:
        taken = dt.date.fromisoformat(photo.taken_at[:10]).strftime("%d/%m/%Y")
        out.append({"code": "other_day", "taken_at": photo.taken_at,
                    "vi": f"Ảnh “{photo.file_name}” chụp ngày {taken}, khác ngày kiểm tra.",
                    "en": f"Photo “{photo.file_name}” was taken on {photo.taken_at[:10]}, not on the day of the "
                          "inspection."})
    photo.flags = out
    return out
