"""Indicator data in the store: editors' definition overrides (``indicator_defs``), hand-entered
values (``indicator_values``) and per-unit pledges (``unit_targets``).

Portable SQL only (the SQLite and PostGIS backends share it). Every write is one transaction that
also writes its audit row and bumps the store version.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from geo.errors import NotFound
from geo.store.contract import IndicatorsStore
from geo.store.mixin import StoreMixin, now_iso

VALUE_COLUMNS = ("id", "indicator", "value", "as_of", "source", "note", "unit_layer", "unit_code",
                 "entered_by", "entered_at")
TARGET_COLUMNS = ("indicator", "layer", "unit_code", "target", "updated_by", "updated_at")



class IndicatorsMixin(StoreMixin, IndicatorsStore):
    """Methods of :class:`~geo.store.base.SQLStore` for indicators (mixed into it)."""

    # -- definitions ------------------------------------------------------
    def indicator_overrides(self) -> dict[str, dict[str, Any]]:
        """Definitions saved by editors, by code (each the full definition as a dict)."""
        rows = self.fetchall("SELECT code, definition_json, updated_by, updated_at FROM indicator_defs ORDER BY code")
        out = {}
        for r in rows:
            d = json.loads(r["definition_json"])
            d["_updated_by"], d["_updated_at"] = r["updated_by"], r["updated_at"]
            out[str(r["code"])] = d
        return out

    def save_indicator_def(self, code: str, definition: dict[str, Any], *, actor: str) -> None:
        """Insert or replace the stored definition of ``code``."""
        text = json.dumps(definition, ensure_ascii=False, sort_keys=True)
        with self.transaction() as cur:
            self.execute(cur, "SELECT definition_json FROM indicator_defs WHERE code = ?", [code])
            row = cur.fetchone()
            if row is None:
                self.execute(cur, "INSERT INTO indicator_defs (code, definition_json, updated_by, updated_at)"
                             " VALUES (?, ?, ?, ?)", [code, text, actor, now_iso()])
            else:
                self.execute(cur, "UPDATE indicator_defs SET definition_json = ?, updated_by = ?, updated_at = ?"
                             " WHERE code = ?", [text, actor, now_iso(), code])
            self.record(cur, actor, "indicator_def", "indicator", code,
                        before=json.loads(row[0]) if row else None, after=definition)
            self._bump(cur)

    def delete_indicator_def(self, code: str, *, actor: str) -> None:
        """Forget the stored definition of ``code`` (the registry file's entry applies again)."""
        with self.transaction() as cur:
            self.execute(cur, "SELECT definition_json FROM indicator_defs WHERE code = ?", [code])
            row = cur.fetchone()
            if row is None:
                raise NotFound("định nghĩa chỉ tiêu đã sửa", "edited indicator definition", code)
            self.execute(cur, "DELETE FROM indicator_defs WHERE code = ?", [code])
            self.record(cur, actor, "indicator_def_reset", "indicator", code, before=json.loads(row[0]))
            self._bump(cur)

    # -- hand-entered values -----------------------------------------------
    def indicator_values(self, code: str | None = None) -> pd.DataFrame:
        """Hand-entered values (all, or of ``code``), oldest first."""
        sql = f"SELECT {', '.join(VALUE_COLUMNS)} FROM indicator_values"
        params: list[Any] = []
        if code:
            sql += " WHERE indicator = ?"
            params.append(code)
        rows = self.fetchall(sql + " ORDER BY as_of, entered_at, id", params)
        df = pd.DataFrame(rows, columns=list(VALUE_COLUMNS))
        df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
        return df

    def add_indicator_value(self, code: str, value: float, as_of: str, *, actor: str, source: str | None = None,
                            note: str | None = None, unit_layer: str | None = None,
                            unit_code: str | None = None) -> int:
        """Record a hand-entered value; return its id."""
        row = {"indicator": code, "value": float(value), "as_of": as_of, "source": source or None,
               "note": note or None, "unit_layer": unit_layer if unit_code else None, "unit_code": unit_code or None,
               "entered_by": actor, "entered_at": now_iso()}
        cols = list(row)
        with self.transaction() as cur:
            self.execute(cur, f"INSERT INTO indicator_values ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                         " RETURNING id", [row[c] for c in cols])
            new_id = int(cur.fetchone()[0])
            self.record(cur, actor, "indicator_value", "indicator", code, after={"id": new_id, **row})
            self._bump(cur)
        return new_id

    def delete_indicator_value(self, value_id: int, *, actor: str) -> None:
        """Remove one hand-entered value (kept in the audit trail)."""
        with self.transaction() as cur:
            self.execute(cur, f"SELECT {', '.join(VALUE_COLUMNS)} FROM indicator_values WHERE id = ?", [int(value_id)])
            row = cur.fetchone()
            if row is None:
                raise NotFound("giá trị chỉ tiêu", "indicator value", str(value_id))
            before = dict(zip(VALUE_COLUMNS, row, strict=True))
            self.execute(cur, "DELETE FROM indicator_values WHERE id = ?", [int(value_id)])
            self.record(cur, actor, "indicator_value_delete", "indicator", before["indicator"], before=before)
            self._bump(cur)

    # -- per-unit pledges --------------------------------------------------
    def unit_targets(self, code: str | None = None, layer: str | None = None) -> pd.DataFrame:
        """Per-unit pledges (all, or of ``code`` / ``layer``)."""
        where, params = [], []
        for col, v in (("indicator", code), ("layer", layer)):
            if v:
                where.append(f"{col} = ?")
                params.append(v)
        sql = f"SELECT {', '.join(TARGET_COLUMNS)} FROM unit_targets"
        if where:
            sql += " WHERE " + " AND ".join(where)
        df = pd.DataFrame(self.fetchall(sql + " ORDER BY indicator, layer, unit_code", params),
                          columns=list(TARGET_COLUMNS))
        df["target"] = pd.to_numeric(df["target"], errors="coerce").astype("float64")
        return df

    def set_unit_target(self, code: str, layer: str, unit_code: str, target: float | None, *, actor: str) -> None:
        """Set (or, with ``target=None``, remove) a unit's pledge for indicator ``code``."""
        key = [code, layer, unit_code]
        where = "indicator = ? AND layer = ? AND unit_code = ?"
        with self.transaction() as cur:
            self.execute(cur, f"SELECT target FROM unit_targets WHERE {where}", key)
            row = cur.fetchone()
            before = None if row is None else float(row[0])
            if target is None:
                self.execute(cur, f"DELETE FROM unit_targets WHERE {where}", key)
            elif row is None:
                self.execute(cur, "INSERT INTO unit_targets (indicator, layer, unit_code, target, updated_by,"
                             " updated_at) VALUES (?, ?, ?, ?, ?, ?)", [*key, float(target), actor, now_iso()])
            else:
                self.execute(cur, f"UPDATE unit_targets SET target = ?, updated_by = ?, updated_at = ? WHERE {where}",
                             [float(target), actor, now_iso(), *key])
            self.record(cur, actor, "unit_target", "indicator", code,
                        before=None if before is None else {"layer": layer, "unit_code": unit_code, "target": before},
                        after=None if target is None else {"layer": layer, "unit_code": unit_code,
                                                           "target": float(target)})
            self._bump(cur)
