"""The home page's city overview, computed in one call: how many sites, districts and communes
(counted from the data and the boundary layers, never written in), sites per district (total,
share completed, per category; vectorised in :func:`geo.sites.district_overview`) and per
category, each table with people's column names in the chosen language."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo import fmt
from geo.boundaries import Boundaries
from geo.i18n import t
from geo.schema import CATEGORIES
from geo.sites import district_overview


@dataclass(frozen=True)
class CityOverview:
    """What the home page shows. ``district_codes`` is the code of each row of ``districts``
    (the table a click on a row opens)."""

    sites: int
    districts: int
    communes: int
    by_district: pd.DataFrame  # district_overview(): codes, totals, shares, per category (numbers)
    districts_table: pd.DataFrame  # the same with people's column names, shares as percentages
    categories_table: pd.DataFrame

    @property
    def district_codes(self) -> list[str]:
        return [str(c) for c in self.by_district["code"]]


def category_table(sites: gpd.GeoDataFrame, lang: str = "vi") -> pd.DataFrame:
    """Sites per category, every category of the schema in its order (0 where none)."""
    counts = sites["category"].value_counts()
    return pd.DataFrame({t("category", lang): [c.label(lang) for c in CATEGORIES],
                         t("count", lang): [int(counts.get(c.code, 0)) for c in CATEGORIES]})


def district_table(overview: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """A :func:`geo.sites.district_overview` table with people's column names, what matters first
    (a phone shows those): code, district, total, share completed, then each category."""
    shares = pd.to_numeric(overview["completed_share"], errors="coerce") * 100  # a fraction; None -> NaN -> "—"
    table = overview.assign(completed_share=[fmt.percent(v, lang, decimals=0) for v in shares])
    names = {"code": t("code", lang), "district": t("district", lang), "total": t("total", lang),
             "completed_share": t("ind_share", lang)} | {c.code: c.label(lang) for c in CATEGORIES}
    return table[[c for c in names if c in table.columns]].rename(columns=names)


def city_overview(sites: gpd.GeoDataFrame, b: Boundaries, lang: str = "vi") -> CityOverview:
    """The home page's figures and tables for ``sites`` over the boundary layers of ``b``."""
    by_district = district_overview(sites, b, lang)
    return CityOverview(len(sites), len(b.districts), len(b.communes), by_district,
                        district_table(by_district, lang), category_table(sites, lang))
