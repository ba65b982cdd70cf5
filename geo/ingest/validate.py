"""Attribute checks of an upload: the file's columns matched (or mapped by the user) to the site
schema, category and status matched against the bilingual vocabulary, dates and numbers parsed,
duplicates flagged (same id, or same name within 50 m, in the file or in the store). Every problem
is reported per feature; values repeated across features are parsed once."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo import crs as crs_mod
from geo.errors import InputError
from geo.i18n import fold
from geo.ingest import matching
from geo.ingest.read import _norm_col
from geo.ingest.report import ERROR, Problems
from geo.schema import CATEGORY_BY_CODE, COLUMN_SYNONYMS, FIELDS, STATUS_BY_CODE, match_category, match_status
from geo.store.base import SiteFilter, Store

#: schema fields read from the file (the rest are derived)
INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if not f.derived and f.name != "geometry")
MAX_LEN = {"id": 100, "name": 300, "indicator": 50, "responsible_unit": 2000, "notes": 10_000, "category": 300,
           "status": 300}
DUPLICATE_M = 50.0
_LABELS = {f.name: (f.vi, f.en) for f in FIELDS}
#: mapping keys besides the schema fields
MAPPING_EXTRA = ("lon", "lat", "geometry", "category_values", "status_values", "category_default", "status_default")


@dataclass
class Attributes:
    """The file's attributes in the schema's columns, and what could not be matched."""

    frame: pd.DataFrame
    columns: dict[str, str | None]  # schema field -> the file's column used
    unmatched: dict[str, list[str]] = field(default_factory=dict)  # category/status values to map
    unused: list[str] = field(default_factory=list)
    rules: list[matching.RuleUse] = field(default_factory=list)  # values matched by keyword rules
    suggested: dict[str, str | None] = field(default_factory=dict)  # unused column -> likely field


def resolve_columns(columns: list[str], mapping: dict[str, Any] | None, file_name: str) -> dict[str, str | None]:
    """Which of the file's columns feeds each schema field: the user's mapping first, then the
    field's name or an alias (English or Vietnamese, diacritics and case ignored).

    Raises
    ------
    InputError
        When the mapping names a column the file does not have, or an unknown field.
    """
    mapping = mapping or {}
    unknown = set(mapping) - set(INPUT_FIELDS) - set(MAPPING_EXTRA)
    if unknown:
        raise InputError(f"không có trường {', '.join(sorted(unknown))} để ghép cột.",
                         f"there is no field {', '.join(sorted(unknown))} to map a column to.", file=file_name)
    folded = {c: _norm_col(c) for c in columns}
    out: dict[str, str | None] = {}
    taken: set[str] = {str(mapping[k]) for k in ("lon", "lat", "geometry") if mapping.get(k)}
    for f in FIELDS:
        if f.derived or f.name == "geometry":
            continue
        if mapping.get(f.name):
            col = str(mapping[f.name])
            if col not in columns:
                raise InputError(f"không có cột “{col}”; các cột là: {', '.join(columns[:30])}.",
                                 f"there is no column “{col}”; the columns are: {', '.join(columns[:30])}.",
                                 file=file_name, field=f.name)
            out[f.name] = col
            taken.add(col)
            continue
        names = (f.name, f.name.replace("_", " "), *f.aliases, *COLUMN_SYNONYMS.get(f.name, ()))
        out[f.name] = next((c for n in names for c in columns if folded[c] == n and c not in taken), None)
        if out[f.name]:
            taken.add(str(out[f.name]))
    return out


def _text(col: pd.Series | None, n: int) -> pd.Series:
    if col is None:
        return pd.Series([None] * n, dtype=object)
    return pd.Series([(v.strip() or None) if type(v) is str else (None if _blank(v) else (str(v).strip() or None))
                      for v in col.tolist()], dtype=object)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA or v is pd.NaT


def _omap(col: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` over a column, keeping None as None (pandas' ``map`` may turn it into NaN)."""
    return pd.Series([fn(v) for v in col.tolist()], dtype=object)


def check_attributes(props: pd.DataFrame, mapping: dict[str, Any] | None, file_name: str,
                     problems: Problems, coord_columns: set[str]) -> Attributes:
    """The schema attributes of every feature; problems added per feature."""
    mapping = mapping or {}
    n = len(props)
    columns = [str(c) for c in props.columns]
    cols = resolve_columns(columns, mapping, file_name)
    cols.update(matching.weak_columns(props, cols, mapping))
    frame = pd.DataFrame({name: _text(props[c] if c else None, n) for name, c in cols.items()})
    attrs = Attributes(frame, cols)
    _check_lengths(frame, problems)
    _check_name(frame, cols, columns, problems)
    for fld, matcher, vocab in (("category", match_category, CATEGORY_BY_CODE), ("status", match_status, STATUS_BY_CODE)):
        attrs.unmatched[fld] = _check_vocab(frame, fld, matcher, vocab, mapping, cols, columns, problems, file_name,
                                            attrs.rules)
    for fld in ("start_date", "end_date"):
        frame[fld] = _parse_each(frame, fld, _date, problems, "không phải ngày; hãy viết YYYY-MM-DD hoặc DD/MM/YYYY.",
                                 "is not a date; write YYYY-MM-DD or DD/MM/YYYY.")
    _check_date_order(frame, problems)
    for fld, lo, hi in (("budget_vnd", 0.0, None), ("progress_pct", 0.0, 100.0)):
        frame[fld] = _parse_each(frame, fld, _number, problems, "không phải số.", "is not a number.")
        _check_range(frame, fld, lo, hi, problems)
    _drop_row_number_ids(frame, cols, problems)
    _check_repeated_ids(frame, problems)
    used = {c for c in cols.values() if c} | coord_columns
    attrs.unused = [c for c in columns if c not in used]
    free = [f for f in INPUT_FIELDS if not cols.get(f)]
    attrs.suggested = {c: matching.suggest_field(props.iloc[:, columns.index(c)], free) for c in attrs.unused[:20]}
    if attrs.unused:
        shown = ", ".join(attrs.unused[:8]) + (f" … (+{len(attrs.unused) - 8})" if len(attrs.unused) > 8 else "")
        problems.file_warning(f"các cột không dùng đến (không lưu): {shown}.", f"columns not used (not stored): {shown}.")
    return attrs


def _check_lengths(frame: pd.DataFrame, problems: Problems) -> None:
    for fld, limit in MAX_LEN.items():
        lens = np.array([len(v) if v else 0 for v in frame[fld].tolist()], dtype=int)
        for i in np.flatnonzero(lens > limit):
            problems.add(int(i), fld, frame.at[i, fld], ERROR, f"dài {lens[i]:,} ký tự, quá giới hạn {limit:,}.",
                         f"is {lens[i]:,} characters long, beyond the limit of {limit:,}.")
            frame.at[i, fld] = None if fld != "name" else frame.at[i, fld][:limit]


def _check_name(frame: pd.DataFrame, cols: dict[str, str | None], columns: list[str], problems: Problems) -> None:
    missing = np.flatnonzero(frame["name"].isna().to_numpy())
    if cols["name"] is None:
        shown = ", ".join(columns[:12]) or "—"
        problems.add_each(missing, "name", None, ERROR,
                          f"thiếu tên: tệp không có cột tên (ten, name, tên công trình…). Các cột: {shown}. Hãy chọn "
                          "cột làm tên.", f"no name: the file has no name column (name, ten, tên công trình…). "
                          f"Columns: {shown}. Map one of them to the name.")
    else:
        problems.add_each(missing, "name", None, ERROR, f"tên trống (cột “{cols['name']}”).",
                          f"the name is empty (column “{cols['name']}”).")


def _check_vocab(frame: pd.DataFrame, fld: str, matcher: Callable[[object], str | None], vocab: dict[str, Any],
                 mapping: dict[str, Any], cols: dict[str, str | None], columns: list[str], problems: Problems,
                 file_name: str, rules: list[matching.RuleUse] | None = None) -> list[str]:
    """Match ``fld`` against its vocabulary; return the distinct unmatched values."""
    values_map = {str(k).strip(): v for k, v in (mapping.get(f"{fld}_values") or {}).items()}
    default = mapping.get(f"{fld}_default") or None
    for code in [*values_map.values(), default]:
        if code is not None and code not in vocab:
            raise InputError(f"“{code}” không phải mã hợp lệ; chọn một trong {', '.join(vocab)}.",
                             f"“{code}” is not a valid code; choose one of {', '.join(vocab)}.",
                             file=file_name, field=fld)
    raw = frame[fld]
    lookup: dict[str, str | None] = {}
    for v in raw.dropna().unique():
        lookup[v] = values_map.get(v) or values_map.get(fold(v)) or matcher(v)
        if lookup[v] is None:  # as people phrase it: a keyword rule, said so in the report
            lookup[v], used = matching.vocab_code(fld, v)
            if used is not None and rules is not None:
                rules.append(used)
                problems.file_warning(
                    f"giá trị “{v}” được hiểu là {used.code} theo từ khóa “{used.keyword}”.",
                    f"value “{v}” was read as {used.code} by the keyword “{used.keyword}”.", fld)
    codes = _omap(raw, lambda v: lookup.get(v) if v is not None else default)
    unmatched_mask = raw.notna() & codes.isna()
    unmatched = sorted({str(v) for v in raw[unmatched_mask]})
    labels = ", ".join(vocab)
    for i in np.flatnonzero(unmatched_mask.to_numpy()):
        problems.add(int(i), fld, raw.iat[i], ERROR,
                     f"giá trị “{raw.iat[i]}” không có trong danh mục; hãy ghép nó với một mã ({labels}).",
                     f"value “{raw.iat[i]}” is not in the vocabulary; map it to a code ({labels}).")
    if fld == "category":
        empty = np.flatnonzero((raw.isna() & codes.isna()).to_numpy())
        if cols["category"] is None:
            shown = ", ".join(columns[:12]) or "—"
            problems.add_each(empty, fld, None, ERROR,
                              f"thiếu loại công trình: tệp không có cột loại (loai, category…). Các cột: {shown}. Hãy "
                              "chọn cột làm loại, hoặc chọn một loại cho tất cả.",
                              f"no category: the file has no category column (category, loai…). Columns: {shown}. "
                              "Map a column to it, or choose one category for all features.")
        else:
            problems.add_each(empty, fld, None, ERROR, "loại công trình trống.", "the category is empty.")
    frame[fld] = codes
    return unmatched


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _date(value: Any) -> str | None:
    """ISO date from common spellings (Vietnamese day-first), or None.

    >>> _date("05/09/2024"), _date("2024-9-5"), _date("2024-13-01")
    ('2024-09-05', '2024-09-05', None)
    """
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")


def _number(value: Any) -> float | None:
    """A number from "1.200.000", "1,200,000", "12,5", "15 tỷ" is not (None).

    >>> _number("1.200.000"), _number("12,5"), _number("abc")
    (1200000.0, 12.5, None)
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if np.isfinite(value) else None
    text = re.sub(r"(?i)\s|vn[dđ]|đồng|đ|%", "", str(value))
    if _THOUSANDS_DOT.match(text):
        text = text.replace(".", "")
    elif _THOUSANDS_COMMA.match(text):
        text = text.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _parse_each(frame: pd.DataFrame, fld: str, parse: Callable[[Any], Any], problems: Problems,
                vi: str, en: str) -> pd.Series:
    raw = frame[fld]
    parsed = {v: parse(v) for v in raw.dropna().unique()}
    out = _omap(raw, lambda v: parsed.get(v) if v is not None else None)
    for i in np.flatnonzero((raw.notna() & out.isna()).to_numpy()):
        problems.add(int(i), fld, raw.iat[i], ERROR, f"“{raw.iat[i]}” {vi}", f"“{raw.iat[i]}” {en}")
    return out


def _check_range(frame: pd.DataFrame, fld: str, lo: float | None, hi: float | None, problems: Problems) -> None:
    vals = pd.to_numeric(frame[fld], errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(vals) & (((vals < lo) if lo is not None else False) | ((vals > hi) if hi is not None else False))
    rng = f"{lo:g}–{hi:g}" if hi is not None else f"≥ {lo:g}"
    for i in np.flatnonzero(bad):
        problems.add(int(i), fld, vals[i], ERROR, f"{vals[i]:g} nằm ngoài khoảng cho phép ({rng}).",
                     f"{vals[i]:g} is outside the allowed range ({rng}).")
    frame[fld] = pd.Series(np.where(bad, np.nan, vals), dtype="float64")


def _check_date_order(frame: pd.DataFrame, problems: Problems) -> None:
    both = frame["start_date"].notna() & frame["end_date"].notna()
    bad = both & (frame["end_date"].astype(str) < frame["start_date"].astype(str))
    for i in np.flatnonzero(bad.to_numpy()):
        problems.add(int(i), "end_date", frame.at[i, "end_date"], ERROR,
                     f"ngày hoàn thành trước ngày bắt đầu ({frame.at[i, 'start_date']}).",
                     f"the end date is before the start date ({frame.at[i, 'start_date']}).")


def _drop_row_number_ids(frame: pd.DataFrame, cols: dict[str, str | None], problems: Problems) -> None:
    """Ids that are just row numbers (1, 2, 3… as QGIS writes ``fid``) identify nothing across
    files: new ids are generated instead, so that two exports do not collide."""
    ids = frame["id"]
    if ids.isna().all():
        return
    values = ids.dropna().tolist()
    if not all(v.isdigit() for v in values):
        return
    numbers = [int(v) for v in values]
    if numbers in (list(range(len(numbers))), list(range(1, len(numbers) + 1))):
        frame["id"] = None
        col = cols.get("id") or "id"
        problems.file_warning(f"cột “{col}” chỉ là số thứ tự dòng; đã tạo mã mới cho các công trình.",
                              f"column “{col}” holds only row numbers; new ids were generated for the sites.", "id")


def _check_repeated_ids(frame: pd.DataFrame, problems: Problems) -> None:
    ids = frame["id"]
    dup = ids.notna() & ids.duplicated(keep="first")
    first = {v: i for i, v in reversed(list(enumerate(ids))) if v is not None}
    for i in np.flatnonzero(dup.to_numpy()):
        problems.add(int(i), "id", ids.iat[i], ERROR,
                     f"mã “{ids.iat[i]}” lặp lại (đã có ở đối tượng số {first[ids.iat[i]] + 1}).",
                     f"id “{ids.iat[i]}” is repeated (already used by feature {first[ids.iat[i]] + 1}).")


# ---------------------------------------------------------------- duplicates by place


def check_duplicates(geoms: np.ndarray, frame: pd.DataFrame, store: Store | None, problems: Problems) -> None:
    """Flag features with the same name within 50 m of an earlier one in the file or of a stored
    site, and ids already stored. Only features sharing a name are measured."""
    live = np.flatnonzero(~shapely.is_missing(geoms) & ~problems.rejected)
    if not len(live):
        return
    names = np.array([fast_fold(v) for v in frame["name"].tolist()], dtype=object)
    repeated = live[pd.Series(names[live]).duplicated(keep=False).to_numpy() & (names[live] != "")]
    if len(repeated):
        metric = crs_mod.to_metric(geoms[repeated])
        a, b = shapely.STRtree(metric).query(metric, predicate="dwithin", distance=DUPLICATE_M)
        same = (b < a) & (names[repeated[a]] == names[repeated[b]])
        flagged: set[int] = set()
        for i, j in zip(repeated[a[same]], repeated[b[same]], strict=True):
            if i in flagged:
                continue
            flagged.add(int(i))
            problems.add(int(i), "name", frame.at[i, "name"], ERROR,
                         f"trùng với đối tượng số {j + 1} của tệp (cùng tên, cách nhau dưới {DUPLICATE_M:.0f} m).",
                         f"duplicates feature {j + 1} of the file (same name, less than {DUPLICATE_M:.0f} m apart).")
    if store is not None:
        _against_store(geoms, live, names, frame, store, problems)


def _against_store(geoms: np.ndarray, live: np.ndarray, names: np.ndarray, frame: pd.DataFrame,
                   store: Store, problems: Problems) -> None:
    ids = [v for v in frame["id"].iloc[live].tolist() if v]
    stored_ids: set[str] = set()
    for k in range(0, len(ids), 500):
        stored_ids |= set(store.query_sites(SiteFilter(ids=ids[k:k + 500]))["id"])
    for i in live:
        if frame.at[i, "id"] in stored_ids:
            problems.add(int(i), "id", frame.at[i, "id"], ERROR, f"mã “{frame.at[i, 'id']}” đã có trong kho.",
                         f"id “{frame.at[i, 'id']}” is already in the store.")
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[live])
    pad = 0.001
    stored = store.query_sites(SiteFilter(bbox=(minx - pad, miny - pad, maxx + pad, maxy + pad)))
    if stored.empty:
        return
    s_names = np.array([fast_fold(v) for v in stored["name"].tolist()], dtype=object)
    cand = live[np.isin(names[live], s_names)]
    if not len(cand):
        return
    tree = shapely.STRtree(crs_mod.to_metric(stored.geometry.to_numpy()))
    a, b = tree.query(crs_mod.to_metric(geoms[cand]), predicate="dwithin", distance=DUPLICATE_M)
    same = names[cand[a]] == s_names[b]
    done: set[int] = set()
    for k, s in zip(cand[a[same]], b[same], strict=True):
        if k in done:
            continue
        done.add(int(k))
        sid, batch = stored["id"].iat[s], stored["batch_id"].iat[s] or "—"
        problems.add(int(k), "name", frame.at[k, "name"], ERROR,
                     f"trùng với công trình đã lưu “{sid}” (lô {batch}): cùng tên, cách dưới {DUPLICATE_M:.0f} m.",
                     f"duplicates stored site “{sid}” (batch {batch}): same name, less than {DUPLICATE_M:.0f} m away.")


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0xC0, 0x2000):
        ch = chr(code)
        if unicodedata.combining(ch):
            table[code] = None
        elif ch.isalpha():
            folded = fold(ch)
            if folded != ch:
                table[code] = folded
    return table


_FOLD = _fold_table()


def fast_fold(text: Any) -> str:
    """:func:`geo.i18n.fold` through one translation table (C speed, for thousands of names).

    >>> fast_fold("  Chợ  ĐỒNG Xuân ") == fold("  Chợ  ĐỒNG Xuân ")
    True
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFC", str(text)).translate(_FOLD).casefold()
    return " ".join(s.split())


# ---------------------------------------------------------------- one site (edits)


@dataclass
class Record:
    """One site's values and geometry after the upload checks (:func:`check_record`)."""

    values: dict[str, Any]
    geometry: Any
    problems: list[Any]

    @property
    def errors(self) -> list[Any]:
        return [p for p in self.problems if p.severity == ERROR]


def _as_geometry(value: Any) -> Any:
    """A shapely geometry from a geometry, a GeoJSON dict or WKT text (None when absent or unreadable)."""
    if value is None or isinstance(value, shapely.Geometry):
        return value
    try:
        if isinstance(value, dict):
            return shapely.geometry.shape(value)
        return shapely.from_wkt(str(value))
    except (shapely.errors.ShapelyError, ValueError, TypeError, AttributeError, KeyError):
        return None


def check_record(values: dict[str, Any], geometry: Any, b: Any, *, repair: bool = False,
                 name: str = "") -> Record:
    """One site (schema field -> value, and a geometry) through the very checks a feature of an
    upload goes through: attributes by :func:`check_attributes` on a one-row frame, geometry by
    :mod:`geo.ingest.normalise` (present, allowed type, finite, valid, inside Hanoi).

    ``repair``: an invalid geometry is repaired as in an upload; by default it is refused (an edit
    should not be silently reshaped). ``values`` may hold codes or labels, text or numbers.
    """
    from geo.ingest import normalise
    from geo.ingest.read import Raw

    fields = {k: v for k, v in values.items() if k in INPUT_FIELDS and k != "id"}
    props = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in fields.items()})
    problems = Problems(1)
    attrs = check_attributes(props, None, name, problems, set())
    geoms = np.empty(1, dtype=object)
    geoms[0] = _as_geometry(geometry)
    if geometry is not None and geoms[0] is None:
        problems.add(0, "geometry", str(geometry)[:60], ERROR, "hình học không đọc được (GeoJSON hoặc WKT).",
                     "the geometry cannot be read (GeoJSON or WKT).")
    else:
        geoms = normalise.readable(Raw("form", props, geoms), problems)
    if not problems.rejected[0] and not repair and not shapely.is_valid(geoms[0]):
        why = shapely.is_valid_reason(geoms[0])
        problems.add(0, "geometry", why, ERROR, f"hình học không hợp lệ ({why}); hãy sửa các đỉnh (ví dụ đường "
                     "biên tự cắt nhau).", f"the geometry is invalid ({why}); fix its vertices (e.g. a boundary "
                     "that crosses itself).")
    elif not problems.rejected[0]:
        geoms = normalise.repair(geoms, problems)
    if not problems.rejected[0]:
        normalise.inside_hanoi(geoms, b, problems)
    row = attrs.frame.iloc[0].to_dict()
    clean = {k: (None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v)
             for k, v in row.items() if k in fields}
    return Record(clean, geoms[0], problems.sorted())
