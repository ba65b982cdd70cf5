"""Sign-in throttling per account AND client (issue #10).

Failures are counted, and waits and locks applied, for the pair (user name, client): the client
is the browser's network address (``st.context.ip_address``) for the web, ``"cli"`` for the
command line. An outsider who types five wrong passwords for ``admin`` locks ``admin`` for their
own address only: the admin still signs in from the office, and always from the server's shell
(``P03_USER``/``P03_PASSWORD``), which no outsider can reach. Table ``login_throttle``
(migration 3). The account's ``failed_count``/``locked_until`` columns still show the last
failures and lock, for the admin page; they no longer refuse anything by themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.store.base import Store

CLI = "cli"


def _client(client: str | None) -> str:
    return (client or "unknown").strip()[:100] or "unknown"


def locked_until(store: Store, username: str, client: str | None) -> str | None:
    """ISO time until which ``username`` may not sign in from ``client`` (None: free)."""
    return store.throttle_locked_until(username, _client(client))


def note_failure(store: Store, username: str, client: str | None) -> int:
    """Count one failure of ``username`` from ``client``; return that pair's failures in a row."""
    return store.throttle_note_failure(username, _client(client))


def lock(store: Store, username: str, client: str | None, until: str, *, reset_count: bool) -> None:
    """Refuse ``username`` from ``client`` until ``until`` (ISO time)."""
    store.throttle_lock(username, _client(client), until, reset_count=reset_count)


def clear(store: Store, username: str, client: str | None = None) -> None:
    """Forget the failures of ``username`` from ``client`` (every client when None)."""
    store.throttle_clear(username, None if client is None else _client(client))
