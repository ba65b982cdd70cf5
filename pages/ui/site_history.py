"""A site's history on the district map: its versions newest first, each field's old and new value,
and (editors) restoring an earlier version or undeleting a deleted site through :mod:`geo.edits`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geo import auth, edits
from geo.errors import P03Error
from pages import ui


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = getattr(value, "wkt", None) or str(value)
    return text if len(text) <= 200 else text[:197] + "…"


def history_panel(site: dict[str, Any], user: auth.User | None, lang: str, *,
                  forget: Callable[[str], None]) -> None:
    """A site's versions, newest first: who, when, source, reason, and each field old -> new; an
    editor restores any earlier version (a new version) or undeletes a deleted site. ``forget(site id)``
    starts the site's edit form again from the store after a restore."""
    sid = site["id"]
    try:
        versions = edits.site_history(ui.store(), sid)
    except P03Error as exc:
        ui.show_error(exc)
        return
    if not versions:
        st.caption(ui.t("se_no_history"))
    current = int(site.get("version") or 0)
    for v in reversed(versions):
        n = int(v["version"])
        when = str(v.get("at") or "")[:16].replace("T", " ")
        head = " · ".join(str(x) for x in (f"{ui.t('se_version')} {n}", when, v.get("actor"), v.get("source"))
                          if x not in (None, ""))
        tags = [ui.t("se_current")] * (n == current) + [ui.t("se_deleted_tag")] * bool(v.get("deleted"))
        st.markdown("**" + ui.md_escape(head) + "** " + " ".join(tags))
        if v.get("reason"):
            st.caption(ui.md_escape(v["reason"]))
        diff = [{ui.t("field"): ui.t(k) if k != "geometry" else ui.t("se_geometry_changed"),
                 ui.t("se_old"): _cell(old_new[0]), ui.t("se_new_value"): _cell(old_new[1])}
                for k, old_new in (v.get("changes") or {}).items()]
        if diff:
            st.dataframe(pd.DataFrame(diff), hide_index=True, width="stretch")
        if user is not None and n != current and st.button(ui.t("se_restore").format(v=n), key=f"se_restore_{sid}_{n}"):
            _restore(site, n, user, forget)
    if site.get("deleted") and user is not None and st.button(ui.t("se_undelete"), key=f"se_undelete_{sid}", type="primary"):
        try:
            edits.undelete_site(ui.store(), sid, user=user)
        except P03Error as exc:
            ui.show_error(exc)
            return
        st.session_state["se_flash"] = ui.t("se_undeleted").format(id=ui.md_escape(sid))
        st.rerun()


def _restore(site: dict[str, Any], version: int, user: auth.User, forget: Callable[[str], None]) -> None:
    try:
        new = edits.restore_version(ui.store(), site["id"], version, user=user,
                                    expected_version=int(site.get("version") or 0))
    except P03Error as exc:
        ui.show_error(exc)
        return
    forget(site["id"])
    st.session_state["se_flash"] = ui.t("se_restored").format(v=version, n=new.get("version"))
    st.rerun()
