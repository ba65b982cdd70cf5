"""Saved field-visit plans on the page: the sidebar to reopen, copy, delete or start a plan, and
the button that saves the one being edited. :mod:`geo.visits.saved` checks who may; a refusal
is kept and shown above the page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import visits
from geo.errors import P03Error
from geo.i18n import t as tr
from geo.visits import saved
from pages import ui
from pages.ui import visit_state as state


def sidebar(lang: str) -> None:
    """Sidebar: reopen, copy or delete a saved plan; start a new one."""
    with st.sidebar:
        st.subheader(ui.t("visit_saved"))
        plans = ui.store().list_plans()
        if plans.empty:
            st.caption(ui.t("visit_none_saved"))
        else:
            _saved_list(plans, lang)
        if st.button(ui.t("visit_new"), key="fv_new"):
            state.new_plan(lang)
            st.rerun()
        msg = st.session_state.pop("fv_flash", None)
        if msg:
            st.success(ui.md_escape(msg))


def _saved_list(plans: pd.DataFrame, lang: str) -> None:
    labels = saved.labels(plans, lang)
    pid = st.selectbox(ui.t("visit_saved"), list(labels), format_func=lambda p: labels[p], key="fv_pick_plan",
                       label_visibility="collapsed")
    with st.container(horizontal=True):
        opened = st.button(ui.t("visit_open"), key="fv_open")
        copied = st.button(ui.t("visit_copy"), key="fv_copy")
        deleted = st.button(ui.t("visit_delete"), key="fv_delete")
    # handled here, in the run (not in callbacks), before the main area's widgets are drawn
    if opened:
        state.open_plan(pid)
    elif copied:
        _copy(pid, lang)
    elif deleted:
        _delete(pid, lang)
    if opened or copied or deleted:
        st.rerun()


def _copy(pid: str, lang: str) -> None:
    try:
        new_id, new_name = saved.copy_named(ui.store(), pid, ui.current_user(), lang)
        state.open_plan(new_id)
        st.session_state["fv_flash"] = tr("visit_copied_ok", lang).format(name=new_name)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc


def _delete(pid: str, lang: str) -> None:
    try:
        name = saved.delete(ui.store(), pid, ui.current_user())
        st.session_state["fv_flash"] = tr("visit_deleted_ok", lang).format(name=name)
        if st.session_state.get(state.PLAN_ID) == pid:
            state.new_plan(lang)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc


def save_button(plan: visits.Plan) -> None:
    """Save the plan being edited (a new one, or the saved plan it came from)."""
    if st.button(ui.t("visit_save"), key="fv_save"):
        with ui.errors_shown():
            new_id = saved.save(ui.store(), plan.to_dict(), ui.current_user(), st.session_state.get(state.PLAN_ID))
        st.session_state[state.PLAN_ID] = new_id
        st.query_params.from_dict({"plan": new_id})
        st.session_state["fv_flash"] = ui.t("visit_saved_ok").format(name=plan.name)
        st.rerun()
