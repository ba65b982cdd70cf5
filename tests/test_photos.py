"""Inspection photos: EXIF time, GPS and orientation read from real photos made by a script;
display image and thumbnail derived upright and without EXIF; hostile and oversized files refused
with a message naming the file (nothing is kept: prepare() has no side effect)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from shapely.geometry import Point

from geo import photos
from geo.errors import InputError
from tests.photo_support import DONG_XUAN, HOAN_KIEM, make_photo, png_bomb

SITE = Point(DONG_XUAN[1], DONG_XUAN[0])


def test_exif_time_gps_and_orientation():
    raw = make_photo((800, 600), lat=DONG_XUAN[0], lon=DONG_XUAN[1], taken="2026:11:30 09:15:42", orientation=6)
    p = photos.prepare(raw, "IMG_0001.JPG", caption="  Mái chợ  ")
    assert p.content == raw and p.media_type == "image/jpeg" and len(p.sha256) == 64
    assert p.taken_at == "2026-11-30T09:15:42"
    assert p.lat == pytest.approx(DONG_XUAN[0], abs=1e-6) and p.lon == pytest.approx(DONG_XUAN[1], abs=1e-6)
    assert (p.width, p.height) == (600, 800)  # orientation 6: turned upright it is portrait
    for derived, px in ((p.display, photos.DISPLAY_MAX), (p.thumb, photos.THUMB_PX)):
        im = Image.open(io.BytesIO(derived))
        assert im.format == "JPEG" and im.width < im.height and max(im.size) <= px
        assert not im.getexif().get_ifd(0x8825) and 0x0112 not in im.getexif()  # no GPS, no orientation left
        # the red block drawn top-left of the stored pixels is top-right once turned upright (90° clockwise)
        r, g, b = im.convert("RGB").getpixel((im.width - 3, 3))
        assert r > 200 and g < 60 and b < 60
    assert p.caption == "Mái chợ"


def test_southern_western_and_missing_gps():
    p = photos.prepare(make_photo(lat=-33.8568, lon=-151.2153), "sydney.jpg")
    assert (p.lat, p.lon) == (pytest.approx(-33.8568, abs=1e-5), pytest.approx(-151.2153, abs=1e-5))
    bare = photos.prepare(make_photo(), "bare.jpg")
    assert (bare.lat, bare.lon, bare.taken_at) == (None, None, None)


def test_exif_with_script_text_is_neutralised():
    raw = make_photo(taken="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    p = photos.prepare(raw, "x.jpg")
    assert p.taken_at is None  # not a time: ignored, never shown
    assert p.content == raw  # the original is kept byte for byte
    assert b"script" not in p.display and b"onerror" not in p.thumb  # derived images carry no EXIF


def test_png_with_alpha_and_heic():
    im = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    p = photos.prepare(buf.getvalue(), "clear.png")
    assert p.media_type == "image/png" and Image.open(io.BytesIO(p.thumb)).getpixel((5, 5)) == (255, 255, 255)
    if not photos.heif_available():
        pytest.skip("pillow-heif is not installed: HEIC is refused as not an image")
    heic = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(heic, format="HEIF")
    h = photos.prepare(heic.getvalue(), "IMG_0002.HEIC")
    assert h.media_type == "image/heic" and (h.width, h.height) == (640, 480)


def test_flags_far_and_other_day():
    near = photos.prepare(make_photo(lat=DONG_XUAN[0], lon=DONG_XUAN[1], taken="2026:11:30 09:00:00"), "a.jpg")
    assert photos.flag(near, SITE, "2026-11-30T10:00") == [] and near.distance_m is not None
    assert near.distance_m < 10
    far = photos.prepare(make_photo(lat=HOAN_KIEM[0], lon=HOAN_KIEM[1], taken="2026:11:29 17:00:00"), "b.jpg")
    flags = photos.flag(far, SITE, "2026-11-30T10:00")
    assert [f["code"] for f in flags] == ["far", "other_day"]
    assert 1000 < far.distance_m < 1200 and "1.1 km" in flags[0]["en"] and "29/11/2026" in flags[1]["vi"]
    assert photos.distance_m(SITE.buffer(0.01), *HOAN_KIEM) == 0.0  # inside a polygon


@pytest.mark.parametrize(("content", "name", "match"), [
    (b"%PDF-1.7 this is not a picture", "anh.jpg", "not a readable image"),
    (b"", "empty.jpg", "is empty"),
    (make_photo(fmt="GIF"), "cat.jpg", "is a GIF image"),
    (make_photo()[:2000], "cut.jpg", "damaged|not a readable"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.png", "not a readable image"),
])
def test_not_an_image_whatever_its_name(content, name, match):
    with pytest.raises(InputError, match=match) as err:
        photos.prepare(content, name)
    assert name in err.value.en and name in err.value.vi and err.value.field == "photo"


def test_decompression_bomb_and_200_megapixels():
    assert photos.MAX_PIXELS == 64_000_000
    with pytest.raises(InputError, match="too many pixels.*81 MP"):
        photos.prepare(png_bomb(9_000), "bomb.png")
    with pytest.raises(InputError, match="too many pixels"):
        photos.prepare(png_bomb(16_330, 12_250), "200mp.png")  # beyond Pillow's own limit (2 x MAX)
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS


def test_over_max_photo_mb(monkeypatch):
    raw = make_photo((1200, 900), noise=True)
    monkeypatch.setenv("P03_MAX_PHOTO_MB", "0")
    with pytest.raises(InputError, match=r"over the 0 MB limit \(P03_MAX_PHOTO_MB\)") as err:
        photos.prepare(raw, "big.jpg")
    assert "quá giới hạn 0 MB" in err.value.vi
