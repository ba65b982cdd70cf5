"""What the upload page shows of a checked file, shaped without Streamlit: the key a check is
cached under, the mapping the panel's choices amount to, the field-by-field changes, the
matches the user decides, the absent sites, and the batches that can be rolled back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.ingest.match import Match, UpdatePlan
from geo.ingest.validate import INPUT_FIELDS
from geo.store.base import Store

#: longest old/new value shown in the table of changes
MAX_SHOWN = 200
#: the most matches asked about one by one, absent ids listed, rollback buttons shown
MAX_DECISIONS, MAX_ABSENT, MAX_ROLLBACKS = 100, 20, 20


def check_key(content: bytes, crs: str | None, mapping: dict[str, Any]) -> str:
    """The key one check of a file is cached under: its bytes, the CRS chosen and the mapping.

    >>> check_key(b"x", None, {"b": 1, "a": 2}) == check_key(b"x", "", {"a": 2, "b": 1})
    True
    """
    return (hashlib.sha256(content).hexdigest() + "|" + (crs or "") + "|"
            + json.dumps(mapping, sort_keys=True, ensure_ascii=False))


def clean_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """The choices a check understands: schema fields, coordinate columns (``lon``, ``lat``,
    ``geometry``) and value maps or defaults (``<field>_values``, ``<field>_default``).

    >>> clean_mapping({"name": "Tên", "lon": "x", "status_values": {}, "junk": 1})
    {'name': 'Tên', 'lon': 'x', 'status_values': {}}
    """
    return {k: v for k, v in mapping.items()
            if k in INPUT_FIELDS or k in ("lon", "lat", "geometry") or k.endswith(("_values", "_default"))}


@dataclass(frozen=True)
class Change:
    """One field a file changes on a stored site, as shown (values cut to :data:`MAX_SHOWN`)."""

    feature: int
    site_id: str | None
    field: str
    old: str
    new: str


def _shown(value: Any) -> str:
    return "" if value is None else str(value)[:MAX_SHOWN]


def changes(plan: UpdatePlan) -> list[Change]:
    """Every field of every changed site, in the file's order."""
    return [Change(m.feature, m.site_id, f, _shown(old), _shown(new))
            for m in plan.matches if m.kind == "changed" for f, (old, new) in m.changes.items()]


def to_decide(plan: UpdatePlan) -> list[Match]:
    """The matches the user decides one by one: same-name matches and possible duplicates (at
    most :data:`MAX_DECISIONS`)."""
    return [m for m in plan.matches if m.how in ("name", "possible")][:MAX_DECISIONS]


def best_candidate(m: Match) -> dict[str, Any]:
    """The stored site ``m`` most likely is (``site_id``, ``distance_m``)."""
    return m.candidates[0] if m.candidates else {"site_id": m.site_id, "distance_m": 0}


def absent_ids(plan: UpdatePlan) -> str:
    """The ids of stored sites absent from the file, the first :data:`MAX_ABSENT` and "…" for more.

    >>> absent_ids(UpdatePlan([], [{"site_id": f"s{i}"} for i in range(22)]))[-10:]
    's18, s19 …'
    """
    ids = [str(a["site_id"]) for a in plan.absent]
    return ", ".join(ids[:MAX_ABSENT]) + (" …" if len(ids) > MAX_ABSENT else "")


def upload_batches(store: Store) -> pd.DataFrame:
    """The batches made by uploads (not the demo set), newest first."""
    df = store.list_batches()
    return df[df["kind"] == "upload"]


def rollbackable(batches: pd.DataFrame) -> list[str]:
    """The ids of committed batches offered for rollback (the :data:`MAX_ROLLBACKS` newest)."""
    return [str(b) for b in batches[batches["status"] == "committed"]["batch_id"].head(MAX_ROLLBACKS)]
