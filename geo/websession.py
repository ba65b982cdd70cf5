"""Browser sign-in that survives reloads, new tabs and shared links: an opaque session token in an
HttpOnly cookie, checked against the store on every page load.

The flow (the page side is ``pages/ui/auth.py`` and ``pages/ui/cookies.py``):

1. the sign-in form checks the password (:func:`geo.auth.authenticate`) inside the Streamlit
   session, then :func:`start` records a session with a one-time hand-off code (hashed);
2. a tiny script on the page POSTs that code to ``/p03/session``; the route calls :func:`claim`,
   which swaps it (once, within :data:`HANDOFF_SECONDS`) for a 256-bit random token and answers
   with ``Set-Cookie`` (HttpOnly, SameSite=Lax, Max-Age, Secure over https): page scripts never
   see the token;
3. every new Streamlit session (reload, new tab, shared link) reads the cookie from the
   websocket's handshake (``st.context.cookies``) and calls :func:`resume`;
4. sign-out calls :func:`end`, and the page then POSTs the ended session's id to
   ``/p03/session/end``, whose :func:`cookie_ended` deletes the cookie unless it belongs to a sign-in
   made since; disabling an account or resetting its password revokes all of its
   sessions in the same transaction (``geo/store/users.py``).

The cookie holds no data, only a random token whose SHA-256 is looked up in the store: nothing to
sign, nothing to forge, revocation is immediate, and any app server sharing the store accepts it.
Sessions end after ``P03_SESSION_IDLE_MINUTES`` without activity and at most
``P03_SESSION_MAX_HOURS`` after signing in.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from geo import auth, settings
from geo.store.base import Store

COOKIE_NAME = "p03_session"
HANDOFF_SECONDS = 120  # how long a hand-off code may wait for its cookie
TOUCH_SECONDS = 30  # last_seen is written at most this often per session


@dataclass(frozen=True)
class WebSession:
    """A live browser session: its id (never the token) and its user as the store has them now."""

    sid: str
    user: auth.User


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def max_age_seconds() -> int:
    """The cookie's lifetime: ``P03_SESSION_MAX_HOURS`` in seconds."""
    return int(float(settings.get("P03_SESSION_MAX_HOURS")) * 3600)


def start(store: Store, user: auth.User, *, now: float | None = None) -> tuple[str, str]:
    """Record a session for ``user`` (just signed in); return ``(sid, code)``: its id and the
    one-time code the browser exchanges for the cookie at ``/p03/session``."""
    now = time.time() if now is None else now
    sid, code = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    store.add_web_session(sid, user.username, user.source, _hash(code), now=now,
                                     expires_at=now + max_age_seconds())
    return sid, code


def claim(store: Store, code: str, *, now: float | None = None) -> str | None:
    """The cookie token for a hand-off ``code`` (usable once, for :data:`HANDOFF_SECONDS`), or None."""
    if not code or len(code) > 200:
        return None
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    row = store.claim_web_session(_hash(code), _hash(token), now=now, not_before=now - HANDOFF_SECONDS)
    return token if row is not None else None


def _live(store: Store, row: dict[str, Any] | None, now: float) -> WebSession | None:
    """The session of ``row`` if neither revoked, expired nor idle, with its user re-read from
    the store (a disabled or removed account revokes every session of theirs)."""
    if row is None or row["revoked_at"] is not None or float(row["expires_at"]) <= now:
        return None
    if auth.idle_expired(float(row["last_seen"]), now):
        return None
    user = auth.refresh(store, auth.User(row["username"], auth.ROLES[0], "", row["source"]))
    sessions = store
    if user is None:
        sessions.revoke_web_sessions(now=now, username=row["username"])
        return None
    if now - float(row["last_seen"]) >= TOUCH_SECONDS:
        sessions.touch_web_session(row["sid"], now)
    return WebSession(row["sid"], user)


def resume(store: Store, token: str | None, *, now: float | None = None) -> WebSession | None:
    """The live session whose cookie token is ``token`` (None when absent, unknown, revoked,
    expired or idle); marks it active."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = time.time() if now is None else now
    return _live(store, store.web_session(token_hash=_hash(token)), now)


def check(store: Store, sid: str, *, now: float | None = None) -> WebSession | None:
    """Like :func:`resume`, by session id: is the session this page holds still live (not ended
    in another tab, not revoked by an admin)?"""
    now = time.time() if now is None else now
    return _live(store, store.web_session(sid=sid), now)


def end(store: Store, sid: str, *, now: float | None = None) -> None:
    """Sign out: revoke the session ``sid``."""
    store.revoke_web_sessions(now=time.time() if now is None else now, sid=sid)


def cookie_ended(store: Store, token: str | None, sid: str, *, now: float | None = None) -> bool:
    """After the sign-out of session ``sid`` the page posts to ``/p03/session/end``: whether the
    browser's cookie (token ``token``) is to be deleted, its session revoked. Yes when it is that
    session's or no live session's; no when it is a live session of another sign-in, made in this
    browser after the sign-out, whose cookie a late sign-out request must not end."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return True
    now = time.time() if now is None else now
    row = store.web_session(token_hash=_hash(token))
    if row is not None and row["sid"] != sid and _live(store, row, now) is not None:
        return False
    if row is not None:  # its own session (ended already by the sign-out) or a dead one
        end(store, row["sid"], now=now)
    return True


def cookie_attributes(*, secure: bool) -> dict[str, Any]:
    """The cookie's flags (for Starlette's ``Response.set_cookie``): HttpOnly, SameSite=Lax (sent
    when someone follows a shared link, never on another site's POST), whole-app path."""
    return {"max_age": max_age_seconds(), "path": "/", "httponly": True, "samesite": "lax", "secure": secure}
