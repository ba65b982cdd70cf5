"""Sign-in throttling rows in the store (table ``login_throttle``; policy lives in
:mod:`geo.throttle`). Like sign-in bookkeeping these are not data changes: no audit row, no
version bump. Portable SQL only."""

from __future__ import annotations

from geo.store.contract import ThrottleStore
from geo.store.mixin import StoreMixin


class ThrottleMixin(StoreMixin, ThrottleStore):
    """Throttle rows for :class:`geo.store.base.SQLStore`."""

    def throttle_locked_until(self, username: str, client: str) -> str | None:
        rows = self.fetchall("SELECT locked_until FROM login_throttle WHERE username = ? AND client = ?",
                             [username, client])
        return rows[0]["locked_until"] if rows else None

    def throttle_note_failure(self, username: str, client: str) -> int:
        key = [username, client]
        with self.transaction() as cur:
            self.execute(cur, "UPDATE login_throttle SET failed_count = failed_count + 1 WHERE username = ?"
                         " AND client = ?", key)
            self.execute(cur, "SELECT failed_count FROM login_throttle WHERE username = ? AND client = ?", key)
            row = cur.fetchone()
            if row is None:
                self.execute(cur, "INSERT INTO login_throttle (username, client, failed_count) VALUES (?, ?, 1)", key)
                return 1
        return int(row[0])

    def throttle_lock(self, username: str, client: str, until: str, *, reset_count: bool) -> None:
        with self.transaction() as cur:
            self.execute(cur, "UPDATE login_throttle SET locked_until = ?" + (", failed_count = 0" if reset_count
                                                                              else "")
                         + " WHERE username = ? AND client = ?", [until, username, client])

    def throttle_clear(self, username: str, client: str | None = None) -> None:
        with self.transaction() as cur:
            if client is None:
                self.execute(cur, "DELETE FROM login_throttle WHERE username = ?", [username])
            else:
                self.execute(cur, "DELETE FROM login_throttle WHERE username = ? AND client = ?", [username, client])
