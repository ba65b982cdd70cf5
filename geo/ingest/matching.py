"""How people name columns and write values, matched to the site schema: abbreviations that
also mean something else ("TT") accepted only when the column's values fit, keyword rules over
the folded text for category and status values, and a suggested field for each column left
unused (the upload page maps it with one click)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.i18n import fold
from geo.schema import WEAK_COLUMN_SYNONYMS, match_category, match_keyword, match_status

#: share of a column's distinct values that must fit a field for a weak synonym or a suggestion
FIT_SHARE = 0.5
_MATCHERS = {"category": match_category, "status": match_status}


@dataclass(frozen=True)
class RuleUse:
    """A value matched by a keyword rule: shown in the report so that the user sees why."""

    field: str
    value: str
    code: str
    keyword: str


def vocab_code(fld: str, value: object) -> tuple[str | None, RuleUse | None]:
    """The code of a category/status value: an exact match (label, code, synonym), else the first
    keyword rule the folded value holds (returned too), else None."""
    code = _MATCHERS[fld](value)
    if code is not None:
        return code, None
    rule = match_keyword(fld, value)
    if rule is None:
        return None, None
    return rule.code, RuleUse(fld, str(value), rule.code, as_written(str(value), rule.keyword))


def as_written(value: str, keyword: str) -> str:
    """The words of ``value`` that a folded ``keyword`` matched, as the file wrote them
    (diacritics kept), or the keyword when they cannot be found.

    >>> as_written("Khu xử lý Chất Thải Rắn", "chat thai ran")
    'Chất Thải Rắn'
    """
    chars, index = [], []
    for k, ch in enumerate(value):
        for c in fold(ch) or " ":
            chars.append(c)
            index.append(k)
    folded = "".join(chars)
    at = re.search(r"\s+".join(re.escape(w) for w in keyword.split()), folded)
    if at is None:
        return keyword
    return value[index[at.start()]:index[at.end() - 1] + 1]


def fit_share(fld: str, values: pd.Series) -> float:
    """The share of the distinct non-empty values that are ``fld`` values (exactly or by rule)."""
    distinct = {str(v).strip() for v in values.dropna().tolist() if str(v).strip()}
    if not distinct:
        return 0.0
    return sum(vocab_code(fld, v)[0] is not None for v in distinct) / len(distinct)


def weak_columns(props: pd.DataFrame, cols: dict[str, str | None], mapping: dict[str, Any] | None) -> dict[str, str]:
    """Fields still without a column that a column named by a weak synonym ("TT") feeds, when
    its values fit the field (statuses, not row numbers)."""
    mapping = mapping or {}
    taken = {c for c in cols.values() if c} | {str(mapping[k]) for k in ("lon", "lat", "geometry") if mapping.get(k)}
    out: dict[str, str] = {}
    for fld, names in WEAK_COLUMN_SYNONYMS.items():
        if cols.get(fld) or mapping.get(fld):
            continue
        for col in props.columns:
            if str(col) in taken or _folded_col(col) not in names:
                continue
            if fit_share(fld, props[col]) >= FIT_SHARE:
                out[fld] = str(col)
                taken.add(str(col))
                break
    return out


def _folded_col(name: object) -> str:
    from geo.ingest.read import _norm_col

    return _norm_col(str(name))


def suggest_field(values: pd.Series, free: list[str]) -> str | None:
    """The schema field (among ``free`` ones) an unused column most likely feeds: status or
    category when its values fit, dates, numbers, else notes for text."""
    from geo.ingest.validate import _date, _number

    sample = [v for v in values.dropna().tolist() if str(v).strip()][:200]
    if not sample:
        return None
    for fld in ("status", "category"):
        if fld in free and fit_share(fld, pd.Series(sample, dtype=object)) >= FIT_SHARE:
            return fld
    if all(_date(v) for v in sample):
        return next((f for f in ("start_date", "end_date") if f in free), None)
    numbers = [_number(v) for v in sample]
    if all(n is not None for n in numbers):
        if [float(n) for n in numbers if n is not None] == [float(k) for k in range(1, len(numbers) + 1)]:
            return None  # row numbers
        if all(0 <= float(n) <= 100 for n in numbers if n is not None) and "progress_pct" in free:
            return "progress_pct"
        if "budget_vnd" in free:
            return "budget_vnd"
        return None
    if len({fold(v) for v in sample}) > 1 and "notes" in free:
        return "notes"
    return None
