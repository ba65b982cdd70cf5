"""Indicator reports: the indicator table as CSV and XLSX, and a printable one-page summary (PDF,
in Vietnamese by default) with a progress chart and the district table of one indicator.

The PDF embeds DejaVu Sans (shipped with matplotlib), which covers Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF

from geo import fmt
from geo.i18n import name_column, t
from geo.indicators.dashboard import unit_table
from geo.indicators.progress import STATUS_COLORS, Progress, programme_window, status_label
from geo.indicators.registry import Indicator
from geo.sites import spreadsheet_safe

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MEDIA_TYPES = {"csv": "text/csv", "pdf": "application/pdf",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


REPORT_COLUMNS = ("code", "title", "target", "unit", "value", "progress", "expected", "status", "count", "total",
                  "length_km", "area_ha", "last_change", "department", "reason")


def report_table(progress: list[Progress], lang: str = "vi") -> pd.DataFrame:
    """The indicator table (exports, the CLI): one row per indicator, plain columns."""
    rows = []
    for p in progress:
        d = p.to_dict(lang)
        d["target"] = p.indicator.target_text(lang)
        rows.append({k: d[k] for k in REPORT_COLUMNS})
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def _labelled(progress: list[Progress], lang: str) -> pd.DataFrame:
    df = spreadsheet_safe(report_table(progress, lang))
    df["status"] = [status_label(s, lang) for s in df["status"]]
    names = {"code": "code", "title": "indicator", "target": "ind_target", "unit": "ind_unit", "value": "ind_value",
             "progress": "ind_progress", "expected": "ind_expected", "status": "ind_status",
             "count": "ind_completed", "total": "ind_total_sites", "length_km": "km", "area_ha": "ha",
             "last_change": "ind_last_change", "department": "ind_department", "reason": "ind_reason"}
    return df.rename(columns={k: t(v, lang) if v not in ("km", "ha") else v for k, v in names.items()})


def to_csv(progress: list[Progress], lang: str = "vi") -> bytes:
    """The indicator table as CSV (UTF-8 with BOM so Excel reads Vietnamese)."""
    text: str = _labelled(progress, lang).to_csv(index=False)
    return text.encode("utf-8-sig")


def to_xlsx(progress: list[Progress], units: pd.DataFrame | None = None, layer: str = "district",
            lang: str = "vi") -> bytes:
    """The indicator table (sheet ``indicators``) and, when given, a unit table (sheet ``units``)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        _labelled(progress, lang).to_excel(xl, index=False, sheet_name="indicators")
        if units is not None:
            unit_table(units, layer, lang).to_excel(xl, index=False, sheet_name="units")
    return buf.getvalue()


# ---------------------------------------------------------------- the one-page PDF


def progress_chart(progress: list[Progress], lang: str = "vi", width_in: float = 7.2) -> bytes:
    """A horizontal bar chart (PNG) of each indicator's progress with the straight-line mark."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [p for p in progress if p.progress is not None]
    fig, ax = plt.subplots(figsize=(width_in, 0.22 * max(len(rows), 3) + 0.6), dpi=150)
    try:
        labels = [p.indicator.code for p in rows][::-1]
        values = [100 * (p.progress or 0) for p in rows][::-1]
        colors = [STATUS_COLORS[p.status] for p in rows][::-1]
        ax.barh(labels, values, color=colors, height=0.6)
        for i, p in enumerate(rows[::-1]):
            if p.expected is not None:
                ax.plot([100 * p.expected] * 2, [i - 0.4, i + 0.4], color="black", linewidth=1.2)
        ax.set_xlim(0, 100)
        ax.set_xlabel(f"{t('ind_progress', lang)} (%) — | {t('ind_expected', lang)}", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", linewidth=0.3)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out.getvalue()


def _pdf() -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(10, 10, 10)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def summary_pdf(progress: list[Progress], units: pd.DataFrame | None = None, unit_indicator: Indicator | None = None,
                *, lang: str = "vi", made_at: dt.datetime | None = None) -> bytes:
    """One A4 page: the indicator table, the progress chart and (when given) the district table of
    ``unit_indicator``. Vietnamese unless ``lang="en"``."""
    pdf = _pdf()
    start, end = programme_window()
    as_of = progress[0].as_of if progress else dt.date.today()
    made = (made_at or dt.datetime.now()).strftime("%d/%m/%Y %H:%M")
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 7, t("ind_summary_title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, t("ind_summary_sub", lang).format(
        date=fmt.date(as_of, lang), start=fmt.date(start, lang), end=fmt.date(end, lang)),
        new_x="LMARGIN", new_y="NEXT")
    _indicator_rows(pdf, progress, lang)
    chart = progress_chart(progress, lang)
    y = pdf.get_y() + 2
    n_bars = sum(p.progress is not None for p in progress)
    aspect = (0.22 * max(n_bars, 3) + 0.6) / 7.2  # height / width of the chart
    h = min(190 * aspect, 70.0)
    pdf.image(io.BytesIO(chart), x=10, y=y, h=h, w=h / aspect)
    pdf.set_y(y + h + 2)
    if units is not None and unit_indicator is not None:
        _unit_rows(pdf, units, unit_indicator, lang)
    pdf.set_y(287)
    pdf.set_font("DejaVu", "", 6)
    pdf.cell(0, 4, t("ind_generated", lang).format(time=made), align="R")
    return bytes(pdf.output())


def _row(pdf: FPDF, widths: Sequence[float], cells: list[str], h: float, bold: bool = False,
         fill: str | None = None) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 6.5)
    if fill:
        pdf.set_text_color(*tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5)))
    for w, c in zip(widths, cells, strict=True):
        pdf.cell(w, h, c, border="B")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(h)


def _indicator_rows(pdf: FPDF, progress: list[Progress], lang: str) -> None:
    widths = [11, 92, 16, 18, 14, 39]
    head = [t("code", lang), t("indicator", lang), t("ind_target", lang), t("ind_value", lang),
            t("ind_progress", lang), t("ind_status", lang)]
    pdf.ln(1)
    _row(pdf, widths, head, 5, bold=True)
    for p in progress:
        ind = p.indicator
        value = p.value_text(lang)
        if ind.method == "count" and ind.measure == "count" and p.length_km:
            value += f" ({fmt.figure(p.length_km, lang, digits=1)} km)"
        prog = "—" if p.progress is None else f"{p.progress:.0%}"
        _row(pdf, widths, [ind.code, _cut(ind.title(lang), 62), ind.target_text(lang),
                                             _cut(value, 16), prog, status_label(p.status, lang)], 4.2)


def _unit_rows(pdf: FPDF, units: pd.DataFrame, ind: Indicator, lang: str) -> None:
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 6, t("ind_summary_units", lang).format(code=ind.code) + f" — {_cut(ind.title(lang), 70)}",
             new_x="LMARGIN", new_y="NEXT")
    name = name_column(lang)
    rows = units.sort_values(["value", "total"], ascending=False).reset_index(drop=True)
    half = (len(rows) + 1) // 2
    widths = [25, 10, 17, 14, 14, 14]  # 94 mm per half, 2 mm apart
    head = [t("districts", lang), t("ind_sites_short", lang), t("ind_completed", lang), t("ind_value", lang),
            t("ind_pledge", lang), t("ind_gap", lang)]
    top = pdf.get_y()
    h = min(4.0, (282 - top) / (half + 1))
    for col, part in enumerate((rows.iloc[:half], rows.iloc[half:])):
        x = 10 + col * 96
        pdf.set_xy(x, top)
        _row(pdf, widths, [str(c) for c in head], h, bold=True)
        for _, r in part.iterrows():
            pdf.set_x(x)
            _row(pdf, widths, [_cut(str(r[name]), 17), str(int(r["total"])), str(int(r["count"])),
                               fmt.figure(r["value"], lang, digits=1), fmt.figure(r["target"], lang),
                               fmt.figure(r["gap"], lang)], h)
