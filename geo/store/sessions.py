"""Web sessions in the store: the rows behind the sign-in cookie (policy lives in
:mod:`geo.websession`). Only SHA-256 hashes of the cookie token and of the one-time hand-off code
are stored, so a copy of the table signs nobody in. Like sign-in bookkeeping, these rows are not a
data change: they neither bump the store version nor write audit rows (disabling an account, which
revokes its sessions, is audited by the user change itself)."""

from __future__ import annotations

from typing import Any

from geo.store.contract import SessionsStore
from geo.store.mixin import StoreMixin


class SessionsMixin(StoreMixin, SessionsStore):
    """Web-session rows for :class:`geo.store.base.SQLStore` (portable SQL only)."""

    def add_web_session(self, sid: str, username: str, source: str, handoff_hash: str, *,
                        now: float, expires_at: float) -> None:
        """A new session waiting for its cookie: the hand-off code's hash, no token yet."""
        with self.transaction() as cur:
            self.execute(cur, "INSERT INTO web_sessions (sid, username, source, handoff_hash, created_at,"
                         " last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [sid, username, source, handoff_hash, now, now, expires_at])

    def claim_web_session(self, handoff_hash: str, token_hash: str, *, now: float,
                          not_before: float) -> dict[str, Any] | None:
        """Swap a hand-off code (created after ``not_before``, unused, live) for a token; the row, or
        None. One UPDATE: a code is claimed once even when two requests race."""
        with self.transaction() as cur:
            self.execute(cur, "UPDATE web_sessions SET token_hash = ?, handoff_hash = NULL, last_seen = ?"
                         " WHERE handoff_hash = ? AND token_hash IS NULL AND revoked_at IS NULL"
                         " AND created_at >= ? AND expires_at > ?",
                         [token_hash, now, handoff_hash, not_before, now])
            if cur.rowcount != 1:
                return None
        return self.web_session(token_hash=token_hash)

    def web_session(self, *, token_hash: str | None = None, sid: str | None = None) -> dict[str, Any] | None:
        """The row with this token hash or session id, or None."""
        column, value = ("token_hash", token_hash) if token_hash is not None else ("sid", sid)
        rows = self.fetchall(f"SELECT * FROM web_sessions WHERE {column} = ?", [value])
        return rows[0] if rows else None

    def touch_web_session(self, sid: str, now: float) -> None:
        with self.transaction() as cur:
            self.execute(cur, "UPDATE web_sessions SET last_seen = ? WHERE sid = ?", [now, sid])

    def revoke_web_sessions(self, *, now: float, sid: str | None = None, username: str | None = None) -> int:
        """Revoke one session (``sid``) or every live one of ``username``; return how many."""
        with self.transaction() as cur:
            self._revoke_sessions(cur, now=now, sid=sid, username=username)
            return int(cur.rowcount)

    def _revoke_sessions(self, cur: Any, *, now: float, sid: str | None = None,
                         username: str | None = None) -> None:
        column, value = ("sid", sid) if sid is not None else ("username", username)
        self.execute(cur, f"UPDATE web_sessions SET revoked_at = ? WHERE {column} = ? AND revoked_at IS NULL",
                     [now, value])
