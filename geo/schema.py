"""The site schema and its bilingual vocabularies.

One definition serves the store, the upload checks, the exports and the README's schema table
(``python -m geo schema --markdown`` prints it; a test checks the README holds it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.i18n import Bilingual, fold


@dataclass(frozen=True)
class Term(Bilingual):
    """One vocabulary entry: a stable code, labels, map style, and synonyms people write."""

    code: str
    vi: str
    en: str
    synonyms: tuple[str, ...] = ()
    color: str = "#555555"
    glyph: str = "•"
    indicator: str | None = None


CATEGORIES: tuple[Term, ...] = (
    Term("wastewater", "Nhà máy xử lý nước thải", "Wastewater treatment plant",
         ("xu ly nuoc thai", "nha may nuoc thai", "tram xu ly nuoc thai", "he thong xu ly nuoc thai",
          "wwtp", "wastewater", "sewage treatment", "nuoc thai"), "#1f78b4", "NT", "CT12"),
    Term("solid_waste", "Cơ sở xử lý chất thải rắn", "Solid-waste facility",
         ("chat thai ran", "xu ly rac", "bai rac", "khu lien hiep xu ly chat thai", "landfill",
          "waste", "solid waste", "nha may dien rac", "waste to energy"), "#6a3d9a", "RT", None),
    Term("market", "Chợ", "Market",
         ("cho", "cho dan sinh", "market", "wet market"), "#ff7f00", "C", "CT08"),
    Term("supermarket", "Siêu thị, trung tâm thương mại", "Supermarket / trade centre",
         ("sieu thi", "trung tam thuong mai", "ttm", "tttm", "supermarket", "trade centre",
          "trade center", "shopping mall", "mall", "shopping centre"), "#e31a1c", "TM", "CT01"),
    Term("pedestrian", "Phố đi bộ, không gian đi bộ", "Pedestrian street or zone",
         ("pho di bo", "tuyen pho di bo", "khong gian di bo", "khu di bo", "pedestrian",
          "walking street", "pedestrian street", "pedestrian zone"), "#33a02c", "ĐB", "CT02"),
    Term("old_villa", "Biệt thự cũ", "Old villa",
         ("biet thu", "biet thu cu", "nha biet thu cu", "villa", "old villa", "french villa"),
         "#b15928", "BT", "CT06"),
    Term("pre1954", "Công trình kiến trúc có giá trị trước 1954", "Architectural work of value built before 1954",
         ("cong trinh truoc 1954", "kien truc truoc 1954", "cong trinh kien truc co gia tri",
          "pre-1954", "pre 1954", "heritage building", "colonial building"), "#a6761d", "KT", "CT07"),
    Term("park", "Công viên, vườn hoa", "Park / flower garden",
         ("cong vien", "vuon hoa", "park", "garden", "flower garden", "cong vien vuon hoa"),
         "#1b9e77", "CV", "CT09"),
    Term("old_apartment", "Chung cư cũ", "Old apartment block",
         ("chung cu cu", "khu tap the", "tap the", "khu chung cu cu", "old apartment",
          "apartment block", "collective housing"), "#7570b3", "CC", "CT05"),
    Term("cable_underground", "Tuyến hạ ngầm cáp điện, viễn thông", "Power/telecom cable undergrounding route",
         ("ha ngam cap", "ngam hoa", "ngam hoa cap", "ha ngam", "cap ngam", "ha ngam duong day",
          "cable undergrounding", "underground cables", "undergrounding"), "#e7298a", "HN", "CT11"),
    Term("other", "Khác", "Other", ("khac", "other", "misc"), "#666666", "•", None),
)

STATUSES: tuple[Term, ...] = (
    Term("planned", "Chuẩn bị đầu tư", "Planned",
         ("ke hoach", "du kien", "chuan bi", "chuan bi dau tu", "chua trien khai", "planned", "plan",
          "proposed", "not started"), "#9e9e9e"),
    Term("in_progress", "Đang thực hiện", "In progress",
         ("dang thuc hien", "dang trien khai", "dang thi cong", "dang xay dung", "in progress",
          "ongoing", "under construction", "under way", "underway"), "#1976d2"),
    Term("completed", "Hoàn thành", "Completed",
         ("hoan thanh", "da hoan thanh", "xong", "co ban hoan thanh", "completed", "complete",
          "done", "finished"), "#2e7d32"),
    Term("suspended", "Tạm dừng", "Suspended",
         ("tam dung", "dung", "tam ngung", "vuong mac", "suspended", "on hold", "stopped", "halted"),
         "#c62828"),
)

CATEGORY_BY_CODE = {t.code: t for t in CATEGORIES}
STATUS_BY_CODE = {t.code: t for t in STATUSES}


def _index(terms: tuple[Term, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for term in terms:
        for text in (term.code, term.code.replace("_", " "), term.vi, term.en, *term.synonyms):
            out[fold(text)] = term.code
    return out


_CATEGORY_INDEX = _index(CATEGORIES)
_STATUS_INDEX = _index(STATUSES)


def match_category(value: object) -> str | None:
    """The category code for a label, code or synonym in either language, or None.

    >>> match_category("Chợ")
    'market'
    >>> match_category("TRUNG TAM THUONG MAI")
    'supermarket'
    >>> match_category("bakery") is None
    True
    """
    return _CATEGORY_INDEX.get(fold(value)) if value not in (None, "") else None


def match_status(value: object) -> str | None:
    """The status code for a label, code or synonym, or None.

    >>> match_status("Đang thi công")
    'in_progress'
    """
    return _STATUS_INDEX.get(fold(value)) if value not in (None, "") else None


def category_label(code: str | None, lang: str = "vi") -> str:
    term = CATEGORY_BY_CODE.get(code or "")
    return term.label(lang) if term else (code or "")


def status_label(code: str | None, lang: str = "vi") -> str:
    term = STATUS_BY_CODE.get(code or "")
    return term.label(lang) if term else (code or "")


@dataclass(frozen=True)
class Field:
    """One stored site attribute."""

    name: str
    type: str  # text | code | date | number | list | geometry
    required: bool
    vi: str
    en: str
    derived: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)


FIELDS: tuple[Field, ...] = (
    Field("id", "text", True, "Mã định danh ổn định (tự sinh nếu tệp không có)",
          "Stable identifier (generated when the file has none)", aliases=("ma", "ma cong trinh", "site id", "fid", "code")),
    Field("name", "text", True, "Tên công trình", "Site name",
          aliases=("ten", "ten cong trinh", "ten du an", "title", "ten_ct", "name_vi")),
    Field("category", "code", True, "Loại công trình (bảng loại bên dưới)", "Category (vocabulary below)",
          aliases=("loai", "loai cong trinh", "phan loai", "type", "kind", "nhom")),
    Field("status", "code", False, "Tình trạng: planned / in_progress / completed / suspended (mặc định planned)",
          "Status: planned / in_progress / completed / suspended (default planned)",
          aliases=("tinh trang", "trang thai", "state")),
    Field("indicator", "code", False, "Chỉ tiêu Chương trình 03 mà công trình được tính vào (mặc định theo loại)",
          "Programme 03 indicator the site counts towards (defaults from the category)",
          aliases=("chi tieu", "ma chi tieu")),
    Field("district_codes", "list", False, "Mã quận, huyện (trước 2025) mà công trình nằm trong/đi qua",
          "Codes of the pre-2025 districts the site lies in or touches", derived=True),
    Field("commune_codes", "list", False, "Mã xã, phường (từ 1/7/2025) mà công trình nằm trong/đi qua",
          "Codes of the 2025 communes/wards the site lies in or touches", derived=True),
    Field("responsible_unit", "text", False, "Đơn vị chịu trách nhiệm", "Responsible unit",
          aliases=("don vi", "don vi chu tri", "chu dau tu", "don vi thuc hien", "owner", "agency")),
    Field("start_date", "date", False, "Ngày bắt đầu (YYYY-MM-DD)", "Start date (YYYY-MM-DD)",
          aliases=("ngay bat dau", "khoi cong", "tu ngay", "start")),
    Field("end_date", "date", False, "Ngày hoàn thành (dự kiến hoặc thực tế)", "End date (planned or actual)",
          aliases=("ngay hoan thanh", "ngay ket thuc", "den ngay", "end", "completion date")),
    Field("budget_vnd", "number", False, "Kinh phí (đồng)", "Budget (VND)",
          aliases=("kinh phi", "tong muc dau tu", "von", "budget", "cost")),
    Field("progress_pct", "number", False, "Tiến độ, 0–100 %", "Progress, 0–100 %",
          aliases=("tien do", "progress", "phan tram")),
    Field("notes", "text", False, "Ghi chú", "Notes", aliases=("ghi chu", "mo ta", "description", "note", "remarks")),
    Field("batch_id", "text", False, "Lô tải lên đã thêm công trình", "Upload batch that added the site", derived=True),
    Field("geometry", "geometry", True, "Point / LineString / Polygon / Multi*, lưu ở WGS 84 (EPSG:4326)",
          "Point / LineString / Polygon / Multi*, stored in WGS 84 (EPSG:4326)"),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
ATTRIBUTE_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS if f.name != "geometry")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")


def schema_markdown() -> str:
    """The schema as the Markdown tables in the README."""
    lines = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for f in FIELDS:
        req = "derived" if f.derived else ("yes" if f.required else "no")
        lines.append(f"| `{f.name}` | {f.type} | {req} | {f.en} — {f.vi} |")
    lines += ["", "| category | tiếng Việt | English | indicator |", "|---|---|---|---|"]
    for c in CATEGORIES:
        lines.append(f"| `{c.code}` | {c.vi} | {c.en} | {c.indicator or ''} |")
    lines += ["", "| status | tiếng Việt | English |", "|---|---|---|"]
    for s in STATUSES:
        lines.append(f"| `{s.code}` | {s.vi} | {s.en} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- how people write them

#: Column names people use beside the aliases above, folded (shapefile fields hold 10
#: characters: "TINH_TRANG", "TEN_CT", "LOAICT"...). Looked up after the field's own aliases.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("ma ct", "mact", "ma so", "ma du an", "ma da", "ma cong trinh du an", "ma hieu"),
    "name": ("ten ct", "tenct", "ten da", "tenda", "ten du an cong trinh", "ten cong trinh du an", "ten dia diem",
             "ten diem", "ten cho", "ten ho", "ten pho", "tencongtrinh", "ten cong trinh dia diem", "ten tuyen"),
    "category": ("loai ct", "loaict", "loai hinh", "loaihinh", "loai cong trinh du an", "nhom ct", "nhom cong trinh",
                 "linh vuc", "phan loai ct", "loaicongtrinh", "loai da", "loai du an", "hang muc"),
    "status": ("tinhtrang", "trangthai", "trang thai ct", "tinh trang ct", "hien trang", "hientrang",
               "tinh trang thuc hien", "tinh trang trien khai", "trang thai thuc hien", "ket qua thuc hien"),
    "responsible_unit": ("donvi", "don vi ql", "don vi quan ly", "cdt", "chudautu", "don vi chu dau tu",
                         "co quan chu tri", "dv chu tri", "dv thuc hien"),
    "start_date": ("ngay bd", "ngaybd", "ngay khoi cong", "ngaykc", "ngay kc", "thoi gian bat dau", "tg bat dau"),
    "end_date": ("ngay kt", "ngaykt", "ngay ht", "ngayht", "thoi gian hoan thanh", "tg hoan thanh", "nam hoan thanh"),
    "budget_vnd": ("kinhphi", "kinh phi vnd", "kinh phi dong", "tong von", "tmdt", "von dau tu", "tong muc dau tu vnd"),
    "progress_pct": ("tiendo", "tien do %", "tien do pct", "ty le hoan thanh", "phan tram hoan thanh"),
    "notes": ("ghichu", "mota", "mo ta ngan", "noi dung", "thong tin"),
}

#: Abbreviations that also mean something else ("TT": tình trạng, but also thứ tự): a column so
#: named feeds the field only when most of its distinct values are that field's values.
WEAK_COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {"status": ("tt", "t trang", "tr thai")}


@dataclass(frozen=True)
class KeywordRule:
    """Text found (as whole words, folded) inside a value that names a vocabulary code."""

    field: str
    keyword: str
    code: str

    def search(self, folded: str) -> bool:
        return re.search(rf"(?<![a-z0-9]){re.escape(self.keyword)}(?![a-z0-9])", folded) is not None


def _rules(fld: str, pairs: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[KeywordRule, ...]:
    return tuple(KeywordRule(fld, kw, code) for code, kws in pairs for kw in kws)


#: Tried in order after an exact match failed ("Khu xử lý chất thải rắn" -> solid_waste by "chat
#: thai ran"); the first rule whose keyword the folded value holds wins.
KEYWORD_RULES: tuple[KeywordRule, ...] = _rules("category", (
    ("wastewater", ("nuoc thai", "wastewater", "sewage")),
    ("solid_waste", ("chat thai ran", "bai rac", "rac thai", "xu ly rac", "dot rac", "dien rac", "chon lap",
                     "landfill", "solid waste")),
    ("cable_underground", ("ha ngam", "ngam hoa", "cap ngam", "underground")),
    ("old_apartment", ("khu tap the", "nha tap the", "tap the", "chung cu cu", "old apartment")),
    ("old_villa", ("biet thu", "villa")),
    ("pre1954", ("truoc 1954", "truoc nam 1954", "thoi phap", "kien truc phap", "1954")),
    ("supermarket", ("tttm", "ttm", "trung tam thuong mai", "sieu thi", "mall", "supermarket", "shopping")),
    ("pedestrian", ("pho di bo", "khong gian di bo", "tuyen di bo", "di bo", "pedestrian", "walking street")),
    ("park", ("cong vien", "vuon hoa", "park", "garden")),
    ("market", ("cho dau moi", "cho dan sinh", "cho truyen thong", "market")),
)) + (KeywordRule("category", "cho", "market"),) + _rules("status", (
    ("in_progress", ("chua hoan thanh", "dang thi cong", "dang trien khai", "dang thuc hien", "dang xay dung",
                     "dang lam", "thi cong", "in progress", "ongoing", "under construction")),
    ("suspended", ("tam dung", "tam ngung", "dung thi cong", "ngung thi cong", "vuong mac", "suspended", "on hold")),
    ("completed", ("hoan thanh", "da xong", "da ban giao", "dua vao su dung", "dua vao hoat dong", "completed",
                   "finished", "done")),
    ("planned", ("chuan bi", "du kien", "ke hoach", "chua trien khai", "chua thuc hien", "quy hoach", "de xuat",
                 "planned", "proposed")),
))


def match_keyword(fld: str, value: object) -> KeywordRule | None:
    """The first :data:`KEYWORD_RULES` rule of field ``fld`` ("category" or "status") whose
    keyword ``value`` holds, or None.

    >>> match_keyword("category", "Khu xử lý chất thải rắn Nam Sơn").code
    'solid_waste'
    >>> match_keyword("status", "Chưa hoàn thành").code
    'in_progress'
    >>> match_keyword("category", "Nhà cho thuê") is None
    True
    """
    folded = fold(value)
    if not folded:
        return None
    for rule in KEYWORD_RULES:
        if rule.field != fld:
            continue
        # "chợ" alone is also "for" ("nhà cho thuê"): a market only when the name starts with it
        if rule.keyword == "cho" and not folded.startswith("cho "):
            continue
        if rule.search(folded):
            return rule
    return None
