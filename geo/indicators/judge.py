"""Judging progress: each indicator against the straight line from the programme start
(``P03_PROGRAMME_START``) to its end (``P03_PROGRAMME_END``) — *done* at the target (the low end of
a range), *on track* at or above the line, *at risk* below it — with the reason in words in both
languages; each unit's lag behind the line; the indicator furthest behind."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fmt
from geo.i18n import Text
from geo.indicators.measure import manual_progress, site_progress, status_since
from geo.indicators.progress import Progress, parse_date, programme_window
from geo.indicators.registry import Indicator, registry
from geo.store.base import Store


def fill(template: Text, **parts: Text | str) -> Text:
    """``template`` with each ``{name}`` filled by its part in the same language.

    >>> fill(Text("{n} chợ", "{n} markets"), n=Text("1.234", "1,234"))("en")
    '1,234 markets'
    """
    def side(lang: str) -> dict[str, str]:
        return {k: v(lang) if isinstance(v, Text) else v for k, v in parts.items()}

    return Text(template.vi.format(**side("vi")), template.en.format(**side("en")))


def _date(d: dt.date | str | None) -> Text:
    return Text(fmt.date(d, "vi"), fmt.date(d, "en"))


def _figure(x: float | None, digits: int = 2) -> Text:
    return Text(fmt.figure(x, "vi", digits=digits), fmt.figure(x, "en", digits=digits))


def _stripped(text: Text) -> Text:
    return Text(text.vi.strip(), text.en.strip())


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
    """Set ``progress``, ``expected``, ``status`` and ``reason`` of ``p``."""
    ind = p.indicator
    achieved = _achieved_text(p)
    if ind.target is None:
        p.status = "no_target"
        p.reason = fill(Text("Chương trình không nêu con số mục tiêu; {a}.", "The programme names no figure; {a}."),
                        a=achieved)
        return _undated_note(p)
    if p.value is None:
        p.status = "no_data"
        p.reason = fill(Text("Chưa có số liệu nhập tay đến ngày {d}; hãy nhập giá trị.",
                             "No value entered up to {d}; enter one."), d=_date(p.as_of))
        return p
    p.progress = ind.target.ratio(p.value)
    p.expected = expected_share(p.as_of, start, end)
    parts: dict[str, Text | str] = {"a": achieved, "t": Text(ind.target.text("vi"), ind.target.text("en")),
                                    "pct": f"{p.progress:.0%}"}
    if p.progress >= 1.0:
        p.status = "done"
        p.reason = fill(Text("Đã đạt mục tiêu: {a} / {t} {u}.", "Target reached: {a} of {t} {u}."),
                        u=ind.unit, **parts)
    elif p.progress + 1e-9 >= p.expected:
        p.status = "on_track"
        p.reason = fill(Text("Đúng tiến độ: {a} / {t} ({pct}); {line}.", "On track: {a} of {t} ({pct}); {line}."),
                        line=_line(p, start, end), **parts)
    else:
        p.status = "at_risk"
        late = fill(Text("đã quá hạn {e}", "the end date {e} has passed"), e=_date(end))
        p.reason = fill(Text("Chậm: {a} / {t} ({pct}); {line}; còn thiếu {gap}.",
                             "At risk: {a} of {t} ({pct}); {line}; {gap} short."),
                        line=late if p.as_of > end else _line(p, start, end),
                        gap=_figure(ind.target.low * p.expected - p.value, 1), **parts)
    return _undated_note(p)


def _line(p: Progress, start: dt.date, end: dt.date) -> Text:
    """What the straight line expects by ``p``'s date, in words."""
    low = p.indicator.target.low if p.indicator.target else 0.0
    expected = p.expected or 0.0
    return fill(Text("đường thẳng từ {s} đến {e} cần {x} ({need}) vào ngày {d}",
                     "the straight line from {s} to {e} expects {x} ({need}) by {d}"),
                s=_date(start), e=_date(end), x=f"{expected:.0%}", need=_figure(low * expected, 1), d=_date(p.as_of))


def _achieved_text(p: Progress) -> Text:
    ind = p.indicator
    value = _figure(p.value)
    if ind.method == "manual":
        return _stripped(fill(Text("giá trị {v} {u}", "value {v} {u}"), v=value, u=ind.unit))
    text = _stripped(fill(Text("{v} {u}", "{v} {u}"), v=value, u=ind.unit))
    if ind.measure == "count" and p.length_km > 0:
        text = fill(Text("{a} (tổng chiều dài {k} km)", "{a} ({k} km in total)"), a=text, k=_figure(p.length_km))
    if ind.target is None:
        return fill(Text("đã hoàn thành {a}", "{a} completed"), a=text)
    return text


def _undated_note(p: Progress) -> Progress:
    if p.undated and p.indicator.method == "count":
        p.reason = p.reason + fill(Text(
            " {n} công trình hoàn thành chưa có ngày hoàn thành được tính từ đầu chương trình.",
            " {n} completed site(s) without an end date are counted from the programme start."), n=str(p.undated))
    return p


def compute(store: Store, as_of: dt.date | str | None = None, *, indicators: list[Indicator] | None = None,
            sites: gpd.GeoDataFrame | None = None) -> list[Progress]:
    """Progress and status of every indicator (or of ``indicators``) at ``as_of`` (default today):
    measured on the sites (or the hand-entered values), then judged against the straight line."""
    day = parse_date(as_of)
    start, end = programme_window()
    inds = indicators if indicators is not None else registry(store)
    sites = sites if sites is not None else store.query_sites()
    values = store.indicator_values()
    since = status_since(store)
    out = []
    for ind in inds:
        p = site_progress(Progress(ind, day, None), sites, start, since)
        if ind.method == "manual":
            p = manual_progress(p, values)
        out.append(judge(p, start, end))
    return out


def unit_lag(table: pd.DataFrame, expected: float | None) -> pd.DataFrame:
    """``table`` (from :func:`geo.indicators.measure.by_unit`) with ``expected`` (the share of the
    programme's time gone by, the same for every unit) and ``lag``: the unit's share achieved minus
    that, so < 0 means behind the straight line; NaN for a unit with no site behind the indicator
    (no data, which is not the same as 0). Sorted worst first, units without data last.

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
