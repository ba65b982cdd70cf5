"""The naive district map the real-page benchmark compares against: what a plain streamlit-folium
page gives (``benchmarks/page.py`` starts it with ``streamlit run``).

It reads the same scratch store as the project's page, filters by category with one widget, and
draws a folium MarkerCluster of Marker + Popup (:func:`benchmarks.naive_map`) and a table of every
site. Leaflet comes from the app's static folder, as in the project (no CDN: the benchmark's
browser has no network). Nothing is cached, as in the plain tutorials' code.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from benchmarks import naive_map
from geo import assets
from geo.schema import CATEGORIES
from geo.store import open_store

st.set_page_config(page_title="naive", layout="wide")
assets.use(assets.APP_BASE_URL)
sites = open_store().query_sites()
labels = {c.code: c.label("vi") for c in CATEGORIES}
with st.sidebar:
    cats = st.multiselect("Loại công trình", list(labels), format_func=labels.__getitem__, key="naive_cats")
if cats:
    sites = sites[sites["category"].isin(cats)]
st.caption(f"{len(sites)} công trình (naive)")
left, right = st.columns([3, 2])
with left:
    st_folium(naive_map(sites), height=620, use_container_width=True, key="naive_map")
with right:
    st.dataframe(pd.DataFrame(sites.drop(columns="geometry")), hide_index=True, height=300, key="naive_table")
