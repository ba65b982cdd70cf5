"""The minutes of a field visit: "Biên bản kiểm tra", a PDF in the Vietnamese administrative layout.

Layout (as official minutes are set out): the issuing body and the document number on the left,
the national motto on the right, place and date under it; the title; when, where and who
(participants); then, per stop of the visit in order, the site's facts, the findings, the
assessment, the proposed changes and the photos with their captions; the closing sentence and the
signature blocks. Same fonts as the brief (DejaVu Sans, every Vietnamese letter as written); every
user-typed string is drawn as text. The document is in Vietnamese, the language of the record.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from geo import inspections as insp_ops
from geo.boundaries import Boundaries
from geo.i18n import t
from geo.schema import status_label
from geo.store.base import SiteFilter, Store
from geo.visits import brief
from geo.visits.brief_maps import nfc

ISSUER = ("UBND THÀNH PHỐ HÀ NỘI", "ĐOÀN KIỂM TRA THỰC ĐỊA")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PHOTO_W = 86  # mm: two photos side by side on A4


@dataclass
class Header:
    """What the header says: issuing body (two lines), number, place; the date is the visit's."""

    issuer: tuple[str, str] = ISSUER
    number: str = "……/BB-KT"
    place: str = "Hà Nội"


def _italic() -> str:
    for path in (brief.font_path().with_name("DejaVuSans-Oblique.ttf"),
                 Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf")):
        if path.is_file():
            return str(path)
    return str(brief.font_path())  # no oblique face installed: upright, still every letter right


def _date_words(day: dt.date, place: str) -> str:
    """“Hà Nội, ngày 30 tháng 11 năm 2026”."""
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _pdf(title: str) -> FPDF:
    pdf = brief.new_pdf(title, "vi")
    pdf.add_font("DejaVu", "I", _italic())
    return pdf


def _centered(pdf: FPDF, x: float, w: float, lines: list[tuple[str, str, float, bool]], y: float) -> float:
    """Lines (text, style, size, underline) centred in the column at ``x``; return the y below."""
    pdf.set_xy(x, y)
    for text, style, size, underline in lines:
        pdf.set_font("DejaVu", style, size)
        pdf.set_x(x)
        pdf.cell(w, 5.5, text, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        if underline:
            half = min(pdf.get_string_width(text), w) / 2
            pdf.line(x + w / 2 - half, pdf.get_y() - 0.3, x + w / 2 + half, pdf.get_y() - 0.3)
    return pdf.get_y()


def _header(pdf: FPDF, head: Header, day: dt.date, plan_name: str) -> None:
    pdf.add_page()
    left_w, right_w = 75.0, pdf.epw - 75.0
    y0 = pdf.get_y()
    y1 = _centered(pdf, pdf.l_margin, left_w, [(head.issuer[0], "", 10, False), (head.issuer[1], "B", 10, True),
                                               (f"Số: {head.number}", "", 10, False)], y0)
    y2 = _centered(pdf, pdf.l_margin + left_w, right_w, [(MOTTO[0], "B", 10, False), (MOTTO[1], "B", 11, True)], y0)
    _centered(pdf, pdf.l_margin + left_w, right_w, [(_date_words(day, head.place), "I", 10, False)], y2 + 1)
    pdf.set_y(max(y1, pdf.get_y()) + 8)
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 8, "BIÊN BẢN KIỂM TRA", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, "Về việc kiểm tra thực địa các công trình thuộc Chương trình 03-CTr/TU", align=Align.C,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if plan_name:
        pdf.set_font("DejaVu", "I", 10.5)
        pdf.multi_cell(0, 5.5, nfc(plan_name), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _pairs(pdf: FPDF, rows: list[tuple[str, str]], label_w: float = 50) -> None:
    """Label and value rows; a row is as tall as the taller of the two."""
    for label, value in rows:
        y = pdf.get_y()
        if y + 6 > pdf.h - pdf.b_margin:
            pdf.add_page()
            y = pdf.get_y()
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.multi_cell(label_w, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        below_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + label_w, y)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(0, 5, nfc(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), below_label, y + 5) + 0.6)


def _para(pdf: FPDF, text: str, style: str = "", size: float = 10.5) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(0, 5.6, nfc(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _participants(pdf: FPDF, people: list[str], day: dt.date, head: Header, n: int) -> None:
    _para(pdf, f"Hôm nay, {_date_words(day, head.place).split(', ', 1)[1]}, tại {head.place}, đoàn kiểm tra gồm:")
    for i, person in enumerate(people or ["……………………………………"], start=1):
        _para(pdf, f"    {i}. {person}")
    pdf.ln(1)
    _para(pdf, f"Đã tiến hành kiểm tra thực địa {n} công trình; kết quả như sau:")
    pdf.ln(2)


def _photos(pdf: FPDF, holder: Any, pics: pd.DataFrame) -> None:
    """Two photos a row, each with its caption under it; a new page when a row does not fit."""
    rows = pics.to_dict("records")
    for i in range(0, len(rows), 2):
        pair = rows[i:i + 2]
        heights = [PHOTO_W * p["height"] / p["width"] if p["width"] else PHOTO_W * 0.75 for p in pair]
        h = min(max(heights), 110)
        if pdf.get_y() + h + 12 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y()
        for j, p in enumerate(pair):
            x = pdf.l_margin + j * (PHOTO_W + 8)
            pdf.image(io.BytesIO(holder.photo_image(p["photo_id"], "display")), x=x, y=y, w=PHOTO_W,
                      h=min(heights[j], 110), keep_aspect_ratio=True)
            caption = "" if p["caption"] is None or pd.isna(p["caption"]) else str(p["caption"])
            pdf.set_xy(x, y + h + 1)
            pdf.set_font("DejaVu", "I", 8.5)
            pdf.multi_cell(PHOTO_W, 4.2, nfc(f"Ảnh {i + j + 1}. {caption}".strip()), align=Align.C)
        pdf.set_y(y + h + 12)


def _stop(pdf: FPDF, seq: int, site: dict[str, Any], insps: list[dict[str, Any]], holder: Any,
          pics: pd.DataFrame, b: Boundaries | None) -> None:
    pdf.set_font("DejaVu", "B", 11.5)
    pdf.multi_cell(0, 6.5, f"{seq}. {nfc(site.get('name') or site.get('id'))}", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    _pairs(pdf, brief.site_facts(site, b, "vi"))
    if not insps:
        _para(pdf, "Chưa ghi kết quả kiểm tra tại công trình này.", "I")
    for insp in insps:
        change = insp_ops.proposal(insp)
        words = [f"tình trạng “{status_label(change['status'], 'vi')}”"] if "status" in change else []
        words += [f"tiến độ {change['progress_pct']:g} %"] if "progress_pct" in change else []
        rows = [("Thời điểm kiểm tra", str(insp["inspected_at"]).replace("T", " ")),
                ("Người kiểm tra", "; ".join(p for p in str(insp.get("inspectors") or "").split("\n") if p) or "—"),
                ("Kết quả kiểm tra", str(insp["findings"])),
                ("Đánh giá", t(f"assess_{insp['assessment']}", "vi")),
                ("Đề xuất", ", ".join(words) + (" (đã duyệt)" if insp.get("applied_at") else "") if words
                 else "Không")]
        pdf.ln(1)
        _pairs(pdf, rows)
        _photos(pdf, holder, pics[pics["inspection_id"] == insp["inspection_id"]])
    pdf.ln(3)


def _signatures(pdf: FPDF, people: list[str]) -> None:
    if pdf.get_y() + 55 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(2)
    _para(pdf, "Biên bản được lập xong cùng ngày, đã đọc lại cho các thành viên đoàn kiểm tra cùng nghe, "
               "thống nhất nội dung và ký tên dưới đây.")
    pdf.ln(6)
    half = pdf.epw / 2
    y = pdf.get_y()
    for i, (title, name) in enumerate((("THÀNH VIÊN ĐOÀN KIỂM TRA", "\n".join(people[1:])),
                                       ("TRƯỞNG ĐOÀN", people[0] if people else ""))):
        x = pdf.l_margin + i * half
        end = _centered(pdf, x, half, [(title, "B", 10.5, False), ("(Ký, ghi rõ họ tên)", "I", 9, False)], y)
        pdf.set_xy(x, end + 24)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(half, 5, nfc(name), align=Align.C)


def _people(participants: list[str], inspectors: Any) -> list[str]:
    """The plan's participants, then inspectors not already among them (“Nguyễn Văn Minh” is in
    “Nguyễn Văn Minh – Phó Chủ tịch”)."""
    out = [str(p).strip() for p in participants if str(p).strip()]
    for value in inspectors:
        for name in (n.strip() for n in str(value).split("\n") if n.strip()):
            if not any(p == name or p.startswith(name + " ") for p in out):
                out.append(name)
    return out


def minutes_pdf(store: Store, plan_id: str, b: Boundaries | None = None, *, head: Header | None = None) -> bytes:
    """The minutes of the saved visit ``plan_id`` as PDF bytes: header, participants, per stop
    the site's facts and what was recorded there (photos with captions), signature blocks.
    Raises NotFound for an unknown plan."""
    holder = store
    row = holder.get_plan(plan_id)
    plan = row["plan"]
    head = head or Header()
    day = dt.date.fromisoformat(row["visit_date"][:10]) if row.get("visit_date") else dt.date.today()
    df = holder.list_inspections(plan_id=plan_id).sort_values(["inspected_at", "created_at"])
    stops = list(dict.fromkeys([*(plan.get("stop_ids") or []), *df["site_id"]]))
    sites = store.query_sites(SiteFilter(ids=stops or [""]))
    facts = {r["id"]: r for r in sites.drop(columns="geometry").to_dict("records")}
    people = _people(plan.get("participants") or [], df["inspectors"].dropna())
    pics = holder.list_photos(list(df["inspection_id"]), thumbs=False)
    pdf = _pdf(f"Biên bản kiểm tra – {nfc(row['name'])}")
    _header(pdf, head, day, str(row["name"]))
    _participants(pdf, people, day, head, len(stops))
    for seq, site_id in enumerate(stops, start=1):
        site = {k: (None if insp_ops._missing(v) else v) for k, v in facts.get(site_id, {"id": site_id}).items()}
        _stop(pdf, seq, site, df[df["site_id"] == site_id].to_dict("records"), holder, pics, b)
    _signatures(pdf, people)
    return bytes(pdf.output())
