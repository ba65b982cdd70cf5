"""The sidebar's sign-in box: the form (in a "staff account" expander where reading needs no
account), who is signed in with a sign-out button, the page script that sets or deletes the
sign-in cookie, and the read gate. The session itself (who is signed in, for how long) is
:mod:`pages.ui.auth`."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from geo import auth, settings
from geo.errors import P03Error
from pages.ui import cookies, core
from pages.ui.auth import (
    CLEAR_KEY,
    EXPIRED_KEY,
    HANDOFF_KEY,
    SID_KEY,
    current_user,
    oidc_configured,
    role_label,
    sign_in,
    sign_out,
)
from pages.ui.core import md_escape

#: session-state key of the sidebar's "staff account" expander (open: its sign-in form is drawn)
SIGN_IN_OPEN = "p03_sign_in_open"


def sign_in_box(first: bool = False) -> auth.User | None:
    """The sidebar's sign-in form, or who is signed in with a sign-out button; returns the user.

    Where reading needs no account the form sits in a "staff account" expander whose content runs
    only while it is open: a form and its button are Streamlit element kinds of their own, each a
    chunk of code the browser loads before the page (and its map) is drawn. The form shows at once
    when the page is for signed-in users only (``first``), when reading needs an account, and after
    an idle sign-out."""
    user = current_user()
    with st.sidebar:
        box = st.container()  # first: the cookie script after it comes and goes without moving the form
        _cookie_exchange()
    with box:
        if user is not None:
            st.caption(f"{core.t('signed_in_as')} **{md_escape(user.label)}** · {role_label(user.role)}")
            if st.button(core.t("sign_out"), key="p03_sign_out"):
                sign_out()
                st.rerun()
            return user
        expired = st.session_state.get(EXPIRED_KEY)
        if expired:
            st.info(core.t("session_expired"))
        if not (first or expired or settings.get("P03_READ_REQUIRES_LOGIN")):
            account = st.expander(core.t("sign_in_open"), key=SIGN_IN_OPEN, on_change="rerun",
                                 icon=":material/login:")
            if not account.open:
                return None
            with account:
                _sign_in_form()
        else:
            _sign_in_form()
    return None


def _sign_in_form() -> None:
    """The user name and password form (and the organisation's sign-in when configured)."""
    with st.form("p03_sign_in", clear_on_submit=True):
        name = st.text_input(core.t("username"), key="p03_signin_user")
        password = st.text_input(core.t("password"), type="password", key="p03_signin_pw")
        submitted = st.form_submit_button(core.t("sign_in"), key="p03_signin_submit")
    if submitted:
        try:
            sign_in(name, password)
        except P03Error as exc:
            core.show_error(exc, icon=":material/lock:")
        else:
            st.rerun()
    if oidc_configured() and st.button(core.t("sign_in_org"), key="p03_sign_in_oidc"):
        st.login()


def _cookie_exchange() -> None:
    """Render the page script that fetches (after sign-in) or deletes (after sign-out) the cookie."""
    code, clear = st.session_state.get(HANDOFF_KEY), st.session_state.get(CLEAR_KEY)
    if code and st.session_state.get(SID_KEY):
        cookies.post(cookies.SET_PATH, urlencode({"code": code}), str(st.session_state[SID_KEY]),
                     key="p03_cookie_set", on_done=lambda: st.session_state.pop(HANDOFF_KEY, None))
    elif clear:
        cookies.post(cookies.END_PATH, urlencode({"sid": clear}), f"end-{clear}", key="p03_cookie_end",
                     on_done=lambda: st.session_state.pop(CLEAR_KEY, None))


def gate(sign_in_first: bool = False) -> auth.User | None:
    """Called by ``ui.sidebar()`` on every page: the sign-in box (its form open at once on a page
    for signed-in users only: ``sign_in_first``), and a stop for anonymous visitors when
    ``P03_READ_REQUIRES_LOGIN`` is true."""
    user = sign_in_box(sign_in_first)
    if user is None and settings.get("P03_READ_REQUIRES_LOGIN"):
        st.info(core.t("sign_in_to_browse"), icon=":material/lock:")
        st.stop()
    return user
