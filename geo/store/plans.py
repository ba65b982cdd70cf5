"""Field-visit plans in the store (table ``plans``): save, list, get, copy, delete.

A plan is kept as its JSON (:meth:`geo.visits.Plan.to_dict`) with its name, date and participants
beside it in columns for listing. Portable SQL only; every change is one transaction holding its
audit row (entity ``plan``) and a version bump.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pandas as pd

from geo.errors import InputError, NotFound
from geo.store.contract import PlansStore
from geo.store.mixin import StoreMixin, now_iso

LIST_COLUMNS = ("plan_id", "name", "visit_date", "participants", "n_stops", "created_by", "created_at",
                "updated_at")



def _columns(plan: dict[str, Any]) -> tuple[str, str | None, str, str]:
    """(name, visit_date, participants, plan_json) of a plan dict; the name is required."""
    name = str(plan.get("name") or "").strip()
    if not name:
        raise InputError("hãy đặt tên cho kế hoạch trước khi lưu.", "give the plan a name before saving it.",
                         field="name")
    people = plan.get("participants") or []
    participants = "\n".join(str(p) for p in people) if isinstance(people, list) else str(people)
    return name, (str(plan.get("visit_date") or "") or None), participants, json.dumps(plan, ensure_ascii=False)


class PlansMixin(StoreMixin, PlansStore):
    """Methods of :class:`~geo.store.base.SQLStore` for field-visit plans (mixed into it)."""

    def _plan_row(self, cur: Any, plan_id: str) -> dict[str, Any] | None:
        self.execute(cur, "SELECT plan_id, name, visit_date, participants, plan_json, created_by, created_at,"
                     " updated_at FROM plans WHERE plan_id = ?", [plan_id])
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cur.description], row, strict=True))
        out["plan"] = json.loads(out.pop("plan_json"))
        return out

    def save_plan(self, plan: dict[str, Any], *, actor: str, plan_id: str | None = None) -> str:
        """Store ``plan`` (a new plan when ``plan_id`` is None, else replace that one); return its id.

        Raises
        ------
        InputError
            When the plan has no name.
        NotFound
            When ``plan_id`` is given and no such plan exists.
        """
        name, visit_date, participants, text = _columns(plan)
        now = now_iso()
        with self.transaction() as cur:
            if plan_id is None:
                plan_id = f"p-{uuid.uuid4().hex[:12]}"
                self.execute(cur, "INSERT INTO plans (plan_id, name, visit_date, participants, plan_json, created_by,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [plan_id, name, visit_date, participants, text, actor, now, now])
                self.record(cur, actor, "plan_create", "plan", plan_id, after=plan)
            else:
                before = self._plan_row(cur, plan_id)
                if before is None:
                    raise NotFound("kế hoạch", "plan", plan_id)
                self.execute(cur, "UPDATE plans SET name = ?, visit_date = ?, participants = ?, plan_json = ?,"
                             " updated_at = ? WHERE plan_id = ?",
                             [name, visit_date, participants, text, now, plan_id])
                self.record(cur, actor, "plan_update", "plan", plan_id, before=before["plan"], after=plan)
            self._bump(cur)
        return plan_id

    def list_plans(self) -> pd.DataFrame:
        """Every saved plan (without its JSON), latest visit date first."""
        rows = self.fetchall("SELECT plan_id, name, visit_date, participants, plan_json, created_by, created_at,"
                             " updated_at FROM plans ORDER BY visit_date DESC, updated_at DESC, plan_id")
        for r in rows:
            r["n_stops"] = len(json.loads(r.pop("plan_json")).get("stop_ids") or [])
        return pd.DataFrame(rows, columns=list(LIST_COLUMNS))

    def get_plan(self, plan_id: str) -> dict[str, Any]:
        """The stored row of ``plan_id``: its columns and ``plan`` (the plan dict). Raises NotFound."""
        with self.transaction() as cur:
            row = self._plan_row(cur, plan_id)
        if row is None:
            raise NotFound("kế hoạch", "plan", plan_id)
        return row

    def copy_plan(self, plan_id: str, *, actor: str, name: str | None = None) -> str:
        """A new plan with the content of ``plan_id`` (renamed ``name`` when given); its id."""
        now = now_iso()
        with self.transaction() as cur:
            src = self._plan_row(cur, plan_id)
            if src is None:
                raise NotFound("kế hoạch", "plan", plan_id)
            plan = {**src["plan"], "name": name or src["plan"].get("name") or src["name"]}
            new_name, visit_date, participants, text = _columns(plan)
            new_id = f"p-{uuid.uuid4().hex[:12]}"
            self.execute(cur, "INSERT INTO plans (plan_id, name, visit_date, participants, plan_json, created_by,"
                         " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [new_id, new_name, visit_date, participants, text, actor, now, now])
            self.record(cur, actor, "plan_copy", "plan", new_id, before={"copied_from": plan_id}, after=plan)
            self._bump(cur)
        return new_id

    def delete_plan(self, plan_id: str, *, actor: str) -> None:
        """Remove ``plan_id``; the audit row keeps its content. Raises NotFound."""
        with self.transaction() as cur:
            before = self._plan_row(cur, plan_id)
            if before is None:
                raise NotFound("kế hoạch", "plan", plan_id)
            self.execute(cur, "DELETE FROM plans WHERE plan_id = ?", [plan_id])
            self.record(cur, actor, "plan_delete", "plan", plan_id, before=before["plan"])
            self._bump(cur)
