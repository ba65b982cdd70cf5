"""District map: choose a district (or the whole city, or a 2025 commune), filter, browse sites."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import fmt, views
from geo import sites as site_ops
from geo.maps import reference as map_reference
from geo.maps import sites as map_sites
from geo.reference import Reference
from pages import ui
from pages.ui import inspection as insp_ui
from pages.ui import reference as ref_ui
from pages.ui import site_edit
from pages.ui.live_map import early, live_map, reference_url


# one shared frame per store version and view, not a copy per run (st.cache_data would unpickle
# 100,000 sites on every rerun of every session: 1.4 s and ~100 MB each); nothing here changes it
@st.cache_resource(show_spinner=False, max_entries=32)
def query(version: int, view: views.View, as_of: str | None = None) -> gpd.GeoDataFrame:
    flt = view.site_filter()  # as_of: the sites as they stood that day (site versions)
    return ui.store().query_sites(dataclasses.replace(flt, as_of=as_of) if as_of else flt)


@st.cache_data(show_spinner=False, max_entries=64)
def site_table(version: int, view: views.View, lang: str, ages: tuple[str, ...] = (),
               as_of: str | None = None) -> tuple[pd.DataFrame, int]:
    """The table's first rows, labelled, and the number of sites (per store version, view, language,
    last-inspected classes, "as at" day)."""
    sites = insp_ui.by_age(query(version, view, as_of), ages, version)
    table, total = site_ops.table_head(sites, ui.bounds(), lang)
    return fmt.for_display(table, lang), total  # "—" for empty, 37,5 %


#: the site table's columns as shown: name, state and progress first (a 390-px phone shows ~2)
TABLE_ORDER = ("name", "status", "progress_pct", "category", "district", "commune", "id")


def seed_view() -> None:
    """The filter widgets' state, seeded once (and for a new ``?batch=``) from the URL."""
    new_batch = st.query_params.get("batch") not in (None, st.session_state.get("dm_batch"))
    if "dm_seeded" not in st.session_state or new_batch:
        with ui.errors_shown():
            start = views.from_params(st.query_params.to_dict(), ui.bounds())
        st.session_state.update(dm_seeded=True, dm_start=start, dm_layer=start.layer, dm_unit=start.unit,
                                dm_cats=list(start.categories), dm_status=list(start.statuses),
                                dm_ind=list(start.indicators), dm_q=start.text, dm_batch=start.batch)


def state_view(lang: str) -> views.View:
    """The View the filter widgets hold (their session state), read before they are drawn so the map
    is sent first; :func:`choose_view` draws them after it and must return the same View."""
    state = st.session_state
    layer = state.get("dm_layer") or "district"
    unit = state.get("dm_unit")
    return views.View(layer=layer, unit=unit if unit in views.unit_options(ui.bounds(), layer, lang) else None,
                      categories=tuple(state.get("dm_cats") or ()), statuses=tuple(state.get("dm_status") or ()),
                      indicators=tuple(state.get("dm_ind") or ()), text=str(state.get("dm_q") or "").strip(),
                      batch=state.get("dm_batch"))


def choose_view(lang: str) -> views.View:
    """Sidebar widgets (seeded by :func:`seed_view`) -> a View; the URL follows it."""
    with ui.sidebar_top():  # above the sign-in box: the first thing in the sidebar after the page list
        st.header(ui.t("filters"))
        view = ui.view_filters("dm", lang, extra_indicators=tuple(st.session_state["dm_ind"]))
        view = batch_filter(view)
        site_edit.as_of_picker()  # st.session_state["dm_as_of"]: the sites as they stood that day
    st.query_params.from_dict(views.to_params(view))
    return view


def batch_filter(view: views.View) -> views.View:
    """The upload batch the view is narrowed to (``?batch=``), with a button to drop it."""
    batch = st.session_state.get("dm_batch")
    if batch and st.button(ui.t("dm_batch_clear").format(batch=batch), key="dm_batch_clear",
                           on_click=lambda: st.session_state.update(dm_batch=None)):
        batch = None
    return dataclasses.replace(view, batch=batch)


def details(site_id: str, lang: str) -> None:
    with ui.errors_shown():
        site = site_edit.shown_site(site_id)  # as on the "as at" day; a deleted one too, to be restored
    if site is None:  # not stored yet on the "as at" day
        st.caption(ui.t("se_not_yet").format(d=site_edit.as_of()))
        return
    st.subheader(ui.t("details"))
    st.dataframe(site_ops.details_table(site, ui.bounds(), lang), hide_index=True, width="stretch")
    site_edit.site_panel(site_id, lang)  # edit (editors), history, restore


def map_panel(sites: gpd.GeoDataFrame, view: views.View, lang: str) -> tuple[Reference | None, str | None]:
    """The map (drawn in the page and kept: a filter swaps only the sites), the legend
    counts, reference search hits and the new-site panel; returns the reference layers and the
    clicked site's id."""
    b = ui.bounds()
    ref = ref_ui.layers()
    ref_hits = ref_ui.found(ref, view.text)
    focus = view.focus(b)
    clicked = live_map(key="dm_map", height=620, sites=sites, b=b, lang=lang, layer=view.layer, focus=focus,
                       view=map_sites.sites_view(sites, b, focus, view.fits_city),
                       reference_text=None if ref is None else map_reference.payload_text(
                           ref, lang, ref_hits, url=reference_url(ref, lang)))
    legend = map_sites.legend_items(sites, lang)
    if legend:
        st.caption(" · ".join(f"{glyph} {label}: {n}" for glyph, _c, label, n in legend))
    ref_ui.search_results(ref_hits, view.text, lang)
    site_edit.new_site_panel(lang, focus)  # editors: draw a new site
    return ref, clicked


def site_list(sites: gpd.GeoDataFrame, table: pd.DataFrame, total: int, clicked: str | None, lang: str) -> None:
    """The site table (first rows, selectable), the chosen site's details and inspections (the counts
    by category are the legend's line under the map)."""
    if sites.empty:
        st.info(ui.t("no_sites"))
    table.columns = [ui.t(c) for c in ("id", "name", "category", "status", "district", "commune", "progress_pct")]
    st.subheader(ui.t("shown_sites"))
    picked = st.dataframe(table, hide_index=True, width="stretch", height=300, key="dm_table",
                          on_select="rerun", selection_mode=["single-row", "single-cell"],
                          column_order=[ui.t(c) for c in TABLE_ORDER])  # what matters first (phones)
    if len(table) < total:
        st.caption(ui.t("table_showing").format(n=len(table), total=total))
    rows = picked.selection.rows or [c[0] for c in picked.selection.cells] if picked else []
    chosen = table.iloc[rows[0]][ui.t("id")] if rows else clicked or site_edit.last_edited()  # any cell of a row
    chosen = chosen or (sites.iloc[0]["id"] if len(sites) == 1 else None)  # one site found: its details
    if chosen:
        details(chosen, lang)
        insp_ui.site_inspections(chosen)
    else:
        st.caption(ui.t("site_details_pick"))


def downloads(sites: gpd.GeoDataFrame, lang: str) -> None:
    """The shown sites as a file (made only when the button is clicked: 5 MB and 1 s at 10,000
    sites); for a GeoPackage, its QGIS style on its own too (geo/styles.py)."""
    fmt = st.selectbox(ui.t("format"), site_ops.EXPORT_FORMATS, key="dm_fmt")
    st.download_button(ui.t("download_shown"), data=lambda: site_ops.export(sites, fmt), on_click="ignore",
                       file_name=f"p03_sites.{fmt}", mime=site_ops.MEDIA_TYPES[fmt], key="dm_download")
    if fmt == "gpkg":
        from geo import styles

        kind = (styles.kinds_of([str(t) for t in sites.geom_type]) or ["point"])[0]
        q, d = st.columns(2)
        q.download_button("QGIS (.qml)", data=lambda: styles.qml(kind, lang), on_click="ignore",
                          file_name=f"p03_sites_{kind}.qml", mime="application/xml", key="dm_qml")
        d.download_button("SLD (.sld)", data=lambda: styles.sld(lang), on_click="ignore",
                          file_name="p03_sites.sld", mime="application/vnd.ogc.sld+xml", key="dm_sld")


def main() -> None:
    # the page's config, then at once the element that fetches the map's code; the sidebar after the map
    lang = ui.page_start(first=early)
    ui.use_local_assets()
    st.title(ui.t("district_map"))
    with ui.errors_shown():
        b = ui.bounds()
        seed_view()
        view = state_view(lang)  # the map goes out before the sidebar's filters (their chunks load meanwhile)
        version = ui.cached_version()
        as_of = site_edit.as_of()  # the sites as they stood that day (None: today)
        ages = tuple(st.session_state.get("dm_age") or ())  # last inspected: never / > 90 days / <= 90 days
        sites = insp_ui.by_age(query(version, view, as_of), ages, version)
    st.caption(ui.t("n_sites_in").format(n=len(sites), unit=view.unit_label(b, lang)) + " · " + ui.t("map_help"))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        ref, clicked = map_panel(sites, view, lang)
    ui.sidebar(started=True)  # navigation, language, sign-in box: their elements come after the map's
    with ui.errors_shown():
        drawn = (choose_view(lang), insp_ui.age_choice())
    if drawn != (view, ages) and not st.session_state.pop("dm_redrawn", False):  # not expected: once more,
        st.session_state["dm_redrawn"] = True  # with the widgets' own values
        st.rerun()
    with right:
        site_list(sites, *site_table(version, view, lang, ages, as_of), clicked, lang)
        downloads(sites, lang)
    with st.expander(ui.t("attribution")):
        st.markdown("\n".join(f"- {line}" for line in b.attribution_lines(view.layer)))  # one element, not one a line
        ref_ui.attribution(ref, lang)

main()
