"""Vietnamese/English interface strings and diacritic folding for search.

>>> fold("Chợ Đồng Xuân")
'cho dong xuan'
>>> fold("  HOÀN   Kiếm ")
'hoan kiem'
"""

from __future__ import annotations

import re
import unicodedata

LANGS = ("vi", "en")

_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """Lower-case, strip Vietnamese (and all other) diacritics, collapse spaces.

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped to ``d`` explicitly.
    """
    if text is None:
        return ""
    s = str(text).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACES.sub(" ", s.casefold()).strip()


def matches(query: str, *texts: object) -> bool:
    """True when every word of ``query`` appears, folded, in the folded ``texts``."""
    words = fold(query).split()
    hay = " ".join(fold(t) for t in texts)
    return all(w in hay for w in words)


# key -> (vi, en). Pages use t(); keep keys short and stable.
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Bản đồ Chương trình 03", "Programme 03 Map"),
    "app_tagline": (
        "Các công trình, dự án của Chương trình 03-CTr/TU Hà Nội về chỉnh trang, phát triển đô thị và kinh tế đô thị",
        "Project sites of Hanoi's Programme 03-CTr/TU on urban embellishment, development and economy",
    ),
    "language": ("Ngôn ngữ", "Language"),
    "home": ("Tổng quan", "Overview"),
    "district_map": ("Bản đồ theo quận", "District map"),
    "upload": ("Tải lên", "Upload"),
    "field_visit": ("Đi kiểm tra thực địa", "Field visit"),
    "indicators": ("Chỉ tiêu", "Indicators"),
    "admin": ("Quản trị", "Administration"),
    "sites": ("Công trình", "Sites"),
    "site": ("Công trình", "Site"),
    "district": ("Quận, huyện (cũ)", "District (pre-2025)"),
    "commune": ("Xã, phường (2025)", "Commune/ward (2025)"),
    "districts": ("Quận, huyện", "Districts"),
    "communes": ("Xã, phường", "Communes/wards"),
    "layer": ("Lớp ranh giới", "Boundary layer"),
    "layer_district": ("30 quận, huyện, thị xã (trước 2025)", "30 districts (pre-2025)"),
    "layer_commune": ("126 xã, phường (từ 1/7/2025)", "126 communes/wards (from 1 July 2025)"),
    "whole_city": ("Toàn thành phố", "Whole city"),
    "category": ("Loại công trình", "Category"),
    "status": ("Tình trạng", "Status"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "search": ("Tìm theo tên", "Search by name"),
    "search_help": ("Gõ không dấu cũng được, ví dụ “dong xuan”.", "Diacritics optional, e.g. “dong xuan”."),
    "name": ("Tên", "Name"),
    "responsible_unit": ("Đơn vị chịu trách nhiệm", "Responsible unit"),
    "start_date": ("Ngày bắt đầu", "Start date"),
    "end_date": ("Ngày hoàn thành", "End date"),
    "budget_vnd": ("Kinh phí (VNĐ)", "Budget (VND)"),
    "progress_pct": ("Tiến độ (%)", "Progress (%)"),
    "notes": ("Ghi chú", "Notes"),
    "id": ("Mã", "ID"),
    "count": ("Số lượng", "Count"),
    "total": ("Tổng", "Total"),
    "shown_sites": ("Công trình đang hiển thị", "Sites shown"),
    "no_sites": ("Không có công trình nào khớp bộ lọc.", "No site matches the filters."),
    "counts_by_category": ("Số công trình theo loại", "Sites by category"),
    "counts_by_district": ("Số công trình theo quận, huyện", "Sites by district"),
    "download": ("Tải xuống", "Download"),
    "details": ("Thông tin chi tiết", "Details"),
    "click_site": ("Bấm vào một công trình trên bản đồ để xem chi tiết.", "Click a site on the map for its details."),
    "legend": ("Chú giải", "Legend"),
    "attribution": ("Nguồn dữ liệu", "Data sources"),
    "open_page": ("Mở trang", "Open page"),
    "store_empty": (
        "Kho dữ liệu chưa có công trình nào. Chạy `make run` để nạp dữ liệu mẫu hoặc tải tệp lên.",
        "The store has no sites yet. Run `make run` to load the demo data or upload a file.",
    ),
    "all": ("Tất cả", "All"),
    "filters": ("Bộ lọc", "Filters"),
    "city_overview": ("Tổng quan toàn thành phố", "City overview"),
    "pages_intro": ("Các trang", "Pages"),
    "geometry": ("Hình học", "Geometry"),
    "type": ("Loại", "Type"),
    "code": ("Mã", "Code"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
}


def t(key: str, lang: str = "vi") -> str:
    """The interface string ``key`` in ``lang`` (falls back to Vietnamese, then the key)."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]

# --- district map page
STRINGS.update({
    "choose_unit": ("Chọn quận, huyện hoặc xã, phường", "Choose a district or commune"),
    "layer_pick": ("Xem theo", "Browse by"),
    "download_shown": ("Tải các công trình đang hiển thị", "Download the sites shown"),
    "format": ("Định dạng", "Format"),
    "site_details_pick": ("Chọn một dòng trong bảng hoặc bấm vào công trình trên bản đồ để xem chi tiết.",
                          "Select a row in the table or click a site on the map to see its details."),
    "n_sites_in": ("{n} công trình trong {unit}", "{n} sites in {unit}"),
    "field": ("Trường", "Field"),
    "value": ("Giá trị", "Value"),
    "clear_filters": ("Bỏ bộ lọc", "Clear filters"),
    "map_help": ("Màu và ký hiệu theo loại công trình; điểm gần nhau được gom nhóm, phóng to để tách.",
                 "Colour and symbol by category; nearby points are clustered, zoom in to separate them."),
})
