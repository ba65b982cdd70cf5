"""Sign-in for the pages: the session's user with idle expiry, signing in and out, role gates (the
sidebar's sign-in box that calls them is :mod:`pages.ui.account_box`).

The user lives in Streamlit's session state and a browser session in the store (geo.websession)
whose HttpOnly cookie (pages/ui/cookies.py) brings it back until it idles out. An organisation
sign-in (OIDC, ``st.login``) is offered when ``.streamlit/secrets.toml`` has an ``[auth]``
section. The ``geo`` operations that change data check the role themselves (geo.auth.require):
pages pass them :func:`current_user`; :func:`require_role` only decides whether a page shows its forms.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import streamlit as st

from geo import auth, websession
from geo.errors import NotSignedIn, PermissionDenied
from pages.ui import core
from pages.ui.core import md_escape

USER_KEY = "p03_user"
SEEN_KEY = "p03_last_seen"
EXPIRED_KEY = "p03_session_expired"
SID_KEY = "p03_web_session"  # id of this browser sign-in in the store (never the cookie token)
HANDOFF_KEY = "p03_cookie_code"  # one-time code the page swaps for the cookie
CLEAR_KEY = "p03_cookie_clear"  # the cookie is to be deleted (after sign-out)


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures Streamlit's OIDC sign-in (an [auth] section)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_session_user() -> auth.User | None:
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = st.user.get("email")
    user = auth.oidc_user(core.store(), str(email) if email else None, str(st.user.get("name") or ""))
    if user is None:
        st.sidebar.warning(core.t("oidc_refused").format(email=md_escape(email or "?")))
    return user


def current_user() -> auth.User | None:
    """The signed-in user, or None. Ends the session after ``P03_SESSION_IDLE_MINUTES`` without
    activity, and re-reads the user's row on every run (role changes and disabling apply at once)."""
    raw = st.session_state.get(USER_KEY) or _resume_from_cookie()
    user = auth.User(**raw) if raw else _oidc_session_user()
    if user is None:
        return None
    now = time.time()
    if auth.idle_expired(float(st.session_state.get(SEEN_KEY, now)), now):
        sign_out()
        st.session_state[EXPIRED_KEY] = True
        return None
    sid = st.session_state.get(SID_KEY)
    if sid is not None:  # ended in another tab, idle, revoked by an admin?
        live = websession.check(core.store(), sid, now=now)
        fresh = live.user if live is not None else None
    else:
        fresh = auth.refresh(core.store(), user)
    if fresh is None:
        sign_out()
        return None
    st.session_state[USER_KEY] = asdict(fresh)
    st.session_state[SEEN_KEY] = now
    return fresh


def _resume_from_cookie() -> dict[str, Any] | None:
    """A new Streamlit session (reload, new tab, shared link): the user of the sign-in cookie
    sent with the page's websocket, if its session is live in the store."""
    if st.session_state.get(CLEAR_KEY):
        return None
    try:
        token = st.context.cookies.get(websession.COOKIE_NAME)
    except Exception:  # no browser behind this run (AppTest, bare mode)
        return None
    live = websession.resume(core.store(), token) if isinstance(token, str) and token else None
    if live is None:
        return None
    st.session_state[USER_KEY] = asdict(live.user)
    st.session_state[SID_KEY] = live.sid
    st.session_state[SEEN_KEY] = time.time()
    return st.session_state[USER_KEY]


def sign_in(username: str, password: str) -> auth.User:
    """Check the password (throttled, see geo.auth) and start the session; raises SignInFailed.
    Also records a browser session whose cookie the page fetches on its next run."""
    user = auth.authenticate(core.store(), username, password, client=client_address())
    sid, code = websession.start(core.store(), user)
    st.session_state[SID_KEY] = sid
    st.session_state[HANDOFF_KEY] = code
    st.session_state.pop(CLEAR_KEY, None)
    st.session_state[USER_KEY] = asdict(user)
    st.session_state[SEEN_KEY] = time.time()
    st.session_state.pop(EXPIRED_KEY, None)
    return user


def client_address() -> str:
    """The browser's network address as Streamlit sees it: sign-in failures are throttled per
    account and address (geo.throttle), so that nobody can lock the admin out from elsewhere."""
    try:
        ip = st.context.ip_address
    except Exception:  # no browser behind this run (AppTest, bare mode)
        ip = None
    # only a real address: under AppTest st.context is a mock whose str() changes on every run
    return f"web:{ip}" if isinstance(ip, str) and ip else "web"


def sign_out() -> None:
    """End the session's sign-in (and the organisation sign-in, if any)."""
    raw = st.session_state.pop(USER_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    st.session_state.pop(HANDOFF_KEY, None)
    sid = st.session_state.pop(SID_KEY, None)
    if sid is not None:
        websession.end(core.store(), sid)
        st.session_state[CLEAR_KEY] = sid
    if oidc_configured() and getattr(st.user, "is_logged_in", False) and (raw or {}).get("source") != "local":
        st.logout()


def role_label(role: str) -> str:
    return core.t(f"role_{role}")


def require_role(role: str, action: str) -> auth.User:
    """The page gate: the signed-in user if they may do ``action`` (a key of geo.auth.ACTIONS,
    whose least role ``role`` must be: the page says which role it is for); otherwise a plain
    message and ``st.stop()``, so the page shows no form to them. The operation the page calls
    checks again itself (:func:`geo.auth.require`)."""
    if auth.ACTIONS[action] != role:  # a page naming one role and checking another's action
        raise ValueError(f"{action} needs {auth.ACTIONS[action]}, not {role}")
    try:
        return auth.require(current_user(), action)
    except PermissionDenied as exc:
        core.show_error(exc, icon=":material/lock:", warning=True)
        if isinstance(exc, NotSignedIn):
            st.caption(core.t("sign_in_hint"))
        st.stop()
