"""P03 Map — home: the city overview and links to the pages.

Run with ``make run``. Pages live in ``pages/`` (Streamlit's multipage folder; the sidebar's page
list is drawn by ``pages.ui.nav`` in the chosen language). Each page is thin: widgets -> geo/ -> render.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from geo import fmt, views
from geo.maps import choropleth
from geo.overview import CityOverview, city_overview
from pages import ui


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(version: int, lang: str) -> CityOverview:
    return city_overview(ui.store().query_sites(), ui.bounds(), lang)


@st.cache_resource(show_spinner=False, max_entries=8)
def _city_map(version: int, lang: str):  # noqa: ANN202 (a folium.Map, shared read-only)
    """Sites per district, each district a link to its map."""
    by_district = _overview(version, lang).by_district
    return choropleth.unit_choropleth(by_district.rename(columns={"total": "value"}), ui.bounds(), "district",
                                      column="value", lang=lang, title=ui.t("sites"),
                                      link=views.map_url(views.View("district", "{code}")))


def _open_district(code: str) -> None:
    st.session_state.pop("dm_seeded", None)  # the district map reads its view from the URL again
    st.session_state["home_pick"] = st.session_state.get("home_pick", 0) + 1  # a fresh, unselected table
    try:
        st.switch_page("pages/district_map.py", query_params={"district": code})
    except StreamlitAPIException:  # the home page run alone (AppTest): no other pages
        st.query_params["district"] = code


def home() -> None:
    # imported here, not at the top: `streamlit run` first imports this module to find the st.App,
    # before Streamlit's runtime exists, and a component declared then is never served (404)
    from streamlit_folium import st_folium

    lang = ui.sidebar()
    ui.use_local_assets()
    st.title(ui.t("app_title"))
    st.caption(ui.t("app_tagline"))
    with ui.errors_shown():
        version = ui.cached_version()
        overview = _overview(version, lang)
    if not overview.sites:
        st.info(ui.t("store_empty"))
    c1, c2, c3 = st.columns(3)
    c1.metric(ui.t("sites"), fmt.number(overview.sites, lang))
    c2.metric(ui.t("districts"), overview.districts)
    c3.metric(ui.t("communes"), overview.communes)
    st.subheader(ui.t("home_city_map"))
    st.caption(ui.t("home_map_help"))
    st_folium(_city_map(version, lang), height=460, use_container_width=True, key="home_map", returned_objects=[])
    st.subheader(ui.t("counts_by_district"))
    picked = st.dataframe(overview.districts_table, hide_index=True, width="stretch",
                          key=f"home_districts_{st.session_state.get('home_pick', 0)}",
                          on_select="rerun", selection_mode=["single-row", "single-cell"])
    rows = picked.selection.rows or [c[0] for c in picked.selection.cells] if picked else []
    if rows:
        _open_district(overview.district_codes[rows[0]])
    st.subheader(ui.t("counts_by_category"))
    st.dataframe(overview.categories_table, hide_index=True, width="stretch")
    st.subheader(ui.t("pages_intro"))
    for file, key, icon in ui.existing_pages()[1:]:
        st.page_link(file, label=ui.t(key), icon=icon)
    with st.expander(ui.t("attribution")):
        for line in dict.fromkeys(ui.bounds().attribution.values()):
            st.markdown(f"- {line}")


if __name__ == "__main__":  # a script run of the home page
    home()
else:  # `streamlit run app.py` imports this module and serves the st.App: the app + the cookie routes
    from starlette.middleware import Middleware

    from pages.ui import asset_cache, cookies, live_map, nodelay, page_html

    nodelay.on_listening_sockets()  # Streamlit's server socket, bound by now: 40 ms saved per reused connection
    app = st.App("app.py", routes=cookies.routes() + live_map.routes(),
                 middleware=[Middleware(asset_cache.AssetCache), Middleware(page_html.PageMiddleware)])
