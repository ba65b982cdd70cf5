"""The route on the field-visit page: where it starts, its options, the ordered stops (move up,
down, remove) with their times and directions, and the numbered route map. The plan the form
makes and its order come from :mod:`geo.visits.draft`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import fmt, visits
from geo.maps.route import route_map
from geo.visits import draft
from pages import ui
from pages.ui import inspection as insp_ui
from pages.ui import visit_state as state


def choose_start(lang: str, chosen: gpd.GeoDataFrame) -> visits.Start:
    """The start: a preset place, one of the chosen sites, or coordinates (typed or clicked)."""
    kinds = {"preset": ui.t("visit_start_preset"), "site": ui.t("visit_start_site"),
             "coords": ui.t("visit_start_coords")}
    loaded = state.default("start_kind")
    kind = st.radio(ui.t("visit_start"), list(kinds), key="fv_start_kind", format_func=kinds.get,
                    index=list(kinds).index(loaded) if loaded in kinds else 0)
    if kind == "site" and len(chosen):
        names = dict(zip(chosen["id"], chosen["name"], strict=True))
        first = draft.start_site(st.session_state.get("fv_start_site"), list(names))
        if first != st.session_state.get("fv_start_site"):
            st.session_state["fv_start_site"] = first
        sid = str(st.selectbox(ui.t("site"), list(names), key="fv_start_site", format_func=lambda s: names[s]))
        return visits.Start.at_site(chosen, sid)
    if kind == "coords":
        text = st.text_input(ui.t("visit_coords"), state.default("coords"), key="fv_coords",
                             help=ui.t("visit_coords_help"))
        with ui.errors_shown():
            lat, lon = visits.parse_latlon(text)
        return visits.Start.coords(lat, lon)
    preset = visits.PRESETS[0]
    st.caption(f"{preset.label(lang)} ({preset.lat:.4f}, {preset.lon:.4f})")
    return visits.Start.preset(preset.key, lang)


def current_plan(lang: str, chosen: gpd.GeoDataFrame) -> visits.Plan:
    """Route options and the plan they make with the current order (re-optimised when the set of
    stops, the start or the return changed, unless the user reordered by hand)."""
    start = choose_start(lang, chosen)
    with st.container(horizontal=True):
        st.number_input(ui.t("visit_speed"), min_value=1.0, max_value=120.0, value=state.default("speed"), step=1.0,
                        key="fv_speed")
        st.number_input(ui.t("visit_dwell"), min_value=0.0, max_value=600.0, value=state.default("dwell"), step=5.0,
                        key="fv_dwell")
        st.time_input(ui.t("visit_depart"), state.default("depart"), key="fv_depart", step=dt.timedelta(minutes=5))
    st.checkbox(ui.t("visit_return"), state.default("return"), key="fv_return")
    ss = st.session_state
    with ui.errors_shown():
        plan, ss["fv_sig"] = draft.arranged(draft.plan_from_form(state.form(), start), chosen,
                                            manual=bool(ss[state.MANUAL]), last=ss.get("fv_sig"))
    ss[state.ORDER] = list(plan.stop_ids)
    return plan


def _stop(s: visits.RouteStop, link: dict[str, str], last: int, lang: str) -> None:
    with st.container(border=True):
        st.markdown(
            f"**{s.seq}. {ui.md_escape(s.name)}**  \n"
            f"{ui.t('visit_arrive')} {s.arrive:%H:%M} – {ui.t('visit_depart_at')} {s.depart:%H:%M} · "
            f"{fmt.km(s.leg_km, lang)}  \n"
            f"{ui.t('visit_directions')}: [Google Maps]({link['google']}) · [Apple Maps]({link['apple']}) · "
            f"[OpenStreetMap]({link['osm']})")
        with st.container(horizontal=True):
            st.button("↑", key=f"fv_up_{s.site_id}", help=ui.t("visit_up"), on_click=state.move,
                      args=(s.site_id, -1), disabled=s.seq == 1)
            st.button("↓", key=f"fv_down_{s.site_id}", help=ui.t("visit_down"), on_click=state.move,
                      args=(s.site_id, 1), disabled=s.seq == last)
            st.button("✕", key=f"fv_rm_{s.site_id}", help=ui.t("visit_remove"), on_click=state.remove,
                      args=(s.site_id,))
        insp_ui.stop_status(st.session_state.get(state.PLAN_ID), s.site_id, s.seq)  # recorded? the form


def stops_list(route: visits.Route, lang: str) -> None:
    """Each stop with its times, leg and directions links; the totals."""
    for s, link in zip(route.stops, visits.stop_links(route), strict=True):
        _stop(s, link, len(route.stops), lang)
    st.markdown("**" + visits.total_line(route, lang) + "**")
    back = visits.back_line(route, lang)
    if back:
        st.caption(back)
    st.caption(ui.t("visit_straight_note"))


def _route_map(route: visits.Route, chosen: gpd.GeoDataFrame, lang: str) -> None:
    """The numbered route; with a start at coordinates, a click on it moves the start there."""
    picking = route.plan.start.kind == "coords"
    out: Any = st_folium(route_map(route, chosen, ui.bounds(), lang=lang, height=380), height=380,
                         use_container_width=True, key="fv_route_map",
                         returned_objects=["last_clicked"] if picking else [])
    click = (out or {}).get("last_clicked") if picking else None
    if click and click != st.session_state.get("fv_last_click"):
        st.session_state["fv_last_click"] = click
        st.session_state["fv_pending_coords"] = f"{click['lat']:.6f}, {click['lng']:.6f}"
        st.rerun()


def route_section(version: int, lang: str) -> visits.Route | None:
    """The route's options, map and stops; None while no site is chosen."""
    st.header(ui.t("visit_route"))
    chosen = state.sites_by_id(version, tuple(st.session_state[state.SEL]))
    plan = current_plan(lang, chosen)
    st.button(ui.t("visit_optimise"), key="fv_optimise", on_click=state.optimise_now, type="secondary")
    if not plan.stop_ids:
        st.info(ui.t("visit_no_stops"))
        return None
    st.caption(ui.t("visit_order_exact") if len(plan.stop_ids) <= visits.EXACT_MAX else ui.t("visit_order_heuristic"))
    with ui.errors_shown():
        route = visits.compute_route(plan, chosen)
    _route_map(route, chosen, lang)
    stops_list(route, lang)
    return route
