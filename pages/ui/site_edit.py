"""Editing sites on the district map: the edit form and edit map of one site, drawing a new site, a
site's history with restore/undelete, and the "as at date" choice.

Thin: widgets -> ``geo.site_form`` / ``geo.maps.edit`` -> ``geo.edits`` (which checks the role, the
values by the upload rules and the version) -> render. Viewers and anonymous visitors never see a
form; the history is shown to everyone who may browse, its buttons only to editors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import auth, edits, site_form
from geo.errors import P03Error
from geo.maps import edit as edit_map
from pages import ui
from pages.ui import site_fields, site_history

BASE_KEY = "se_base"  # {site id: the version the open form was based on}


def editor() -> auth.User | None:
    """The signed-in user when they may edit sites, else None."""
    user = ui.current_user()
    return user if user is not None and user.can("edit_sites") else None


#: session-state key of the "as at an earlier date" expander's open state
AS_OF_OPEN = "dm_as_of_open"


def as_of_picker() -> str | None:
    """The sidebar's "as at date" (YYYY-MM-DD), or None for today's sites. The date box lives in an
    expander whose content runs only while it is open: the date picker is a Streamlit chunk of its
    own that the district map's first paint then does not wait for. Closing it goes back to today."""
    box = st.expander(ui.t("se_as_of_open"), key=AS_OF_OPEN, on_change="rerun")
    if not box.open:
        return None
    with box:
        day = st.date_input(ui.t("se_as_of"), value=None, min_value=site_fields.DATE_MIN, max_value=dt.date.today(),
                            key="dm_as_of", help=ui.t("se_as_of_help"), format="DD/MM/YYYY")
    return day.isoformat() if isinstance(day, dt.date) else None


def as_of() -> str | None:
    """The "as at date" chosen in the sidebar (YYYY-MM-DD), or None (none chosen, or its expander
    closed: the date box is then not drawn and Streamlit forgets its value)."""
    day = st.session_state.get("dm_as_of") if st.session_state.get(AS_OF_OPEN) else None
    return day.isoformat() if isinstance(day, dt.date) else None


def _gen(site_id: str) -> int:
    """The generation of a site's form widgets: their keys end in ``_<site id>_<generation>``."""
    return int(st.session_state.setdefault("se_gen", {}).get(site_id, 0))


def shown_site(site_id: str) -> dict[str, Any] | None:
    """The site whose details the page shows: as it stood on the "as at" day when one is chosen
    (None when it did not exist yet), else as stored now (a deleted one too, to be restored)."""
    day = as_of()
    if day:
        return site_form.version_as_of(edits.site_history(ui.store(), site_id), day)
    return ui.store().get_site(site_id, include_deleted=True)


def _forget(site_id: str) -> None:
    """Start the form again from the store: drop the base version and give the widgets new keys
    (a widget keeps what was typed into it as long as its key lives)."""
    st.session_state.get(BASE_KEY, {}).pop(site_id, None)
    st.session_state.setdefault("se_gen", {})[site_id] = _gen(site_id) + 1


def edit_panel(site: dict[str, Any], user: auth.User, lang: str) -> None:
    """The edit map and form of one stored site; saves through ``geo.edits.edit_site``."""
    sid = site["id"]
    base = st.session_state.setdefault(BASE_KEY, {}).setdefault(sid, int(site.get("version") or 0))
    suffix = f"{sid}_{_gen(sid)}"
    if int(site.get("version") or 0) != base:  # stored since the form opened: saving will be refused
        st.warning(ui.t("se_stale").format(v=site.get("version")))
        if st.button(ui.t("se_reload"), key=f"se_reload_{sid}"):
            _forget(sid)
            st.rerun()
    st.caption(ui.t("se_map_help"))
    out = st_folium(edit_map.edit_map(site["geometry"], lang=lang), height=340, use_container_width=True,
                    key=f"se_map_{sid}_{site.get('version')}", returned_objects=["all_drawings"])
    geometry = site_fields.map_geometry(out)
    if geometry is not None and not geometry.equals_exact(site["geometry"], 1e-9):
        site_fields.moved_note(geometry, lang)
    with st.form(f"se_form_{sid}"):
        values = site_fields.fields(site_form.form_defaults(site), suffix, lang)
        reason = st.text_input(ui.t("se_reason"), key=f"se_f_reason_{suffix}", help=ui.t("se_reason_help"))
        saved = st.form_submit_button(ui.t("se_save"), type="primary", key=f"se_save_{sid}")
    if saved:
        changes = site_form.form_changes(site, values, geometry)
        if not changes:
            st.info(ui.t("se_nothing"))
            return
        try:
            new = edits.edit_site(ui.store(), sid, changes, user=user, expected_version=base,
                                  reason=reason.strip() or None, source="map" if "geometry" in changes else "form")
        except P03Error as exc:
            ui.show_error(exc)
            return
        _forget(sid)
        st.session_state["se_last"] = sid
        st.session_state["se_flash"] = ui.t("se_saved").format(v=new.get("version"), id=ui.md_escape(sid))
        st.rerun()
    _delete_box(site, user, suffix, base)


def _delete_box(site: dict[str, Any], user: auth.User, suffix: str, base: int) -> None:
    sid = site["id"]
    with st.form(f"se_del_{sid}"):
        why = st.text_input(ui.t("se_delete_reason"), key=f"se_f_delreason_{suffix}")
        gone = st.form_submit_button(ui.t("se_delete"), key=f"se_delete_{sid}")
    if gone:
        try:
            edits.delete_site(ui.store(), sid, user=user, reason=why, expected_version=base)
        except P03Error as exc:
            ui.show_error(exc)
            return
        _forget(sid)
        st.session_state["se_flash"] = ui.t("se_deleted").format(id=ui.md_escape(sid))
        st.rerun()


def last_edited() -> str | None:
    """The site saved, created or restored last in this session: the page keeps showing its details
    (an edit can move it out of the current view)."""
    return st.session_state.get("se_last")


def flash() -> None:
    """The confirmation of the last save, shown once after the rerun that follows it."""
    msg = st.session_state.pop("se_flash", None)
    if msg:
        st.success(msg)


def site_panel(site_id: str, lang: str) -> None:
    """Under a site's details: the edit toggle (editors) and the history toggle (everyone); off
    while the map shows an earlier day."""
    flash()
    if day := as_of():
        st.caption(ui.t("se_as_of_note").format(d=day))
        return
    user = editor()
    try:
        site = ui.store().get_site(site_id, include_deleted=True)
    except P03Error as exc:
        ui.show_error(exc)
        return
    if site.get("deleted"):
        st.warning(ui.t("se_is_deleted"))
    if user is not None and not site.get("deleted") and st.toggle(ui.t("se_edit"), key=f"se_edit_on_{site_id}"):
        edit_panel(site, user, lang)
    if st.toggle(ui.t("se_history"), key=f"se_hist_on_{site_id}"):
        site_history.history_panel(site, user, lang, forget=_forget)


def new_site_panel(lang: str, focus: Any = None) -> None:
    """For editors: draw a new site (point, line, polygon) on a small map (centred on ``focus``, the
    chosen unit's rows, else central Hanoi), fill its form, create it."""
    user = editor()
    if user is None or as_of() or not st.toggle(ui.t("se_new"), key="se_new_on"):
        return
    center = edit_map.center_of(focus)
    st.caption(ui.t("se_new_help"))
    n = st.session_state.get("se_new_n", 0)
    out = st_folium(edit_map.edit_map(None, lang=lang, center=center), height=380, use_container_width=True,
                    key=f"se_map_new_{n}", returned_objects=["all_drawings"])
    geometry = site_fields.map_geometry(out)
    if geometry is not None:
        site_fields.moved_note(geometry, lang)
    with st.form("se_form_new"):
        values = site_fields.fields(site_form.form_defaults(None), f"new_{n}", lang)
        reason = st.text_input(ui.t("se_reason"), key=f"se_f_reason_new_{n}")
        create = st.form_submit_button(ui.t("se_create"), type="primary", key="se_create")
    if not create:
        return
    if geometry is None:
        st.warning(ui.t("se_draw_first"))
        return
    try:
        new = edits.create_site(ui.store(), site_form.new_site_fields(values), geometry, user=user,
                                reason=reason.strip() or None, source="map")
    except P03Error as exc:
        ui.show_error(exc)
        return
    st.session_state["se_new_n"] = st.session_state.get("se_new_n", 0) + 1
    st.session_state["se_last"] = new.get("id")
    st.session_state["se_flash"] = ui.t("se_created").format(id=ui.md_escape(new.get("id")))
    st.rerun()
