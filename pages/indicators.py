"""Indicators dashboard: a card per indicator (progress, value / target, status and reason, last
change, history chart, link to its sites on the map), where each district or 2025 commune stands
(choropleth, table, pledges), exports, and the editors' forms (pages/ui/indicator_edit.py).
Everything shown is shaped in geo.indicators (dashboard, judge, history); this page renders it."""

from __future__ import annotations

import datetime as dt

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from geo import fmt, views
from geo.i18n import t
from geo.indicators import dashboard, history, judge, measure, registry, report
from geo.indicators.progress import Progress, programme_window, status_label
from geo.maps import choropleth
from pages import ui
from pages.ui import bars, indicator_edit

MAP_PAGE = "pages/district_map.py"
SECTIONS = {"summary": "ind_summary", "units": "ind_by_unit", "exports": "ind_exports", "edit": "ind_edit"}
BADGE = {"done": "green", "on_track": "blue", "at_risk": "red", "no_data": "gray", "no_target": "gray"}


# ---------------------------------------------------------------- cached reads


@st.cache_resource(show_spinner=False, max_entries=2)
def sites_of(version: int) -> gpd.GeoDataFrame:
    """Every site, read once per store version (not mutated by the callers)."""
    return ui.store().query_sites()


@st.cache_data(show_spinner=False, max_entries=32)
def progress_at(version: int, as_of: dt.date) -> list[Progress]:
    return judge.compute(ui.store(), as_of, sites=sites_of(version))


@st.cache_data(show_spinner=False, max_entries=256)
def history_of(version: int, code: str, as_of: dt.date) -> pd.DataFrame:
    store = ui.store()
    hist = history.history(store, registry.get_indicator(store, code), sites=sites_of(version), until=as_of)
    return history.step_series(hist, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def units_of(version: int, code: str, layer: str, as_of: dt.date) -> pd.DataFrame:
    store = ui.store()
    return measure.by_unit(store, registry.get_indicator(store, code), ui.bounds(), layer, as_of,
                           sites=sites_of(version))


@st.cache_resource(show_spinner=False, max_entries=16)
def choropleth_map(version: int, code: str, layer: str, as_of: dt.date, column: str, lang: str):  # noqa: ANN201
    ind = registry.get_indicator(ui.store(), code)
    return choropleth.unit_choropleth(dashboard.with_lag(units_of(version, code, layer, as_of), as_of), ui.bounds(),
                                      layer, column=column, lang=lang, title=dashboard.choropleth_title(ind, column, lang),
                                      link=dashboard.map_link(ind, layer))


# ---------------------------------------------------------------- dashboard


def map_link(c: dashboard.Card) -> None:
    """The card's link to the district map (a plain link when the page runs alone, as in an
    AppTest, where the other pages are unknown)."""
    try:
        st.page_link(MAP_PAGE, label=c.map_label, icon=":material/map:", query_params=c.map_params)
    except (StreamlitAPIException, KeyError):
        st.markdown(f":material/map: [{c.map_label}]({c.map_url})")


def history_chart(data: pd.DataFrame, p: Progress, lang: str) -> None:
    if data.empty:
        st.caption(ui.t("ind_no_history"))
        return
    chart = alt.Chart(data).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=p.indicator.unit(lang)))
    if p.indicator.target is not None:
        chart = chart + alt.Chart(pd.DataFrame({"target": [p.indicator.target.low]})).mark_rule(
            strokeDash=[4, 3], color="#c62828").encode(y="target:Q")
    st.altair_chart(chart.properties(height=170), width="stretch")


def card(p: Progress, version: int, lang: str) -> None:
    c = dashboard.card(p, lang, escape=ui.md_escape)  # user text escaped for Markdown
    with st.container(border=True):
        left, right = st.columns([3, 2], gap="medium")
        with left:
            st.markdown(f"**{c.heading}**")
            bars.progress_bar(p.progress, p.status, c.value_line)
            st.markdown(f":{BADGE[p.status]}-badge[{c.status_text}] {c.reason}")
            st.caption(c.caption)
            if c.map_label:
                map_link(c)
        with right:
            history_chart(history_of(version, p.indicator.code, p.as_of), p, lang)


def summary(progress: list[Progress], version: int, lang: str) -> None:
    counts = dashboard.status_counts(progress)
    for col, status in zip(st.columns(4), ("done", "on_track", "at_risk", "no_data"), strict=True):
        col.metric(status_label(status, lang), counts[status])
    for p in progress:
        card(p, version, lang)


# ---------------------------------------------------------------- by district / commune


def by_unit_section(progress: list[Progress], version: int, as_of: dt.date, lang: str) -> None:
    titles = dashboard.titles(progress, lang)
    wanted = st.query_params.get("indicator")
    if "ind_unit_code" not in st.session_state:  # the link's indicator, else the one furthest behind
        st.session_state["ind_unit_code"] = wanted if wanted in titles else judge.worst_indicator(progress)
    c1, c2, c3 = st.columns([3, 2, 2])
    codes = list(titles)
    code = str(c1.selectbox(ui.t("ind_choose"), codes, index=ui.kept_index(codes, "ind_unit_code"), key="ind_unit_code",
                            format_func=lambda c: titles[c]))
    layer = str(c2.radio(ui.t("layer"), ["district", "commune"], key="ind_unit_layer",
                         format_func=lambda v: views.layer_label(ui.bounds(), v, lang)))
    column = str(c3.radio(ui.t("ind_color_by"), list(dashboard.COLOR_BY), key="ind_unit_column",
                          format_func=lambda v: t(dashboard.COLOR_BY[v], lang)))
    if column == "lag":
        st.caption(dashboard.lag_help(as_of, lang))
    st.caption(ui.t("ind_click_unit"))
    # a click on a unit opens its map in the browser itself (geo.maps.choropleth's link): no rerun here
    st_folium(choropleth_map(version, code, layer, as_of, column, lang), height=520, use_container_width=True,
              key=f"ind_choro_{layer}", returned_objects=[])
    table = dashboard.with_lag(units_of(version, code, layer, as_of), as_of)
    shown = dashboard.unit_rows(table, registry.get_indicator(ui.store(), code), layer, lang)  # worst first
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config={
        ui.t("ind_open_map"): st.column_config.LinkColumn(display_text=ui.t("ind_open_map")),
        ui.t("ind_share"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent")})


# ---------------------------------------------------------------- exports


def exports(progress: list[Progress], version: int, as_of: dt.date, lang: str) -> None:
    code = st.session_state.get("ind_unit_code") or progress[0].indicator.code
    stamp = as_of.isoformat()
    c1, c2, c3 = st.columns(3)
    c1.download_button(ui.t("ind_csv"), report.to_csv(progress, lang), f"p03_indicators_{stamp}.csv",
                       mime=report.MEDIA_TYPES["csv"], key="ind_dl_csv")
    c2.download_button(ui.t("ind_xlsx"), report.to_xlsx(progress, units_of(version, code, "district", as_of),
                                                        "district", lang),
                       f"p03_indicators_{stamp}.xlsx", mime=report.MEDIA_TYPES["xlsx"], key="ind_dl_xlsx")
    store, b = ui.store(), ui.bounds()
    chosen = next(p.indicator for p in progress if p.indicator.code == code)

    def pdf() -> bytes:  # made when clicked, in Vietnamese (no Streamlit calls in here)
        return report.summary_pdf(progress, measure.by_unit(store, chosen, b, "district", as_of), chosen, lang="vi")

    c3.download_button(ui.t("ind_pdf"), pdf, f"p03_chi_tieu_{stamp}.pdf", mime=report.MEDIA_TYPES["pdf"],
                       key="ind_dl_pdf", on_click="ignore")
    st.caption(ui.t("ind_summary_units").format(code=ui.md_escape(code)))


# ---------------------------------------------------------------- the page


def main() -> None:
    lang = ui.sidebar()
    ui.use_local_assets()
    st.title(ui.t("ind_title"))
    st.caption(ui.t("ind_intro"))
    with ui.sidebar_top():  # above the sign-in box
        as_of = st.date_input(ui.t("ind_as_of"), value=dt.date.today(), key="ind_as_of", format="DD/MM/YYYY",
                              min_value=dt.date(2010, 1, 1), max_value=dt.date(2035, 12, 31))
        start, end = programme_window()
        st.caption(ui.t("ind_programme").format(start=fmt.date(start, lang), end=fmt.date(end, lang)))
    with ui.errors_shown():
        version = ui.cached_version()
        progress = progress_at(version, as_of)
    # one section at a time (a Leaflet map drawn in a hidden tab comes out blank)
    if "ind_section" not in st.session_state:
        wanted = st.query_params.get("section")
        st.session_state["ind_section"] = wanted if wanted in SECTIONS else "summary"
    section = st.radio(ui.t("ind_section"), list(SECTIONS), index=ui.kept_index(list(SECTIONS), "ind_section"),
                       key="ind_section", horizontal=True,
                       format_func=lambda v: t(SECTIONS[v], lang), label_visibility="collapsed")
    if section == "summary":
        summary(progress, version, lang)
    elif section == "units":
        with ui.errors_shown():
            by_unit_section(progress, version, as_of, lang)
    elif section == "exports":
        with ui.errors_shown():
            exports(progress, version, as_of, lang)
    else:
        indicator_edit.editor(progress, lang)


main()
