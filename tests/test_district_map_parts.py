"""The district map page's logic in geo/: the details panel's table (geo.fmt's formatting, the
field/value columns in each language) and the counts-by-category table (the legend's counts)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo import sites
from geo.maps import sites as map_sites
from geo.schema import ATTRIBUTE_NAMES


def _site(**extra: object) -> dict:
    return {"id": "s1", "name": "Chợ Đồng Xuân", "category": "market", "status": "in_progress",
            "district_codes": "002", "budget_vnd": 15820000000000.0, "progress_pct": 37.5,
            "start_date": "2024-03-05", "geometry": shapely.Point(105.85, 21.04), **extra}


def test_details_table_is_the_formatted_details(bounds):
    vi = sites.details_table(_site(), bounds, "vi")
    assert list(vi.columns) == ["Trường", "Giá trị"]
    rows = dict(zip(vi["Trường"], vi["Giá trị"], strict=True))
    assert rows == dict(sites.site_details(_site(), bounds, "vi"))
    assert rows["Kinh phí (VNĐ)"] == "15.820.000.000.000 đồng" and rows["Ngày bắt đầu"] == "05/03/2024"
    en = sites.details_table(_site(), bounds, "en")
    assert list(en.columns) == ["Field", "Value"] and "VND 15,820,000,000,000" in set(en["Value"])


def test_legend_counts_sites_per_category(bounds):
    rows = [dict.fromkeys(ATTRIBUTE_NAMES) | {"id": f"s{i}", "name": "x", "category": cat, "status": "planned"}
            for i, cat in enumerate(["market", "park", "market", "bakery"])]
    gdf = gpd.GeoDataFrame(rows, geometry=[shapely.Point(105.85, 21.03)] * 4, crs=4326)
    legend = {label: n for _g, _c, label, n in map_sites.legend_items(gdf, "vi")}
    assert legend == {"Chợ": 2, "Công viên, vườn hoa": 1}  # "bakery" is no category
    assert map_sites.legend_items(gdf.iloc[:0], "en") == []
