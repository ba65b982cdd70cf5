"""Programme 03 indicators: the registry, progress at any date, status, history, and where each
district (or 2025 commune) stands.

The registry is data: ``data/indicators.yaml`` (committed) overlaid by the definitions editors
save in the store. An indicator is either *counted from sites* — those whose ``indicator`` code is
the indicator's (or, lacking one, whose category is listed), whose status counts as achieved, from
their ``end_date`` — measured as a count, a length of lines (km) or an area of polygons (ha), both
measured in VN-2000 / UTM 48N (EPSG:3405); or *entered by hand* (value, date, source, who).

Status is judged against the straight line from the programme start (``P03_PROGRAMME_START``) to
its end (``P03_PROGRAMME_END``): *done* at the target (the low end of a range), *on track* at or
above the line, *at risk* below it; the reason is given in words.

Edits (:func:`save_definition`, :func:`enter_value`, :func:`remove_value`, :func:`set_pledge`,
:func:`reset_definition`) are small functions so that a role check can wrap each of them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from geo import settings
from geo.boundaries import Boundaries
from geo.errors import InputError, NotFound
from geo.schema import CATEGORY_BY_CODE, STATUS_BY_CODE
from geo.store.base import Store

REGISTRY_FILE = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"
METHODS = ("count", "manual")
MEASURES = ("count", "length_km", "area_ha")
#: indicator statuses, in the order a chair reads them
STATUSES = ("done", "on_track", "at_risk", "no_data", "no_target")
STATUS_COLORS = {"done": "#2e7d32", "on_track": "#1976d2", "at_risk": "#c62828", "no_data": "#9e9e9e",
                 "no_target": "#757575"}
METRIC_CRS = "EPSG:3405"  # VN-2000 / UTM zone 48N
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Target:
    """A target: one number (``low == high``) or a range ``low``–``high``.

    >>> Target(2, 3).text()
    '2–3'
    >>> Target(20, 20).ratio(25)
    1.0
    """

    low: float
    high: float

    def text(self, lang: str = "vi") -> str:
        lo, hi = fmt_number(self.low, lang), fmt_number(self.high, lang)
        return lo if self.low == self.high else f"{lo}–{hi}"

    def ratio(self, value: float) -> float:
        """Progress 0–1: the share of the low end reached (a range is met at its low end)."""
        if self.low <= 0:
            return 1.0 if value >= self.low else 0.0
        return float(min(max(value / self.low, 0.0), 1.0))


@dataclass(frozen=True)
class Indicator:
    """One indicator of the registry."""

    code: str
    title_vi: str
    title_en: str
    target: Target | None
    unit_vi: str = ""
    unit_en: str = ""
    method: str = "count"
    measure: str = "count"
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("completed",)
    department_vi: str = ""
    department_en: str = ""
    note_vi: str = ""
    note_en: str = ""
    origin: str = "file"  # file | store (edited or added in the app)
    updated_by: str | None = None
    updated_at: str | None = None

    def title(self, lang: str = "vi") -> str:
        return self.title_vi if lang == "vi" else (self.title_en or self.title_vi)

    def unit(self, lang: str = "vi") -> str:
        return self.unit_vi if lang == "vi" else (self.unit_en or self.unit_vi)

    def department(self, lang: str = "vi") -> str:
        return self.department_vi if lang == "vi" else (self.department_en or self.department_vi)

    def note(self, lang: str = "vi") -> str:
        return self.note_vi if lang == "vi" else (self.note_en or self.note_vi)

    def target_text(self, lang: str = "vi") -> str:
        return self.target.text(lang) if self.target else "—"

    def to_dict(self) -> dict[str, Any]:
        """The definition in the registry file's shape (what :func:`parse_definition` reads)."""
        target: Any = None
        if self.target is not None:
            target = _plain(self.target.low) if self.target.low == self.target.high \
                else [_plain(self.target.low), _plain(self.target.high)]
        return {"code": self.code, "title": {"vi": self.title_vi, "en": self.title_en}, "target": target,
                "unit": {"vi": self.unit_vi, "en": self.unit_en}, "method": self.method, "measure": self.measure,
                "categories": list(self.categories), "statuses": list(self.statuses),
                "department": {"vi": self.department_vi, "en": self.department_en},
                "note": {"vi": self.note_vi, "en": self.note_en}}


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _bad(where: str, vi: str, en: str, fld: str | None = None) -> InputError:
    return InputError(vi, en, file=where, field=fld)


def _pair(d: dict[str, Any], key: str) -> tuple[str, str]:
    v = d.get(key)
    if isinstance(v, dict):
        return str(v.get("vi") or "").strip(), str(v.get("en") or "").strip()
    text = "" if v is None else str(v).strip()
    return text, text


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise _bad(where, f"mục tiêu “{v}” không phải là số.", f"target “{v}” is not a number.", "target")
    try:
        x = float(str(v).replace(",", "."))
    except ValueError:
        raise _bad(where, f"mục tiêu “{v}” không phải là số.", f"target “{v}” is not a number.", "target") from None
    if not math.isfinite(x) or x < 0:
        raise _bad(where, "mục tiêu phải là số không âm.", "the target must be a non-negative number.", "target")
    return x


def parse_target(v: Any, where: str = "indicator") -> Target | None:
    """``20`` / ``"20"`` / ``[2, 3]`` / ``"2-3"`` / ``None`` → :class:`Target` or None.

    >>> parse_target("50–55")
    Target(low=50.0, high=55.0)
    >>> parse_target("") is None
    True
    """
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, str) and re.search(r"\d\s*[-–]\s*\d", v):
        v = re.split(r"\s*[-–]\s*", v.strip(), maxsplit=1)
    if isinstance(v, list | tuple):
        if len(v) != 2:
            raise _bad(where, "khoảng mục tiêu phải có đúng hai số [thấp, cao].",
                       "a target range needs exactly two numbers [low, high].", "target")
        lo, hi = _number(v[0], where), _number(v[1], where)
        if lo > hi:
            raise _bad(where, f"khoảng mục tiêu {lo:g}–{hi:g} bị ngược; viết số nhỏ trước.",
                       f"target range {lo:g}–{hi:g} is reversed; put the smaller number first.", "target")
        return Target(lo, hi)
    x = _number(v, where)
    return Target(x, x)


def parse_definition(d: Any, where: str = "indicator", origin: str = "file") -> Indicator:
    """Check one registry entry and build its :class:`Indicator`.

    Raises
    ------
    InputError
        Naming the entry and the field that is wrong and how to fix it.
    """
    if not isinstance(d, dict):
        raise _bad(where, "mỗi chỉ tiêu phải là một bảng khóa: giá trị.", "each indicator must be a mapping.")
    code = str(d.get("code") or "").strip()
    if not _CODE.match(code):
        raise _bad(where, f"mã “{code}” không hợp lệ: dùng 1–20 chữ, số, dấu gạch, ví dụ CT13.",
                   f"code “{code}” is invalid: use 1–20 letters, digits or dashes, e.g. CT13.", "code")
    where = f"{where} {code}"
    title_vi, title_en = _pair(d, "title")
    if not title_vi and not title_en:
        raise _bad(where, "thiếu tên chỉ tiêu.", "the title is missing.", "title")
    method = str(d.get("method") or "count").strip()
    measure = str(d.get("measure") or "count").strip()
    if method not in METHODS:
        raise _bad(where, f"cách tính “{method}” không có; chọn {' / '.join(METHODS)}.",
                   f"method “{method}” is unknown; choose {' / '.join(METHODS)}.", "method")
    if measure not in MEASURES:
        raise _bad(where, f"đơn vị đo “{measure}” không có; chọn {' / '.join(MEASURES)}.",
                   f"measure “{measure}” is unknown; choose {' / '.join(MEASURES)}.", "measure")
    cats = tuple(str(c) for c in (d.get("categories") or ()))
    sts = tuple(str(s) for s in (d.get("statuses") or ("completed",)))
    for name, values, vocab in (("categories", cats, CATEGORY_BY_CODE), ("statuses", sts, STATUS_BY_CODE)):
        unknown = [v for v in values if v not in vocab]
        if unknown:
            raise _bad(where, f"mã {', '.join(unknown)} không có trong danh mục; chọn trong {', '.join(vocab)}.",
                       f"codes {', '.join(unknown)} are not in the vocabulary; choose from {', '.join(vocab)}.", name)
    unit_vi, unit_en = _pair(d, "unit")
    dep_vi, dep_en = _pair(d, "department")
    note_vi, note_en = _pair(d, "note")
    return Indicator(code, title_vi or title_en, title_en or title_vi, parse_target(d.get("target"), where),
                     unit_vi, unit_en, method, measure, cats, sts, dep_vi, dep_en, note_vi, note_en, origin,
                     d.get("_updated_by"), d.get("_updated_at"))


def load_registry(path: Path | None = None) -> list[Indicator]:
    """The indicators of the registry file (default ``data/indicators.yaml``).

    Raises
    ------
    InputError
        When the file is missing, is not YAML, or holds a broken or repeated entry.
    """
    path = Path(path) if path is not None else REGISTRY_FILE
    if not path.is_file():
        raise InputError("không tìm thấy danh mục chỉ tiêu; khôi phục tệp này từ kho mã.",
                         "the indicator registry is missing; restore this file from the repository.", file=str(path))
    return list(_load_registry(str(path), path.stat().st_mtime))


@lru_cache(maxsize=4)
def _load_registry(path: str, mtime: float) -> tuple[Indicator, ...]:
    try:
        doc = yaml.safe_load(Path(path).read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"không đọc được YAML ({exc}).", f"is not valid YAML ({exc}).", file=path) from exc
    if not isinstance(doc, list):
        raise InputError("phải là một danh sách các chỉ tiêu (- code: ...).",
                         "must be a list of indicators (- code: ...).", file=path)
    out: dict[str, Indicator] = {}
    for i, entry in enumerate(doc, start=1):
        ind = parse_definition(entry, f"{Path(path).name} #{i}")
        if ind.code in out:
            raise InputError(f"mã {ind.code} bị lặp (mục số {i}).", f"code {ind.code} is repeated (entry {i}).",
                             file=path, field="code")
        out[ind.code] = ind
    return tuple(out.values())


def registry(store: Store, path: Path | None = None) -> list[Indicator]:
    """The registry file overlaid by the definitions saved in the store, ordered by code."""
    by_code = {ind.code: ind for ind in load_registry(path)}
    for code, d in store.indicator_overrides().items():
        by_code[code] = parse_definition(d, "indicator_defs", origin="store")
    return sorted(by_code.values(), key=lambda ind: _code_key(ind.code))


def _code_key(code: str) -> tuple[str, int, str]:
    m = re.match(r"^(\D*)(\d+)(.*)$", code)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (code, 0, "")


def get_indicator(store: Store, code: str, path: Path | None = None) -> Indicator:
    """The indicator ``code``. Raises :class:`~geo.errors.NotFound`."""
    for ind in registry(store, path):
        if ind.code == code:
            return ind
    raise NotFound("chỉ tiêu", "indicator", code)


# ---------------------------------------------------------------- edits (wrap with a role check)


def save_definition(store: Store, definition: dict[str, Any], *, actor: str) -> Indicator:
    """Check and save an edited or new definition; return it. Raises InputError."""
    ind = parse_definition(definition, "indicator", origin="store")
    store.save_indicator_def(ind.code, ind.to_dict(), actor=actor)
    return ind


def reset_definition(store: Store, code: str, *, actor: str) -> None:
    """Drop an editor's definition of ``code`` (the registry file's entry applies again)."""
    store.delete_indicator_def(code, actor=actor)


def enter_value(store: Store, code: str, value: float, as_of: dt.date | str, *, actor: str,
                source: str | None = None, note: str | None = None, unit_layer: str | None = None,
                unit_code: str | None = None) -> int:
    """Record a hand-entered value of indicator ``code`` (city-wide, or of one unit). Returns its id."""
    get_indicator(store, code)
    day = parse_date(as_of, "as_of")
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x):
        raise InputError(f"giá trị “{value}” không phải là số.", f"value “{value}” is not a number.", field="value")
    if unit_code and unit_layer not in ("district", "commune"):
        raise InputError("lớp đơn vị phải là district hoặc commune.", "the unit layer must be district or commune.",
                         field="unit_layer")
    return store.add_indicator_value(code, x, day.isoformat(), actor=actor, source=source, note=note,
                                     unit_layer=unit_layer, unit_code=unit_code)


def remove_value(store: Store, value_id: int, *, actor: str) -> None:
    """Remove one hand-entered value (the audit trail keeps it)."""
    store.delete_indicator_value(value_id, actor=actor)


def set_pledge(store: Store, code: str, layer: str, unit_code: str, target: float | None, *, actor: str) -> None:
    """Set or (``target=None``) remove a district's/commune's pledge for indicator ``code``."""
    get_indicator(store, code)
    if layer not in ("district", "commune"):
        raise InputError("lớp đơn vị phải là district hoặc commune.", "the unit layer must be district or commune.",
                         field="layer")
    store.set_unit_target(code, layer, unit_code, None if target is None else _number(target, "pledge"), actor=actor)


# ---------------------------------------------------------------- dates and numbers


def parse_date(value: dt.date | str | None, fld: str = "as_of") -> dt.date:
    """A date from a ``date`` or ``YYYY-MM-DD`` text; None is today."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InputError(f"ngày “{value}” không đúng dạng YYYY-MM-DD.", f"date “{value}” is not YYYY-MM-DD.",
                         field=fld) from None


def programme_window() -> tuple[dt.date, dt.date]:
    """(start, end) of the programme, from ``P03_PROGRAMME_START`` / ``P03_PROGRAMME_END``."""
    return settings.get("P03_PROGRAMME_START"), settings.get("P03_PROGRAMME_END")


def fmt_number(x: float | None, lang: str = "vi", digits: int = 2) -> str:
    """``12.5`` → ``12,5`` (vi) / ``12.5`` (en); integers without decimals; None → ``—``.

    >>> fmt_number(1234.5, "vi")
    '1.234,5'
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_date(d: dt.date | str | None, lang: str = "vi") -> str:
    if d is None or d == "":
        return "—"
    day = parse_date(d)
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


# ---------------------------------------------------------------- measuring sites


def indicator_sites(sites: gpd.GeoDataFrame, ind: Indicator) -> gpd.GeoDataFrame:
    """The sites behind ``ind`` (any status): its code in their ``indicator`` column, or no code
    and a category the indicator lists."""
    code = sites["indicator"].fillna("").astype(str)
    mask = (code == ind.code) | ((code == "") & sites["category"].isin(ind.categories))
    return sites[mask.to_numpy()]


def completion_dates(sites: gpd.GeoDataFrame, ind: Indicator, start: dt.date,
                     since: dict[str, pd.Timestamp] | None = None) -> pd.Series:
    """For each site, the date it counts from (its ``end_date``; when it is achieved but undated,
    the day its status became the current one, from its history (``since``, see
    :func:`status_since`), else the programme start), or NaT when its status is not achieved."""
    end = pd.to_datetime(sites["end_date"], errors="coerce", format="ISO8601")
    achieved = sites["status"].isin(ind.statuses).to_numpy()
    became = pd.to_datetime(sites["id"].map(since or {}), errors="coerce")
    dates = end.where(end.notna(), became.where(became.notna(), pd.Timestamp(start)))
    return dates.where(achieved, pd.NaT)


def status_since(store: Store) -> dict[str, pd.Timestamp]:
    """Site id -> the day (UTC) its current status began, for the sites whose history shows the
    change (a site stored with its status from its first version is absent: since when is unknown)."""
    getter = getattr(store, "status_changes", None)
    rows = pd.DataFrame(getter() if getter else [], columns=["id", "version", "at", "status", "deleted"])
    if rows.empty:
        return {}
    rows = rows.sort_values(["id", "version"])
    prev = rows.groupby("id")["status"].shift()
    starts = rows[prev.notna() & (prev != rows["status"]) & (rows["deleted"] == 0)]
    last = rows.groupby("id").tail(1).set_index("id")["status"]
    starts = starts[starts["status"].to_numpy() == last.reindex(starts["id"]).to_numpy()]
    latest = starts.groupby("id")["at"].max()
    return {str(k): pd.Timestamp(str(v)[:10]) for k, v in latest.items()}


def measure(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """(length in km of lines, area in ha of polygons) per geometry, in EPSG:3405; 0 for others."""
    if not len(geoms):
        return np.zeros(0), np.zeros(0)
    metric = geoms.to_crs(METRIC_CRS).to_numpy()
    dim = shapely.get_dimensions(metric)
    length = np.where(dim == 1, shapely.length(metric) / 1000.0, 0.0)
    area = np.where(dim == 2, shapely.area(metric) / 10_000.0, 0.0)
    return length, area


# ---------------------------------------------------------------- progress and status


@dataclass
class Progress:
    """Where one indicator stands at ``as_of``."""

    indicator: Indicator
    as_of: dt.date
    value: float | None
    count: int = 0  # achieved sites
    total: int = 0  # sites behind the indicator, any status
    length_km: float = 0.0
    area_ha: float = 0.0
    undated: int = 0  # achieved sites without an end_date (counted from the start)
    progress: float | None = None
    expected: float | None = None
    status: str = "no_data"
    reason_vi: str = ""
    reason_en: str = ""
    last_change: str | None = None  # ISO date
    last_change_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str = "vi") -> str:
        return self.reason_vi if lang == "vi" else self.reason_en

    def value_text(self, lang: str = "vi") -> str:
        return fmt_number(self.value, lang)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The JSON shape the CLI prints."""
        ind = self.indicator
        target: Any = None
        if ind.target is not None:
            target = _plain(ind.target.low) if ind.target.low == ind.target.high \
                else [_plain(ind.target.low), _plain(ind.target.high)]
        return {"code": ind.code, "title": ind.title(lang), "target": target, "unit": ind.unit(lang),
                "method": ind.method, "measure": ind.measure,
                "value": None if self.value is None else _plain(round(self.value, 3)),
                "progress": None if self.progress is None else round(self.progress, 4),
                "expected": None if self.expected is None else round(self.expected, 4),
                "status": self.status, "reason": self.reason(lang), "as_of": self.as_of.isoformat(),
                "count": self.count, "total": self.total, "length_km": round(self.length_km, 3),
                "area_ha": round(self.area_ha, 3), "undated": self.undated, "last_change": self.last_change,
                "department": ind.department(lang)}


def expected_share(as_of: dt.date, start: dt.date, end: dt.date) -> float:
    """The straight line: 0 at ``start``, 1 at ``end``.

    >>> expected_share(dt.date(2021, 1, 6), dt.date(2021, 1, 1), dt.date(2021, 1, 11))
    0.5
    """
    span = (end - start).days
    if span <= 0:
        return 1.0 if as_of >= end else 0.0
    return round(min(max((as_of - start).days / span, 0.0), 1.0), 4)


def judge(p: Progress, start: dt.date, end: dt.date) -> Progress:
    """Set ``progress``, ``expected``, ``status`` and the reason (vi/en) of ``p``."""
    ind = p.indicator
    vi, en = _achieved_text(p)
    if ind.target is None:
        p.status = "no_target"
        p.reason_vi = f"Chương trình không nêu con số mục tiêu; {vi}."
        p.reason_en = f"The programme names no figure; {en}."
        return _undated_note(p)
    if p.value is None:
        p.status = "no_data"
        p.reason_vi = f"Chưa có số liệu nhập tay đến ngày {fmt_date(p.as_of, 'vi')}; hãy nhập giá trị."
        p.reason_en = f"No value entered up to {fmt_date(p.as_of, 'en')}; enter one."
        return p
    p.progress = ind.target.ratio(p.value)
    p.expected = expected_share(p.as_of, start, end)
    tvi, ten = ind.target.text("vi"), ind.target.text("en")
    pct = f"{p.progress:.0%}"
    if p.progress >= 1.0:
        p.status = "done"
        p.reason_vi = f"Đã đạt mục tiêu: {vi} / {tvi} {ind.unit('vi')}."
        p.reason_en = f"Target reached: {en} of {ten} {ind.unit('en')}."
    else:
        need = ind.target.low * p.expected
        line_vi = (f"đường thẳng từ {fmt_date(start, 'vi')} đến {fmt_date(end, 'vi')} cần {p.expected:.0%} "
                   f"({fmt_number(need, 'vi', 1)}) vào ngày {fmt_date(p.as_of, 'vi')}")
        line_en = (f"the straight line from {fmt_date(start, 'en')} to {fmt_date(end, 'en')} expects "
                   f"{p.expected:.0%} ({fmt_number(need, 'en', 1)}) by {fmt_date(p.as_of, 'en')}")
        if p.progress + 1e-9 >= p.expected:
            p.status = "on_track"
            p.reason_vi = f"Đúng tiến độ: {vi} / {tvi} ({pct}); {line_vi}."
            p.reason_en = f"On track: {en} of {ten} ({pct}); {line_en}."
        else:
            p.status = "at_risk"
            gap = need - p.value
            late = p.as_of > end
            p.reason_vi = (f"Chậm: {vi} / {tvi} ({pct}); "
                           + (f"đã quá hạn {fmt_date(end, 'vi')}" if late else line_vi)
                           + f"; còn thiếu {fmt_number(gap, 'vi', 1)}.")
            p.reason_en = (f"At risk: {en} of {ten} ({pct}); "
                           + (f"the end date {fmt_date(end, 'en')} has passed" if late else line_en)
                           + f"; {fmt_number(gap, 'en', 1)} short.")
    return _undated_note(p)


def _achieved_text(p: Progress) -> tuple[str, str]:
    ind = p.indicator
    if ind.method == "manual":
        return (f"giá trị {fmt_number(p.value, 'vi')} {ind.unit('vi')}".strip(),
                f"value {fmt_number(p.value, 'en')} {ind.unit('en')}".strip())
    vi = f"{fmt_number(p.value, 'vi')} {ind.unit('vi')}".strip()
    en = f"{fmt_number(p.value, 'en')} {ind.unit('en')}".strip()
    if ind.measure == "count" and p.length_km > 0:
        vi += f" (tổng chiều dài {fmt_number(p.length_km, 'vi')} km)"
        en += f" ({fmt_number(p.length_km, 'en')} km in total)"
    if ind.target is None:
        return f"đã hoàn thành {vi}", f"{en} completed"
    return vi, en


def _undated_note(p: Progress) -> Progress:
    if p.undated and p.indicator.method == "count":
        p.reason_vi += f" {p.undated} công trình hoàn thành chưa có ngày hoàn thành được tính từ đầu chương trình."
        p.reason_en += f" {p.undated} completed site(s) without an end date are counted from the programme start."
    return p


def _site_progress(p: Progress, sites: gpd.GeoDataFrame, start: dt.date,
                   since: dict[str, pd.Timestamp] | None = None) -> Progress:
    ind = p.indicator
    mine = indicator_sites(sites, ind)
    when = completion_dates(mine, ind, start, since)
    done = (when.notna() & (when <= pd.Timestamp(p.as_of))).to_numpy()
    length, area = measure(mine.geometry[done])
    p.total, p.count = len(mine), int(done.sum())
    p.length_km, p.area_ha = float(length.sum()), float(area.sum())
    undated = (mine["end_date"].isna() | (mine["end_date"].astype(str).str.strip() == "")) \
        & ~mine["id"].isin(list(since or {}))
    p.undated = int((done & undated.to_numpy()).sum())
    if ind.method == "count":
        p.value = {"count": float(p.count), "length_km": p.length_km, "area_ha": p.area_ha}[ind.measure]
        dated = when[done & ~undated.to_numpy()]
        p.last_change = dated.max().date().isoformat() if len(dated) else None
    return p


def _manual_progress(p: Progress, values: pd.DataFrame) -> Progress:
    city = values[(values["indicator"] == p.indicator.code) & values["unit_code"].isna()
                  & (values["as_of"] <= p.as_of.isoformat())]
    if len(city):
        last = city.iloc[-1]  # ordered by as_of, entered_at, id
        p.value = float(last["value"])
        p.last_change, p.last_change_by = str(last["as_of"]), str(last["entered_by"])
        p.extra["source"] = last["source"]
    return p


def compute(store: Store, as_of: dt.date | str | None = None, *, indicators: list[Indicator] | None = None,
            sites: gpd.GeoDataFrame | None = None) -> list[Progress]:
    """Progress and status of every indicator (or of ``indicators``) at ``as_of`` (default today)."""
    day = parse_date(as_of)
    start, end = programme_window()
    inds = indicators if indicators is not None else registry(store)
    sites = sites if sites is not None else store.query_sites()
    values = store.indicator_values()
    since = status_since(store)
    out = []
    for ind in inds:
        p = _site_progress(Progress(ind, day, None), sites, start, since)
        if ind.method == "manual":
            p = _manual_progress(p, values)
        out.append(judge(p, start, end))
    return out


def report_table(progress: list[Progress], lang: str = "vi") -> pd.DataFrame:
    """The indicator table (exports, the CLI): one row per indicator, plain columns."""
    rows = []
    for p in progress:
        d = p.to_dict(lang)
        d["target"] = p.indicator.target_text(lang)
        rows.append({k: d[k] for k in ("code", "title", "target", "unit", "value", "progress", "expected",
                                        "status", "count", "total", "length_km", "area_ha", "last_change",
                                        "department", "reason")})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- history


def history(store: Store, ind: Indicator, *, sites: gpd.GeoDataFrame | None = None,
            until: dt.date | None = None) -> pd.DataFrame:
    """The indicator's time series: one row per date its value changed (``date``, ``value``,
    ``source`` = ``sites`` or ``manual``), oldest first, up to ``until`` (default today)."""
    start, _end = programme_window()
    until = until or dt.date.today()
    if ind.method == "manual":
        v = store.indicator_values(ind.code)
        v = v[v["unit_code"].isna() & (v["as_of"] <= until.isoformat())]
        df = pd.DataFrame({"date": pd.to_datetime(v["as_of"]), "value": v["value"].astype(float),
                           "source": "manual"})
        return df.drop_duplicates("date", keep="last").reset_index(drop=True)
    sites = sites if sites is not None else store.query_sites()
    mine = indicator_sites(sites, ind)
    when = completion_dates(mine, ind, start, status_since(store))
    ok = (when.notna() & (when <= pd.Timestamp(until))).to_numpy()
    length, area = measure(mine.geometry[ok])
    per = pd.DataFrame({"date": when[ok].to_numpy(), "count": 1.0, "length_km": length, "area_ha": area})
    per = per.groupby("date", as_index=False).sum().sort_values("date")
    return pd.DataFrame({"date": pd.to_datetime(per["date"]), "value": per[ind.measure].cumsum().astype(float),
                         "source": "sites"}).reset_index(drop=True)


# ---------------------------------------------------------------- by district / commune


def _pairs(sites: gpd.GeoDataFrame, layer: str) -> pd.DataFrame:
    """(position of site, unit code) for every unit each site lies in or touches (stored codes)."""
    codes = sites[f"{layer}_codes"].fillna("").astype(str).str.split(";")
    pairs = pd.DataFrame({"pos": np.arange(len(sites)), "code": codes.to_numpy()}).explode("code")
    return pairs[pairs["code"].notna() & (pairs["code"] != "")].reset_index(drop=True)


def by_unit(store: Store, ind: Indicator, b: Boundaries, layer: str = "district",
            as_of: dt.date | str | None = None, *, sites: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Where each district (or 2025 commune) stands on ``ind`` at ``as_of``.

    Columns: ``code``, ``name``, ``name_en``, ``total`` (sites behind the indicator touching the
    unit), ``count`` (achieved by ``as_of``), ``value`` (the indicator's measure within the unit:
    the count, or the length/area of the part inside it; for hand-entered indicators the unit's
    latest entered value), ``share`` (count / total), ``target`` (the pledge), ``gap`` (pledge
    minus value, never below 0). A site touching two units counts in both.
    """
    day = parse_date(as_of)
    start, _end = programme_window()
    units = b.layer(layer)
    mine = indicator_sites(sites if sites is not None else store.query_sites(), ind)
    when = completion_dates(mine, ind, start, status_since(store))
    done = (when.notna() & (when <= pd.Timestamp(day))).to_numpy()
    pairs = _pairs(mine, layer)
    pairs["done"] = done[pairs["pos"].to_numpy().astype(int)]
    pairs["value"] = _unit_measure(mine, pairs, units, ind) * pairs["done"] if len(pairs) else 0.0
    agg = pairs.groupby("code").agg(total=("pos", "size"), count=("done", "sum"), value=("value", "sum"))
    table = pd.DataFrame({"code": units["code"].astype(str), "name": units["name"], "name_en": units["name_en"]})
    table = table.merge(agg, left_on="code", right_index=True, how="left")
    table[["total", "count", "value"]] = table[["total", "count", "value"]].fillna(0)
    table[["total", "count"]] = table[["total", "count"]].astype(int)
    table["value"] = table["value"].astype(float)
    if ind.method == "manual":
        table["value"] = _unit_hand_values(store, ind, layer, day, table["code"])
    table["share"] = np.where(table["total"] > 0, table["count"] / table["total"].where(table["total"] > 0, 1), np.nan)
    targets = store.unit_targets(ind.code, layer).set_index("unit_code")["target"]
    table["target"] = table["code"].map(targets).astype(float)
    table["gap"] = (table["target"] - table["value"]).clip(lower=0)
    return table.reset_index(drop=True)


def _unit_measure(mine: gpd.GeoDataFrame, pairs: pd.DataFrame, units: gpd.GeoDataFrame, ind: Indicator) -> np.ndarray:
    if ind.measure == "count":
        return np.ones(len(pairs))
    geoms = mine.geometry.to_numpy()[pairs["pos"].to_numpy()]
    shapes = units.set_index("code").geometry.reindex(pairs["code"]).to_numpy()
    clipped = gpd.GeoSeries(shapely.intersection(geoms, shapes), crs=4326)
    length, area = measure(clipped)
    return length if ind.measure == "length_km" else area


def _unit_hand_values(store: Store, ind: Indicator, layer: str, day: dt.date, codes: pd.Series) -> pd.Series:
    v = store.indicator_values(ind.code)
    v = v[(v["unit_layer"] == layer) & (v["as_of"] <= day.isoformat())]
    latest = v.groupby("unit_code")["value"].last()
    return codes.map(latest).astype(float)


def sites_for_unit(store: Store, ind: Indicator, layer: str, code: str) -> gpd.GeoDataFrame:
    """The sites behind ``ind`` in one unit (any status)."""
    sites = indicator_sites(store.query_sites(), ind)
    return sites[sites[f"{layer}_codes"].fillna("").str.split(";").map(lambda cs: code in cs).to_numpy()]


def with_definition(ind: Indicator, **changes: Any) -> Indicator:
    """A copy of ``ind`` with fields changed (for the editor's form)."""
    return replace(ind, **changes)


def status_label(status: str, lang: str = "vi") -> str:
    """``at_risk`` → "Chậm tiến độ" / "At risk"."""
    from geo.i18n import t

    return t(f"ind_status_{status}", lang)


def unit_lag(table: pd.DataFrame, expected: float | None) -> pd.DataFrame:
    """``table`` (from :func:`by_unit`) with ``expected`` (the share of the programme's time gone
    by, the same for every unit) and ``lag``: the unit's share achieved minus that, so < 0 means
    behind the straight line; NaN for a unit with no site behind the indicator (no data, which is
    not the same as 0). Sorted worst first, units without data last.

    >>> t = pd.DataFrame({"code": ["a", "b", "c"], "share": [0.9, 0.2, float("nan")]})
    >>> unit_lag(t, 0.5)[["code", "lag"]].to_dict("list")
    {'code': ['b', 'a', 'c'], 'lag': [-0.3, 0.4, nan]}
    """
    out = table.copy()
    out["expected"] = np.nan if expected is None else float(expected)
    out["lag"] = (out["share"] - out["expected"]).round(4)
    return out.sort_values("lag", na_position="last", kind="stable").reset_index(drop=True)


def worst_indicator(progress: list[Progress]) -> str | None:
    """The code of the indicator furthest behind its straight line (progress minus expected),
    the one the by-district view opens on; None when none has a value."""
    known = [p for p in progress if p.progress is not None and p.expected is not None]
    if not known:
        return progress[0].indicator.code if progress else None
    return min(known, key=lambda p: float(p.progress or 0.0) - float(p.expected or 0.0)).indicator.code
