"""Users in the store: the rows behind sign-in and roles (policy lives in :mod:`geo.auth`).

Every change to a user is one transaction with its audit row. Password hashes never reach the
audit trail: before/after values carry ``"password": "(set)"`` instead. Sign-in bookkeeping
(failed count, lock, last sign-in) is not a data change: it neither bumps the store version nor
writes audit rows, except when an account gets locked.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from geo.errors import ConflictError, NotFound
from geo.store.contract import UsersStore
from geo.store.mixin import StoreMixin

#: the columns anyone may see (never the hash)
PUBLIC_COLUMNS = ("username", "display_name", "role", "disabled", "failed_count", "locked_until",
                  "last_login", "created_at", "updated_at")


def _public(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A user row fit for the audit trail and the UI: the hash replaced by a marker."""
    if row is None:
        return None
    out = {k: row.get(k) for k in PUBLIC_COLUMNS}
    out["disabled"] = bool(out["disabled"])
    out["password"] = "(set)" if row.get("password_hash") else "(none)"
    return out


class UsersMixin(StoreMixin, UsersStore):
    """User rows for :class:`geo.store.base.SQLStore` (portable SQL only)."""

    # -- reads ----------------------------------------------------------
    def get_user(self, username: str) -> dict[str, Any] | None:
        """The full row of ``username`` (with its password hash: for geo.auth only), or None."""
        rows = self.fetchall("SELECT * FROM users WHERE username = ?", [username])
        return rows[0] if rows else None

    def count_users(self) -> int:
        return int(self.fetchall("SELECT COUNT(*) AS n FROM users")[0]["n"])

    def list_users(self) -> pd.DataFrame:
        """Every user without password hashes, sorted by name."""
        rows = self.fetchall(f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM users ORDER BY username")
        df = pd.DataFrame(rows, columns=list(PUBLIC_COLUMNS))
        df["disabled"] = df["disabled"].astype(bool)
        return df

    # -- changes (audited) ------------------------------------------------
    def add_user(self, username: str, role: str, password_hash: str | None, *, actor: str,
                 display_name: str | None = None, only_if_empty: bool = False, at: str) -> None:
        """Insert a user. ``only_if_empty``: refuse unless the store has no user yet (bootstrap)."""
        with self.transaction() as cur:
            if only_if_empty:
                self.execute(cur, "SELECT COUNT(*) FROM users")
                if cur.fetchone()[0]:
                    raise ConflictError(
                        "Đã có người dùng; chỉ quản trị viên mới thêm được người dùng mới.",
                        "Users already exist; only an admin may add more. Sign in as an admin (P03_USER).")
            if self._row(cur, username) is not None:
                raise ConflictError(f"Người dùng “{username}” đã có.", f"User “{username}” already exists.")
            self.execute(
                cur, "INSERT INTO users (username, display_name, role, password_hash, disabled, failed_count,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
                [username, display_name, role, password_hash, at, at])
            self.record(cur, actor, "user_add", "user", username, after=_public(self._row(cur, username)))
            self._bump(cur)

    def set_user_role(self, username: str, role: str, *, actor: str, at: str) -> None:
        self._change(username, "user_set_role", "role = ?", [role], actor=actor, at=at, keeps_admin=role == "admin")

    def set_user_disabled(self, username: str, disabled: bool, *, actor: str, at: str) -> None:
        action = "user_disable" if disabled else "user_enable"
        self._change(username, action, "disabled = ?", [1 if disabled else 0], actor=actor, at=at,
                     keeps_admin=not disabled, ends_sessions=disabled)

    def set_user_password(self, username: str, password_hash: str, *, actor: str, at: str) -> None:
        """Set a new hash and lift any lock."""
        self._change(username, "user_reset_password", "password_hash = ?, failed_count = 0, locked_until = NULL",
                     [password_hash], actor=actor, at=at, keeps_admin=True, ends_sessions=True)

    def _change(self, username: str, action: str, set_sql: str, params: list[Any], *, actor: str, at: str,
                keeps_admin: bool, ends_sessions: bool = False) -> None:
        with self.transaction() as cur:
            before = self._row(cur, username)
            if before is None:
                raise NotFound("người dùng", "user", username)
            self.execute(cur, f"UPDATE users SET {set_sql}, updated_at = ? WHERE username = ?",
                         [*params, at, username])
            if not keeps_admin:
                self._ensure_an_admin(cur)
            if ends_sessions:  # disabled or new password: every browser sign-in of theirs ends now
                self.execute(cur, "UPDATE web_sessions SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                             [time.time(), username])
            self.record(cur, actor, action, "user", username, before=_public(before),
                        after=_public(self._row(cur, username)))
            self._bump(cur)

    def _ensure_an_admin(self, cur: Any) -> None:
        self.execute(cur, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
        if not cur.fetchone()[0]:
            raise ConflictError(
                "Không thể bỏ quản trị viên cuối cùng đang hoạt động. Hãy cấp quyền quản trị cho người khác trước.",
                "This would leave no active admin. Make another user an admin first.")

    def _row(self, cur: Any, username: str) -> dict[str, Any] | None:
        self.execute(cur, "SELECT * FROM users WHERE username = ?", [username])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        return dict(zip(names, row, strict=True)) if row else None

    # -- sign-in bookkeeping ------------------------------------------------
    def note_login_failure(self, username: str) -> int:
        """Count one failed sign-in; return the count of failures in a row."""
        with self.transaction() as cur:
            self.execute(cur, "UPDATE users SET failed_count = failed_count + 1 WHERE username = ?", [username])
            self.execute(cur, "SELECT failed_count FROM users WHERE username = ?", [username])
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def lock_user(self, username: str, until: str, *, failures: int, reset_count: bool, audit: bool) -> None:
        """Refuse sign-ins of ``username`` until ``until`` (ISO time); audited when ``audit``."""
        with self.transaction() as cur:
            self.execute(cur, "UPDATE users SET locked_until = ?" + (", failed_count = 0" if reset_count else "")
                         + " WHERE username = ?", [until, username])
            if audit:
                self.record(cur, "system", "user_lock", "user", username,
                            after={"locked_until": until, "failed_sign_ins": failures})

    def note_login_success(self, username: str, at: str, new_hash: str | None = None) -> None:
        """Reset the failure count and lock, stamp the sign-in; store a re-hashed password if given."""
        with self.transaction() as cur:
            self.execute(cur, "UPDATE users SET failed_count = 0, locked_until = NULL, last_login = ?"
                         + (", password_hash = ?" if new_hash else "") + " WHERE username = ?",
                         [at, new_hash, username] if new_hash else [at, username])
