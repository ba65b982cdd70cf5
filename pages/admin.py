"""Administration (admins only): users and roles; the audit trail with filters and CSV export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from geo import audit, auth
from geo.errors import P03Error
from geo.i18n import pick
from pages import ui

ALL = "—"


def _done(fn: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
    """Run an admin change; show its error in plain words. True when it went through."""
    try:
        fn(*args, **kwargs)
    except P03Error as exc:
        ui.show_error(exc)
        return False
    return True


def users_table(df: pd.DataFrame) -> None:
    if df.empty:
        st.info(ui.t("no_users"))
        return
    shown = df.assign(role=df["role"].map(ui.role_label))
    cols = ["username", "display_name", "role", "disabled", "last_login", "locked_until", "failed_count", "created_at"]
    st.dataframe(shown[cols].rename(columns={c: ui.t(c) for c in cols}), hide_index=True, width="stretch")


def add_user_form() -> None:
    with st.form("p03_user_add", clear_on_submit=True):
        st.markdown(f"**{ui.t('user_add')}**")
        c1, c2, c3 = st.columns(3)
        name = c1.text_input(ui.t("username"), key="p03_add_name")
        display = c2.text_input(ui.t("display_name"), key="p03_add_display")
        role = c3.selectbox(ui.t("role"), auth.ROLES, format_func=ui.role_label, key="p03_add_role")
        p1, p2 = st.columns(2)
        pw = p1.text_input(ui.t("password"), type="password", key="p03_add_pw")
        pw2 = p2.text_input(ui.t("password_again"), type="password", key="p03_add_pw2")
        submitted = st.form_submit_button(ui.t("user_add"), key="p03_add_submit")
    if not submitted or not _done(auth.check_repeated, pw, pw2):
        return
    if _done(auth.add_user, ui.store(), name, pw, role, user=ui.current_user(), display_name=display):
        st.session_state["p03_admin_flash"] = ui.t("user_done").format(name=ui.md_escape(name.strip().lower()))
        st.rerun()


def change_user(df: pd.DataFrame) -> None:
    """Role, enable/disable and password of one chosen user."""
    if df.empty:
        return
    name = st.selectbox(ui.t("user_pick"), list(df["username"]), key="p03_user_pick")
    row = df[df["username"] == name].iloc[0]
    c1, c2, c3 = st.columns(3)
    role = c1.selectbox(ui.t("role"), auth.ROLES, index=auth.ROLES.index(row["role"]), format_func=ui.role_label,
                        key="p03_user_role")
    if c1.button(ui.t("user_set_role"), key="p03_user_set_role"):
        _apply(auth.set_role, name, role)
    disabled = bool(row["disabled"])
    if c2.button(ui.t("user_enable" if disabled else "user_disable"), key="p03_user_toggle"):
        _apply(auth.set_disabled, name, not disabled)
    with c3.form("p03_user_pw", clear_on_submit=True):
        pw = st.text_input(ui.t("password"), type="password", key="p03_reset_pw")
        pw2 = st.text_input(ui.t("password_again"), type="password", key="p03_reset_pw2")
        reset = st.form_submit_button(ui.t("user_reset_password"), key="p03_reset_submit")
    if reset and _done(auth.check_repeated, pw, pw2):
        _apply(auth.reset_password, name, pw)


def _apply(fn: Callable[..., object], name: str, value: object) -> None:
    if _done(fn, ui.store(), name, value, user=ui.current_user()):
        st.session_state["p03_admin_flash"] = ui.t("user_done").format(name=ui.md_escape(name))
        st.rerun()


def users_tab() -> None:
    flash = st.session_state.pop("p03_admin_flash", None)
    if flash:
        st.success(flash)
    df = auth.list_users(ui.store(), ui.current_user())
    users_table(df)
    add_user_form()
    st.divider()
    change_user(df)


def _choice(label: str, values: pd.Series, key: str) -> str | None:
    options = [ALL, *sorted({str(v) for v in values.dropna()})]
    picked = st.selectbox(label, options, key=key)
    return None if picked == ALL else picked


def audit_tab() -> None:
    store = ui.store()
    everything = store.audit(limit=100_000)
    today = dt.datetime.now(dt.UTC).date()
    c1, c2, c3 = st.columns(3)
    since = c1.date_input(ui.t("audit_since"), today - dt.timedelta(days=30), format="DD/MM/YYYY",
                          key="p03_audit_since")
    until = c2.date_input(ui.t("audit_until"), today, format="DD/MM/YYYY", key="p03_audit_until")
    with c3:
        actor = _choice(ui.t("audit_actor"), everything["actor"], "p03_audit_actor")
    c4, c5, c6 = st.columns(3)
    with c4:
        action = _choice(ui.t("audit_action"), everything["action"], "p03_audit_action")
    with c5:
        entity = _choice(ui.t("audit_entity"), everything["entity"], "p03_audit_entity")
    text = c6.text_input(ui.t("audit_text"), key="p03_audit_text")
    with ui.errors_shown():
        df = audit.table(store, since=str(since) if since else None, until=str(until) if until else None,
                         actor=actor, action=action, entity=entity, text=text)
    st.caption(ui.t("audit_rows").format(n=len(df)))
    if df.empty:
        st.info(ui.t("audit_empty"))
        return
    shown = df[["id", "at", "actor", "action", "entity", "entity_id", "batch_id"]].copy()
    shown[ui.t("audit_what")] = [audit.summary(r) for r in df.to_dict("records")]
    st.dataframe(shown.rename(columns={"at": ui.t("audit_at"), "actor": ui.t("audit_actor"),
                                       "action": ui.t("audit_action"), "entity": ui.t("audit_entity")}),
                 hide_index=True, width="stretch")
    st.download_button(ui.t("audit_csv"), audit.to_csv(df), file_name=f"p03-audit-{today}.csv", mime="text/csv",
                       key="p03_audit_csv")
    pick = st.selectbox(ui.t("audit_detail"), list(df["id"]), key="p03_audit_pick")
    rec = audit.records(df[df["id"] == pick])[0]
    b, a = st.columns(2)
    b.caption(ui.t("audit_before"))
    b.json(rec["before"] if rec["before"] is not None else {}, expanded=False)
    a.caption(ui.t("audit_after"))
    a.json(rec["after"] if rec["after"] is not None else {}, expanded=False)


def main() -> None:
    ui.sidebar(sign_in_first=True)
    st.title(ui.t("admin"))
    ui.require_role("admin", "users")
    tab_users, tab_audit, tab_tokens = st.tabs([ui.t("users"), ui.t("audit_trail"),
                                                pick(ui.lang(), "Mã truy cập API", "API tokens")])
    with tab_users:
        users_tab()
    with tab_audit:
        audit_tab()
    with tab_tokens:
        from pages.ui import api_tokens  # personal OGC API tokens (geo/tokens.py)

        api_tokens.tokens_tab()


main()
