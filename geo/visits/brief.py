"""The printable visit brief: map images drawn on the server, the PDF and a print-friendly HTML page.

Map images (:mod:`geo.visits.brief_maps`) are drawn on the server — no tiles, no network. The PDF
embeds DejaVu Sans (matplotlib's copy, else Debian's fonts-dejavu-core) so that Vietnamese
diacritics print as written. In the HTML every user-supplied string is escaped and a
Content-Security-Policy forbids scripts and remote resources.

Layout: a cover (title, date, participants, start, QR code to the plan's page, route map,
timetable) and one page per stop (its facts, a small map, directions links).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from geo import fmt
from geo.boundaries import Boundaries, unit_names
from geo.errors import BriefError
from geo.i18n import pick, t
from geo.schema import category_label, status_label
from geo.visits.brief_maps import map_image, nfc, qr_png
from geo.visits.links import plan_url, stop_links
from geo.visits.timetable import ROUTE_COLOR, Route, RouteStop, total_line

_FONT_DIRS = (Path(matplotlib.get_data_path()) / "fonts" / "ttf", Path("/usr/share/fonts/truetype/dejavu"))


def font_path(bold: bool = False) -> Path:
    """DejaVu Sans (bold): matplotlib's bundled copy first, then Debian's fonts-dejavu-core."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise BriefError(f"Không tìm thấy phông {name} (cần matplotlib hoặc gói fonts-dejavu-core).",
                     f"Font {name} was not found (install matplotlib or Debian's fonts-dejavu-core).")


# ---------------------------------------------------------------- content shared by PDF and HTML


def _money(value: Any, lang: str) -> str:
    return fmt.money(value, lang, empty="")


def _date(value: Any, lang: str) -> str:
    return fmt.date(value, lang, empty="")


def site_facts(site: dict[str, Any], b: Boundaries | None, lang: str = "vi") -> list[tuple[str, str]]:
    """(label, value) rows describing a site; empty values left out."""
    progress = site.get("progress_pct")
    rows = [
        (t("category", lang), category_label(site.get("category"), lang)),
        (t("district", lang), unit_names(b, "district", site.get("district_codes"), lang) if b else ""),
        (t("commune", lang), unit_names(b, "commune", site.get("commune_codes"), lang) if b else ""),
        (t("status", lang), status_label(site.get("status"), lang)),
        (t("progress_pct", lang), fmt.percent(progress, lang, empty="")),
        (t("start_date", lang), _date(site.get("start_date"), lang)),
        (t("end_date", lang), _date(site.get("end_date"), lang)),
        (t("budget_vnd", lang), _money(site.get("budget_vnd"), lang)),
        (t("responsible_unit", lang), site.get("responsible_unit") or ""),
        (t("indicator", lang), site.get("indicator") or ""),
        (t("id", lang), site.get("id") or ""),
    ]
    return [(label, nfc(value)) for label, value in rows if value not in (None, "")]


def _site_rows(route: Route, sites: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    df = sites[sites["id"].isin(route.plan.stop_ids)].drop_duplicates("id")
    out = {}
    for rec in df.drop(columns="geometry").to_dict("records"):
        out[str(rec["id"])] = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rec.items()}
    return out


def _timetable(route: Route, sites: dict[str, dict[str, Any]], b: Boundaries | None,
               lang: str) -> list[list[str]]:
    rows = [["", t("name", lang), t("districts", lang), "km", t("visit_arrive", lang), t("visit_depart_at", lang)]]
    rows.append(["0", nfc(route.plan.start.label), "", "", "", route.plan.depart])
    for s in route.stops:
        codes = sites.get(s.site_id, {}).get("district_codes")
        rows.append([str(s.seq), nfc(s.name), unit_names(b, "district", codes, lang) if b else "",
                     fmt.number(s.leg_km, lang, decimals=1), f"{s.arrive:%H:%M}", f"{s.depart:%H:%M}"])
    if route.return_km is not None and route.back_at is not None:
        rows.append(["↩", nfc(route.plan.start.label), "",
                     fmt.number(route.return_km, lang, decimals=1), f"{route.back_at:%H:%M}", ""])
    return rows


def _stop_head(route: Route, s: RouteStop, lang: str) -> str:
    """"Stop 2 / 5 · 08:40–09:10 · 1,2 km": the line above a stop's name."""
    n = t("visit_stop_n", lang).format(n=s.seq)
    return f"{n} / {len(route.stops)} · {s.arrive:%H:%M}–{s.depart:%H:%M} · {fmt.km(s.leg_km, lang)}"


def _summary_lines(route: Route, lang: str) -> list[tuple[str, str]]:
    plan = route.plan
    rows = [(t("visit_date", lang), _date(plan.visit_date, lang) or "—"),
            (t("visit_participants_short", lang), "; ".join(nfc(p) for p in plan.participants) or "—"),
            (t("visit_start", lang), f"{nfc(plan.start.label)} · {t('visit_depart', lang)} {plan.depart}"),
            (t("visit_route", lang), total_line(route, lang))]
    if plan.notes:
        rows.append((t("notes", lang), nfc(plan.notes)))
    return rows


# ---------------------------------------------------------------- PDF


class _PDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


def new_pdf(title: str, lang: str) -> _PDF:
    """An A4 PDF with the brief's fonts (every Vietnamese letter), title and page footer; the
    inspection minutes (geo.minutes) are made with it too."""
    pdf = _PDF(format="A4", unit="mm")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_title(title)
    pdf.set_creator("P03 Map")
    pdf.set_lang(pick(lang, "vi-VN", "en"))
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 14, 15)
    now = dt.datetime.now()
    pdf.footer_text = f"{title} · " + t("visit_generated", lang).format(time=f"{fmt.date(now, lang)} {now:%H:%M}")
    return pdf


def _pairs(pdf: FPDF, rows: list[tuple[str, str]], label_w: float = 45) -> None:
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 9)
        y = pdf.get_y()
        pdf.multi_cell(label_w, 5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), y + 5) + 0.8)


def _cover(pdf: FPDF, route: Route, sites: dict[str, dict[str, Any]], b: Boundaries | None,
           images: dict[str, bytes], url: str, lang: str) -> None:
    pdf.add_page()
    qr_mm = 30
    pdf.image(io.BytesIO(images["qr"]), x=pdf.w - pdf.r_margin - qr_mm, y=12, w=qr_mm, h=qr_mm, link=url)
    pdf.set_font("DejaVu", "", 6.5)
    pdf.set_xy(pdf.w - pdf.r_margin - qr_mm - 6, 12 + qr_mm)
    pdf.multi_cell(qr_mm + 6, 3, t("visit_scan", lang), align="C")
    pdf.set_xy(pdf.l_margin, 14)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_text_color(120)
    pdf.cell(0, 5, t("visit_brief", lang).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(pdf.epw - qr_mm - 8, 8, nfc(route.plan.name or t("visit_untitled", lang)),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _pairs(pdf, _summary_lines(route, lang), label_w=30)
    pdf.set_y(max(pdf.get_y(), 12 + qr_mm + 8) + 1)
    pdf.image(io.BytesIO(images["route"]), x=pdf.l_margin, w=pdf.epw, h=pdf.epw * 2 / 3)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, t("visit_timetable", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8.5)
    with pdf.table(col_widths=(8, 78, 34, 14, 14, 14), text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "CENTER",
                   "CENTER"), line_height=4.6, first_row_as_headings=True,
                   headings_style=_heading_style()) as table:
        for r in _timetable(route, sites, b, lang):
            table.row(r)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 4, t("visit_straight_note", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family="DejaVu", emphasis="BOLD", fill_color=(235, 235, 235))


def _stop_page(pdf: FPDF, route: Route, s: RouteStop, site: dict[str, Any],
               b: Boundaries | None, image: bytes, links: dict[str, str], lang: str) -> None:
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_text_color(*_rgb(ROUTE_COLOR))
    pdf.cell(0, 6, _stop_head(route, s, lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, nfc(s.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _pairs(pdf, site_facts(site, b, lang))
    pdf.ln(1)
    pdf.image(io.BytesIO(image), x=pdf.l_margin, w=pdf.epw, h=pdf.epw * 0.5)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(28, 5, t("visit_directions", lang) + ":")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(20, 70, 160)
    for label, key in (("Google Maps", "google"), ("Apple Maps", "apple"), ("OpenStreetMap", "osm")):
        pdf.cell(pdf.get_string_width(label) + 6, 5, label, link=links[key])
    pdf.set_text_color(0)
    pdf.ln(5)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, f"{s.lat:.6f}, {s.lon:.6f}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if site.get("notes"):
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(0, 5, t("notes", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 4.6, nfc(site["notes"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def images(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None, url: str,
           lang: str = "vi") -> dict[str, bytes]:
    """Every picture of the brief: ``route``, ``qr`` and ``stop1``..``stopN``."""
    out = {"route": map_image(route, sites, b, size_mm=(180, 120), dpi=170, lang=lang), "qr": qr_png(url)}
    for s in route.stops:
        out[f"stop{s.seq}"] = map_image(route, sites, b, focus=s.seq, size_mm=(180, 90), dpi=130, min_km=1.2,
                                        lang=lang)
    return out


def brief_pdf(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None, *, lang: str = "vi",
              plan_id: str | None = None, pictures: dict[str, bytes] | None = None) -> bytes:
    """The brief as PDF bytes: the cover, then one page (or more, for long notes) per stop.

    ``sites`` must hold every stop; ``plan_id`` makes the QR code open that saved plan.
    """
    url = plan_url(plan_id, plan=route.plan)
    pics = pictures or images(route, sites, b, url, lang)
    rows = _site_rows(route, sites)
    title = nfc(route.plan.name or t("visit_untitled", lang))
    pdf = new_pdf(title, lang)
    _cover(pdf, route, rows, b, pics, url, lang)
    for s, links in zip(route.stops, stop_links(route), strict=True):
        _stop_page(pdf, route, s, rows.get(s.site_id, {}), b, pics[f"stop{s.seq}"], links, lang)
    return bytes(pdf.output())


# ---------------------------------------------------------------- HTML


_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:190mm;padding:8px;color:#111;font-size:14px}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:18px;margin:4px 0}.kicker{color:#777;font-size:11px;
letter-spacing:.08em}.stophead{color:@ROUTE@;font-weight:bold;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border:1px solid #ccc;padding:3px 5px;
vertical-align:top;text-align:left}th{background:#eee}dl{display:grid;grid-template-columns:max-content 1fr;
gap:2px 10px;margin:6px 0}dt{font-weight:bold}dd{margin:0}img.map{width:100%;height:auto;border:1px solid #999}
.qr{float:right;width:110px;text-align:center;font-size:10px;margin-left:8px}.qr img{width:110px}
.links a{margin-right:12px}.note{color:#555;font-size:11px}.stop{margin-top:18px}
@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0;font-size:11pt}
.stop{break-before:page;margin-top:0}a{color:#000}}
""".replace("@ROUTE@", ROUTE_COLOR)


def _img(png: bytes, alt: str, cls: str = "map") -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{cls}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows) + "</dl>"


def brief_html(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None, *, lang: str = "vi",
               plan_id: str | None = None, pictures: dict[str, bytes] | None = None) -> str:
    """The brief as one self-contained, print-friendly HTML page (pictures inline, no script)."""
    url = plan_url(plan_id, plan=route.plan)
    pics = pictures or images(route, sites, b, url, lang)
    rows = _site_rows(route, sites)
    title = nfc(route.plan.name or t("visit_untitled", lang))
    table = _timetable(route, rows, b, lang)
    parts = [
        f'<div class="qr"><a href="{html.escape(url)}">{_img(pics["qr"], "QR", "qrimg")}</a><br>'
        f'{html.escape(t("visit_scan", lang))}</div>',
        f'<div class="kicker">{html.escape(t("visit_brief", lang).upper())}</div><h1>{html.escape(title)}</h1>',
        _dl(_summary_lines(route, lang)),
        _img(pics["route"], t("visit_route", lang)),
        f'<h2>{html.escape(t("visit_timetable", lang))}</h2><table><tr>'
        + "".join(f"<th>{html.escape(c)}</th>" for c in table[0]) + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in table[1:])
        + f'</table><p class="note">{html.escape(t("visit_straight_note", lang))}</p>',
    ]
    for s, links in zip(route.stops, stop_links(route), strict=True):
        site = rows.get(s.site_id, {})
        link_html = " ".join(f'<a href="{html.escape(links[k])}" target="_blank" rel="noopener">{n}</a>'
                             for n, k in (("Google Maps", "google"), ("Apple Maps", "apple"), ("OpenStreetMap", "osm")))
        notes = f'<h3>{html.escape(t("notes", lang))}</h3><p>{html.escape(nfc(site["notes"]))}</p>' \
            if site.get("notes") else ""
        parts.append(
            f'<section class="stop"><div class="stophead">{html.escape(_stop_head(route, s, lang))}</div>'
            f"<h2>{html.escape(nfc(s.name))}</h2>{_dl(site_facts(site, b, lang))}"
            f'{_img(pics[f"stop{s.seq}"], nfc(s.name))}'
            f'<p class="links"><b>{html.escape(t("visit_directions", lang))}:</b> {link_html} '
            f"<small>{s.lat:.6f}, {s.lon:.6f}</small></p>{notes}</section>")
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "".join(parts) + "</body></html>")


def brief_files(route: Route, sites: gpd.GeoDataFrame, b: Boundaries | None, *, lang: str = "vi",
                plan_id: str | None = None) -> tuple[bytes, str]:
    """The brief as PDF bytes and as print HTML, from one drawing of its pictures."""
    pics = images(route, sites, b, plan_url(plan_id, plan=route.plan), lang)
    return (brief_pdf(route, sites, b, lang=lang, plan_id=plan_id, pictures=pics),
            brief_html(route, sites, b, lang=lang, plan_id=plan_id, pictures=pics))
