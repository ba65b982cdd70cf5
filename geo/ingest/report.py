"""The problem report of one upload: one row per problem (feature, field, value, message,
severity), as a table, a CSV download, JSON for the CLI and plain text."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import _where
from geo.i18n import pick
from geo.sites import spreadsheet_safe

ERROR = "error"
WARNING = "warning"
COLUMNS = ("feature", "field", "value", "severity", "message")
MAX_VALUE = 120


@dataclass(frozen=True)
class Problem:
    """One problem. ``feature`` is the 1-based feature number in the file (None: the whole file)."""

    feature: int | None
    field: str
    value: str
    severity: str
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        return pick(lang, self.vi, self.en)

    def full_message(self, file_name: str, lang: str = "vi") -> str:
        """The message prefixed with where: ``File “x”, feature 3, field “name”: …``."""
        where_vi, where_en = _where(file_name, self.feature, self.field or None)
        return pick(lang, where_vi, where_en) + self.message(lang)


def short(value: object) -> str:
    """A value as shown in the report (cut to :data:`MAX_VALUE` characters)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


@dataclass
class Problems:
    """Collects problems; ``rejected`` marks the (0-based) features with at least one error."""

    n: int
    items: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rejected = np.zeros(self.n, dtype=bool)

    def add(self, index: int | None, fld: str, value: object, severity: str, vi: str, en: str) -> None:
        """Add one problem for the 0-based feature ``index`` (None: the whole file)."""
        self.items.append(Problem(None if index is None else int(index) + 1, fld, short(value), severity, vi, en))
        if severity == ERROR and index is not None:
            self.rejected[int(index)] = True

    def add_each(self, indexes: Iterable[int], fld: str, values: Sequence[object] | None, severity: str,
                 vi: str, en: str) -> None:
        """The same message for many features (``values`` aligned with ``indexes`` or None)."""
        idx = [int(i) for i in indexes]
        vals: Sequence[object] = values if values is not None else [None] * len(idx)
        for i, v in zip(idx, vals, strict=True):
            self.add(i, fld, v, severity, vi, en)

    def file_warning(self, vi: str, en: str, fld: str = "") -> None:
        self.add(None, fld, None, WARNING, vi, en)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.feature is not None, p.feature or 0, p.severity != ERROR))


def table(problems: Sequence[Problem], lang: str = "vi") -> pd.DataFrame:
    """The report as a table with :data:`COLUMNS` (feature is empty for whole-file rows)."""
    rows = [{"feature": p.feature, "field": p.field, "value": p.value, "severity": p.severity,
             "message": p.message(lang)} for p in problems]
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["feature"] = df["feature"].astype("Int64")
    return df


def to_csv(problems: Sequence[Problem], lang: str = "vi") -> bytes:
    """The report as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly)."""
    buf = io.StringIO()
    df = table(problems, lang)
    spreadsheet_safe(df).to_csv(buf, index=False)  # no spreadsheet formulas from the file's own text
    return buf.getvalue().encode("utf-8-sig")


def as_json(problems: Sequence[Problem], file_name: str, lang: str = "vi") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(errors, warnings) as lists of ``{feature, field, value, message}``."""
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for p in problems:
        item = {"feature": p.feature, "field": p.field, "value": p.value,
                "message": p.full_message(file_name, lang)}
        (errors if p.severity == ERROR else warnings).append(item)
    return errors, warnings


def text(problems: Sequence[Problem], file_name: str, lang: str = "vi", limit: int = 200) -> str:
    """Plain-text lines, errors first, at most ``limit`` (with a count of the rest)."""
    ordered = sorted(problems, key=lambda p: (p.severity != ERROR, p.feature or 0))
    labels = {ERROR: pick(lang, "LỖI", "ERROR"), WARNING: pick(lang, "cảnh báo", "warning")}
    lines = [f"{labels.get(p.severity, p.severity)}: {p.full_message(file_name, lang)}" for p in ordered[:limit]]
    if len(ordered) > limit:
        rest = len(ordered) - limit
        lines.append(f"... {rest} " + pick(lang, "vấn đề nữa (xem --json)", "more problems (see --json)"))
    return "\n".join(lines)
