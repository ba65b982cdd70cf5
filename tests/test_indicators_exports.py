"""Indicator CLI and exports: `python -m geo indicators` (table, JSON, --by, --export) and the CSV,
XLSX and one-page Vietnamese PDF written from the hand-built fixture store."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pypdf
import pytest

from geo.cli import main
from geo.indicators import edits as ind_edits
from geo.indicators import judge as ind_judge
from geo.indicators import measure as ind_measure
from geo.indicators import registry as ind_registry
from geo.indicators import report
from tests.test_indicators import EDITOR, ind_store  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parent.parent
KEYS = {"code", "title", "target", "value", "progress", "status"}


def run_json(capsys, *args: str) -> list[dict]:
    assert main(["indicators", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_json_has_the_issue_keys(ind_store, capsys):  # noqa: F811
    rows = run_json(capsys, "--as-of", "2025-01-01")
    assert [r["code"] for r in rows] == [f"CT{n:02d}" for n in range(1, 13)]
    for r in rows:
        assert KEYS <= set(r)
        assert r["progress"] is None or 0 <= r["progress"] <= 1
    by = {r["code"]: r for r in rows}
    assert by["CT01"]["target"] == [2, 3] and by["CT01"]["value"] == 3 and by["CT01"]["status"] == "done"
    assert by["CT08"]["target"] == 20 and by["CT08"]["value"] == 3 and by["CT08"]["progress"] == 0.15
    assert by["CT11"]["value"] == 2 and by["CT11"]["length_km"] == pytest.approx(3.5, abs=1e-3)
    assert by["CT09"]["progress"] is None and by["CT09"]["status"] == "no_target"
    assert by["CT12"]["status"] == "no_data"


def test_cli_as_of_before_and_after(ind_store, capsys):  # noqa: F811
    before = {r["code"]: r for r in run_json(capsys, "--as-of", "2022-06-29", "--indicator", "CT08")}
    after = {r["code"]: r for r in run_json(capsys, "--as-of", "2022-06-30", "--indicator", "CT08")}
    assert list(before) == ["CT08"]
    assert (before["CT08"]["value"], after["CT08"]["value"]) == (1, 2)


def test_cli_by_district_and_commune(ind_store, capsys):  # noqa: F811
    rows = run_json(capsys, "--as-of", "2025-01-01", "--by", "district", "--indicator", "CT08")
    units = {u["code"]: u for u in rows[0]["units"]}
    assert len(units) == 30
    assert (units["002"]["total"], units["002"]["count"], units["001"]["count"]) == (2, 1, 1)
    rows = run_json(capsys, "--as-of", "2025-01-01", "--by", "commune", "--indicator", "CT08")
    assert len(rows[0]["units"]) == 126 and sum(u["count"] for u in rows[0]["units"]) == 3


def test_cli_text_and_errors(ind_store, capsys):  # noqa: F811
    assert main(["indicators", "--as-of", "2025-01-01"]) == 0
    out = capsys.readouterr().out
    assert "CT08" in out and "at_risk" in out and "Đầu tư xây dựng chợ" in out
    assert main(["indicators", "--as-of", "01/01/2025"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["--lang", "en", "indicators", "--indicator", "CT99"]) == 2
    assert "no indicator CT99" in capsys.readouterr().err


def test_cli_runs_as_a_module(ind_store):  # noqa: F811
    proc = subprocess.run([sys.executable, "-m", "geo", "indicators", "--as-of", "2025-01-01", "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 12


def test_exports_csv_xlsx_pdf(ind_store, bounds, tmp_path, capsys):  # noqa: F811
    for ext in ("csv", "xlsx", "pdf"):
        assert main(["indicators", "--as-of", "2025-01-01", "--indicator", "CT08", "--export",
                     str(tmp_path / f"t.{ext}")]) == 0
    csv = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert csv["Mã"].tolist() == ["CT08"] and csv["Đánh giá"].tolist() == ["Chậm tiến độ"]
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["indicators", "units"]
    assert wb["units"].max_row == 31  # header + 30 districts
    pdf = pypdf.PdfReader(tmp_path / "t.pdf")
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Tình hình thực hiện các chỉ tiêu" in text
    assert "CT12" in text  # every indicator, even when --indicator chose the district table's
    assert "Chỉ tiêu CT08 theo quận, huyện" in text and "Hoàn Kiếm" in text and "Đống Đa" in text
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    assert all("DejaVuSans" in f.get_object()["/BaseFont"] for f in fonts.values())  # embedded, not core
    assert pdf.pages[0].images, "the chart"
    assert main(["indicators", "--export", str(tmp_path / "t.docx")]) == 2


def test_pdf_stays_on_one_page_with_nineteen_indicators(ind_store, bounds):  # noqa: F811
    for n in range(13, 20):
        ind_edits.save_definition(ind_store, {"code": f"CT{n}", "title": {"vi": f"Chỉ tiêu thêm số {n} " * 4,
                                                                       "en": f"Extra {n}"},
                                            "target": n, "method": "manual"}, user=EDITOR)
        ind_edits.enter_value(ind_store, f"CT{n}", n / 2, "2024-01-01", user=EDITOR)
    progress = ind_judge.compute(ind_store, "2025-01-01")
    assert len(progress) == 19
    ind = ind_registry.get_indicator(ind_store, "CT11")
    units = ind_measure.by_unit(ind_store, ind, bounds, "district", "2025-01-01")
    pdf = pypdf.PdfReader(io.BytesIO(report.summary_pdf(progress, units, ind)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "CT19" in text and "Ba Đình" in text and "Sóc Sơn" in text
    en = pypdf.PdfReader(io.BytesIO(report.summary_pdf(progress, units, ind, lang="en")))
    assert "Progress of the Programme 03-CTr/TU indicators" in en.pages[0].extract_text()


def test_exports_defuse_spreadsheet_formulas(ind_store, tmp_path):  # noqa: F811
    d = ind_registry.get_indicator(ind_store, "CT08").to_dict()
    d["title"] = {"vi": "=HYPERLINK(\"http://evil.p03.test\",\"x\")", "en": "@SUM(1)"}
    ind_edits.save_definition(ind_store, d, user=EDITOR)
    progress = ind_judge.compute(ind_store, "2025-01-01")
    (tmp_path / "t.xlsx").write_bytes(report.to_xlsx(progress))
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["indicators"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    assert "'=HYPERLINK" in report.to_csv(progress).decode("utf-8-sig")
    assert "'@SUM(1)" in report.to_csv(progress, "en").decode("utf-8-sig")
