"""Indicators dashboard: a card per indicator (progress, value / target, status and reason, last
change, history chart, link to its sites on the map), where each district or 2025 commune stands
(choropleth, table, pledges), exports, and the editors' forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from geo import fmt
from geo import indicator_report as report
from geo import indicators as ind_ops
from geo.i18n import t
from geo.maps import choropleth
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages import ui
from pages.ui import bars

MAP_PAGE = "pages/district_map.py"
SECTIONS = {"summary": "ind_summary", "units": "ind_by_unit", "exports": "ind_exports", "edit": "ind_edit"}
BADGE = {"done": "green", "on_track": "blue", "at_risk": "red", "no_data": "gray", "no_target": "gray"}


# ---------------------------------------------------------------- cached reads


@st.cache_resource(show_spinner=False, max_entries=2)
def sites_of(version: int) -> gpd.GeoDataFrame:
    """Every site, read once per store version (not mutated by the callers)."""
    return ui.store().query_sites()


@st.cache_data(show_spinner=False, max_entries=32)
def progress_at(version: int, as_of: dt.date) -> list[ind_ops.Progress]:
    return ind_ops.compute(ui.store(), as_of, sites=sites_of(version))


@st.cache_data(show_spinner=False, max_entries=256)
def history_of(version: int, code: str, as_of: dt.date) -> pd.DataFrame:
    store = ui.store()
    return ind_ops.history(store, ind_ops.get_indicator(store, code), sites=sites_of(version),
                           until=as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def units_of(version: int, code: str, layer: str, as_of: dt.date) -> pd.DataFrame:
    store = ui.store()
    return ind_ops.by_unit(store, ind_ops.get_indicator(store, code), ui.bounds(), layer, as_of,
                           sites=sites_of(version))


@st.cache_resource(show_spinner=False, max_entries=16)
def choropleth_map(version: int, code: str, layer: str, as_of: dt.date, column: str, lang: str):  # noqa: ANN201
    ind = ind_ops.get_indicator(ui.store(), code)
    title = {"share": ui.t("ind_share"), "lag": ui.t("ind_lag")}.get(column, f"{ind.code}: {ind.unit(lang)}")
    table = ind_ops.unit_lag(units_of(version, code, layer, as_of),
                             ind_ops.expected_share(as_of, *ind_ops.programme_window()))
    return choropleth.unit_choropleth(table, ui.bounds(), layer, column=column,
                                      lang=lang, title=title, link=f"district_map?{layer}={{code}}&indicator={code}")


# ---------------------------------------------------------------- links to the map


def map_link(label: str, key: str, **params: str) -> None:
    """A link to the district map with ``params`` as query parameters (a plain link when the
    page runs alone, as in an AppTest, where the other pages are unknown)."""
    try:
        st.page_link(MAP_PAGE, label=label, icon=":material/map:", query_params=params)
    except (StreamlitAPIException, KeyError):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        st.markdown(f":material/map: [{label}](district_map?{query})")


# ---------------------------------------------------------------- dashboard


def history_chart(hist: pd.DataFrame, p: ind_ops.Progress, lang: str) -> None:
    if hist.empty:
        st.caption(ui.t("ind_no_history"))
        return
    start, _end = ind_ops.programme_window()
    first = pd.DataFrame({"date": [pd.Timestamp(min(start, hist["date"].min().date()))], "value": [0.0]})
    last = pd.DataFrame({"date": [pd.Timestamp(p.as_of)], "value": [float(hist["value"].iloc[-1])]})
    data = pd.concat([first, hist[["date", "value"]], last], ignore_index=True)
    data = data[data["date"] <= pd.Timestamp(p.as_of)]
    chart = alt.Chart(data).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=p.indicator.unit(lang)))
    if p.indicator.target is not None:
        rule = alt.Chart(pd.DataFrame({"target": [p.indicator.target.low]})).mark_rule(
            strokeDash=[4, 3], color="#c62828").encode(y="target:Q")
        chart = chart + rule
    st.altair_chart(chart.properties(height=170), width="stretch")


def card(p: ind_ops.Progress, version: int, lang: str) -> None:
    ind = p.indicator
    with st.container(border=True):
        left, right = st.columns([3, 2], gap="medium")
        with left:
            # titles, units, departments, names and reasons are user text: escaped for Markdown
            md = ui.md_escape
            st.markdown(f"**{md(ind.code)} · {md(ind.title(lang))}**")
            value = f"{p.value_text(lang)} / {ind.target_text(lang)} {ind.unit(lang)}"  # HTML-escaped by bars
            if ind.method == "count" and ind.measure == "count" and p.length_km:
                value += f" · {ind_ops.fmt_number(p.length_km, lang)} km"
            bars.progress_bar(p.progress, p.status, f"{ui.t('ind_value')}: {value}"
                              + ("" if p.progress is None else f" ({p.progress:.0%})"))
            st.markdown(f":{BADGE[p.status]}-badge[{ind_ops.status_label(p.status, lang)}] {md(p.reason(lang))}")
            last = ind_ops.fmt_date(p.last_change, lang) if p.last_change else "—"
            who = f" · {md(p.last_change_by)}" if p.last_change_by else ""
            st.caption(f"{ui.t('ind_last_change')}: {last}{who} · {ui.t('ind_department')}: "
                       f"{md(ind.department(lang))} · {ui.t('ind_method')}: {ui.t('ind_method_' + ind.method)}")
            if p.total or ind.method == "count":
                map_link(f"{ui.t('ind_sites_on_map')} ({p.total})", f"map_{ind.code}", indicator=ind.code)
        with right:
            history_chart(history_of(version, ind.code, p.as_of), p, lang)


def dashboard(progress: list[ind_ops.Progress], version: int, lang: str) -> None:
    counts = pd.Series([p.status for p in progress]).value_counts()
    cols = st.columns(4)
    for col, status in zip(cols, ("done", "on_track", "at_risk", "no_data"), strict=True):
        col.metric(ind_ops.status_label(status, lang), int(counts.get(status, 0)))
    for p in progress:
        card(p, version, lang)


# ---------------------------------------------------------------- by district / commune


def by_unit_section(progress: list[ind_ops.Progress], version: int, as_of: dt.date, lang: str) -> None:
    codes = [p.indicator.code for p in progress]
    titles = {p.indicator.code: f"{p.indicator.code} · {p.indicator.title(lang)}" for p in progress}
    wanted = st.query_params.get("indicator")
    if "ind_unit_code" not in st.session_state:  # the link's indicator, else the one furthest behind
        st.session_state["ind_unit_code"] = wanted if wanted in codes else ind_ops.worst_indicator(progress)
    c1, c2, c3 = st.columns([3, 2, 2])
    code = str(c1.selectbox(ui.t("ind_choose"), codes, key="ind_unit_code", format_func=lambda c: titles[c]))
    layer = c2.radio(ui.t("layer"), ["district", "commune"], key="ind_unit_layer",
                     format_func=lambda v: t("layer_" + v, lang))
    column = c3.radio(ui.t("ind_color_by"), ["lag", "value", "share"], key="ind_unit_column",
                      format_func=lambda v: t({"lag": "ind_by_lag", "value": "ind_by_count"}.get(v, "ind_by_share"),
                                              lang))
    table = units_of(version, code, layer, as_of)
    if column == "lag":
        expected = ind_ops.expected_share(as_of, *ind_ops.programme_window())
        st.caption(ui.t("ind_lag_help").format(expected=fmt.percent(expected * 100, lang, decimals=0)))
    table = ind_ops.unit_lag(table, ind_ops.expected_share(as_of, *ind_ops.programme_window()))
    st.caption(ui.t("ind_click_unit"))
    # a click on a unit opens its map in the browser itself (geo.maps.choropleth's link): no rerun here
    st_folium(choropleth_map(version, code, layer, as_of, column, lang), height=520, use_container_width=True,
              key=f"ind_choro_{layer}", returned_objects=[])
    shown = report.unit_table(table, layer, lang)  # worst first (unit_lag's order)
    shown.insert(2, ui.t("ind_lag"), [fmt.percent(v * 100, lang, decimals=0) for v in table["lag"]])
    for col in (ui.t("ind_pledge"), ui.t("ind_gap")):  # numbers, "—" when no pledge
        shown[col] = [fmt.number(v, lang, decimals=0 if pd.isna(v) or float(v).is_integer() else 1)
                      for v in shown[col]]
    shown[ui.t("ind_open_map")] = [f"district_map?{layer}={c}&indicator={code}" for c in table["code"]]
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config={
        ui.t("ind_open_map"): st.column_config.LinkColumn(display_text=ui.t("ind_open_map")),
        ui.t("ind_share"): st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent")})


# ---------------------------------------------------------------- exports


def exports(progress: list[ind_ops.Progress], version: int, as_of: dt.date, lang: str) -> None:
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
        units = ind_ops.by_unit(store, chosen, b, "district", as_of)
        return report.summary_pdf(progress, units, chosen, lang="vi")

    c3.download_button(ui.t("ind_pdf"), pdf, f"p03_chi_tieu_{stamp}.pdf", mime=report.MEDIA_TYPES["pdf"],
                       key="ind_dl_pdf", on_click="ignore")
    st.caption(ui.t("ind_summary_units").format(code=ui.md_escape(code)))


# ---------------------------------------------------------------- editing (wrap with a role check)


def actor() -> str:
    """The signed-in editor (for the audit trail), checked again at every write: a session whose
    role was lowered meanwhile is refused in words (call inside ``ui.errors_shown()``)."""
    return str(ui.ensure_role("editor", "indicators").username)


def edit_value_form(progress: list[ind_ops.Progress], lang: str) -> None:
    codes = [p.indicator.code for p in progress]
    manual = [c for c in codes if next(p for p in progress if p.indicator.code == c).indicator.method == "manual"]
    b = ui.bounds()
    units = {"": ui.t("whole_city"), **{f"district:{c}": f"{ty} {n}" for c, ty, n in
                                        zip(b.districts["code"], b.districts["type"], b.districts["name"], strict=True)}}
    with st.form("ind_value_form", clear_on_submit=True):
        st.markdown(f"**{ui.t('ind_enter_value')}**")
        c1, c2, c3 = st.columns(3)
        titles = {p.indicator.code: f"{p.indicator.code} · {p.indicator.title(lang)}" for p in progress}
        code = str(c1.selectbox(ui.t("ind_choose"), manual + [c for c in codes if c not in manual], key="ind_v_code",
                                format_func=lambda c: titles[c]))
        value = c2.number_input(ui.t("ind_value_field"), value=0.0, step=1.0, key="ind_v_value")
        day = c3.date_input(ui.t("ind_date"), value=dt.date.today(), key="ind_v_date", format="DD/MM/YYYY")
        source = st.text_input(ui.t("ind_source"), key="ind_v_source")
        note = st.text_input(ui.t("ind_note"), key="ind_v_note")
        unit = str(st.selectbox(ui.t("ind_unit_optional"), list(units), format_func=lambda u: units[u], key="ind_v_unit"))
        if st.form_submit_button(ui.t("ind_save")):
            layer, _, unit_code = unit.partition(":")
            with ui.errors_shown():
                ind_ops.enter_value(ui.store(), code, value, day, actor=actor(), source=source,
                                    note=note, unit_layer=layer or None, unit_code=unit_code or None)
            st.success(ui.t("ind_saved"))


def values_list(lang: str) -> None:
    values = ui.store().indicator_values()
    st.markdown(f"**{ui.t('ind_values_list')}**")
    if values.empty:
        st.caption("—")
        return
    st.dataframe(values.sort_values(["as_of", "id"], ascending=False), hide_index=True, width="stretch", height=220)
    c1, c2 = st.columns([2, 1])
    vid = c1.selectbox(ui.t("ind_delete_value"), values["id"].tolist(), key="ind_del_id")
    if c2.button(ui.t("ind_delete"), key="ind_del_btn"):
        with ui.errors_shown():
            ind_ops.remove_value(ui.store(), int(vid), actor=actor())
        st.rerun()


def definition_form(ind: ind_ops.Indicator | None, lang: str) -> None:
    """Edit ``ind`` or (None) add a new indicator."""
    d: dict[str, Any] = ind.to_dict() if ind else {"code": "", "title": {"vi": "", "en": ""}, "target": None,
                                   "unit": {"vi": "", "en": ""}, "method": "manual", "measure": "count",
                                   "categories": [], "statuses": ["completed"], "department": {"vi": "", "en": ""},
                                   "note": {"vi": "", "en": ""}}
    key = f"ind_def_{ind.code if ind else 'new'}"
    with st.form(key):
        c1, c2, c3 = st.columns(3)
        code = c1.text_input(ui.t("ind_code"), d["code"], disabled=ind is not None, key=key + "_code")
        target = c2.text_input(ui.t("ind_target"), ind.target_text("en") if ind and ind.target else "",
                               help=ui.t("ind_target_help"), key=key + "_target")
        method = c3.selectbox(ui.t("ind_method"), list(ind_ops.METHODS), index=list(ind_ops.METHODS).index(d["method"]),
                              format_func=lambda m: t("ind_method_" + m, lang), key=key + "_method")
        title_vi = st.text_input(ui.t("ind_title_vi"), d["title"]["vi"], key=key + "_tvi")
        title_en = st.text_input(ui.t("ind_title_en"), d["title"]["en"], key=key + "_ten")
        c1, c2, c3 = st.columns(3)
        unit_vi = c1.text_input(ui.t("ind_unit_vi"), d["unit"]["vi"], key=key + "_uvi")
        unit_en = c2.text_input(ui.t("ind_unit_en"), d["unit"]["en"], key=key + "_uen")
        measure = c3.selectbox(ui.t("ind_measure"), list(ind_ops.MEASURES),
                               index=list(ind_ops.MEASURES).index(d["measure"]),
                               format_func=lambda m: t("ind_measure_" + m, lang), key=key + "_measure")
        cats = st.multiselect(ui.t("ind_categories"), [c.code for c in CATEGORIES], d["categories"],
                              format_func=lambda c: category_label(c, lang), key=key + "_cats")
        sts = st.multiselect(ui.t("ind_statuses"), [s.code for s in STATUSES], d["statuses"],
                             format_func=lambda s: status_label(s, lang), key=key + "_sts")
        c1, c2 = st.columns(2)
        dep_vi = c1.text_input(ui.t("ind_department_vi"), d["department"]["vi"], key=key + "_dvi")
        dep_en = c2.text_input(ui.t("ind_department_en"), d["department"]["en"], key=key + "_den")
        if st.form_submit_button(ui.t("ind_save")):
            new = {**d, "code": code.strip(), "title": {"vi": title_vi, "en": title_en}, "target": target,
                   "unit": {"vi": unit_vi, "en": unit_en}, "method": method, "measure": measure, "categories": cats,
                   "statuses": sts, "department": {"vi": dep_vi, "en": dep_en}}
            with ui.errors_shown():
                ind_ops.save_definition(ui.store(), new, actor=actor())
            st.success(ui.t("ind_saved"))
    if ind is not None and ind.origin == "store" and st.button(ui.t("ind_reset"), key=key + "_reset"):
        with ui.errors_shown():
            ind_ops.reset_definition(ui.store(), ind.code, actor=actor())
        st.rerun()


def pledge_form(progress: list[ind_ops.Progress], lang: str) -> None:
    b = ui.bounds()
    with st.form("ind_pledge_form"):
        st.markdown(f"**{ui.t('ind_pledges')}**")
        c1, c2, c3 = st.columns(3)
        titles = {p.indicator.code: f"{p.indicator.code} · {p.indicator.title(lang)}" for p in progress}
        code = str(c1.selectbox(ui.t("ind_choose"), list(titles), key="ind_p_code", format_func=lambda c: titles[c]))
        names = dict(zip(b.districts["code"], b.districts["type"] + " " + b.districts["name"], strict=True))
        unit = str(c2.selectbox(ui.t("ind_pledge_unit"), list(names), format_func=lambda u: names[u], key="ind_p_unit"))
        value = c3.number_input(ui.t("ind_pledge_value"), min_value=0.0, value=1.0, step=1.0, key="ind_p_value")
        if st.form_submit_button(ui.t("ind_save")):
            with ui.errors_shown():
                ind_ops.set_pledge(ui.store(), code, "district", unit, value or None, actor=actor())
            st.success(ui.t("ind_saved"))


def editor(progress: list[ind_ops.Progress], lang: str) -> None:
    ui.require_role("editor", "indicators")  # visitors and viewers read why, and get no form
    edit_value_form(progress, lang)
    values_list(lang)
    pledge_form(progress, lang)
    by_code = {p.indicator.code: p.indicator for p in progress}
    code = st.selectbox(ui.t("ind_definition"), list(by_code), key="ind_def_pick",
                        format_func=lambda c: f"{c} · {by_code[c].title(lang)}"
                        + (f" ({t('ind_edited', lang)})" if by_code[c].origin == "store" else ""))
    definition_form(by_code[code], lang)
    with st.expander(ui.t("ind_new")):
        definition_form(None, lang)


# ---------------------------------------------------------------- the page


def main() -> None:
    lang = ui.sidebar()
    ui.use_local_assets()
    st.title(ui.t("ind_title"))
    st.caption(ui.t("ind_intro"))
    with ui.sidebar_top():  # above the sign-in box
        as_of = st.date_input(ui.t("ind_as_of"), value=dt.date.today(), key="ind_as_of", format="DD/MM/YYYY",
                              min_value=dt.date(2010, 1, 1), max_value=dt.date(2035, 12, 31))
        start, end = ind_ops.programme_window()
        st.caption(ui.t("ind_programme").format(start=ind_ops.fmt_date(start, lang), end=ind_ops.fmt_date(end, lang)))
    with ui.errors_shown():
        version = ui.cached_version()
        progress = progress_at(version, as_of)
    # one section at a time (a Leaflet map drawn in a hidden tab comes out blank)
    if "ind_section" not in st.session_state:
        wanted = st.query_params.get("section")
        st.session_state["ind_section"] = wanted if wanted in SECTIONS else "summary"
    section = st.radio(ui.t("ind_section"), list(SECTIONS), key="ind_section", horizontal=True,
                       format_func=lambda v: t(SECTIONS[v], lang), label_visibility="collapsed")
    if section == "summary":
        dashboard(progress, version, lang)
    elif section == "units":
        with ui.errors_shown():
            by_unit_section(progress, version, as_of, lang)
    elif section == "exports":
        with ui.errors_shown():
            exports(progress, version, as_of, lang)
    else:
        editor(progress, lang)


main()
