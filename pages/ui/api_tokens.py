"""Personal API tokens on the Administration page: issue one to a user (the secret shown once),
list them (never a secret), revoke one. The work is :mod:`geo.tokens`'s; this only renders it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import auth, tokens
from geo.errors import P03Error
from geo.i18n import pick
from pages import ui

_TEXT = {
    "intro": ("Mã truy cập cá nhân cho OGC API – Features (QGIS, ArcGIS, GDAL) khi đọc dữ liệu cần đăng nhập "
              "(P03_READ_REQUIRES_LOGIN). Gửi dưới dạng tiêu đề “Authorization: Bearer …”.",
              "Personal tokens for the OGC API – Features (QGIS, ArcGIS, GDAL) when reading needs sign-in "
              "(P03_READ_REQUIRES_LOGIN). Sent as the header “Authorization: Bearer …”."),
    "user": ("Người dùng", "User"), "label": ("Ghi chú (dùng cho việc gì)", "Label (what it is for)"),
    "issue": ("Cấp mã", "Issue a token"), "revoke": ("Thu hồi", "Revoke"), "pick": ("Mã cần thu hồi", "Token to revoke"),
    "shown_once": ("Sao chép mã này ngay: nó chỉ hiện một lần.", "Copy this token now: it is shown only once."),
    "revoked": ("Đã thu hồi {id}.", "Revoked {id}."), "none": ("Chưa có mã nào.", "No tokens yet."),
}


def _t(key: str) -> str:
    vi, en = _TEXT[key]
    return pick(ui.lang(), vi, en)


def tokens_tab() -> None:
    """The tab's content (the caller has checked the admin role)."""
    admin = ui.require_role("admin", "api_tokens")
    store = ui.store()
    st.caption(_t("intro"))
    secret = st.session_state.pop("p03_token_secret", None)
    if secret:
        st.warning(_t("shown_once"))
        st.code(secret, language=None)
    users = auth.list_users(store, admin)
    with st.form("p03_token_issue", clear_on_submit=True):
        c1, c2 = st.columns(2)
        name = c1.selectbox(_t("user"), list(users["username"]), key="p03_token_user")
        label = c2.text_input(_t("label"), max_chars=200, key="p03_token_label")
        issue = st.form_submit_button(_t("issue"), key="p03_token_issue_submit")
    if issue and name:
        try:
            _, st.session_state["p03_token_secret"] = tokens.issue(store, name, actor=admin, label=label)
        except P03Error as exc:
            ui.show_error(exc)
        else:
            st.rerun()
    df = tokens.list_tokens(store, actor=admin)
    if df.empty:
        st.info(_t("none"))
        return
    st.dataframe(df, hide_index=True, width="stretch")  # a dataframe shows text, never markup
    active = df[pd.isna(df["revoked_at"])]
    if active.empty:
        return
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(_t("pick"), list(active["token_id"]), key="p03_token_pick",
                        format_func=lambda tid: f"{tid} — {active.set_index('token_id').loc[tid, 'username']}")
    if c2.button(_t("revoke"), key="p03_token_revoke"):
        try:
            tokens.revoke(store, pick, actor=admin)
        except P03Error as exc:
            ui.show_error(exc)
        else:
            st.session_state["p03_admin_flash"] = _t("revoked").format(id=pick)
            st.rerun()
