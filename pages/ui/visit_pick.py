"""Choosing the stops of a field visit in few clicks: every shown site as a row that toggles with a
click anywhere on it (up to :data:`ROWS_MAX` rows; above, the page keeps its tick table), and
"add all shown"."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo import visits
from geo.boundaries import Boundaries, unit_names
from geo.schema import category_label, status_label
from pages.ui import md_escape, t

#: above this many shown sites, rows would be too many widgets: the page shows its table instead
ROWS_MAX = 60
SEL, NONCE = "fv_sel", "fv_nonce"


def _toggle(site_id: str, key: str) -> None:
    sel = list(st.session_state[SEL])
    if st.session_state.get(key):
        if site_id not in sel and len(sel) < visits.MAX_STOPS:
            sel.append(site_id)
    else:
        sel = [s for s in sel if s != site_id]
    st.session_state[SEL] = sel


def _add_all(ids: list[str]) -> None:
    sel = list(st.session_state[SEL])
    sel += [i for i in ids if i not in sel][: max(0, visits.MAX_STOPS - len(sel))]
    st.session_state[SEL] = sel
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def add_all_button(shown: gpd.GeoDataFrame) -> None:
    """One click: every shown site joins the visit (up to the most stops a visit takes)."""
    ids = [i for i in shown["id"].tolist() if i not in st.session_state[SEL]]
    st.button(t("visit_add_all").format(n=len(ids)), key="fv_add_all", on_click=_add_all, args=(ids,),
              disabled=not ids, icon=":material/playlist_add:")


def row_list(shown: gpd.GeoDataFrame, b: Boundaries, lang: str) -> bool:
    """Each shown site as a row (name, category, district, status) toggled by a click anywhere on
    it; False (nothing drawn) when more than :data:`ROWS_MAX` are shown."""
    if len(shown) > ROWS_MAX:
        return False
    chosen = set(st.session_state[SEL])
    nonce = st.session_state.get(NONCE, 0)
    with st.container(border=True, height=min(60 + 42 * len(shown), 330)):
        for row in shown.itertuples():
            key = f"fv_row_{row.id}_{nonce}"
            if key not in st.session_state:
                st.session_state[key] = row.id in chosen
            label = (f"**{md_escape(row.name)}** · {category_label(row.category, lang)} · "
                     f"{md_escape(unit_names(b, 'district', row.district_codes, lang))} · "
                     f"{status_label(row.status, lang)}")
            st.checkbox(label, key=key, on_change=_toggle, args=(row.id, key))
    return True
