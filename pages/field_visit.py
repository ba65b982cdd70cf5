"""Field visit: choose sites, order the route, print the brief, take it on a phone, save the plan.

The page draws its sections; the pieces are in ``pages/ui/visit_*.py`` (state, choosing sites,
the route, saved plans) and the logic in :mod:`geo.visits`.
"""

from __future__ import annotations

import streamlit as st

from geo import visits
from geo.visits.brief_maps import qr_svg
from pages import ui
from pages.ui import inspection as insp_ui
from pages.ui import visit_pick, visit_plans, visit_route
from pages.ui import visit_state as state


def plan_details() -> None:
    with st.expander(ui.t("visit_plan")):
        st.text_input(ui.t("visit_name"), state.default("name"), key="fv_name", max_chars=200)
        st.date_input(ui.t("visit_date"), state.default("date"), key="fv_date", format="DD/MM/YYYY")
        st.text_area(ui.t("visit_participants"), state.default("people"), key="fv_people", height=90, max_chars=2000)
        st.text_area(ui.t("notes"), state.default("notes"), key="fv_notes", height=68, max_chars=2000)


def brief_downloads(version: int, route: visits.Route, lang: str) -> None:
    """The brief (PDF, print HTML: made on request), GPX and KML."""
    plan, plan_id = route.plan, st.session_state.get(state.PLAN_ID)
    stem = visits.file_stem(plan)
    key = (plan.to_json(), plan_id, lang)
    if st.button(ui.t("visit_prepare"), key="fv_prepare", type="primary"):
        with st.spinner(ui.t("visit_prepare") + "…"), ui.errors_shown():
            st.session_state["fv_brief"] = (key, *state.brief_files(version, plan.to_json(), plan_id, lang))
    ready = st.session_state.get("fv_brief")
    with st.container(horizontal=True):
        if ready and ready[0] == key:
            st.download_button(ui.t("visit_pdf"), ready[1], file_name=f"{stem}.pdf", mime="application/pdf",
                               key="fv_dl_pdf", icon=":material/picture_as_pdf:")
            st.download_button(ui.t("visit_html"), ready[2].encode("utf-8"), file_name=f"{stem}.html",
                               mime="text/html", key="fv_dl_html", icon=":material/print:")
        st.download_button(ui.t("visit_gpx"), visits.to_gpx(route, lang).encode("utf-8"), file_name=f"{stem}.gpx",
                           mime="application/gpx+xml", key="fv_dl_gpx", icon=":material/route:")
        st.download_button(ui.t("visit_kml"), visits.to_kml(route, lang).encode("utf-8"), file_name=f"{stem}.kml",
                           mime="application/vnd.google-earth.kml+xml", key="fv_dl_kml", icon=":material/public:")


def outputs(version: int, route: visits.Route, lang: str) -> None:
    """Downloads, the inspection files, the QR code to the plan's page, saving the plan."""
    st.header(ui.t("visit_brief"))
    brief_downloads(version, route, lang)
    plan_id = st.session_state.get(state.PLAN_ID)
    insp_ui.visit_downloads(plan_id)  # the minutes (Biên bản kiểm tra), photos ZIP, inspections GeoJSON
    url = visits.plan_url(plan_id, plan=route.plan)
    st.image(qr_svg(url), width=150, caption=ui.t("visit_scan"))
    st.markdown(f"[{ui.t('visit_open_link')}]({url})")
    visit_plans.save_button(route.plan)


def main() -> None:
    lang = ui.sidebar()
    with ui.errors_shown():
        state.init(lang)
        state.apply_pending()
        version = ui.cached_version()
        visit_plans.sidebar(lang)
    st.title(ui.t("field_visit"))
    st.caption(ui.t("visit_intro"))
    err = st.session_state.pop("fv_load_error", None)
    if err:
        ui.show_error(err, literal=True)  # the address's plan id is quoted: shown as text only
    plan_details()
    st.header(ui.t("visit_choose"))
    with ui.errors_shown():
        visit_pick.choose_sites(version, lang)
        route = visit_route.route_section(version, lang)
    if route is not None:
        outputs(version, route, lang)


main()
