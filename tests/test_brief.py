"""The visit brief on the real boundaries and the demo sites: PDF pages and text (diacritics
intact, read back with pypdf), the QR link, the print HTML (escaped, script-free) and the map
images drawn without network."""

from __future__ import annotations

import io
import unicodedata
from html.parser import HTMLParser

import pypdf
import pytest
from PIL import Image

from geo import visits
from geo.visits import brief

STOPS = ["demo-012", "demo-013", "demo-042", "demo-047", "demo-051", "demo-066", "demo-048"]


@pytest.fixture()
def demo_sites(demo_store):
    return demo_store.query_sites()


@pytest.fixture()
def route(demo_sites):
    plan = visits.new_plan(name="Kiểm tra chợ, phố đi bộ – quận Hoàn Kiếm", visit_date="2026-11-26",
                           participants=["Đ/c Nguyễn Thị Thúy Hằng", "Sở Xây dựng"], stop_ids=STOPS,
                           return_to_start=True)
    return visits.compute_route(visits.optimise(plan, demo_sites), demo_sites)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def test_pdf_pages_and_text_with_diacritics(route, demo_sites, bounds):
    data = brief.brief_pdf(route, demo_sites, bounds, lang="vi", plan_id="p-123")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 + len(STOPS)
    texts = [_nfc(p.extract_text()) for p in reader.pages]
    cover = texts[0]
    assert "Kiểm tra chợ, phố đi bộ – quận Hoàn Kiếm" in cover
    assert "26/11/2026" in cover and "Đ/c Nguyễn Thị Thúy Hằng" in cover
    assert "UBND Thành phố Hà Nội, 79 Đinh Tiên Hoàng" in cover
    for s in route.stops:
        assert _nfc(s.name) in cover, s.name  # the timetable
        page = texts[s.seq]
        assert _nfc(s.name) in page
        assert f"{s.arrive:%H:%M}" in page
    # the stop pages carry the site facts in Vietnamese
    by_seq = {s.site_id: s.seq for s in route.stops}
    assert "Chợ" in texts[by_seq["demo-012"]] and "Hoàn Kiếm" in texts[by_seq["demo-012"]]
    assert "Đang thực hiện" in texts[by_seq["demo-066"]]
    fonts = {str(f) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts
    names = [str(p["/Resources"]["/Font"][k].get_object()["/BaseFont"]) for p in reader.pages[:1]
             for k in p["/Resources"]["/Font"]]
    assert any("DejaVu" in n for n in names), names


def test_pdf_links_qr_to_plan_and_directions(route, demo_sites, bounds, monkeypatch):
    monkeypatch.setenv("P03_PUBLIC_URL", "https://p03.hanoi.example/")
    reader = pypdf.PdfReader(io.BytesIO(brief.brief_pdf(route, demo_sites, bounds, plan_id="p-abc")))

    def uris(page):
        return [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]

    assert "https://p03.hanoi.example/field_visit?plan=p-abc" in uris(reader.pages[0])
    s = route.stops[0]
    links = uris(reader.pages[1])
    assert any(u.startswith("https://www.google.com/maps/dir/") and f"{s.lat:.6f}%2C{s.lon:.6f}" in u for u in links)
    assert any(u.startswith("https://maps.apple.com/") for u in links)
    assert any(u.startswith("https://www.openstreetmap.org/directions") for u in links)
    # the QR code image is on the cover
    assert len(reader.pages[0].images) >= 2


def test_pdf_english_and_empty_plan(demo_sites, bounds):
    route = visits.compute_route(visits.new_plan(lang="en", name="Markets"), demo_sites)
    reader = pypdf.PdfReader(io.BytesIO(brief.brief_pdf(route, demo_sites, bounds, lang="en")))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Timetable" in text and "Hanoi People's Committee" in text


def test_html_brief_is_escaped_and_script_free(demo_sites, bounds):
    sites = demo_sites.copy()
    evil = "<img src=x onerror=alert(1)> Chợ “Đồng Xuân”"
    sites.loc[sites["id"] == "demo-012", "name"] = evil
    sites.loc[sites["id"] == "demo-012", "notes"] = "</section><script>alert(2)</script>"
    plan = visits.new_plan(name="<b>Kế hoạch</b>", participants=["<i>A</i>"], stop_ids=STOPS[:3])
    route = visits.compute_route(plan, sites)
    doc = brief.brief_html(route, sites, bounds, plan_id="p-1")
    assert "<img src=x" not in doc and "<script" not in doc and "<b>Kế hoạch" not in doc
    assert "&lt;img src=x onerror=alert(1)&gt; Chợ “Đồng Xuân”" in doc
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc

    class Count(HTMLParser):
        sections = 0
        imgs = 0
        hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            Count.sections += tag == "section"
            Count.imgs += tag == "img"
            if tag == "a":
                Count.hrefs.append(a["href"])
            if tag == "img":
                assert a["src"].startswith("data:image/png;base64,")

    Count().feed(doc)
    assert Count.sections == 3
    assert Count.imgs == 2 + 3  # QR, route map, a map per stop
    assert "http://127.0.0.1:8501/field_visit?plan=p-1" in Count.hrefs


def test_map_images_are_pngs_of_the_asked_size(route, demo_sites, bounds):
    png = brief.map_image(route, demo_sites, bounds, size_mm=(100, 50), dpi=100)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size[0] == pytest.approx(100 / 25.4 * 100, abs=1)
    assert img.size[1] == pytest.approx(50 / 25.4 * 100, abs=1)
    # a stop map differs from the route map and has red (the highlighted stop) in it
    stop = Image.open(io.BytesIO(brief.map_image(route, demo_sites, bounds, focus=1, size_mm=(100, 50), dpi=100)))
    colours = {c for _, c in stop.convert("RGB").getcolors(1_000_000)}
    assert (0xD7, 0x30, 0x1F) in colours


def test_map_image_without_boundaries(route, demo_sites):
    Image.open(io.BytesIO(brief.map_image(route, demo_sites, None, size_mm=(60, 40), dpi=72))).verify()


def test_qr_png_and_font():
    assert Image.open(io.BytesIO(brief.qr_png("http://127.0.0.1:8501/field_visit?plan=p-1"))).format == "PNG"
    assert brief.font_path().name == "DejaVuSans.ttf" and brief.font_path(bold=True).is_file()


def test_qr_svg_is_one_svg_on_white_with_the_png_modules():
    """The page's QR code (an SVG string Streamlit inlines as a data URL): well-formed, on white, and
    the same code as the PDF's PNG (its dark module count matches the PNG's dark pixels / 8²)."""
    import xml.etree.ElementTree as ET

    import numpy as np
    url = "http://127.0.0.1:8501/field_visit?plan=p-1"
    from geo.visits.brief_maps import qr_svg
    text = qr_svg(url)
    assert text.startswith("<svg")  # Streamlit's test for an SVG string
    root = ET.fromstring(text)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}rect").get("fill") == "white"
    path = root.find(f"{ns}path").get("d")
    dark = np.asarray(Image.open(io.BytesIO(brief.qr_png(url))).convert("L")) < 128
    assert path.count("z") == dark.sum() // 64  # one square per module, box_size 8


def test_site_facts_skip_empty_values(demo_sites, bounds):
    site = demo_sites.set_index("id").loc["demo-001"].to_dict()
    site["id"] = "demo-001"
    facts = dict(brief.site_facts(site, bounds, "vi"))
    assert facts["Kinh phí (VNĐ)"] == "15.820.000.000.000 đồng"
    assert facts["Quận, huyện (cũ)"] == "Thanh Trì"
    assert "Tiến độ (%)" not in facts
    en = dict(brief.site_facts(site, bounds, "en"))
    assert en["Budget (VND)"] == "VND 15,820,000,000,000"
