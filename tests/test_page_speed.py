"""What keeps the district map fast (issue 16), checked for being the same as the slow way:
the site table labelled once per distinct value, on the demo store and on synthetic sites placed
by the real boundary layers and read back from a real store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import synthetic_sites
from geo import boundaries
from geo import sites as site_ops
from geo.schema import category_label, status_label
from geo.store import open_store

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def labelled_row_by_row(gdf, b, lang="vi") -> pd.DataFrame:
    """The first release's labelled(), one call per row and column (the reference)."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df["category"] = [category_label(c, lang) for c in df["category"]]
    df["status"] = [status_label(s, lang) for s in df["status"]]
    if b is not None:
        df["district_codes"] = [boundaries.unit_names(b, "district", c, lang) for c in df["district_codes"]]
        df["commune_codes"] = [boundaries.unit_names(b, "commune", c, lang) for c in df["commune_codes"]]
    return df


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, bounds):
    """A SQLite store with the demo set and 3,000 synthetic sites, read back through the store."""
    store = open_store(url="", folder=tmp_path_factory.mktemp("speed") / "projects")
    site_ops.load_demo(store, DEMO_DIR, actor="test", b=bounds)
    extra = synthetic_sites(3000, bounds, seed=11)
    store.commit_batch(extra.drop(columns="batch_id"), actor="test", kind="bench")
    return store


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_labelled_is_the_row_by_row_result_on_real_sites(real_store, bounds, lang):
    sites = real_store.query_sites()
    assert len(sites) >= 71
    assert sites["district_codes"].str.contains(";").any()  # sites across two districts are there
    fast = site_ops.labelled(sites, bounds, lang)
    pd.testing.assert_frame_equal(fast, labelled_row_by_row(sites, bounds, lang))
    assert (fast["district_codes"] != "").all()
    assert {"Chợ", "Market"} & set(fast["category"])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_labelled_is_the_row_by_row_result_on_synthetic_and_odd_values(bounds, lang):
    sites = synthetic_sites(2000, bounds, seed=5)
    # missing, unknown and odd values: None and NaN, an unknown code, a code list with a gap
    sites.loc[0, "district_codes"] = None
    sites.loc[1, "commune_codes"] = np.nan
    sites.loc[2, "district_codes"] = "999;002"
    sites.loc[3, "commune_codes"] = ";00070;"
    sites.loc[4, "category"] = "not-a-category"
    sites.loc[5, "status"] = None
    fast = site_ops.labelled(sites, bounds, lang)
    pd.testing.assert_frame_equal(fast, labelled_row_by_row(sites, bounds, lang))
    mixed = sites.astype({"category": object})
    mixed.loc[6, "category"], mixed.loc[7, "category"] = 1, "1"  # mixed types take the other path
    pd.testing.assert_frame_equal(site_ops.labelled(mixed, bounds, lang), labelled_row_by_row(mixed, bounds, lang))
    pd.testing.assert_frame_equal(site_ops.labelled(sites, None, lang), labelled_row_by_row(sites, None, lang))
