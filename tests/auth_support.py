"""Signing in for tests of pages and commands that change data (they refuse anonymous users).

- :func:`sign_in_app` — an AppTest session signed in as a user of ``role`` (the user is created
  in the store when missing; the session holds what the sidebar's sign-in form would put there).
- :func:`sign_in_cli` — ``P03_USER``/``P03_PASSWORD`` for a user of ``role`` (created when missing),
  so that ``python -m geo import ...`` and the like pass :func:`geo.auth.cli_require`.
- :func:`sign_in_form` — sign in through the real sidebar form of a page's AppTest.

The first user made in an empty store is an admin named ``root`` (the bootstrap rule).
"""

from __future__ import annotations

import time
from typing import Any

from geo import auth
from pages.ui.account_box import SIGN_IN_OPEN

PASSWORDS = {"viewer": "viewer-pass-123", "editor": "editor-pass-123", "admin": "admin-pass-123"}
NAMES = {"viewer": "test-viewer", "editor": "test-editor", "admin": "test-admin"}


def ensure_user(store: Any, role: str, name: str | None = None) -> auth.User:
    """A user of ``role`` in ``store`` (password :data:`PASSWORDS` [role]), created when missing."""
    name = name or NAMES[role]
    if store.count_users() == 0:
        auth.add_user(store, "root", PASSWORDS["admin"], "admin", actor="test", bootstrap=True)
    if store.get_user(name) is None:
        auth.add_user(store, name, PASSWORDS[role], role, user=auth.User("root", "admin"))
    return auth.User(name, role)


def sign_in_app(at: Any, store: Any, role: str, name: str | None = None) -> auth.User:
    """Make the AppTest ``at`` signed in as a ``role`` user; run ``at`` afterwards."""
    user = ensure_user(store, role, name)
    at.session_state["p03_user"] = {"username": user.username, "role": role, "display_name": "", "source": "local"}
    at.session_state["p03_last_seen"] = time.time()
    return user


def sign_in_cli(monkeypatch: Any, store: Any, role: str, name: str | None = None) -> auth.User:
    """Set P03_USER/P03_PASSWORD for a ``role`` user (the CLI signs in with them)."""
    user = ensure_user(store, role, name)
    monkeypatch.setenv("P03_USER", user.username)
    monkeypatch.setenv("P03_PASSWORD", PASSWORDS[role])
    return user


def signin_shown(at: Any) -> bool:
    """Whether the sidebar's sign-in form is drawn (an AppTest run once)."""
    return "p03_signin_user" in [w.key for w in at.sidebar.text_input]


def open_sign_in(at: Any) -> Any:
    """Open the sidebar's "staff account" expander of a page already run once, unless its sign-in
    form shows already (a page for signed-in users only shows it at once)."""
    if not signin_shown(at):
        at.session_state[SIGN_IN_OPEN] = True  # what a click on the expander does
        at.run()
    return at


def sign_in_form(at: Any, name: str, password: str) -> Any:
    """Sign in through the sidebar form of a page already run once."""
    open_sign_in(at)
    at.sidebar.text_input(key="p03_signin_user").input(name)
    at.sidebar.text_input(key="p03_signin_pw").input(password)
    at.sidebar.button(key="p03_signin_submit").click()
    return at.run()
