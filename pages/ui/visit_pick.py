"""Choosing the stops of a field visit in few clicks: every shown site as a row that toggles with a
click anywhere on it (up to :data:`ROWS_MAX` rows; above, a table with a Pick column), "add all
shown", the chosen-sites box, and the map (click a site to add it). What a click makes of the
selection is decided in :mod:`geo.visits.draft`."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import views, visits
from geo.boundaries import Boundaries
from geo.maps import sites as map_sites
from geo.visits import draft
from pages import ui
from pages.ui import visit_state as state
from pages.ui.visit_state import NONCE, SEL

#: above this many shown sites, rows would be too many widgets: the page shows its table instead
ROWS_MAX = 60


def _toggle(site_id: str, key: str) -> None:
    st.session_state[SEL] = draft.toggled(st.session_state[SEL], site_id, bool(st.session_state.get(key)))


def _add_all(ids: list[str]) -> None:
    st.session_state[SEL] = draft.with_all(st.session_state[SEL], ids)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def add_all_button(shown: gpd.GeoDataFrame) -> None:
    """One click: every shown site joins the visit (up to the most stops a visit takes)."""
    ids = [i for i in shown["id"].tolist() if i not in st.session_state[SEL]]
    st.button(ui.t("visit_add_all").format(n=len(ids)), key="fv_add_all", on_click=_add_all, args=(ids,),
              disabled=not ids, icon=":material/playlist_add:")


def row_list(shown: gpd.GeoDataFrame, b: Boundaries, lang: str) -> bool:
    """Each shown site as a row (name, category, district, status) toggled by a click anywhere on
    it; False (nothing drawn) when more than :data:`ROWS_MAX` are shown."""
    if len(shown) > ROWS_MAX:
        return False
    chosen = set(st.session_state[SEL])
    nonce = st.session_state.get(NONCE, 0)
    with st.container(border=True, height=min(60 + 42 * len(shown), 330)):
        for row in draft.choice_rows(shown, b, lang).itertuples():
            key = f"fv_row_{row.id}_{nonce}"
            if key not in st.session_state:
                st.session_state[key] = row.id in chosen
            label = (f"**{ui.md_escape(row.name)}** · {ui.md_escape(row.category)} · "
                     f"{ui.md_escape(row.district)} · {ui.md_escape(row.status)}")
            st.checkbox(label, key=key, on_change=_toggle, args=(row.id, key))
    return True


def tick_table(view: views.View, shown: gpd.GeoDataFrame, b: Boundaries, lang: str) -> None:
    """Above :data:`ROWS_MAX` shown sites: the table with a Pick column."""
    key = f"fv_table_{hash(view)}_{st.session_state[NONCE]}"
    # the ticks the table starts from stay fixed for its key, so its own ticks never re-mount it;
    # changes from elsewhere bump the nonce (a new table)
    base = st.session_state.get("fv_table_base", {}).get(key)
    if base is None:
        base = list(st.session_state[SEL])
        st.session_state["fv_table_base"] = {key: base}
    rows = draft.choice_rows(shown, b, lang)
    table = pd.concat([pd.DataFrame({"pick": rows["id"].isin(set(base))}),
                       rows[["name", "category", "district", "status", "id"]]], axis=1)
    edited = st.data_editor(
        table, key=key, hide_index=True, height=260,
        disabled=["name", "category", "district", "status", "id"], width="stretch",
        column_config={"pick": st.column_config.CheckboxColumn(ui.t("visit_pick"), width="small"),
                       "name": ui.t("name"), "category": ui.t("category"), "district": ui.t("district"),
                       "status": ui.t("status"), "id": ui.t("id")})
    new_sel = draft.merge_ticks(st.session_state[SEL], list(edited["id"]), list(edited.loc[edited["pick"], "id"]))
    if new_sel != st.session_state[SEL]:
        st.session_state[SEL] = new_sel


def chosen_box(version: int, shown: gpd.GeoDataFrame) -> None:
    """The chosen sites (shown ones and those chosen elsewhere), by name."""
    chosen = state.sites_by_id(version, tuple(st.session_state[SEL]))
    names = dict(zip(shown["id"], shown["name"], strict=True))
    names.update(dict(zip(chosen["id"], chosen["name"], strict=True)))
    options = list(dict.fromkeys([*st.session_state[SEL], *shown["id"]]))
    st.multiselect(ui.t("visit_chosen"), options, [s for s in state.default("sel") if s in options], key=SEL,
                   format_func=lambda i: names.get(i, i), on_change=state.bump, max_selections=visits.MAX_STOPS,
                   placeholder=ui.t("visit_no_stops"))


def pick_map(view: views.View, shown: gpd.GeoDataFrame, lang: str) -> None:
    """The shown sites on a map; a click on one adds it (on the next run, before the widgets).
    Built on every run, as on the district map: a cached folium.Map rendered again changes its
    script, and st_folium then forgets the last click."""
    ui.use_local_assets()  # before the map is built: folium.Map copies its asset list when made
    b = ui.bounds()
    fmap = map_sites.site_map(shown, b, lang=lang, layer=view.layer, focus=view.focus(b), height=360)
    out: Any = st_folium(fmap, height=360, use_container_width=True, key="fv_pick_map",
                         returned_objects=["last_object_clicked_tooltip"])
    tip = (out or {}).get("last_object_clicked_tooltip")
    if tip and tip != st.session_state.get("fv_last_tip"):
        st.session_state["fv_last_tip"] = tip
        site_id = map_sites.site_id_from_tooltip(tip)
        if site_id and site_id not in st.session_state[SEL]:
            st.session_state["fv_pending_add"] = site_id
            st.rerun()


def choose_sites(version: int, lang: str) -> None:
    """The filters, the rows (or table) to tick, "add all", the chosen box and the map."""
    with st.container(border=True):  # in the first screen: choosing by district is the usual start
        view = ui.view_filters("fv", lang, horizontal=True)
    shown = state.query(version, view)
    b = ui.bounds()
    st.caption(ui.t("n_sites_in").format(n=len(shown), unit=view.unit_label(b, lang)) + " · "
               + ui.t("visit_tick_help"))
    add_all_button(shown)
    if not row_list(shown, b, lang):
        tick_table(view, shown, b, lang)
    chosen_box(version, shown)
    pick_map(view, shown, lang)
