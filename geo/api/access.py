"""Who may read the API: everyone while ``P03_READ_REQUIRES_LOGIN`` is off, else the holder of a
personal API token (``Authorization: Bearer …`` or ``X-API-Key: …``); see :mod:`geo.tokens`."""

from __future__ import annotations

from typing import Any

from flask import Response

from geo import settings, tokens
from geo.api import checks, features
from geo.errors import PermissionDenied, RateLimited
from geo.i18n import pick


def presented_token(req: Any) -> str | None:
    """The token a request carries, if any."""
    auth = req.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return (req.headers.get("X-API-Key") or "").strip() or None


def check_access(req: Any, lang: str) -> Response | None:
    """None when the request may read; else a 401/403/429 JSON response."""
    if req.path.startswith("/static/"):
        return None
    token = presented_token(req)
    if not settings.get("P03_READ_REQUIRES_LOGIN") and token is None:
        return None
    if token is None:
        resp = checks.error(401, "Unauthorized", pick(lang, *tokens.MISSING), lang)
        resp.headers["WWW-Authenticate"] = 'Bearer realm="P03 Map"'
        return resp
    try:
        tokens.use_token(features.store(), token)
    except RateLimited as exc:
        resp = checks.error(429, "TooManyRequests", exc.message(lang), lang)
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    except PermissionDenied as exc:
        return checks.error(403, "Forbidden", exc.message(lang), lang)
    return None
