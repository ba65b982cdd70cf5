"""How values read to people, one way everywhere (the visit brief, the district map, the
indicators, the home page): money, dates, percentages, counts, and "—" for an empty value, never
``None``, ``nan`` or ``15820000000000.0``.

>>> money(15820000000000.0, "vi"), money(15820000000000.0, "en")
('15.820.000.000.000 đồng', 'VND 15,820,000,000,000')
>>> date("2024-03-05", "vi"), date("2024-03-05T00:00:00", "en"), date(None, "vi")
('05/03/2024', '2024-03-05', '—')
>>> percent(37.5, "vi"), percent(100.0, "en"), percent(float("nan"), "vi")
('37,5 %', '100 %', '—')
>>> number(1234567, "vi"), number(1234567, "en"), text("  "), text(None, empty="")
('1.234.567', '1,234,567', '—', '')
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from geo.i18n import pick

#: what an empty value reads as
EMPTY = "—"


def is_empty(value: Any) -> bool:
    """None, NaN/NaT, an empty or blank string (pandas' missing values included)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # NaN, NaT, pd.NA
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


_VI_MARKS = str.maketrans({",": ".", ".": ","})


def _grouped(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"  # 1,234,567.5; Vietnamese swaps the marks: 1.234.567,5
    return pick(lang, text.translate(_VI_MARKS), text)


def number(value: Any, lang: str = "vi", *, decimals: int = 0, empty: str = EMPTY) -> str:
    """A count or amount with the language's thousands separator (vi ``.``, en ``,``)."""
    if is_empty(value):
        return empty
    return _grouped(float(value), lang, decimals)


def money(value: Any, lang: str = "vi", *, empty: str = EMPTY) -> str:
    """An amount of Vietnamese đồng, whole: ``15.820.000.000.000 đồng`` / ``VND 15,820,000,000,000``."""
    if is_empty(value):
        return empty
    text = _grouped(float(value), lang)
    return pick(lang, f"{text} đồng", f"VND {text}")


def date(value: Any, lang: str = "vi", *, empty: str = EMPTY) -> str:
    """A date as people write it: ``05/03/2024`` (vi) or ISO ``2024-03-05`` (en); text that is
    not a date is shown as it is."""
    if is_empty(value):
        return empty
    try:
        d = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return pick(lang, d.strftime("%d/%m/%Y"), d.isoformat())


def percent(value: Any, lang: str = "vi", *, decimals: int = 1, empty: str = EMPTY) -> str:
    """A percentage without trailing zeros: ``37,5 %`` (vi), ``37.5 %`` (en), ``100 %``."""
    if is_empty(value):
        return empty
    v = float(value)
    if not math.isfinite(v):
        return empty
    text = _grouped(v, lang, decimals)
    sep = pick(lang, ",", ".")  # the decimal mark
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return f"{text} %"


def text(value: Any, *, empty: str = EMPTY) -> str:
    """``value`` as text, or ``empty`` for a missing one."""
    return empty if is_empty(value) else str(value)


def for_display(table: Any, lang: str = "vi") -> Any:
    """A copy of a pandas table with its values as people read them, by column name:
    ``budget_vnd`` money, ``*_date`` dates, ``progress_pct``/``*_share``/``*_pct`` percentages,
    and "—" for every empty cell of a text column (``st.dataframe`` would show "None")."""
    out = table.copy()
    for col in out.columns:
        name = str(col)
        if name == "budget_vnd":
            out[col] = [money(v, lang) for v in out[col]]
        elif name.endswith("_date"):
            out[col] = [date(v, lang) for v in out[col]]
        elif name.endswith(("_pct", "_share")):
            out[col] = [percent(v, lang) for v in out[col]]
        elif out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = [text(v) for v in out[col]]
    return out


def figure(value: Any, lang: str = "vi", digits: int = 2, *, empty: str = EMPTY) -> str:
    """A measured figure (an indicator's value, target, gap): whole numbers without decimals,
    others to at most ``digits`` decimals without trailing zeros.

    >>> figure(1234.5, "vi"), figure(1234.5, "en"), figure(20.0, "en"), figure(2.004, "vi"), figure(None)
    ('1.234,5', '1,234.5', '20', '2', '—')
    """
    if is_empty(value):
        return empty
    v = float(value)
    if v.is_integer():
        return _grouped(v, lang)
    text = _grouped(v, lang, digits)
    sep = pick(lang, ",", ".")
    return text.rstrip("0").rstrip(sep) if sep in text else text


def duration(minutes: Any, lang: str = "vi", *, empty: str = EMPTY) -> str:
    """A length of time in whole minutes as hours and minutes (the visit's total, the brief).

    >>> duration(100, "vi"), duration(59.6, "en"), duration(None, "vi")
    ('1 giờ 40 phút', '1 h 00 min', '—')
    """
    if is_empty(minutes):
        return empty
    h, m = divmod(int(round(float(minutes))), 60)
    return pick(lang, f"{h} giờ {m:02d} phút", f"{h} h {m:02d} min")


def km(value: Any, lang: str = "vi", *, decimals: int = 1, empty: str = EMPTY) -> str:
    """A distance in kilometres: ``3,2 km`` (vi), ``3.2 km`` (en).

    >>> km(3.25, "vi"), km(1234.5, "en"), km(None, "vi")
    ('3,2 km', '1,234.5 km', '—')
    """
    if is_empty(value):
        return empty
    return f"{_grouped(float(value), lang, decimals)} km"
