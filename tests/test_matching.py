"""Columns and values as people write them, through the real upload pipeline: the surveyors'
VN-2000 shapefile (TEN, LOAI, TT), column synonyms and abbreviations, keyword rules over the
folded text (shown in the report), a "TT" of row numbers left alone, one-click suggestions for
unused columns, and the batch filter of the map view."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo import auth, ingest, views
from geo.i18n import fold
from geo.ingest import matching
from geo.schema import match_keyword
from geo.store import SiteFilter
from tests.conftest import TEST_DATA
from tests.data.vn2000.make_files import EXPECTED_CATEGORY, EXPECTED_STATUS, SHAPEFILE_ROWS

SHAPEFILE = TEST_DATA / "vn2000" / "cong_trinh_tt.zip"


def test_surveyors_shapefile_keeps_its_statuses_and_categories(bounds):
    r = ingest.check(SHAPEFILE.read_bytes(), SHAPEFILE.name, b=bounds)
    assert (r.crs, r.crs_source) == ("EPSG:5897", "file")
    assert r.all_valid and r.n_valid == len(SHAPEFILE_ROWS)
    assert {k: v for k, v in r.column_map.items() if v} == {"name": "TEN", "category": "LOAI", "status": "TT"}
    assert r.accepted["status"].tolist() == EXPECTED_STATUS
    assert r.accepted["category"].tolist() == EXPECTED_CATEGORY
    assert r.unused == []
    # the values read by a keyword rule are in the report, with the rule
    used = {(u.value, u.code, u.keyword) for u in r.value_rules}
    assert ("Khu xử lý chất thải rắn", "solid_waste", "chất thải rắn") in used  # as the file wrote it
    assert ("Tuyến hạ ngầm cáp điện", "cable_underground", "hạ ngầm") in used
    assert any("“chất thải rắn”" in p.en and p.field == "category" for p in r.warnings)


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    df = pd.DataFrame(rows, columns=columns)
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize(("name_col", "cat_col", "status_col"), [
    ("TEN_CT", "LOAI_CT", "TINH_TRANG"),
    ("Tên công trình", "Loại công trình", "Tình trạng"),
    ("TENCT", "LOAICT", "TRANGTHAI"),
    ("TEN", "LOAI", "TT"),
    ("Ten du an", "Phan loai", "Hien trang"),
])
def test_column_synonyms_and_abbreviations(bounds, name_col, cat_col, status_col):
    content = _csv([name_col, cat_col, status_col, "lon", "lat"],
                   [["Chợ Mẫu Cột A", "Chợ", "Đang thi công", "105.84", "21.04"],
                    ["Chợ Mẫu Cột B", "chợ dân sinh", "Hoàn thành", "105.85", "21.03"]])
    r = ingest.check(content, "cot.csv", b=bounds)
    assert r.column_map["name"] == name_col and r.column_map["category"] == cat_col
    assert r.column_map["status"] == status_col
    assert r.accepted["status"].tolist() == ["in_progress", "completed"]


def test_tt_of_row_numbers_is_not_taken_for_a_status(bounds):
    content = _csv(["TT", "TEN", "LOAI", "lon", "lat"],
                   [["1", "Chợ Mẫu Số Một", "Chợ", "105.84", "21.04"], ["2", "Chợ Mẫu Số Hai", "Chợ", "105.85", "21.03"]])
    r = ingest.check(content, "stt.csv", b=bounds)
    assert r.all_valid
    assert r.column_map["status"] is None and r.unused == ["TT"]
    assert r.accepted["status"].tolist() == ["planned", "planned"]
    assert r.suggested == {"TT": None}  # row numbers: nothing suggested


@pytest.mark.parametrize(("fld", "text", "code", "keyword"), [
    ("category", "Khu xử lý chất thải rắn", "solid_waste", "chat thai ran"),
    ("category", "Bãi rác Nam Sơn", "solid_waste", "bai rac"),
    ("category", "TTTM Vincom Bà Triệu", "supermarket", "tttm"),
    ("category", "Cải tạo khu tập thể Kim Liên", "old_apartment", "khu tap the"),
    ("category", "Hạ ngầm lưới điện phố Hàng Bài", "cable_underground", "ha ngam"),
    ("category", "Nhà máy XLNT Yên Xá (xử lý nước thải)", "wastewater", "nuoc thai"),
    ("category", "Chợ Long Biên (cải tạo)", "market", "cho"),
    ("category", "Vườn hoa Lý Thái Tổ", "park", "vuon hoa"),
    ("category", "Biệt thự Pháp số 49", "old_villa", "biet thu"),
    ("status", "Chưa hoàn thành", "in_progress", "chua hoan thanh"),
    ("status", "Đã đưa vào sử dụng năm 2023", "completed", "dua vao su dung"),
    ("status", "Tạm dừng do vướng GPMB", "suspended", "tam dung"),
    ("status", "Đang chuẩn bị hồ sơ", "planned", "chuan bi"),
])
def test_keyword_rules(fld, text, code, keyword):
    got, used = matching.vocab_code(fld, text)
    assert got == code and used is not None and fold(used.keyword) == keyword


@pytest.mark.parametrize(("fld", "text"), [("category", "Nhà cho thuê"), ("category", "Bakery"),
                                           ("status", "không rõ")])
def test_keyword_rules_do_not_guess(fld, text):
    assert match_keyword(fld, text) is None


def test_unknown_value_still_refused_and_listed(bounds):
    content = _csv(["ten", "loai", "lon", "lat"], [["Tiệm Mẫu", "Tiệm bánh", "105.84", "21.04"]])
    r = ingest.check(content, "x.csv", b=bounds)
    assert r.n_valid == 0 and r.unmatched["category"] == ["Tiệm bánh"]


def test_unused_columns_get_a_suggested_field(bounds):
    content = _csv(["ten", "loai", "Tình hình", "Kinh phí dự kiến (tỷ)", "lon", "lat"],
                   [["Chợ Mẫu Gợi Ý", "Chợ", "Đang thi công", "1.200.000", "105.84", "21.04"],
                    ["Chợ Mẫu Gợi Hai", "Chợ", "Tạm dừng", "2.500.000", "105.85", "21.03"]])
    r = ingest.check(content, "goi_y.csv", b=bounds)
    assert r.suggested == {"Tình hình": "status", "Kinh phí dự kiến (tỷ)": "budget_vnd"}
    mapped = ingest.check(content, "goi_y.csv", b=bounds, mapping={"status": "Tình hình"})
    assert mapped.accepted["status"].tolist() == ["in_progress", "suspended"]


def test_batch_filter_in_the_view_and_the_store(bounds, store):
    r = ingest.check(SHAPEFILE.read_bytes(), SHAPEFILE.name, b=bounds, store=store)
    batch = ingest.commit(r, store, auth.User("test", "editor"))
    other = ingest.check(_csv(["ten", "loai", "lon", "lat"], [["Chợ Mẫu Khác Lô", "Chợ", "105.84", "21.04"]]),
                         "other.csv", b=bounds, store=store)
    ingest.commit(other, store, auth.User("test", "editor"))
    view = views.from_params({"batch": batch}, bounds)
    assert view.batch == batch and views.to_params(view) == {"batch": batch}
    assert len(store.query_sites(view.site_filter())) == len(SHAPEFILE_ROWS)
    assert store.query_sites(SiteFilter(batch_id="nope")).empty
    assert len(store.query_sites()) == len(SHAPEFILE_ROWS) + 1


def test_suggestions_for_dates_numbers_and_text():
    free = ["status", "category", "start_date", "end_date", "budget_vnd", "progress_pct", "notes"]
    assert matching.suggest_field(pd.Series(["05/09/2024", "2024-10-01"]), free) == "start_date"
    assert matching.suggest_field(pd.Series(["05/09/2024"]), ["end_date", "notes"]) == "end_date"
    assert matching.suggest_field(pd.Series(["12,5", "80"]), free) == "progress_pct"
    assert matching.suggest_field(pd.Series(["1.200.000.000", "950.000.000"]), free) == "budget_vnd"
    assert matching.suggest_field(pd.Series(["Số 1 Tràng Tiền", "Số 2 Hàng Khay"]), free) == "notes"
    assert matching.suggest_field(pd.Series([None, ""]), free) is None
