"""The indicator registry: ``data/indicators.yaml`` (committed) overlaid by the definitions editors
save in the store, each entry checked into an :class:`Indicator`.

An indicator is either *counted from sites* (``method: count``; measured as a count, a length of
lines in km or an area of polygons in ha) or *entered by hand* (``method: manual``). Its titles,
units, department and note are bilingual :class:`~geo.i18n.Text`; the registry file and the store
keep them as ``{vi, en}`` mappings (:meth:`Indicator.to_dict` writes that shape back).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from geo import fmt
from geo.errors import InputError, NotFound
from geo.i18n import Text
from geo.schema import CATEGORY_BY_CODE, STATUS_BY_CODE
from geo.store.base import Store

REGISTRY_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "indicators.yaml"
METHODS = ("count", "manual")
MEASURES = ("count", "length_km", "area_ha")
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")
_BLANK = Text("", "")


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
        """The target as people write it (``2–3``, ``12,5``)."""
        lo, hi = fmt.figure(self.low, lang), fmt.figure(self.high, lang)
        return lo if self.low == self.high else f"{lo}–{hi}"

    def ratio(self, value: float) -> float:
        """Progress 0–1: the share of the low end reached (a range is met at its low end)."""
        if self.low <= 0:
            return 1.0 if value >= self.low else 0.0
        return float(min(max(value / self.low, 0.0), 1.0))

    def plain(self) -> int | float | list[int | float]:
        """The target as the registry file writes it: ``20`` or ``[2, 3]``."""
        return plain(self.low) if self.low == self.high else [plain(self.low), plain(self.high)]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the registry. ``title``, ``unit``, ``department`` and ``note`` are
    :class:`~geo.i18n.Text`: call them with a language (``ind.title("en")``)."""

    code: str
    title: Text
    target: Target | None
    unit: Text = _BLANK
    method: str = "count"
    measure: str = "count"
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("completed",)
    department: Text = _BLANK
    note: Text = _BLANK
    origin: str = "file"  # file | store (edited or added in the app)
    updated_by: str | None = None
    updated_at: str | None = None

    def target_text(self, lang: str = "vi") -> str:
        """The target in ``lang``, or "—" when the programme names none."""
        return self.target.text(lang) if self.target else fmt.EMPTY

    def to_dict(self) -> dict[str, Any]:
        """The definition in the registry file's shape (what :func:`parse_definition` reads)."""
        return {"code": self.code, "title": _mapping(self.title),
                "target": None if self.target is None else self.target.plain(),
                "unit": _mapping(self.unit), "method": self.method, "measure": self.measure,
                "categories": list(self.categories), "statuses": list(self.statuses),
                "department": _mapping(self.department), "note": _mapping(self.note)}


def _mapping(text: Text) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en}


def plain(x: float) -> int | float:
    """``20.0`` → ``20``; other numbers unchanged (as JSON and YAML write them).

    >>> plain(20.0), plain(2.5)
    (20, 2.5)
    """
    return int(x) if float(x).is_integer() else float(x)


def _bad(where: str, vi: str, en: str, fld: str | None = None) -> InputError:
    return InputError(vi, en, file=where, field=fld)


def _text(d: dict[str, Any], key: str) -> Text:
    """A ``{vi, en}`` mapping (or one text for both) of an entry as :class:`Text`."""
    v = d.get(key)
    if isinstance(v, dict):
        return Text(str(v.get("vi") or "").strip(), str(v.get("en") or "").strip())
    text = "" if v is None else str(v).strip()
    return Text(text, text)


def number(v: Any, where: str, fld: str = "target") -> float:
    """A non-negative number from ``v`` (``"12,5"`` reads as 12.5). Raises InputError naming ``where``."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise _bad(where, f"mục tiêu “{v}” không phải là số.", f"target “{v}” is not a number.", fld)
    try:
        x = float(str(v).replace(",", "."))
    except ValueError:
        raise _bad(where, f"mục tiêu “{v}” không phải là số.", f"target “{v}” is not a number.", fld) from None
    if not math.isfinite(x) or x < 0:
        raise _bad(where, "mục tiêu phải là số không âm.", "the target must be a non-negative number.", fld)
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
        lo, hi = number(v[0], where), number(v[1], where)
        if lo > hi:
            raise _bad(where, f"khoảng mục tiêu {lo:g}–{hi:g} bị ngược; viết số nhỏ trước.",
                       f"target range {lo:g}–{hi:g} is reversed; put the smaller number first.", "target")
        return Target(lo, hi)
    x = number(v, where)
    return Target(x, x)


def _check_code(d: dict[str, Any], where: str) -> str:
    code = str(d.get("code") or "").strip()
    if not _CODE.match(code):
        raise _bad(where, f"mã “{code}” không hợp lệ: dùng 1–20 chữ, số, dấu gạch, ví dụ CT13.",
                   f"code “{code}” is invalid: use 1–20 letters, digits or dashes, e.g. CT13.", "code")
    return code


def _check_choice(d: dict[str, Any], key: str, choices: tuple[str, ...], where: str,
                  words: tuple[str, str]) -> str:
    value = str(d.get(key) or "count").strip()
    if value not in choices:
        raise _bad(where, f"{words[0]} “{value}” không có; chọn {' / '.join(choices)}.",
                   f"{words[1]} “{value}” is unknown; choose {' / '.join(choices)}.", key)
    return value


def _check_codes(d: dict[str, Any], where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cats = tuple(str(c) for c in (d.get("categories") or ()))
    sts = tuple(str(s) for s in (d.get("statuses") or ("completed",)))
    for name, values, vocab in (("categories", cats, CATEGORY_BY_CODE), ("statuses", sts, STATUS_BY_CODE)):
        unknown = [v for v in values if v not in vocab]
        if unknown:
            raise _bad(where, f"mã {', '.join(unknown)} không có trong danh mục; chọn trong {', '.join(vocab)}.",
                       f"codes {', '.join(unknown)} are not in the vocabulary; choose from {', '.join(vocab)}.", name)
    return cats, sts


def parse_definition(d: Any, where: str = "indicator", origin: str = "file") -> Indicator:
    """Check one registry entry and build its :class:`Indicator`.

    Raises
    ------
    InputError
        Naming the entry and the field that is wrong and how to fix it.
    """
    if not isinstance(d, dict):
        raise _bad(where, "mỗi chỉ tiêu phải là một bảng khóa: giá trị.", "each indicator must be a mapping.")
    code = _check_code(d, where)
    where = f"{where} {code}"
    title = _text(d, "title")
    if not title.vi and not title.en:
        raise _bad(where, "thiếu tên chỉ tiêu.", "the title is missing.", "title")
    method = _check_choice(d, "method", METHODS, where, ("cách tính", "method"))
    measure = _check_choice(d, "measure", MEASURES, where, ("đơn vị đo", "measure"))
    cats, sts = _check_codes(d, where)
    return Indicator(code, Text(title.vi or title.en, title.en or title.vi), parse_target(d.get("target"), where),
                     _text(d, "unit"), method, measure, cats, sts, _text(d, "department"), _text(d, "note"),
                     origin, d.get("_updated_by"), d.get("_updated_at"))


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


def with_definition(ind: Indicator, **changes: Any) -> Indicator:
    """A copy of ``ind`` with fields changed (for the editor's form)."""
    return replace(ind, **changes)


def blank_definition() -> dict[str, Any]:
    """A new indicator's definition before an editor fills it in (hand-entered, counted in sites)."""
    return {"code": "", "title": {"vi": "", "en": ""}, "target": None, "unit": {"vi": "", "en": ""},
            "method": "manual", "measure": "count", "categories": [], "statuses": ["completed"],
            "department": {"vi": "", "en": ""}, "note": {"vi": "", "en": ""}}
