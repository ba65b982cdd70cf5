"""Personal API tokens in the store (table ``api_tokens``; policy lives in :mod:`geo.tokens`).

Only a token's SHA-256 is stored. Issuing and revoking are audited changes (one transaction with
the audit row and a version bump); a token's use is audited at most once a minute, without a bump.
Portable SQL only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.errors import NotFound
from geo.store.contract import TokensStore
from geo.store.mixin import StoreMixin

#: the columns anyone may see (never the hash)
TOKEN_COLUMNS = ("token_id", "username", "label", "created_at", "created_by", "revoked_at", "revoked_by",
                 "last_used_at")


class TokensMixin(StoreMixin, TokensStore):
    """API-token rows for :class:`geo.store.base.SQLStore` (portable SQL only)."""

    def add_api_token(self, token_id: str, token_hash: str, username: str, label: str | None, *,
                      actor: str, at: str) -> None:
        with self.transaction() as cur:
            self.execute(cur, "INSERT INTO api_tokens (token_id, token_hash, username, label, created_at, created_by)"
                         " VALUES (?, ?, ?, ?, ?, ?)", [token_id, token_hash, username, label, at, actor])
            self.record(cur, actor, "api_token_issue", "api_token", token_id,
                        after={"username": username, "label": label})
            self._bump(cur)

    def revoke_api_token(self, token_id: str, *, actor: str, at: str) -> None:
        with self.transaction() as cur:
            self.execute(cur, "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE token_id = ?"
                         " AND revoked_at IS NULL", [at, actor, token_id])
            if cur.rowcount != 1:
                raise NotFound("mã truy cập API còn hiệu lực", "active API token", token_id)
            self.record(cur, actor, "api_token_revoke", "api_token", token_id)
            self._bump(cur)

    def list_api_tokens(self) -> pd.DataFrame:
        rows = self.fetchall(f"SELECT {', '.join(TOKEN_COLUMNS)} FROM api_tokens ORDER BY created_at DESC, token_id")
        return pd.DataFrame(rows, columns=list(TOKEN_COLUMNS))

    def api_token_user(self, token_hash: str) -> dict[str, Any] | None:
        rows = self.fetchall("SELECT t.token_id, t.username, u.role, u.disabled, u.display_name FROM api_tokens t"
                             " JOIN users u ON u.username = t.username WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                             [token_hash])
        return rows[0] if rows else None

    def note_api_token_use(self, token_id: str, username: str, *, at: str, cutoff: str) -> None:
        with self.transaction() as cur:
            self.execute(cur, "UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?"
                         " AND (last_used_at IS NULL OR last_used_at <= ?)", [at, token_id, cutoff])
            if cur.rowcount == 1:
                self.record(cur, f"api:{username}", "api_token_use", "api_token", token_id)
