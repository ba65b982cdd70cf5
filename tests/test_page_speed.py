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

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "data" / "demo"


def unit_names_old(b, layer, codes, lang="vi") -> str:
    """The first release's boundaries.unit_names (a lookup built per call)."""
    if not codes:
        return ""
    lookup = dict(zip(b.layer(layer)["code"], b.layer(layer)["name" if lang == "vi" else "name_en"]))  # noqa: B905
    return ", ".join(lookup.get(c, c) for c in str(codes).split(";") if c)


def labelled_row_by_row(gdf, b, lang="vi") -> pd.DataFrame:
    """The first release's labelled(), one call per row and column (the reference)."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df["category"] = [category_label(c, lang) for c in df["category"]]
    df["status"] = [status_label(s, lang) for s in df["status"]]
    if b is not None:
        df["district_codes"] = [unit_names_old(b, "district", c, lang) for c in df["district_codes"]]
        df["commune_codes"] = [unit_names_old(b, "commune", c, lang) for c in df["commune_codes"]]
    return df


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, bounds):
    """A SQLite store with the demo set and 3,000 synthetic sites, read back through the store."""
    store = open_store(url="", folder=tmp_path_factory.mktemp("speed") / "projects")
    site_ops.load_demo(store, DEMO_DIR, actor="test", b=bounds)
    extra = synthetic_sites(3000, bounds, seed=11)
    store.commit_batch(extra.drop(columns="batch_id"), actor="test", kind="bench")
    return store


@pytest.fixture()
def demo_dir_speed(data_dir, bounds):
    """P03_DATA_DIR with the real boundaries and the demo set (SQLite)."""
    site_ops.load_demo(open_store(), DEMO_DIR, actor="test", b=bounds)
    return data_dir


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
    sites = synthetic_sites(500, bounds, seed=5)  # every district and category, odd values below
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


def test_table_head_labels_only_the_rows_shown(real_store, bounds):
    sites = real_store.query_sites()
    head, total = site_ops.table_head(sites, bounds, "vi", limit=50)
    assert total == len(sites) > 50 and len(head) == 50
    assert list(head.columns) == list(site_ops.TABLE_COLUMNS)
    expected = labelled_row_by_row(sites, bounds, "vi").iloc[:50][list(site_ops.TABLE_COLUMNS)]
    pd.testing.assert_frame_equal(head, expected)
    everything, _ = site_ops.table_head(sites, bounds, "en", limit=len(sites))
    assert len(everything) == len(sites)


def test_page_caps_the_table_and_says_so(demo_dir_speed, monkeypatch):
    """The district map sends at most TABLE_MAX_ROWS rows and says how many there are (vi, en);
    picking a row still opens that site; the download is made only on click."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(site_ops, "TABLE_MAX_ROWS", 20)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(REPO / "pages" / "district_map.py"), default_timeout=90).run()
        assert not at.exception
        table = at.dataframe(key="dm_table").value
        assert len(table) == 20
        assert any("Bảng hiển thị 20 trên 71 công trình" in c.value for c in at.caption)
        assert at.get("download_button")
        at = AppTest.from_file(str(REPO / "pages" / "district_map.py"), default_timeout=90)
        at.session_state["p03_lang"] = "en"
        at.run()
        assert any("The table shows 20 of 71 sites" in c.value for c in at.caption)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_unit_names_unchanged(bounds):
    for codes in (None, "", "002", "001;002", ";002;", "999;002"):
        for lang in ("vi", "en"):
            assert boundaries.unit_names(bounds, "district", codes, lang) == unit_names_old(bounds, "district", codes, lang)
