"""Reading the audit trail: time filters people can type, filtered tables, safe CSV.

The rows are written by the store (``SQLStore.record``) inside each change's transaction; this
module only reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd

from geo.errors import InputError
from geo.sites import spreadsheet_safe
from geo.store.base import Store, is_missing

COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "batch_id", "before_json", "after_json"]
_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(text: str | None, *, now: dt.datetime | None = None, end_of_day: bool = False) -> str | None:
    """An ISO UTC timestamp comparable with the audit's ``at`` column, from an ISO date or time
    (``2026-11-01``, ``2026-11-01T08:00+07:00``) or an age (``30m``, ``24h``, ``7d``, ``2w``).

    >>> parse_time("2026-11-01")
    '2026-11-01T00:00:00+00:00'
    >>> parse_time("2d", now=dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC))
    '2026-11-01T12:00:00+00:00'
    """
    if text is None or not str(text).strip():
        return None
    m = _RELATIVE.match(str(text))
    if m:
        now = now or dt.datetime.now(dt.UTC)
        when = now - dt.timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    else:
        try:
            when = dt.datetime.fromisoformat(str(text).strip())
        except ValueError:
            raise InputError(f"Không hiểu thời điểm “{text}”; dùng dạng 2026-11-01, 2026-11-01T08:00 hoặc 7d, 24h.",
                             f"Cannot read the time “{text}”; use 2026-11-01, 2026-11-01T08:00 or 7d, 24h.",
                             field="since") from None
        if end_of_day and len(str(text).strip()) <= 10:
            when += dt.timedelta(days=1)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def table(store: Store, *, since: str | None = None, until: str | None = None, actor: str | None = None,
          action: str | None = None, entity: str | None = None, text: str = "", limit: int = 10_000) -> pd.DataFrame:
    """Audit rows, newest first, filtered. ``since``/``until`` take what :func:`parse_time` reads
    (``until`` a bare date means the end of that day); ``text`` searches every column."""
    df = store.audit(since=parse_time(since), actor=actor or None, action=action or None, limit=limit)
    df = df.reindex(columns=COLUMNS)
    end = parse_time(until, end_of_day=True)
    if end:
        df = df[df["at"] < end]
    if entity:
        df = df[df["entity"] == entity]
    if text.strip():
        needle = text.strip().casefold()
        hay = df.astype(str).apply(lambda col: col.str.casefold().str.contains(needle, regex=False))
        df = df[hay.any(axis=1)]
    return df.reset_index(drop=True)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with ``before``/``after`` decoded from their JSON (for ``--json``)."""
    out = []
    for row in df.to_dict("records"):
        rec = {k: (None if is_missing(v) else v) for k, v in row.items() if k not in ("before_json", "after_json")}
        rec["before"] = _load(row.get("before_json"))
        rec["after"] = _load(row.get("after_json"))
        out.append(rec)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheet programs) in which no cell can start a formula.

    >>> to_csv(pd.DataFrame({"actor": ["=HYPERLINK(1)", "lan"]})).decode("utf-8-sig").splitlines()
    ['actor', "'=HYPERLINK(1)", 'lan']
    """
    data: bytes = spreadsheet_safe(df).to_csv(index=False).encode("utf-8-sig")
    return data


def summary(row: dict[str, Any], limit: int = 160) -> str:
    """One line saying what changed in an audit row (fields whose values differ)."""
    before, after = _load(row.get("before_json")), _load(row.get("after_json"))
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k) and k != "updated_at"]
        text = "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}" for k in keys)
    else:
        text = _short(after if after is not None else before, limit)
    return text[:limit]


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"



def _load(text: Any) -> Any:
    if is_missing(text) or text == "":
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text
