"""The home page's city overview (geo.overview) on the demo sites over the real boundaries:
districts and communes counted from the layers, each district's total against an independent
spatial join, shares read as percentages, every category listed."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geo import overview, views
from geo import sites as site_ops
from geo.schema import CATEGORIES
from tests.conftest import DEMO_DIR


@pytest.fixture(scope="module")
def demo_sites(bounds):
    """The committed demo sites, completed and placed by the real boundaries as the set-up does
    (no store needed: the overview is computed from the frame)."""
    raw = gpd.read_file(DEMO_DIR / "programme03_demo.geojson").set_crs(4326, allow_override=True)
    return site_ops.complete(raw, bounds)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_city_overview_counts_from_the_boundaries(demo_sites, bounds, shared_data, lang):
    o = overview.city_overview(demo_sites, bounds, lang)
    layer = gpd.read_file(shared_data / "boundaries" / "hanoi_districts_2019.geojson")
    assert (o.sites, o.districts, o.communes) == (len(demo_sites), len(layer), len(bounds.communes))
    assert len(o.districts_table) == len(o.by_district) == len(layer)
    assert o.district_codes == bounds.districts["code"].astype(str).tolist()
    # each district's total: the sites its polygon intersects, joined independently of the stored codes
    joined = gpd.sjoin(demo_sites[["id", "geometry"]], layer[["code", "geometry"]], predicate="intersects")
    expected = joined.groupby("code")["id"].nunique()
    totals = o.by_district.set_index("code")["total"]
    assert totals[totals > 0].to_dict() == expected.to_dict()
    assert totals.sum() >= len(demo_sites) > 0
    # a share reads as a percentage ("100 %", not "1 %"), "—" where a district has no site
    share_col = o.districts_table.columns[3]
    for share, text in zip(o.by_district["completed_share"], o.districts_table[share_col], strict=True):
        assert text == "—" if share is None else text == f"{round(share * 100):.0f} %"
    assert len(o.categories_table) == len(CATEGORIES)
    assert o.categories_table.iloc[:, 1].sum() == len(demo_sites)


def test_layer_names_count_their_units(bounds):
    assert views.layer_label(bounds, "district", "vi") == f"{len(bounds.districts)} quận, huyện, thị xã (trước 2025)"
    assert views.layer_label(bounds, "commune", "en") == "126 communes/wards (from 1 July 2025)"
