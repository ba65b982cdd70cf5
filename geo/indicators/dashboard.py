"""What the indicators page shows, shaped for it: an indicator's card, where each district or
commune stands (the lag table, its links, the choropleth's title and link), the pickers' labels.
Text a person typed (titles, units, reasons, names) goes through the ``escape`` the page gives
(Markdown escaping); numbers and dates are formatted by :mod:`geo.fmt`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from geo import fmt, views
from geo.boundaries import Boundaries
from geo.i18n import name_column, t
from geo.indicators.judge import expected_share, unit_lag
from geo.indicators.progress import Progress, programme_window, status_label
from geo.indicators.registry import Indicator
from geo.sites import spreadsheet_safe

#: the columns a unit can be coloured by, and their labels
COLOR_BY = {"lag": "ind_by_lag", "value": "ind_by_count", "share": "ind_by_share"}


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Card:
    """An indicator's card: a heading, the value line under the progress bar, the status and
    its reason, a caption (last change, department, method), and a link to its sites."""

    heading: str
    value_line: str  # plain text (the progress bar escapes it)
    status: str
    status_text: str
    reason: str
    caption: str
    map_label: str | None
    map_params: dict[str, str] = field(default_factory=dict)  # the district map's query parameters
    map_url: str = ""  # the same as a relative address


def card(p: Progress, lang: str = "vi", escape: Callable[[str], str] = _same) -> Card:
    """The card of ``p``; user text passed through ``escape`` (except ``value_line``)."""
    ind = p.indicator
    value = f"{p.value_text(lang)} / {ind.target_text(lang)} {ind.unit(lang)}"
    if ind.method == "count" and ind.measure == "count" and p.length_km:
        value += f" · {fmt.figure(p.length_km, lang)} km"
    value_line = f"{t('ind_value', lang)}: {value}" + ("" if p.progress is None else f" ({p.progress:.0%})")
    who = f" · {escape(p.last_change_by)}" if p.last_change_by else ""
    caption = (f"{t('ind_last_change', lang)}: {fmt.date(p.last_change, lang)}{who} · "
               f"{t('ind_department', lang)}: {escape(ind.department(lang))} · "
               f"{t('ind_method', lang)}: {t('ind_method_' + ind.method, lang)}")
    view = views.View(indicators=(ind.code,))
    link = bool(p.total or ind.method == "count")
    return Card(f"{escape(ind.code)} · {escape(ind.title(lang))}", value_line, p.status,
                status_label(p.status, lang), escape(p.reason(lang)), caption,
                f"{t('ind_sites_on_map', lang)} ({p.total})" if link else None,
                views.to_params(view) if link else {}, views.map_url(view) if link else "")


def status_counts(progress: list[Progress]) -> dict[str, int]:
    """How many indicators have each status (every status present, 0 when none)."""
    counts = pd.Series([p.status for p in progress], dtype=object).value_counts()
    return {s: int(counts.get(s, 0)) for s in ("done", "on_track", "at_risk", "no_data", "no_target")}


def titles(progress: list[Progress], lang: str = "vi") -> dict[str, str]:
    """code -> "CT08 · title" for an indicator picker, in the registry's order."""
    return {p.indicator.code: f"{p.indicator.code} · {p.indicator.title(lang)}" for p in progress}


def unit_choices(b: Boundaries, lang: str = "vi", *, whole_city: bool = False) -> dict[str, str]:
    """``layer:code`` (or code alone without ``whole_city``) -> a district's label in ``lang`` for
    a picker; with ``whole_city`` an empty key first for the whole city."""
    options = views.unit_options(b, "district", lang)
    if not whole_city:
        return options
    return {"": t("whole_city", lang), **{f"district:{c}": label for c, label in options.items()}}


# ---------------------------------------------------------------- by district / commune


def with_lag(table: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """A :func:`~geo.indicators.measure.by_unit` table with each unit's lag behind the straight
    line at ``as_of``, worst first (:func:`~geo.indicators.judge.unit_lag`)."""
    return unit_lag(table, expected_share(as_of, *programme_window()))


def lag_help(as_of: dt.date, lang: str = "vi") -> str:
    """What the lag colours mean, with the share expected by ``as_of``."""
    expected = expected_share(as_of, *programme_window())
    return t("ind_lag_help", lang).format(expected=fmt.percent(expected * 100, lang, decimals=0))


def map_link(ind: Indicator, layer: str) -> str:
    """The district map's address for a unit of ``layer`` (``{code}``, filled in per unit) showing
    the sites behind ``ind``."""
    return views.map_url(views.View(layer, "{code}", indicators=(ind.code,)))


def choropleth_title(ind: Indicator, column: str, lang: str = "vi") -> str:
    """The legend's title for the units coloured by ``column`` (a key of :data:`COLOR_BY`)."""
    return {"share": t("ind_share", lang), "lag": t("ind_lag", lang)}.get(column, f"{ind.code}: {ind.unit(lang)}")


def unit_table(table: pd.DataFrame, layer: str, lang: str = "vi") -> pd.DataFrame:
    """A :func:`~geo.indicators.measure.by_unit` table with people's column names (exports)."""
    table = spreadsheet_safe(table)
    return pd.DataFrame({
        t("code", lang): table["code"], t(layer, lang): table[name_column(lang)],
        t("ind_total_sites", lang): table["total"], t("ind_completed", lang): table["count"],
        t("ind_value", lang): table["value"].round(3), t("ind_share", lang): table["share"].round(3),
        t("ind_pledge", lang): table["target"], t("ind_gap", lang): table["gap"]})


def _pledge_text(v: float, lang: str) -> str:
    return fmt.number(v, lang, decimals=0 if pd.isna(v) or float(v).is_integer() else 1)


def unit_rows(table: pd.DataFrame, ind: Indicator, layer: str, lang: str = "vi") -> pd.DataFrame:
    """The by-unit table the page shows: a :func:`with_lag` table (its order kept) with people's
    column names, the lag in points, pledges and gaps as numbers ("—" without a pledge), and a
    link to each unit's map (column ``ind_open_map``'s label)."""
    shown = unit_table(table, layer, lang)
    shown.insert(2, t("ind_lag", lang), [fmt.percent(v * 100, lang, decimals=0) for v in table["lag"]])
    for col in (t("ind_pledge", lang), t("ind_gap", lang)):
        shown[col] = [_pledge_text(v, lang) for v in shown[col]]
    link = map_link(ind, layer)
    shown[t("ind_open_map", lang)] = [link.replace("{code}", str(c)) for c in table["code"]]
    return shown


def values_table(values: pd.DataFrame, b: Boundaries, lang: str = "vi") -> pd.DataFrame:
    """The hand-entered values (``store.indicator_values()``) as an editor reads them, newest first:
    people's column names, dates as written in ``lang``, the unit by its name ("whole city" when
    none), "—" for an empty cell."""
    rows = values.sort_values(["as_of", "id"], ascending=False)
    units = {f"{layer}:{c}": n for layer in ("district", "commune")
             for c, n in zip(b.layer(layer)["code"], b.layer(layer)[name_column(lang)], strict=True)}
    unit = [units.get(f"{ly}:{c}", str(c)) if isinstance(c, str) and c else t("whole_city", lang)
            for ly, c in zip(rows["unit_layer"], rows["unit_code"], strict=True)]
    return pd.DataFrame({
        t("id", lang): rows["id"].to_numpy(), t("indicator", lang): rows["indicator"].to_numpy(),
        t("ind_value_field", lang): [fmt.figure(v, lang) for v in rows["value"]],
        t("ind_date", lang): [fmt.date(d, lang) for d in rows["as_of"]], t("ind_pledge_unit", lang): unit,
        t("ind_source", lang): [fmt.text(s) for s in rows["source"]], t("ind_note", lang): [fmt.text(s) for s in rows["note"]],
        t("ind_entered_by", lang): [fmt.text(s) for s in rows["entered_by"]],
        t("ind_entered_at", lang): [_moment(s, lang) for s in rows["entered_at"]]})


def _moment(stamp: object, lang: str) -> str:
    """``2024-12-31T08:05:00+00:00`` → ``31/12/2024 08:05`` (vi) / ``2024-12-31 08:05`` (en)."""
    return fmt.EMPTY if fmt.is_empty(stamp) else f"{fmt.date(stamp, lang)} {str(stamp)[11:16]}".strip()
