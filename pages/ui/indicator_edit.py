"""The indicators page's editor section: enter a value, delete one, set a district's pledge, edit
or add a definition. Each form reads its widgets and calls one :mod:`geo.indicators.edits`
operation, which checks the user's role itself; refusals and bad input are shown in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo.i18n import t
from geo.indicators import dashboard, edits
from geo.indicators.progress import Progress
from geo.indicators.registry import MEASURES, METHODS, Indicator, blank_definition
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages import ui


def _saved(action: Any, *args: Any, **kwargs: Any) -> bool:
    """Run an edit as the signed-in user (the operation checks the role); True when it went
    through, else the refusal or the bad field is shown and the page stops."""
    with ui.errors_shown():
        action(ui.store(), *args, user=ui.current_user(), **kwargs)
    return True


def value_form(progress: list[Progress], lang: str) -> None:
    titles = dashboard.titles(progress, lang)
    manual = [p.indicator.code for p in progress if p.indicator.method == "manual"]
    units = dashboard.unit_choices(ui.bounds(), lang, whole_city=True)
    with st.form("ind_value_form", clear_on_submit=True):
        st.markdown(f"**{ui.t('ind_enter_value')}**")
        c1, c2, c3 = st.columns(3)
        code = str(c1.selectbox(ui.t("ind_choose"), manual + [c for c in titles if c not in manual], key="ind_v_code",
                                format_func=lambda c: titles[c]))
        value = c2.number_input(ui.t("ind_value_field"), value=0.0, step=1.0, key="ind_v_value")
        day = c3.date_input(ui.t("ind_date"), value=dt.date.today(), key="ind_v_date", format="DD/MM/YYYY")
        source = st.text_input(ui.t("ind_source"), key="ind_v_source")
        note = st.text_input(ui.t("ind_note"), key="ind_v_note")
        unit = str(st.selectbox(ui.t("ind_unit_optional"), list(units), format_func=lambda u: units[u], key="ind_v_unit"))
        if st.form_submit_button(ui.t("ind_save")):
            layer, _, unit_code = unit.partition(":")
            if _saved(edits.enter_value, code, value, day, source=source, note=note, unit_layer=layer or None,
                      unit_code=unit_code or None):
                st.success(ui.t("ind_saved"))


def values_list() -> None:
    values = ui.store().indicator_values()
    st.markdown(f"**{ui.t('ind_values_list')}**")
    if values.empty:
        st.caption("—")
        return
    st.dataframe(dashboard.values_table(values, ui.bounds(), ui.lang()), hide_index=True, width="stretch", height=220)
    c1, c2 = st.columns([2, 1])
    vid = c1.selectbox(ui.t("ind_delete_value"), values["id"].tolist(), key="ind_del_id")
    if c2.button(ui.t("ind_delete"), key="ind_del_btn") and _saved(edits.remove_value, int(vid)):
        st.rerun()


def _definition_fields(d: dict[str, Any], ind: Indicator | None, key: str, lang: str) -> dict[str, Any]:
    c1, c2, c3 = st.columns(3)
    code = c1.text_input(ui.t("ind_code"), d["code"], disabled=ind is not None, key=key + "_code")
    target = c2.text_input(ui.t("ind_target"), ind.target_text("en") if ind and ind.target else "",
                           help=ui.t("ind_target_help"), key=key + "_target")
    method = c3.selectbox(ui.t("ind_method"), list(METHODS), index=list(METHODS).index(d["method"]),
                          format_func=lambda m: t("ind_method_" + m, lang), key=key + "_method")
    title = {lg: st.text_input(ui.t(f"ind_title_{lg}"), d["title"][lg], key=f"{key}_t{lg}") for lg in ("vi", "en")}
    c1, c2, c3 = st.columns(3)
    unit = {lg: col.text_input(ui.t(f"ind_unit_{lg}"), d["unit"][lg], key=f"{key}_u{lg}")
            for lg, col in (("vi", c1), ("en", c2))}
    measure = c3.selectbox(ui.t("ind_measure"), list(MEASURES), index=list(MEASURES).index(d["measure"]),
                           format_func=lambda m: t("ind_measure_" + m, lang), key=key + "_measure")
    cats = st.multiselect(ui.t("ind_categories"), [c.code for c in CATEGORIES], d["categories"],
                          format_func=lambda c: category_label(c, lang), key=key + "_cats")
    sts = st.multiselect(ui.t("ind_statuses"), [s.code for s in STATUSES], d["statuses"],
                         format_func=lambda s: status_label(s, lang), key=key + "_sts")
    c1, c2 = st.columns(2)
    dep = {lg: col.text_input(ui.t(f"ind_department_{lg}"), d["department"][lg], key=f"{key}_d{lg}")
           for lg, col in (("vi", c1), ("en", c2))}
    return {**d, "code": code.strip(), "title": title, "target": target, "unit": unit, "method": method,
            "measure": measure, "categories": cats, "statuses": sts, "department": dep}


def definition_form(ind: Indicator | None, lang: str) -> None:
    """Edit ``ind`` or (None) add a new indicator."""
    key = f"ind_def_{ind.code if ind else 'new'}"
    with st.form(key):
        new = _definition_fields(ind.to_dict() if ind else blank_definition(), ind, key, lang)
        if st.form_submit_button(ui.t("ind_save")) and _saved(edits.save_definition, new):
            st.success(ui.t("ind_saved"))
    if ind is not None and ind.origin == "store" and st.button(ui.t("ind_reset"), key=key + "_reset") \
            and _saved(edits.reset_definition, ind.code):
        st.rerun()


def pledge_form(progress: list[Progress], lang: str) -> None:
    titles = dashboard.titles(progress, lang)
    names = dashboard.unit_choices(ui.bounds(), lang)
    with st.form("ind_pledge_form"):
        st.markdown(f"**{ui.t('ind_pledges')}**")
        c1, c2, c3 = st.columns(3)
        code = str(c1.selectbox(ui.t("ind_choose"), list(titles), key="ind_p_code", format_func=lambda c: titles[c]))
        unit = str(c2.selectbox(ui.t("ind_pledge_unit"), list(names), format_func=lambda u: names[u], key="ind_p_unit"))
        value = c3.number_input(ui.t("ind_pledge_value"), min_value=0.0, value=1.0, step=1.0, key="ind_p_value")
        if st.form_submit_button(ui.t("ind_save")) and _saved(edits.set_pledge, code, "district", unit, value or None):
            st.success(ui.t("ind_saved"))


def editor(progress: list[Progress], lang: str) -> None:
    """The editor section (visitors and viewers read why, and get no form)."""
    ui.require_role("editor", "indicators")
    value_form(progress, lang)
    values_list()
    pledge_form(progress, lang)
    by_code = {p.indicator.code: p.indicator for p in progress}
    code = st.selectbox(ui.t("ind_definition"), list(by_code), key="ind_def_pick",
                        format_func=lambda c: f"{c} · {by_code[c].title(lang)}"
                        + (f" ({t('ind_edited', lang)})" if by_code[c].origin == "store" else ""))
    definition_form(by_code[code], lang)
    with st.expander(ui.t("ind_new")):
        definition_form(None, lang)
