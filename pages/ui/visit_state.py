"""The field-visit page's session state and cached reads. What the values become is decided in
:mod:`geo.visits.draft`; this module only keeps them.

State (``st.session_state``, keys ``fv_*``): ``fv_sel`` the chosen site ids (the multiselect),
``fv_order`` their visiting order, ``fv_manual`` whether the user reordered by hand (then new
sites are appended instead of re-optimising), ``fv_plan_id`` the saved plan being edited,
``fv_nonce`` bumped whenever the selection changes outside the table (resets its ticks), and the
form's fields ``fv_<name>`` for each name of :data:`geo.visits.draft.FORM_KEYS`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from geo import views, visits
from geo.errors import P03Error
from geo.store import SiteFilter
from geo.visits import brief, draft, saved
from pages import ui

SEL, ORDER, MANUAL, PLAN_ID, NONCE = "fv_sel", "fv_order", "fv_manual", "fv_plan_id", "fv_nonce"
#: the form's values as last loaded (a new plan, the address's, a saved one): the widgets' defaults
LOADED = "fv_loaded"


# ---------------------------------------------------------------- cached reads (per store version)


@st.cache_data(show_spinner=False, max_entries=64)
def query(version: int, view: views.View) -> gpd.GeoDataFrame:
    """The sites ``view`` shows."""
    return ui.store().query_sites(view.site_filter())


@st.cache_data(show_spinner=False, max_entries=64)
def sites_by_id(version: int, ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The sites ``ids`` (an empty frame for none)."""
    return ui.store().query_sites(SiteFilter(ids=ids or ("",)))


@st.cache_data(show_spinner=False, max_entries=8)
def brief_files(version: int, plan_json: str, plan_id: str | None, lang: str) -> tuple[bytes, str]:
    """The brief of the plan ``plan_json`` as PDF and print HTML."""
    import json

    plan = visits.Plan.from_dict(dict(json.loads(plan_json)))
    sites = sites_by_id(version, tuple(plan.stop_ids))
    return brief.brief_files(visits.compute_route(plan, sites), sites, ui.bounds(), lang=lang, plan_id=plan_id)


# ---------------------------------------------------------------- state


def init(lang: str) -> None:
    """Session state once per session: a new plan, or the one the address names."""
    if "fv_seeded" in st.session_state:
        return
    st.session_state["fv_seeded"] = True
    st.session_state[NONCE] = 0
    plan, plan_id = visits.new_plan(lang), None
    try:
        plan, plan_id = saved.from_address(ui.store(), st.query_params.to_dict(), lang)
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc
    load(plan, plan_id, manual=bool(plan.stop_ids))


def load(plan: visits.Plan, plan_id: str | None, manual: bool) -> None:
    """Put ``plan`` into the widgets' state (call before they are drawn, e.g. in a callback)."""
    ss = st.session_state
    values = draft.form_values(plan)
    ss.update({f"fv_{k}": v for k, v in values.items()})
    ss[LOADED] = values
    ss.update({MANUAL: manual, PLAN_ID: plan_id})
    ss[NONCE] = ss.get(NONCE, 0) + 1


def default(name: str) -> Any:
    """The loaded value of the form's field ``name``, for its widget's default as well as its state:
    a widget the browser first draws a run or two after the load (its code still loading on a busy
    machine) no longer gets the loaded value from Streamlit and would report its default back."""
    return st.session_state[LOADED][name]


def form() -> dict[str, Any]:
    """The form's values as the widgets hold them (keys :data:`geo.visits.draft.FORM_KEYS`)."""
    return {k: st.session_state.get(f"fv_{k}") for k in draft.FORM_KEYS}


def apply_pending() -> None:
    """Changes asked for after the widgets were drawn (map clicks), applied before they are drawn."""
    ss = st.session_state
    add = ss.pop("fv_pending_add", None)
    if add and add not in ss[SEL]:
        ss[SEL] = draft.toggled(ss[SEL], add, True)
        ss[NONCE] += 1
    coords = ss.pop("fv_pending_coords", None)
    if coords:
        ss["fv_coords"] = coords
        ss["fv_start_kind"] = "coords"


def bump() -> None:
    """The selection changed outside the tick table: the table starts again from it."""
    st.session_state[NONCE] += 1


def move(site_id: str, step: int) -> None:
    st.session_state[ORDER] = draft.move(st.session_state[ORDER], site_id, step)
    st.session_state[MANUAL] = True


def remove(site_id: str) -> None:
    st.session_state[SEL] = draft.without(st.session_state[SEL], site_id)
    st.session_state[ORDER] = draft.without(st.session_state[ORDER], site_id)
    bump()


def optimise_now() -> None:
    st.session_state[MANUAL] = False
    st.session_state["fv_sig"] = None


def new_plan(lang: str) -> None:
    load(visits.new_plan(lang), None, manual=False)
    st.query_params.clear()


def open_plan(plan_id: str) -> None:
    """Open saved plan ``plan_id`` (an error is kept to be shown above the page)."""
    try:
        load(saved.load(ui.store(), plan_id), plan_id, manual=True)
        st.query_params.from_dict({"plan": plan_id})
    except P03Error as exc:
        st.session_state["fv_load_error"] = exc
