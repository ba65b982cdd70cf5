"""Where an indicator stands at a date (:class:`Progress`), the statuses it can have, the
programme's time window, and reading a date typed by a person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from geo import fmt, settings
from geo.errors import InputError
from geo.i18n import Text, t
from geo.indicators.registry import Indicator, plain

#: indicator statuses, in the order a chair reads them
STATUSES = ("done", "on_track", "at_risk", "no_data", "no_target")
STATUS_COLORS = {"done": "#2e7d32", "on_track": "#1976d2", "at_risk": "#c62828", "no_data": "#9e9e9e",
                 "no_target": "#757575"}


def parse_date(value: dt.date | str | None, fld: str = "as_of") -> dt.date:
    """A date from a ``date`` or ``YYYY-MM-DD`` text; None is today.

    >>> parse_date("2024-03-05T10:00:00")
    datetime.date(2024, 3, 5)
    """
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


def status_label(status: str, lang: str = "vi") -> str:
    """``at_risk`` → "Chậm tiến độ" / "At risk"."""
    return t(f"ind_status_{status}", lang)


@dataclass
class Progress:
    """Where one indicator stands at ``as_of``; ``reason`` says why, in both languages."""

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
    reason: Text = Text("", "")
    last_change: str | None = None  # ISO date
    last_change_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def value_text(self, lang: str = "vi") -> str:
        """The value as people read it ("—" when none)."""
        return fmt.figure(self.value, lang)

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The JSON shape the CLI prints."""
        ind = self.indicator
        return {"code": ind.code, "title": ind.title(lang),
                "target": None if ind.target is None else ind.target.plain(), "unit": ind.unit(lang),
                "method": ind.method, "measure": ind.measure,
                "value": None if self.value is None else plain(round(self.value, 3)),
                "progress": None if self.progress is None else round(self.progress, 4),
                "expected": None if self.expected is None else round(self.expected, 4),
                "status": self.status, "reason": self.reason(lang), "as_of": self.as_of.isoformat(),
                "count": self.count, "total": self.total, "length_km": round(self.length_km, 3),
                "area_ha": round(self.area_ha, 3), "undated": self.undated, "last_change": self.last_change,
                "department": ind.department(lang)}
