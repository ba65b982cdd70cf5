"""The OpenStreetMap reference layers on a page: the loaded layers, features a name search
matches (a table under the map, highlighted on it) and their attribution."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import reference
from pages.ui import md_escape, t


def layers() -> reference.Reference | None:
    """The installed reference layers, or None when none were imported."""
    return reference.get()


def found(ref: reference.Reference | None, text: str) -> gpd.GeoDataFrame | None:
    """Reference features whose name holds every word of ``text`` (diacritics ignored)."""
    if ref is None or not text.strip():
        return None
    return reference.search(ref, text)


def search_results(hits: gpd.GeoDataFrame | None, text: str, lang: str) -> None:
    """A table of the matched reference features (nothing when none)."""
    if hits is None or hits.empty:
        return
    st.subheader(t("ref_found").format(q=md_escape(text), n=len(hits)))
    labels = {layer.key: layer.label(lang) for layer in reference.LAYERS}
    st.dataframe(pd.DataFrame({t("name"): hits["name"].tolist(),
                               t("ref_layer"): [labels[k] for k in hits["layer"]],
                               t("ref_kind"): hits["kind"].tolist()}),
                 hide_index=True, width="stretch", key="ref_found_table")


def attribution(ref: reference.Reference | None, lang: str) -> None:
    """The reference layers' licence line (in an attribution list)."""
    if ref is not None:
        st.markdown(f"- {ref.attribution_line(lang)} — {t('ref_help')}")
