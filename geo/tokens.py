"""Personal API tokens for the OGC API (``P03_READ_REQUIRES_LOGIN`` on).

An admin issues a token to a user (admin page or ``python -m geo users token issue NAME``); the
secret is shown once and only its SHA-256 is stored (a random 256-bit secret needs no slow hash).
A request presents it as ``Authorization: Bearer <token>`` (QGIS: an "API Header" authentication
configuration). A token works while it is not revoked and its user exists, is enabled and may
``api_read``. Each token is rate-limited (``P03_API_RATE_PER_MIN`` requests a minute, per process)
and its use is written to the audit trail at most once a minute (``api_token_use``); issuing and
revoking are audited changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque
from typing import Any

import pandas as pd

from geo import auth, settings
from geo.errors import NotFound, RateLimited, TokenRefused
from geo.store import Store

PREFIX = "p03_"
#: audit a token's use at most this often
AUDIT_EVERY_S = 60
MISSING = ("Cần mã truy cập API cá nhân (tiêu đề “Authorization: Bearer …”); quản trị viên cấp mã ở trang Quản trị.",
           "A personal API token is needed (header “Authorization: Bearer …”); an admin issues one on the "
           "Administration page.")


def digest(token: str) -> str:
    """The stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _require_admin(actor: auth.User | None) -> None:
    auth.require(actor, "api_tokens")


def issue(store: Store, username: str, *, actor: auth.User, label: str = "") -> tuple[str, str]:
    """Issue a token to ``username``; return (token_id, secret). The secret is not kept: show it once."""
    _require_admin(actor)
    name = auth.check_username(username)
    if store.get_user(name) is None:
        raise NotFound("người dùng", "user", name)
    token_id = "tok-" + secrets.token_hex(6)
    secret = PREFIX + secrets.token_urlsafe(32)
    store.add_api_token(token_id, digest(secret), name, label[:200] or None, actor=actor.username,
                        at=_now().isoformat())
    return token_id, secret


def revoke(store: Store, token_id: str, *, actor: auth.User) -> None:
    """Revoke a token at once (audited). Raises NotFound for an unknown or already revoked id."""
    _require_admin(actor)
    store.revoke_api_token(token_id, actor=actor.username, at=_now().isoformat())


def list_tokens(store: Store, *, actor: auth.User) -> pd.DataFrame:
    """Every token (never a secret or hash), newest first."""
    _require_admin(actor)
    return store.list_api_tokens()


# ------------------------------------------------------------------ use

_LOCK = threading.Lock()
_WINDOWS: dict[str, deque[float]] = {}
_LAST_AUDIT: dict[str, float] = {}


def _rate(token_hash: str, now: float) -> None:
    limit = int(settings.get("P03_API_RATE_PER_MIN"))
    with _LOCK:
        window = _WINDOWS.setdefault(token_hash, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            raise RateLimited(max(1, int(window[0] + 60 - now) + 1))
        window.append(now)


def use_token(store: Store, token: str) -> auth.User:
    """Check a presented token; return its user. Raises TokenRefused or RateLimited.

    The use is audited (``api_token_use``) at most once a minute per token, across processes: the
    audit row is written only by the request that moves ``last_used_at`` on by a minute or more.
    """
    if not token.startswith(PREFIX) or len(token) > 200:
        raise TokenRefused()
    h = digest(token)
    row = store.api_token_user(h)
    if row is None or row["disabled"] or not auth.can(row["role"], "api_read"):
        raise TokenRefused()
    now = time.time()
    _rate(h, now)
    if now - _LAST_AUDIT.get(h, 0.0) >= AUDIT_EVERY_S:
        _audit_use(store, row["token_id"], row["username"])
        _LAST_AUDIT[h] = now
    return auth.User(row["username"], row["role"], row["display_name"] or "")


def _audit_use(store: Store, token_id: str, username: str) -> None:
    now = _now()
    store.note_api_token_use(token_id, username, at=now.isoformat(),
                             cutoff=(now - dt.timedelta(seconds=AUDIT_EVERY_S)).isoformat())


def reset_limits() -> None:
    """Forget rate windows and audit times (tests)."""
    with _LOCK:
        _WINDOWS.clear()
        _LAST_AUDIT.clear()


def describe(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = df.astype(object).where(df.notna(), None).to_dict("records")
    return rows
