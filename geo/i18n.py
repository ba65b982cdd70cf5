"""Vietnamese/English interface strings and diacritic folding for search.

>>> fold("Chợ Đồng Xuân")
'cho dong xuan'
>>> fold("  HOÀN   Kiếm ")
'hoan kiem'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

LANGS = ("vi", "en")

_V = TypeVar("_V")


def pick(lang: str, vi: _V, en: _V) -> _V:
    """``en`` for English, ``vi`` for every other language: the one place a language is tested.

    >>> pick("en", "Chợ", "Market"), pick("vi", "Chợ", "Market"), pick("fr", "Chợ", "Market")
    ('Market', 'Chợ', 'Chợ')
    """
    return en if lang == "en" else vi


@dataclass(frozen=True, slots=True)
class Text:
    """A phrase in both languages; ``text(lang)`` reads it in one, ``text.format(...)`` fills both.

    >>> done = Text("{n} công trình", "{n} sites")
    >>> done("vi"), done.format(n=3)("en")
    ('{n} công trình', '3 sites')
    >>> Text("Ghi chú", "")("en")  # an English text not written yet falls back to Vietnamese
    'Ghi chú'
    """

    vi: str
    en: str

    def __call__(self, lang: str = "vi") -> str:
        return pick(lang, self.vi, self.en or self.vi)

    def format(self, **values: Any) -> Text:
        """The same phrase with ``{name}`` fields filled in, in both languages."""
        return Text(self.vi.format(**values), self.en.format(**values))

    def __add__(self, other: Text | str) -> Text:
        if isinstance(other, Text):
            return Text(self.vi + other.vi, self.en + other.en)
        return Text(self.vi + other, self.en + other)


class Bilingual:
    """Mixin for a record with ``vi`` and ``en`` attributes: ``label(lang)`` picks one."""

    vi: str
    en: str

    def label(self, lang: str = "vi") -> str:
        return pick(lang, self.vi, self.en or self.vi)


def name_column(lang: str) -> str:
    """The boundary frames' name column in ``lang`` (``name`` is Vietnamese, ``name_en`` English)."""
    return pick(lang, "name", "name_en")

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
    "layer_district": ("{n} quận, huyện, thị xã (trước 2025)", "{n} districts (pre-2025)"),  # views.layer_label
    "layer_commune": ("{n} xã, phường (từ 1/7/2025)", "{n} communes/wards (from 1 July 2025)"),
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
    return pick(lang, *pair)

# --- district map page
STRINGS.update({
    "choose_unit": ("Chọn quận, huyện hoặc xã, phường", "Choose a district or commune"),
    "layer_pick": ("Xem theo", "Browse by"),
    "download_shown": ("Tải các công trình đang hiển thị", "Download the sites shown"),
    "format": ("Định dạng", "Format"),
    "site_details_pick": ("Chọn một dòng trong bảng hoặc bấm vào công trình trên bản đồ để xem chi tiết.",
                          "Select a row in the table or click a site on the map to see its details."),
    "n_sites_in": ("{n} công trình trong {unit}", "{n} sites in {unit}"),
    "table_showing": ("Bảng hiển thị {n} trên {total} công trình; tệp tải xuống có đủ {total}.",
                      "The table shows {n} of {total} sites; the download holds all {total}."),
    "field": ("Trường", "Field"),
    "value": ("Giá trị", "Value"),
    "clear_filters": ("Bỏ bộ lọc", "Clear filters"),
    "map_help": ("Màu và ký hiệu theo loại công trình; điểm gần nhau được gom nhóm, phóng to để tách.",
                 "Colour and symbol by category; nearby points are clustered, zoom in to separate them."),
})

# --- field visits (pages/field_visit.py, geo/visits/)
STRINGS.update({
    "visit_untitled": ("Chuyến kiểm tra thực địa", "Field visit"),
    "visit_intro": ("Chọn công trình, sắp xếp lộ trình, in tài liệu và mang theo trên điện thoại.",
                    "Choose sites, order the route, print the brief and take it on a phone."),
    "visit_arrive": ("Đến", "Arrive"),
    "visit_depart_at": ("Rời đi", "Leave"),
    "visit_plan": ("Kế hoạch", "Plan"),
    "visit_name": ("Tên chuyến đi", "Visit name"),
    "visit_date": ("Ngày đi", "Visit date"),
    "visit_participants": ("Thành phần (mỗi người một dòng)", "Participants (one per line)"),
    "visit_participants_short": ("Thành phần", "Participants"),
    "visit_choose": ("Chọn công trình", "Choose sites"),
    "visit_chosen": ("Công trình đã chọn", "Chosen sites"),
    "visit_tick_help": ("Bấm vào một dòng để thêm hoặc bỏ công trình; bấm vào công trình trên bản đồ để thêm.",
                        "Click a row to add or remove a site; click a site on the map to add it."),
    "visit_pick": ("Chọn", "Pick"),
    "visit_added": ("Đã thêm “{name}”.", "Added “{name}”."),
    "visit_start": ("Điểm xuất phát", "Start"),
    "visit_start_preset": ("Địa điểm có sẵn", "Preset place"),
    "visit_start_site": ("Một công trình đã chọn", "One of the chosen sites"),
    "visit_start_coords": ("Tọa độ (gõ hoặc bấm trên bản đồ)", "Coordinates (type or click on the map)"),
    "visit_coords": ("Vĩ độ, kinh độ", "Latitude, longitude"),
    "visit_coords_help": ("Ví dụ 21.0300, 105.8530. Bấm vào bản đồ lộ trình để lấy tọa độ.",
                          "E.g. 21.0300, 105.8530. Click the route map to take a point."),
    "visit_return": ("Quay về điểm xuất phát", "Return to the start"),
    "visit_speed": ("Tốc độ trung bình (km/h, theo đường chim bay)", "Average speed (km/h, straight-line)"),
    "visit_dwell": ("Thời gian ở mỗi điểm (phút)", "Time at each stop (minutes)"),
    "visit_depart": ("Giờ xuất phát", "Departure time"),
    "visit_optimise": ("Gợi ý thứ tự ngắn nhất", "Suggest the shortest order"),
    "visit_order_exact": ("Thứ tự tối ưu (tính chính xác).", "Optimal order (computed exactly)."),
    "visit_order_heuristic": ("Thứ tự gần tối ưu (thuật toán heuristic).", "Near-optimal order (heuristic)."),
    "visit_route": ("Lộ trình", "Route"),
    "visit_stops": ("Các điểm dừng", "Stops"),
    "visit_up": ("Lên", "Up"),
    "visit_down": ("Xuống", "Down"),
    "visit_remove": ("Bỏ", "Remove"),
    "visit_no_stops": ("Chưa chọn công trình nào.", "No site chosen yet."),
    "visit_leg_km": ("Quãng đường (km)", "Leg (km)"),
    "visit_total": ("Tổng: {km}, {duration} (kể cả thời gian dừng).",
                    "Total: {km}, {duration} (stops included)."),
    "visit_back_at": ("Về đến điểm xuất phát lúc {time} ({km}).", "Back at the start at {time} ({km})."),
    "visit_timetable": ("Lịch trình", "Timetable"),
    "visit_directions": ("Chỉ đường", "Directions"),
    "visit_brief": ("Tài liệu chuyến đi", "Visit brief"),
    "visit_pdf": ("Tải PDF", "Download PDF"),
    "visit_html": ("Tải bản in HTML", "Download print HTML"),
    "visit_gpx": ("Tải GPX", "Download GPX"),
    "visit_kml": ("Tải KML", "Download KML"),
    "visit_prepare": ("Chuẩn bị tài liệu", "Prepare the brief"),
    "visit_saved": ("Kế hoạch đã lưu", "Saved plans"),
    "visit_open": ("Mở", "Open"),
    "visit_copy": ("Sao chép", "Copy"),
    "visit_delete": ("Xóa", "Delete"),
    "visit_save": ("Lưu kế hoạch", "Save plan"),
    "visit_saved_ok": ("Đã lưu kế hoạch “{name}”.", "Saved plan “{name}”."),
    "visit_deleted_ok": ("Đã xóa kế hoạch “{name}”.", "Deleted plan “{name}”."),
    "visit_copied_ok": ("Đã tạo bản sao “{name}”.", "Created the copy “{name}”."),
    "visit_copy_of": ("Bản sao của {name}", "Copy of {name}"),
    "visit_new": ("Kế hoạch mới", "New plan"),
    "visit_none_saved": ("Chưa có kế hoạch nào được lưu.", "No plan saved yet."),
    "visit_scan": ("Quét mã để mở lộ trình trên điện thoại", "Scan to open the route on a phone"),
    "visit_stop_n": ("Điểm dừng {n}", "Stop {n}"),
    "visit_facts": ("Thông tin công trình", "Site facts"),
    "visit_page_of": ("Trang {n}/{total}", "Page {n} of {total}"),
    "visit_generated": ("Lập lúc {time} bởi P03 Map", "Made at {time} by P03 Map"),
    "visit_straight_note": ("Quãng đường tính theo đường chim bay; thời gian ước tính.",
                            "Distances are straight-line; times are estimates."),
    "visit_open_link": ("Mở kế hoạch", "Open the plan"),
})

# --- programme indicators (pages/indicators.py, geo/indicators/)
STRINGS.update({
    "ind_title": ("Chỉ tiêu Chương trình 03", "Programme 03 indicators"),
    "ind_intro": ("Mỗi chỉ tiêu: đã đạt bao nhiêu, so với đường thẳng từ đầu đến cuối chương trình, và các "
                  "công trình đứng sau con số.",
                  "For each indicator: how far the city is, against the straight line from the programme's start "
                  "to its end, and the sites behind the figure."),
    "ind_as_of": ("Số liệu đến ngày", "As of"),
    "ind_target": ("Mục tiêu", "Target"),
    "ind_value": ("Đạt được", "Achieved"),
    "ind_progress": ("Tiến độ", "Progress"),
    "ind_expected": ("Theo đường thẳng", "Straight line"),
    "ind_status": ("Đánh giá", "Status"),
    "ind_reason": ("Lý do", "Reason"),
    "ind_last_change": ("Thay đổi gần nhất", "Last change"),
    "ind_history": ("Diễn biến", "History"),
    "ind_no_history": ("Chưa có số liệu theo thời gian.", "No history yet."),
    "ind_sites_on_map": ("Các công trình trên bản đồ", "Its sites on the map"),
    "ind_department": ("Đơn vị chủ trì", "Responsible department"),
    "ind_method": ("Cách tính", "Method"),
    "ind_method_count": ("Đếm từ công trình", "Counted from sites"),
    "ind_method_manual": ("Nhập tay", "Entered by hand"),
    "ind_measure": ("Đại lượng", "Measure"),
    "ind_measure_count": ("Số công trình", "Number of sites"),
    "ind_measure_length_km": ("Chiều dài tuyến (km)", "Length of lines (km)"),
    "ind_measure_area_ha": ("Diện tích (ha)", "Area (ha)"),
    "ind_status_done": ("Đã đạt", "Done"),
    "ind_status_on_track": ("Đúng tiến độ", "On track"),
    "ind_status_at_risk": ("Chậm tiến độ", "At risk"),
    "ind_status_no_data": ("Chưa có số liệu", "No data"),
    "ind_status_no_target": ("Không có mục tiêu số", "No numeric target"),
    "ind_by_unit": ("Theo địa bàn", "By district / commune"),
    "ind_choose": ("Chỉ tiêu", "Indicator"),
    "ind_color_by": ("Tô màu theo", "Colour by"),
    "ind_by_count": ("Giá trị đạt được", "Value achieved"),
    "ind_by_share": ("Tỷ lệ công trình hoàn thành", "Share of sites completed"),
    "ind_total_sites": ("Số công trình", "Sites"),
    "ind_sites_short": ("Số CT", "Sites"),
    "ind_completed": ("Hoàn thành", "Completed"),
    "ind_share": ("Tỷ lệ hoàn thành", "Share completed"),
    "ind_pledge": ("Cam kết", "Pledge"),
    "ind_gap": ("Còn thiếu", "Gap"),
    "ind_open_map": ("Mở bản đồ", "Open map"),
    "ind_click_unit": ("Bấm vào một địa bàn trên bản đồ (hoặc liên kết trong bảng) để mở bản đồ công trình của nó.",
                       "Click a unit on the map (or its link in the table) to open its site map."),
    "ind_exports": ("Xuất dữ liệu", "Exports"),
    "ind_csv": ("Bảng chỉ tiêu (CSV)", "Indicator table (CSV)"),
    "ind_xlsx": ("Bảng chỉ tiêu và địa bàn (XLSX)", "Indicator and unit tables (XLSX)"),
    "ind_pdf": ("Báo cáo tóm tắt 1 trang (PDF)", "One-page summary (PDF)"),
    "ind_edit": ("Biên tập chỉ tiêu", "Edit indicators"),
    "ind_enter_value": ("Nhập giá trị", "Enter a value"),
    "ind_value_field": ("Giá trị", "Value"),
    "ind_date": ("Ngày số liệu", "Date of the figure"),
    "ind_source": ("Nguồn", "Source"),
    "ind_note": ("Ghi chú", "Note"),
    "ind_unit_optional": ("Địa bàn (để trống: toàn thành phố)", "Unit (empty: the whole city)"),
    "ind_save": ("Lưu", "Save"),
    "ind_saved": ("Đã lưu.", "Saved."),
    "ind_definition": ("Sửa định nghĩa", "Edit the definition"),
    "ind_new": ("Thêm chỉ tiêu mới", "Add an indicator"),
    "ind_code": ("Mã chỉ tiêu", "Code"),
    "ind_title_vi": ("Tên (tiếng Việt)", "Title (Vietnamese)"),
    "ind_title_en": ("Tên (tiếng Anh)", "Title (English)"),
    "ind_target_help": ("Một số (20), một khoảng (2-3) hoặc để trống.", "A number (20), a range (2-3) or empty."),
    "ind_unit": ("Đơn vị tính", "Unit"),
    "ind_unit_vi": ("Đơn vị tính (tiếng Việt)", "Unit (Vietnamese)"),
    "ind_unit_en": ("Đơn vị tính (tiếng Anh)", "Unit (English)"),
    "ind_categories": ("Loại công trình được đếm", "Site categories counted"),
    "ind_statuses": ("Tình trạng được tính là đạt", "Statuses that count as achieved"),
    "ind_department_vi": ("Đơn vị chủ trì (tiếng Việt)", "Department (Vietnamese)"),
    "ind_department_en": ("Đơn vị chủ trì (tiếng Anh)", "Department (English)"),
    "ind_reset": ("Khôi phục định nghĩa gốc", "Restore the original definition"),
    "ind_values_list": ("Các giá trị đã nhập", "Values entered"),
    "ind_delete_value": ("Xóa giá trị số", "Delete value no."),
    "ind_delete": ("Xóa", "Delete"),
    "ind_pledges": ("Cam kết của các địa bàn", "Units' pledges"),
    "ind_pledge_unit": ("Địa bàn", "Unit"),
    "ind_pledge_value": ("Cam kết (để 0 để xóa)", "Pledge (0 removes it)"),
    "ind_summary_title": ("Tình hình thực hiện các chỉ tiêu Chương trình 03-CTr/TU",
                          "Progress of the Programme 03-CTr/TU indicators"),
    "ind_summary_sub": ("Số liệu đến ngày {date}; đường thẳng từ {start} đến {end}.",
                        "Figures as of {date}; straight line from {start} to {end}."),
    "ind_summary_units": ("Chỉ tiêu {code} theo quận, huyện", "Indicator {code} by district"),
    "ind_generated": ("Lập lúc {time} bởi P03 Map", "Made at {time} by P03 Map"),
    "ind_programme": ("Chương trình: {start} – {end}", "Programme: {start} – {end}"),
    "ind_summary": ("Tổng hợp", "Summary"),
    "ind_section": ("Phần", "Section"),
    "ind_edited": ("đã sửa trong ứng dụng", "edited in the app"),
})

# --- sign-in, roles, administration, audit trail (geo/auth.py, pages/ui/auth.py, pages/admin.py)
STRINGS.update({
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_in_open": ("Tài khoản cán bộ", "Staff account"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sign_in_org": ("Đăng nhập bằng tài khoản cơ quan", "Sign in with your organisation"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "password_again": ("Nhập lại mật khẩu", "Password again"),
    "passwords_differ": ("Hai lần nhập mật khẩu không khớp.", "The two passwords differ."),
    "signed_in_as": ("Đang đăng nhập:", "Signed in as"),
    "role": ("Vai trò", "Role"),
    "role_viewer": ("Người xem", "Viewer"),
    "role_editor": ("Biên tập viên", "Editor"),
    "role_admin": ("Quản trị viên", "Admin"),
    "session_expired": ("Phiên làm việc đã hết hạn do không hoạt động; hãy đăng nhập lại.",
                        "Your session ended after a period of inactivity; please sign in again."),
    "sign_in_to_browse": ("Cần đăng nhập để xem ứng dụng này. Hãy đăng nhập ở thanh bên.",
                          "Sign in to use this app: use the form in the sidebar."),
    "sign_in_hint": ("Đăng nhập ở thanh bên trái.", "Use the sign-in form in the sidebar."),
    "oidc_refused": ("Tài khoản cơ quan “{email}” chưa được cấp quyền dùng ứng dụng. Hãy liên hệ quản trị viên.",
                     "The organisation account “{email}” may not use this app. Ask an admin."),
    "users": ("Người dùng", "Users"),
    "audit_trail": ("Nhật ký thay đổi", "Audit trail"),
    "display_name": ("Tên hiển thị", "Display name"),
    "disabled": ("Đã khóa", "Disabled"),
    "last_login": ("Đăng nhập lần cuối", "Last sign-in"),
    "locked_until": ("Tạm khóa đến", "Locked until"),
    "failed_count": ("Số lần sai liên tiếp", "Failed sign-ins"),
    "created_at": ("Ngày tạo", "Created"),
    "user_add": ("Thêm người dùng", "Add a user"),
    "user_pick": ("Người dùng", "User"),
    "user_set_role": ("Đổi vai trò", "Change role"),
    "user_disable": ("Khóa tài khoản", "Disable"),
    "user_enable": ("Mở khóa tài khoản", "Enable"),
    "user_reset_password": ("Đặt lại mật khẩu", "Reset password"),
    "user_done": ("Đã lưu thay đổi của “{name}”.", "Saved the change to “{name}”."),
    "no_users": ("Chưa có người dùng nào.", "No users yet."),
    "audit_since": ("Từ ngày", "From"),
    "audit_until": ("Đến ngày", "To"),
    "audit_actor": ("Người thực hiện", "Actor"),
    "audit_action": ("Thao tác", "Action"),
    "audit_entity": ("Đối tượng", "Entity"),
    "audit_text": ("Tìm trong nhật ký", "Search the trail"),
    "audit_at": ("Thời điểm (UTC)", "Time (UTC)"),
    "audit_what": ("Thay đổi", "Change"),
    "audit_rows": ("{n} dòng nhật ký", "{n} audit rows"),
    "audit_csv": ("Tải nhật ký (CSV)", "Download the trail (CSV)"),
    "audit_detail": ("Xem trước/sau của dòng", "Before/after of row"),
    "audit_before": ("Trước", "Before"),
    "audit_after": ("Sau", "After"),
    "audit_empty": ("Không có dòng nhật ký nào khớp bộ lọc.", "No audit row matches the filters."),
})

# --- uploads (pages/upload.py, geo/ingest/)
STRINGS.update({
    "up_intro": ("Tải lên tệp công trình mới (GeoJSON, Shapefile nén .zip, GeoPackage, KML/KMZ, CSV, XLSX). "
                 "Tệp được kiểm tra trước; chưa có gì được lưu cho tới khi bạn bấm lưu.",
                 "Upload a file of new sites (GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV, XLSX). "
                 "It is checked first; nothing is stored until you commit."),
    "up_file": ("Tệp cần tải lên", "File to upload"),
    "up_stage_reading": ("Đang đọc tệp…", "Reading the file…"),
    "up_stage_checking": ("Đang kiểm tra từng đối tượng…", "Checking each feature…"),
    "up_stage_placing": ("Đang xác định quận, xã…", "Placing in districts and communes…"),
    "up_stage_done": ("Đã kiểm tra xong.", "Checked."),
    "up_summary": ("{file}: {n} đối tượng — {valid} hợp lệ, {rejected} bị loại. Hệ tọa độ: {crs}.",
                   "{file}: {n} features — {valid} valid, {rejected} rejected. Coordinate system: {crs}."),
    "up_crs": ("Hệ tọa độ", "Coordinate system"),
    "up_crs_auto": ("Tự nhận biết", "Detect automatically"),
    "up_crs_guessed": ("Tệp không ghi hệ tọa độ. Đề xuất: {crs}. Hãy xác nhận hoặc chọn hệ khác.",
                       "The file states no coordinate system. Proposed: {crs}. Confirm it or choose another."),
    "up_crs_confirm": ("Tôi xác nhận hệ tọa độ này", "I confirm this coordinate system"),
    "up_crs_other": ("Mã EPSG khác (ví dụ EPSG:9210)", "Another EPSG code (e.g. EPSG:9210)"),
    "up_mapping": ("Ghép cột của tệp", "Map the file's columns"),
    "up_mapping_help": ("Chọn cột nào của tệp là tên, loại, tọa độ… khi ứng dụng không tự nhận ra.",
                        "Choose which of the file's columns is the name, category, coordinates… when they are not "
                        "recognised."),
    "up_col_auto": ("(tự nhận)", "(automatic)"),
    "up_lon": ("Kinh độ / X", "Longitude / X"),
    "up_lat": ("Vĩ độ / Y", "Latitude / Y"),
    "up_wkt": ("Cột hình học (WKT/WKB)", "Geometry column (WKT/WKB)"),
    "up_category_default": ("Loại cho đối tượng không có loại", "Category for features without one"),
    "up_none": ("(không)", "(none)"),
    "up_values": ("Ghép giá trị chưa có trong danh mục", "Map values not in the vocabulary"),
    "up_value_of": ("“{value}” ({field}) là", "“{value}” ({field}) is"),
    "up_unmapped": ("(chưa ghép)", "(not mapped)"),
    "up_problems": ("Các vấn đề ({n})", "Problems ({n})"),
    "up_no_problems": ("Không có vấn đề nào.", "No problems."),
    "up_problems_csv": ("Tải bảng vấn đề (CSV)", "Download the problems (CSV)"),
    "up_feature": ("Đối tượng số", "Feature"),
    "up_severity": ("Mức độ", "Severity"),
    "up_message": ("Nội dung", "Message"),
    "up_error": ("lỗi", "error"),
    "up_warning": ("cảnh báo", "warning"),
    "up_preview": ("Xem trước các đối tượng hợp lệ", "Preview of the valid features"),
    "up_commit": ("Lưu {n} đối tượng hợp lệ", "Commit the {n} valid features"),
    "up_commit_help": ("Lưu tất cả đối tượng hợp lệ trong một lần; các đối tượng bị loại không được lưu.",
                       "Stores all valid features at once; rejected features are not stored."),
    "up_confirm_first": ("Hãy xác nhận hệ tọa độ trước khi lưu.", "Confirm the coordinate system before committing."),
    "up_committed": ("Đã lưu {n} công trình thành lô {batch}.", "Committed {n} sites as batch {batch}."),
    "up_nothing_valid": ("Không có đối tượng hợp lệ nào để lưu.", "There is no valid feature to commit."),
    "up_repeat": ("Tệp này đã được tải lên (lô {batch}).", "This file was uploaded before (batch {batch})."),
    "up_uploads": ("Các lần tải lên", "Uploads"),
    "up_no_uploads": ("Chưa có lần tải lên nào.", "No uploads yet."),
    "up_rollback": ("Hoàn tác lô {batch}", "Roll back batch {batch}"),
    "up_rolled_back": ("Đã hoàn tác lô {batch}: gỡ {n} công trình.", "Rolled back batch {batch}: removed {n} sites."),
    "up_batch": ("Lô", "Batch"),
    "up_file_name": ("Tệp", "File"),
    "up_when": ("Thời điểm (UTC)", "When (UTC)"),
    "up_who": ("Người tải", "By"),
    "up_n": ("Số đối tượng", "Features"),
    "up_present": ("Còn trong kho", "In the store"),
    "up_state": ("Trạng thái", "State"),
    "up_state_committed": ("đã lưu", "committed"),
    "up_state_rolled_back": ("đã hoàn tác", "rolled back"),
})

# --- editing sites, their history, the map "as at" a date (pages/ui/site_edit.py)
STRINGS.update({
    "se_edit": (":material/edit: Sửa công trình", ":material/edit: Edit site"),
    "se_history": (":material/history: Lịch sử thay đổi", ":material/history: History"),
    "se_map_help": ("Kéo điểm (hoặc các đỉnh của tuyến, vùng) để sửa vị trí; chạm vào một đỉnh để xoá nó; "
                    "nút “Hoàn tác” bỏ thay đổi cuối. Bấm “Lưu” bên dưới để ghi.",
                    "Drag the point (or a line's or polygon's vertices) to move it; tap a vertex to remove it; "
                    "“Undo” takes back the last change. Press “Save” below to store it."),
    "se_moved_to": ("Vị trí mới nằm ở: {district} · {commune}", "The new position lies in: {district} · {commune}"),
    "se_reason": ("Lý do thay đổi", "Reason for the change"),
    "se_reason_help": ("Bắt buộc khi đổi tình trạng; ghi vào lịch sử.", "Required when the status changes; kept in the history."),
    "se_save": ("Lưu thay đổi", "Save changes"),
    "se_saved": ("Đã lưu phiên bản {v} của công trình {id}.", "Saved version {v} of site {id}."),
    "se_nothing": ("Không có gì thay đổi.", "Nothing changed."),
    "se_reload": ("Tải lại bản đang lưu", "Reload the stored version"),
    "se_stale": ("Công trình đã được lưu thành phiên bản {v} sau khi bạn mở biểu mẫu này.",
                 "The site was stored as version {v} after you opened this form."),
    "se_delete": ("Xoá công trình (có thể khôi phục)", "Delete the site (restorable)"),
    "se_delete_reason": ("Lý do xoá", "Reason for deleting"),
    "se_deleted": ("Đã xoá công trình {id}; có thể khôi phục trong lịch sử.", "Deleted site {id}; it can be restored from its history."),
    "se_is_deleted": ("Công trình này đã bị xoá.", "This site has been deleted."),
    "se_undelete": ("Khôi phục công trình đã xoá", "Restore the deleted site"),
    "se_undeleted": ("Đã khôi phục công trình {id}.", "Restored site {id}."),
    "se_new": (":material/add_location_alt: Vẽ công trình mới", ":material/add_location_alt: Draw a new site"),
    "se_new_help": ("Chọn công cụ bên trái bản đồ (điểm, tuyến, vùng) rồi chạm để vẽ; “Xoá đỉnh cuối” bỏ đỉnh "
                    "vừa vẽ. Sau đó điền thông tin và bấm “Tạo công trình”.",
                    "Pick a tool on the map's left (point, line, polygon) and tap to draw; “Remove last vertex” "
                    "removes the last vertex. Then fill in the form and press “Create the site”."),
    "se_draw_first": ("Hãy vẽ công trình trên bản đồ trước.", "Draw the site on the map first."),
    "se_create": ("Tạo công trình", "Create the site"),
    "se_created": ("Đã tạo công trình {id}.", "Created site {id}."),
    "se_version": ("Phiên bản", "Version"),
    "se_when": ("Thời điểm (UTC)", "When (UTC)"),
    "se_who": ("Người sửa", "By"),
    "se_source": ("Nguồn", "Source"),
    "se_old": ("Giá trị cũ", "Old value"),
    "se_new_value": ("Giá trị mới", "New value"),
    "se_restore": ("Khôi phục phiên bản {v}", "Restore version {v}"),
    "se_restored": ("Đã khôi phục phiên bản {v} thành phiên bản mới {n}.", "Restored version {v} as new version {n}."),
    "se_no_history": ("Chưa có lịch sử.", "No history yet."),
    "se_current": ("(hiện tại)", "(current)"),
    "se_deleted_tag": ("(đã xoá)", "(deleted)"),
    "se_pick": ("Chọn…", "Choose…"),
    "se_not_yet": ("Công trình chưa có trong kho vào ngày {d}.", "The site was not stored yet on {d}."),
    "se_as_of": ("Xem như tại ngày", "As at date"),
    "se_as_of_open": ("Xem như tại một ngày đã qua", "As at an earlier date"),
    "se_as_of_help": ("Hiển thị mọi công trình như chúng đã ở vào ngày này (để trống: hiện tại).",
                      "Shows every site as it stood on that day (empty: today)."),
    "se_as_of_note": ("Đang xem dữ liệu như tại ngày {d}; không sửa được ở chế độ này.",
                      "Showing the sites as at {d}; editing is off in this view."),
    "se_geometry_changed": ("Hình học", "Geometry"),
})

# reference layers, column/value matching, CRS evidence (issue 13 part B)
STRINGS.update({
    "ref_layers": ("Lớp tham chiếu (OpenStreetMap)", "Reference layers (OpenStreetMap)"),
    "ref_found": ("Đối tượng tham chiếu khớp “{q}” ({n})", "Reference features matching “{q}” ({n})"),
    "ref_layer": ("Lớp", "Layer"),
    "ref_kind": ("Loại OSM", "OSM kind"),
    "ref_help": ("Bật các lớp chợ, siêu thị, công viên, di tích, hồ của OpenStreetMap bằng nút lớp ở góc trái bản đồ.",
                 "Turn on OpenStreetMap's markets, supermarkets, parks, historic sites and lakes with the layer "
                 "button at the map's top left."),
    "up_unused_cols": ("Cột chưa dùng đến: {cols}. Chọn trường cho từng cột để lưu nó:",
                       "Columns not used: {cols}. Pick a field for each to store it:"),
    "up_use_as": ("Dùng “{col}” làm", "Use “{col}” as"),
    "up_col_for": ("cột “{col}”", "column “{col}”"),
    "up_matched_rules": ("Giá trị được nhận theo quy tắc từ khóa", "Values matched by keyword rules"),
    "up_rule_value": ("Giá trị trong tệp", "Value in the file"),
    "up_rule": ("Quy tắc (từ khóa)", "Rule (keyword)"),
    "up_rule_code": ("Được hiểu là", "Read as"),
    "up_show_on_map": ("Xem {n} công trình của lô {batch} trên bản đồ", "Show the {n} sites of batch {batch} on the map"),
    "up_crs_ambiguous": ("Có {n} hệ tọa độ cùng đặt các điểm vào Hà Nội, lệch nhau khoảng {dist}. Xem so sánh trên "
                         "bản đồ bên dưới và chọn hệ đúng.",
                         "{n} coordinate systems put the points in Hanoi, about {dist} apart. Compare them on the "
                         "map below and choose the right one."),
    "up_crs_evidence": ("Bằng chứng", "Evidence"),
    "up_crs_matches": ("{k} tên trùng công trình đã lưu hoặc đối tượng OSM trong vòng 30 m",
                       "{k} names match stored sites or OSM features within 30 m"),
    "up_crs_picked": ("Đã chọn {crs} theo bằng chứng: {k} tên trong tệp trùng công trình đã lưu hoặc đối tượng "
                      "OpenStreetMap trong vòng 30 m với hệ này, các hệ khác ít hơn.",
                      "Picked {crs} by evidence: {k} names in the file match stored sites or OpenStreetMap "
                      "features within 30 m under it, fewer under the others."),
    "up_crs_use": ("Dùng hệ này", "Use this one"),
    "up_crs_compare": ("So sánh các hệ tọa độ", "Compare the coordinate systems"),
})

# Streamlit's own strings, replaced by CSS (pages/ui/chrome.py) or passed as placeholders
STRINGS.update({
    "st_upload_button": ("Chọn tệp", "Choose a file"),
    "st_upload_limit": ("Tối đa {mb} MB mỗi tệp", "Up to {mb} MB per file"),
    "st_press_enter": ("Nhấn Enter để áp dụng", "Press Enter to apply"),
    "st_skip_to_content": ("Đến nội dung chính", "Skip to main content"),
    "st_choose": ("Chọn…", "Choose…"),
})
STRINGS.update({"dm_batch_clear": ("Bỏ lọc theo lô {batch}", "Show all, not just batch {batch}")})

# field inspections (geo/inspections.py, pages/ui/inspection.py)
STRINGS.update({
    "insp_title": ("Kết quả kiểm tra thực địa", "Field inspections"),
    "insp_record": ("Ghi kết quả kiểm tra", "Record an inspection"),
    "insp_none": ("Chưa có lần kiểm tra nào.", "No inspection yet."),
    "insp_date": ("Ngày kiểm tra", "Date"),
    "insp_time": ("Giờ", "Time"),
    "insp_inspectors": ("Người kiểm tra (mỗi dòng một người)", "Inspectors (one per line)"),
    "insp_findings": ("Kết quả kiểm tra (điều thấy được)", "Findings (what was seen)"),
    "insp_assessment": ("Đánh giá", "Assessment"),
    "assess_on_track": ("Đúng tiến độ", "On track"),
    "assess_behind": ("Chậm tiến độ", "Behind"),
    "assess_problem": ("Có vấn đề", "Problem found"),
    "insp_propose": ("Đề xuất thay đổi (không bắt buộc)", "Propose a change (optional)"),
    "insp_proposed_status": ("Tình trạng đề xuất", "Proposed status"),
    "insp_proposed_progress": ("Tiến độ đề xuất (%)", "Proposed progress (%)"),
    "insp_no_change": ("— không đổi —", "— no change —"),
    "insp_photos": ("Ảnh (chụp hoặc chọn từ thư viện)", "Photos (take or pick from the gallery)"),
    "insp_camera": ("Chụp bằng camera", "Use the camera"),
    "insp_take": ("Chụp ảnh", "Take a photo"),
    "insp_caption": ("Chú thích ảnh", "Caption"),
    "insp_save": ("Lưu kết quả kiểm tra", "Save the inspection"),
    "insp_saved": ("Đã lưu kết quả kiểm tra ({n} ảnh).", "Inspection saved ({n} photos)."),
    "insp_fix_photos": ("Bỏ các tệp bị từ chối ở trên rồi lưu.", "Remove the refused files above, then save."),
    "insp_sign_in": ("Đăng nhập (mục “Tài khoản cán bộ” ở thanh bên) để ghi kết quả kiểm tra.",
                     "Sign in (“Staff account” in the sidebar) to record an inspection."),
    "insp_recorded": ("Đã ghi {n} lần", "Recorded {n}×"),
    "insp_not_recorded": ("Chưa ghi", "Not recorded"),
    "insp_visit_progress": ("Đã ghi kết quả {done}/{n} điểm dừng.", "{done} of {n} stops recorded."),
    "insp_save_plan_first": ("Lưu kế hoạch để ghi kết quả kiểm tra theo từng điểm dừng.",
                             "Save the plan to record inspections stop by stop."),
    "insp_proposal": ("Đề xuất", "Proposed"),
    "insp_accept": ("Duyệt đề xuất", "Accept the proposal"),
    "insp_accepted": ("Đã duyệt ({who}, {at})", "Accepted ({who}, {at})"),
    "insp_accepted_ok": ("Đã cập nhật công trình theo biên bản kiểm tra.", "The site was updated from the inspection."),
    "insp_open_photo": ("Xem ảnh lớn", "Open full size"),
    "insp_photo": ("Ảnh kiểm tra", "Inspection photo"),
    "insp_download_original": ("Tải ảnh gốc", "Download the original"),
    "insp_taken": ("Chụp lúc {at}", "Taken {at}"),
    "insp_gps": ("Vị trí chụp {lat}, {lon} (cách công trình {d} m)", "Taken at {lat}, {lon} ({d} m from the site)"),
    "insp_last": ("Kiểm tra gần nhất", "Last inspected"),
    "age_never": ("Chưa kiểm tra", "Never"),
    "age_old": ("Quá 90 ngày", "More than 90 days ago"),
    "age_recent": ("Trong 90 ngày", "Within 90 days"),
    "insp_minutes": ("Biên bản kiểm tra (PDF)", "Inspection minutes (PDF)"),
    "insp_zip": ("Ảnh của chuyến (ZIP)", "The visit's photos (ZIP)"),
    "insp_geojson": ("Kết quả kiểm tra (GeoJSON)", "Inspections (GeoJSON)"),
})
STRINGS.update({"visit_add_all": ("Thêm tất cả đang hiển thị ({n})", "Add all shown ({n})")})
STRINGS.update({  # issue 11: update by upload (pages/upload.py)
    "up_diff": ("So với dữ liệu đã lưu", "Against the stored sites"),
    "up_diff_counts": ("Mới {new} · thay đổi {changed} · không đổi {unchanged} · vắng mặt trong tệp {absent} "
                       "(giữ nguyên) · có thể trùng {possible_duplicates}",
                       "New {new} · changed {changed} · unchanged {unchanged} · absent from the file {absent} "
                       "(left alone) · possible duplicates {possible_duplicates}"),
    "up_diff_old": ("Đang lưu", "Stored"),
    "up_diff_new": ("Trong tệp", "In the file"),
    "up_diff_site": ("Công trình", "Site"),
    "up_decide": ("Quyết định từng đối tượng trùng", "Decide each possible duplicate"),
    "up_decide_one": ("Đối tượng số {feature} “{name}” — {how} “{site}” ({dist} m)",
                      "Feature {feature} “{name}” — {how} “{site}” ({dist} m)"),
    "up_how_name": ("cùng tên, gần", "same name, near"),
    "up_how_possible": ("có thể trùng với", "may duplicate"),
    "up_dec_update": ("Cập nhật công trình đã lưu", "Update the stored site"),
    "up_dec_new": ("Giữ là công trình mới", "Keep as a new site"),
    "up_dec_skip": ("Bỏ qua", "Skip"),
    "up_absent": ("Công trình đã lưu không có trong tệp (giữ nguyên): {ids}",
                  "Stored sites absent from the file (left alone): {ids}"),
})

# home page: the city map (app.py)
STRINGS.update({
    "home_city_map": ("Bản đồ toàn thành phố", "City map"),
    "home_map_help": ("Màu theo số công trình của mỗi quận, huyện. Bấm vào một quận (trên bản đồ hoặc trong bảng) "
                      "để mở bản đồ của quận đó.",
                      "Coloured by each district's number of sites. Click a district (on the map or in the table) "
                      "to open its map."),
})

# indicators by district: the lag behind the straight line (geo/maps/choropleth.py, pages/indicators.py)
STRINGS.update({
    "ind_by_lag": ("Chậm/vượt so với tiến độ dự kiến", "Behind/ahead of the expected pace"),
    "ind_lag": ("Chênh lệch so với dự kiến (điểm %)", "Gap to the expected share (points)"),
    "ind_lag_help": ("Tỷ lệ công trình hoàn thành của mỗi đơn vị trừ tỷ lệ dự kiến theo đường thẳng của chương trình "
                     "({expected}): đỏ là chậm, xanh là vượt, xám là không có công trình. Bảng xếp đơn vị chậm nhất lên "
                     "đầu.",
                     "Each unit's share of sites completed minus the share the programme's straight line expects by "
                     "now ({expected}): red is behind, green ahead, grey has no site. The table lists the furthest "
                     "behind first."),
    "ind_no_sites_unit": ("không có công trình", "no sites"),
})
STRINGS.update({"choro_zoom_inner": ("Phóng to nội thành", "Zoom to the inner districts"),
                "choro_zoom_city": ("Toàn thành phố", "Whole city")})

# the hand-entered indicator values as the editor lists them (geo/indicators/dashboard.py)
STRINGS.update({"ind_entered_by": ("Người nhập", "Entered by"), "ind_entered_at": ("Lúc nhập", "Entered at")})
