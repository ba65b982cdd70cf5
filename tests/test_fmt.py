"""geo.fmt (money, dates, percentages, "—") and its users: the site details panel and the site
table of the district map, and the whole-city map fitting every district."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import fmt, sites, views
from geo.maps import sites as map_sites
from geo.schema import ATTRIBUTE_NAMES


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA, pd.NaT, "", "  ", np.nan])
def test_every_empty_reads_as_a_dash(empty):
    assert fmt.text(empty) == fmt.money(empty) == fmt.date(empty) == fmt.percent(empty) == "—"


def test_numbers_in_each_language():
    assert fmt.money(1_500_000, "vi") == "1.500.000 đồng"
    assert fmt.money(1_500_000, "en") == "VND 1,500,000"
    assert fmt.percent(0, "vi") == "0 %" and fmt.percent(12.25, "en", decimals=2) == "12.25 %"
    assert fmt.date("không rõ", "vi") == "không rõ"  # not a date: shown as written


def test_site_details_never_show_none_nan_or_raw_floats(bounds):
    site = {"id": "s1", "name": "Chợ Đồng Xuân", "category": "market", "status": "in_progress",
            "indicator": None, "district_codes": "002", "commune_codes": None, "responsible_unit": float("nan"),
            "start_date": "2024-03-05", "end_date": None, "budget_vnd": 15820000000000.0,
            "progress_pct": 37.5, "notes": "", "geometry": shapely.Point(105.85, 21.04)}
    rows = dict(sites.site_details(site, bounds, "vi"))
    assert rows["Kinh phí (VNĐ)"] == "15.820.000.000.000 đồng"
    assert rows["Ngày bắt đầu"] == "05/03/2024" and rows["Tiến độ (%)"] == "37,5 %"
    assert "Hoàn Kiếm" in rows["Quận, huyện (cũ)"]
    text = " ".join(rows.values())
    assert all(bad not in text for bad in ("None", "nan", "15820000000000.0"))
    assert list(rows.values()).count("—") >= 4  # indicator, commune, unit, end date, notes


def test_table_for_display():
    table = pd.DataFrame({"name": ["A", None], "progress_pct": [37.5, None], "end_date": ["2025-12-31", None]})
    shown = fmt.for_display(table, "vi")
    assert shown.to_dict("list") == {"name": ["A", "—"], "progress_pct": ["37,5 %", "—"],
                                     "end_date": ["31/12/2025", "—"]}


def _fitted(m):
    fit = next(c for c in m._children.values() if type(c).__name__ == "FitBounds")
    (s, w), (n, e) = fit.bounds
    return w, s, e, n


def test_whole_city_view_fits_all_districts(bounds):
    row = dict.fromkeys(ATTRIBUTE_NAMES) | {"id": "a", "name": "A", "category": "market", "status": "planned"}
    centre = gpd.GeoDataFrame([row], geometry=[shapely.Point(105.85, 21.03)], crs=4326)
    whole = views.View()
    assert whole.fits_city and not views.View(unit="002").fits_city and not views.View(text="cho").fits_city
    w, s, e, n = _fitted(map_sites.site_map(centre, bounds, fit_city=whole.fits_city, tiles=None))
    dw, ds, de, dn = bounds.districts.total_bounds
    assert w <= dw and s <= ds and e >= de and n >= dn  # every district, the southern ones too
    w, s, e, n = _fitted(map_sites.site_map(centre, bounds, fit_city=False, tiles=None))
    assert s > ds  # a search or a batch fits its sites
