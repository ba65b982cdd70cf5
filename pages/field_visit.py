"""Field visit: choose sites, order the route, print the brief, take it on a phone, save the plan.

State (``st.session_state``, keys ``fv_*``): ``fv_sel`` the chosen site ids (the multiselect),
``fv_order`` their visiting order, ``fv_manual`` whether the user reordered by hand (then new
sites are appended instead of re-optimising), ``fv_plan_id`` the saved plan being edited,
``fv_nonce`` bumped whenever the selection changes outside the table (resets its ticks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import brief, render, views, visits
from geo import plans as plan_ops
from geo.boundaries import unit_names
from geo.errors import P03Error
from geo.i18n import t as tr
from geo.maps.route import route_map
from geo.schema import category_label, status_label
from geo.store import SiteFilter
from pages import ui
from pages.ui import inspection as insp_ui
from pages.ui import visit_pick

SEL, ORDER, MANUAL, PLAN_ID, NONCE = "fv_sel", "fv_order", "fv_manual", "fv_plan_id", "fv_nonce"


# ---------------------------------------------------------------- data (cached per store version)


@st.cache_data(show_spinner=False, max_entries=64)
def query(version: int, view: views.View) -> gpd.GeoDataFrame:
    return ui.store().query_sites(view.site_filter())


@st.cache_data(show_spinner=False, max_entries=64)
def sites_by_id(version: int, ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    return ui.store().query_sites(SiteFilter(ids=ids)) if ids else ui.store().query_sites(SiteFilter(ids=("",)))


def pick_map(view: views.View, lang: str, sites: gpd.GeoDataFrame):  # noqa: ANN201
    """Built on every run, as on the district map: a cached folium.Map rendered again changes its
    script, and st_folium then forgets the last click."""
    b = ui.bounds()
    return render.site_map(sites, b, lang=lang, layer=view.layer, focus=view.focus(b), height=360)


@st.cache_data(show_spinner=False, max_entries=8)
def brief_files(version: int, plan_json: str, plan_id: str | None, lang: str) -> tuple[bytes, str]:
    plan = visits.Plan.from_dict(_loads(plan_json))
    sites = sites_by_id(version, tuple(plan.stop_ids))
    route = visits.compute_route(plan, sites)
    b = ui.bounds()
    pics = brief.images(route, sites, b, visits.plan_url(plan_id, plan=plan), lang)
    return (brief.brief_pdf(route, sites, b, lang=lang, plan_id=plan_id, pictures=pics),
            brief.brief_html(route, sites, b, lang=lang, plan_id=plan_id, pictures=pics))


def _loads(text: str) -> dict[str, Any]:
    import json

    return dict(json.loads(text))


# ---------------------------------------------------------------- actions (geo.plans checks who may; errors shown by callers)


def save_plan(plan: visits.Plan, plan_id: str | None) -> str:
    return plan_ops.save(ui.store(), plan.to_dict(), ui.current_user(), plan_id)


def copy_plan(plan_id: str, name: str) -> str:
    return plan_ops.copy(ui.store(), plan_id, ui.current_user(), name)


def delete_plan(plan_id: str) -> None:
    plan_ops.delete(ui.store(), plan_id, ui.current_user())


# ---------------------------------------------------------------- state


def _init(lang: str) -> None:
    """Session state once per session: a new plan, or the one the address names."""
    if "fv_seeded" in st.session_state:
        return
    st.session_state["fv_seeded"] = True
    st.session_state[NONCE] = 0
    params = st.query_params.to_dict()
    plan, plan_id = visits.new_plan(lang), None
    try:
        if params.get("plan"):
            plan_id = str(params["plan"])
            plan = visits.Plan.from_dict(ui.store().get_plan(plan_id)["plan"])
        elif params.get("sites"):
            plan = visits.plan_from_params(params, lang)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc
        plan_id = None
    _load(plan, plan_id, manual=bool(plan.stop_ids))


def _load(plan: visits.Plan, plan_id: str | None, manual: bool) -> None:
    """Put ``plan`` into the widgets' state (call before they are drawn, e.g. in a callback)."""
    ss = st.session_state
    ss.update({SEL: list(plan.stop_ids), ORDER: list(plan.stop_ids), MANUAL: manual, PLAN_ID: plan_id,
               "fv_name": plan.name, "fv_people": "\n".join(plan.participants),
               "fv_date": visits.parse_date(plan.visit_date) if plan.visit_date else dt.date.today()
               + dt.timedelta(days=1),
               "fv_return": plan.return_to_start, "fv_speed": float(plan.speed_kmh),
               "fv_dwell": float(plan.dwell_min), "fv_depart": visits.parse_hhmm(plan.depart),
               "fv_start_kind": plan.start.kind, "fv_start_site": plan.start.key if plan.start.kind == "site"
               else None, "fv_coords": f"{plan.start.lat:.6f}, {plan.start.lon:.6f}", "fv_sig": None,
               "fv_notes": plan.notes})
    ss[NONCE] = ss.get(NONCE, 0) + 1


def _apply_pending() -> None:
    """Changes asked for after the widgets were drawn (map clicks), applied before they are drawn."""
    ss = st.session_state
    add = ss.pop("fv_pending_add", None)
    if add and add not in ss[SEL]:
        ss[SEL] = [*ss[SEL], add]
        ss[NONCE] += 1
    coords = ss.pop("fv_pending_coords", None)
    if coords:
        ss["fv_coords"] = coords
        ss["fv_start_kind"] = "coords"


def _bump() -> None:
    st.session_state[NONCE] += 1


def _move(site_id: str, step: int) -> None:
    st.session_state[ORDER] = visits.move(st.session_state[ORDER], site_id, step)
    st.session_state[MANUAL] = True


def _remove(site_id: str) -> None:
    st.session_state[SEL] = [s for s in st.session_state[SEL] if s != site_id]
    st.session_state[ORDER] = [s for s in st.session_state[ORDER] if s != site_id]
    _bump()


def _optimise_now() -> None:
    st.session_state[MANUAL] = False
    st.session_state["fv_sig"] = None


# ---------------------------------------------------------------- sections


def saved_plans(lang: str) -> None:
    """Sidebar: reopen, copy or delete a saved plan; start a new one."""
    with st.sidebar:
        st.subheader(ui.t("visit_saved"))
        plans = ui.store().list_plans()
        if plans.empty:
            st.caption(ui.t("visit_none_saved"))
        else:
            labels = {r.plan_id: f"{r.visit_date or '—'} · {r.name} ({r.n_stops})" for r in plans.itertuples()}
            pid = st.selectbox(ui.t("visit_saved"), list(labels), format_func=lambda p: labels[p], key="fv_pick_plan",
                               label_visibility="collapsed")
            with st.container(horizontal=True):
                opened = st.button(ui.t("visit_open"), key="fv_open")
                copied = st.button(ui.t("visit_copy"), key="fv_copy")
                deleted = st.button(ui.t("visit_delete"), key="fv_delete")
            # handled here, in the run (not in callbacks), before the main area's widgets are drawn:
            # a role check wrapping copy_plan/delete_plan may show its message and st.stop()
            if opened:
                _open_plan(pid, lang)
            elif copied:
                _copy_plan(pid, lang)
            elif deleted:
                _delete_plan(pid, lang)
            if opened or copied or deleted:
                st.rerun()
        if st.button(ui.t("visit_new"), key="fv_new"):
            _new_plan(lang)
            st.rerun()
        msg = st.session_state.pop("fv_flash", None)
        if msg:
            st.success(ui.md_escape(msg))


def _open_plan(pid: str, lang: str) -> None:
    try:
        _load(visits.Plan.from_dict(ui.store().get_plan(pid)["plan"]), pid, manual=True)
        st.query_params.from_dict({"plan": pid})
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc


def _copy_plan(pid: str, lang: str) -> None:
    try:
        name = ui.store().get_plan(pid)["name"]
        new_name = tr("visit_copy_of", lang).format(name=name)
        new = copy_plan(pid, new_name)
        _open_plan(new, lang)
        st.session_state["fv_flash"] = tr("visit_copied_ok", lang).format(name=new_name)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc


def _delete_plan(pid: str, lang: str) -> None:
    try:
        name = ui.store().get_plan(pid)["name"]
        delete_plan(pid)
        st.session_state["fv_flash"] = tr("visit_deleted_ok", lang).format(name=name)
        if st.session_state.get(PLAN_ID) == pid:
            _new_plan(lang)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc


def _new_plan(lang: str) -> None:
    _load(visits.new_plan(lang), None, manual=False)
    st.query_params.clear()


def plan_details() -> None:
    with st.expander(ui.t("visit_plan")):
        st.text_input(ui.t("visit_name"), key="fv_name", max_chars=200)
        st.date_input(ui.t("visit_date"), key="fv_date", format="DD/MM/YYYY")
        st.text_area(ui.t("visit_participants"), key="fv_people", height=90, max_chars=2000)
        st.text_area(ui.t("notes"), key="fv_notes", height=68, max_chars=2000)


def choose_view(lang: str) -> views.View:
    with st.container(border=True):  # in the first screen: choosing by district is the usual start
        return ui.view_filters("fv", lang, horizontal=True)


def choose_sites(version: int, lang: str) -> None:
    """The filtered table with a Pick column, the chosen-sites box, and the map (click to add)."""
    view = choose_view(lang)
    shown = query(version, view)
    b = ui.bounds()
    st.caption(ui.t("n_sites_in").format(n=len(shown), unit=view.unit_label(b, lang)) + " · "
               + ui.t("visit_tick_help"))
    visit_pick.add_all_button(shown)
    if not visit_pick.row_list(shown, b, lang):
        _tick_table(view, shown, b, lang)
    _choose_rest(version, view, shown, lang)


def _tick_table(view: views.View, shown: gpd.GeoDataFrame, b: Any, lang: str) -> None:
    """Above visit_pick.ROWS_MAX shown sites: the table with a Pick column."""
    key = f"fv_table_{hash(view)}_{st.session_state[NONCE]}"
    # the ticks the table starts from stay fixed for its key, so its own ticks never re-mount it;
    # changes from elsewhere bump the nonce (a new table)
    base = st.session_state.get("fv_table_base", {}).get(key)
    if base is None:
        base = list(st.session_state[SEL])
        st.session_state["fv_table_base"] = {key: base}
    chosen = set(base)
    table = pd.DataFrame({
        "pick": shown["id"].isin(chosen).to_numpy(), "name": shown["name"].to_numpy(),
        "category": [category_label(c, lang) for c in shown["category"]],
        "district": [unit_names(b, "district", c, lang) for c in shown["district_codes"]],
        "status": [status_label(s, lang) for s in shown["status"]], "id": shown["id"].to_numpy()})
    edited = st.data_editor(
        table, key=key, hide_index=True, height=260,
        disabled=["name", "category", "district", "status", "id"], width="stretch",
        column_config={"pick": st.column_config.CheckboxColumn(ui.t("visit_pick"), width="small"),
                       "name": ui.t("name"), "category": ui.t("category"), "district": ui.t("district"),
                       "status": ui.t("status"), "id": ui.t("id")})
    new_sel = visits.merge_ticks(st.session_state[SEL], list(edited["id"]), list(edited.loc[edited["pick"], "id"]))
    if new_sel != st.session_state[SEL]:
        st.session_state[SEL] = new_sel


def _choose_rest(version: int, view: views.View, shown: gpd.GeoDataFrame, lang: str) -> None:
    names = dict(zip(shown["id"], shown["name"], strict=True))
    names.update(dict(zip(*_names_of(version, st.session_state[SEL]), strict=True)))
    st.multiselect(ui.t("visit_chosen"), list(dict.fromkeys([*st.session_state[SEL], *shown["id"]])), key=SEL,
                   format_func=lambda i: names.get(i, i), on_change=_bump, max_selections=visits.MAX_STOPS,
                   placeholder=ui.t("visit_no_stops"))
    ui.use_local_assets()
    out = st_folium(pick_map(view, lang, shown), height=360, use_container_width=True, key="fv_pick_map",
                    returned_objects=["last_object_clicked_tooltip"])
    tip = (out or {}).get("last_object_clicked_tooltip")
    if tip and tip != st.session_state.get("fv_last_tip"):
        st.session_state["fv_last_tip"] = tip
        site_id = render.site_id_from_tooltip(tip)
        if site_id and site_id not in st.session_state[SEL]:
            st.session_state["fv_pending_add"] = site_id
            st.rerun()


def _names_of(version: int, ids: list[str]) -> tuple[list[str], list[str]]:
    sites = sites_by_id(version, tuple(ids))
    return list(sites["id"]), list(sites["name"])


def choose_start(lang: str, chosen: gpd.GeoDataFrame) -> visits.Start:
    kinds = {"preset": ui.t("visit_start_preset"), "site": ui.t("visit_start_site"),
             "coords": ui.t("visit_start_coords")}
    kind = st.radio(ui.t("visit_start"), list(kinds), key="fv_start_kind", format_func=kinds.get)
    if kind == "site" and len(chosen):
        names = dict(zip(chosen["id"], chosen["name"], strict=True))
        if st.session_state.get("fv_start_site") not in names:
            st.session_state["fv_start_site"] = next(iter(names))
        sid = str(st.selectbox(ui.t("site"), list(names), key="fv_start_site", format_func=lambda s: names[s]))
        pt = chosen.set_index("id").geometry[sid].representative_point()
        return visits.Start("site", sid, float(pt.y), float(pt.x), names[sid])
    if kind == "coords":
        text = st.text_input(ui.t("visit_coords"), key="fv_coords", help=ui.t("visit_coords_help"))
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
        st.number_input(ui.t("visit_speed"), min_value=1.0, max_value=120.0, step=1.0, key="fv_speed")
        st.number_input(ui.t("visit_dwell"), min_value=0.0, max_value=600.0, step=5.0, key="fv_dwell")
        st.time_input(ui.t("visit_depart"), key="fv_depart", step=dt.timedelta(minutes=5))
    ret = st.checkbox(ui.t("visit_return"), key="fv_return")
    ss = st.session_state
    sel = list(ss[SEL])
    order = [s for s in ss[ORDER] if s in sel] + [s for s in sel if s not in ss[ORDER]]
    date = ss["fv_date"]
    plan = visits.Plan(name=ss["fv_name"].strip(), visit_date=date.isoformat() if date else "",
                       participants=[p.strip() for p in ss["fv_people"].splitlines() if p.strip()],
                       start=start, return_to_start=ret, speed_kmh=float(ss["fv_speed"]),
                       dwell_min=float(ss["fv_dwell"]), depart=ss["fv_depart"].strftime("%H:%M"),
                       stop_ids=order, notes=ss["fv_notes"].strip())
    sig = (tuple(sorted(sel)), start.lat, start.lon, start.key, ret)
    if sel and not ss[MANUAL] and ss.get("fv_sig") != sig:
        with ui.errors_shown():
            plan = visits.optimise(plan, chosen)
    ss["fv_sig"] = sig
    ss[ORDER] = list(plan.stop_ids)
    return plan


def stops_list(route: visits.Route, lang: str) -> None:
    links = visits.stop_links(route)
    for s, link in zip(route.stops, links, strict=True):
        with st.container(border=True):
            st.markdown(
                f"**{s.seq}. {ui.md_escape(s.name)}**  \n"
                f"{ui.t('visit_arrive')} {s.arrive:%H:%M} – {ui.t('visit_depart_at')} {s.depart:%H:%M} · "
                f"{s.leg_km:.1f} km  \n"
                f"{ui.t('visit_directions')}: [Google Maps]({link['google']}) · [Apple Maps]({link['apple']}) · "
                f"[OpenStreetMap]({link['osm']})")
            with st.container(horizontal=True):
                st.button("↑", key=f"fv_up_{s.site_id}", help=ui.t("visit_up"), on_click=_move,
                          args=(s.site_id, -1), disabled=s.seq == 1)
                st.button("↓", key=f"fv_down_{s.site_id}", help=ui.t("visit_down"), on_click=_move,
                          args=(s.site_id, 1), disabled=s.seq == len(route.stops))
                st.button("✕", key=f"fv_rm_{s.site_id}", help=ui.t("visit_remove"), on_click=_remove,
                          args=(s.site_id,))
            insp_ui.stop_status(st.session_state.get(PLAN_ID), s.site_id, s.seq)  # recorded? the form
    minutes = int(round(route.total_minutes))
    st.markdown("**" + ui.t("visit_total").format(km=route.total_km, h=minutes // 60, m=minutes % 60) + "**")
    if route.back_at is not None and route.return_km is not None:
        st.caption(ui.t("visit_back_at").format(time=f"{route.back_at:%H:%M}", km=route.return_km))
    st.caption(ui.t("visit_straight_note"))


def route_section(version: int, lang: str) -> tuple[visits.Route, gpd.GeoDataFrame] | None:
    st.header(ui.t("visit_route"))
    chosen = sites_by_id(version, tuple(st.session_state[SEL]))
    plan = current_plan(lang, chosen)
    st.button(ui.t("visit_optimise"), key="fv_optimise", on_click=_optimise_now, type="secondary")
    if not plan.stop_ids:
        st.info(ui.t("visit_no_stops"))
        return None
    st.caption(ui.t("visit_order_exact") if len(plan.stop_ids) <= visits.EXACT_MAX else ui.t("visit_order_heuristic"))
    with ui.errors_shown():
        route = visits.compute_route(plan, chosen)
    fmap = route_map(route, chosen, ui.bounds(), lang=lang, height=380)
    picking = plan.start.kind == "coords"
    out = st_folium(fmap, height=380, use_container_width=True, key="fv_route_map",
                    returned_objects=["last_clicked"] if picking else [])
    click = (out or {}).get("last_clicked") if picking else None
    if click and click != st.session_state.get("fv_last_click"):
        st.session_state["fv_last_click"] = click
        st.session_state["fv_pending_coords"] = f"{click['lat']:.6f}, {click['lng']:.6f}"
        st.rerun()
    stops_list(route, lang)
    return route, chosen


def outputs(version: int, route: visits.Route, lang: str) -> None:
    """Downloads: the brief (PDF, print HTML, made on request), GPX and KML; saving the plan."""
    st.header(ui.t("visit_brief"))
    plan = route.plan
    plan_id = st.session_state.get(PLAN_ID)
    stem = "p03_" + (plan.visit_date or "visit")
    key = (plan.to_json(), plan_id, lang)
    if st.button(ui.t("visit_prepare"), key="fv_prepare", type="primary"):
        with st.spinner(ui.t("visit_prepare") + "…"), ui.errors_shown():
            st.session_state["fv_brief"] = (key, *brief_files(version, plan.to_json(), plan_id, lang))
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
    insp_ui.visit_downloads(plan_id)  # the minutes (Biên bản kiểm tra), photos ZIP, inspections GeoJSON
    url = visits.plan_url(plan_id, plan=plan)
    st.image(brief.qr_png(url), width=150, caption=ui.t("visit_scan"))
    st.markdown(f"[{ui.t('visit_open_link')}]({url})")
    if st.button(ui.t("visit_save"), key="fv_save"):
        with ui.errors_shown():
            new_id = save_plan(plan, plan_id)
        st.session_state[PLAN_ID] = new_id
        st.query_params.from_dict({"plan": new_id})
        st.session_state["fv_flash"] = ui.t("visit_saved_ok").format(name=plan.name)
        st.rerun()


def main() -> None:
    lang = ui.sidebar()
    with ui.errors_shown():
        _init(lang)
        _apply_pending()
        version = ui.cached_version()
        saved_plans(lang)
    st.title(ui.t("field_visit"))
    st.caption(ui.t("visit_intro"))
    err = st.session_state.pop("fv_load_error", None)
    if err:
        ui.show_error(err, literal=True)  # the address's plan id is quoted: shown as text only
    plan_details()
    st.header(ui.t("visit_choose"))
    with ui.errors_shown():
        choose_sites(version, lang)
        found = route_section(version, lang)
    if found is not None:
        outputs(version, found[0], lang)


main()
