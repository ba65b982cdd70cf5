"""Measuring an indicator on the sites: which sites are behind it, the date each counts from,
their count, length (km) and area (ha) in VN-2000 / UTM 48N (EPSG:3405), city-wide and per
district or 2025 commune; and the latest hand-entered value of a manual indicator.

A site counts from its ``end_date``; achieved but undated, from the day its status became the
current one (its history), else from the programme start.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import Boundaries
from geo.indicators.progress import Progress, parse_date, programme_window
from geo.indicators.registry import Indicator
from geo.store.base import Store

METRIC_CRS = "EPSG:3405"  # VN-2000 / UTM zone 48N


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


def sizes(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """(length in km of lines, area in ha of polygons) per geometry, in EPSG:3405; 0 for others."""
    if not len(geoms):
        return np.zeros(0), np.zeros(0)
    metric = geoms.to_crs(METRIC_CRS).to_numpy()
    dim = shapely.get_dimensions(metric)
    length = np.where(dim == 1, shapely.length(metric) / 1000.0, 0.0)
    area = np.where(dim == 2, shapely.area(metric) / 10_000.0, 0.0)
    return length, area


def site_progress(p: Progress, sites: gpd.GeoDataFrame, start: dt.date,
                  since: dict[str, pd.Timestamp] | None = None) -> Progress:
    """``p`` with the counts, length and area of the sites behind its indicator achieved by its
    date (and, for a counted indicator, its value and the date of the last change)."""
    ind = p.indicator
    mine = indicator_sites(sites, ind)
    when = completion_dates(mine, ind, start, since)
    done = (when.notna() & (when <= pd.Timestamp(p.as_of))).to_numpy()
    length, area = sizes(mine.geometry[done])
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


def manual_progress(p: Progress, values: pd.DataFrame) -> Progress:
    """``p`` with the latest city-wide hand-entered value of its indicator up to its date."""
    city = values[(values["indicator"] == p.indicator.code) & values["unit_code"].isna()
                  & (values["as_of"] <= p.as_of.isoformat())]
    if len(city):
        last = city.iloc[-1]  # ordered by as_of, entered_at, id
        p.value = float(last["value"])
        p.last_change, p.last_change_by = str(last["as_of"]), str(last["entered_by"])
        p.extra["source"] = last["source"]
    return p


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
    length, area = sizes(clipped)
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
