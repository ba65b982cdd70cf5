"""An indicator's history: the dates its value changed, and the step series a chart draws."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from geo.indicators.measure import completion_dates, indicator_sites, sizes, status_since
from geo.indicators.progress import programme_window
from geo.indicators.registry import Indicator
from geo.store.base import Store


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
    length, area = sizes(mine.geometry[ok])
    per = pd.DataFrame({"date": when[ok].to_numpy(), "count": 1.0, "length_km": length, "area_ha": area})
    per = per.groupby("date", as_index=False).sum().sort_values("date")
    return pd.DataFrame({"date": pd.to_datetime(per["date"]), "value": per[ind.measure].cumsum().astype(float),
                         "source": "sites"}).reset_index(drop=True)


def step_series(hist: pd.DataFrame, as_of: dt.date, start: dt.date | None = None) -> pd.DataFrame:
    """The points a step chart of ``hist`` (from :func:`history`) draws up to ``as_of``: 0 at the
    programme ``start`` (or at the first change, if earlier), every change, and the latest value
    held until ``as_of``; nothing after ``as_of``. Empty when ``hist`` is.

    >>> h = pd.DataFrame({"date": pd.to_datetime(["2022-05-01", "2023-01-10"]), "value": [1.0, 3.0]})
    >>> s = step_series(h, dt.date(2024, 1, 1), dt.date(2021, 1, 1))
    >>> s["date"].dt.strftime("%Y-%m-%d").tolist(), s["value"].tolist()
    (['2021-01-01', '2022-05-01', '2023-01-10', '2024-01-01'], [0.0, 1.0, 3.0, 3.0])
    """
    hist = hist[hist["date"] <= pd.Timestamp(as_of)]
    if hist.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    start = start or programme_window()[0]
    first = pd.DataFrame({"date": [pd.Timestamp(min(start, hist["date"].min().date()))], "value": [0.0]})
    last = pd.DataFrame({"date": [pd.Timestamp(as_of)], "value": [float(hist["value"].iloc[-1])]})
    data = pd.concat([first, hist[["date", "value"]], last], ignore_index=True)
    return data[data["date"] <= pd.Timestamp(as_of)].reset_index(drop=True)
