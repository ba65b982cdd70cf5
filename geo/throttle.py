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

from typing import Any

CLI = "cli"


def _client(client: str | None) -> str:
    return (client or "unknown").strip()[:100] or "unknown"


def locked_until(store: Any, username: str, client: str | None) -> str | None:
    """ISO time until which ``username`` may not sign in from ``client`` (None: free)."""
    rows = store.fetchall("SELECT locked_until FROM login_throttle WHERE username = ? AND client = ?",
                          [username, _client(client)])
    return rows[0]["locked_until"] if rows else None


def note_failure(store: Any, username: str, client: str | None) -> int:
    """Count one failure of ``username`` from ``client``; return that pair's failures in a row."""
    key = [username, _client(client)]
    with store.transaction() as cur:
        store.execute(cur, "UPDATE login_throttle SET failed_count = failed_count + 1 WHERE username = ? AND client = ?",
                      key)
        store.execute(cur, "SELECT failed_count FROM login_throttle WHERE username = ? AND client = ?", key)
        row = cur.fetchone()
        if row is None:
            store.execute(cur, "INSERT INTO login_throttle (username, client, failed_count) VALUES (?, ?, 1)", key)
            return 1
    return int(row[0])


def lock(store: Any, username: str, client: str | None, until: str, *, reset_count: bool) -> None:
    """Refuse ``username`` from ``client`` until ``until`` (ISO time)."""
    with store.transaction() as cur:
        store.execute(cur, "UPDATE login_throttle SET locked_until = ?" + (", failed_count = 0" if reset_count else "")
                      + " WHERE username = ? AND client = ?", [until, username, _client(client)])


def clear(store: Any, username: str, client: str | None = None) -> None:
    """Forget the failures of ``username`` from ``client`` (every client when None)."""
    with store.transaction() as cur:
        if client is None:
            store.execute(cur, "DELETE FROM login_throttle WHERE username = ?", [username])
        else:
            store.execute(cur, "DELETE FROM login_throttle WHERE username = ? AND client = ?",
                          [username, _client(client)])
