"""The plan being drafted on the field-visit page: the values its form starts from, the plan the
form's values make, and the edits to its stop list (tick, add all, move, remove) with the order
kept consistent.

The page keeps these values in its session state; everything that decides what they become is here,
testable without Streamlit.

>>> reconcile_order(selected=["b", "c", "d"], order=["c", "a", "b"])
['c', 'b', 'd']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.boundaries import Boundaries, unit_names
from geo.schema import category_label, status_label
from geo.visits.plan import MAX_STOPS, Plan, Start, parse_date, parse_hhmm
from geo.visits.timetable import optimise

#: the form's fields (the page keeps each as ``fv_<name>`` in its session state)
FORM_KEYS = ("sel", "order", "name", "people", "date", "return", "speed", "dwell", "depart", "start_kind",
             "start_site", "coords", "sig", "notes")
#: what decides the suggested order: the set of stops, the start and the return
Signature = tuple[tuple[str, ...], float, float, str, bool]


def form_values(plan: Plan, today: dt.date | None = None) -> dict[str, Any]:
    """The form's values for ``plan`` (keys :data:`FORM_KEYS`); a plan without a date is for the
    day after ``today``."""
    day = parse_date(plan.visit_date) if plan.visit_date else (today or dt.date.today()) + dt.timedelta(days=1)
    start = plan.start
    return {"sel": list(plan.stop_ids), "order": list(plan.stop_ids), "name": plan.name,
            "people": "\n".join(plan.participants), "date": day, "return": plan.return_to_start,
            "speed": float(plan.speed_kmh), "dwell": float(plan.dwell_min), "depart": parse_hhmm(plan.depart),
            "start_kind": start.kind, "start_site": start.key if start.kind == "site" else None,
            "coords": f"{start.lat:.6f}, {start.lon:.6f}", "sig": None, "notes": plan.notes}


def reconcile_order(selected: list[str], order: list[str]) -> list[str]:
    """The visiting order of ``selected``: the known ones as ``order`` has them, new ones after,
    in the order they were chosen; stops no longer selected dropped."""
    chosen, known = set(selected), set(order)
    return [s for s in order if s in chosen] + [s for s in selected if s not in known]


def plan_from_form(values: Mapping[str, Any], start: Start) -> Plan:
    """The plan the form's ``values`` (keys :data:`FORM_KEYS`) make, starting at ``start``, its stops
    in the reconciled order (see :func:`reconcile_order`). Raises InputError on a bad value."""
    date = values["date"]
    return Plan(name=str(values["name"]).strip(), visit_date=date.isoformat() if date else "",
                participants=[p.strip() for p in str(values["people"]).splitlines() if p.strip()],
                start=start, return_to_start=bool(values["return"]), speed_kmh=float(values["speed"]),
                dwell_min=float(values["dwell"]), depart=values["depart"].strftime("%H:%M"),
                stop_ids=reconcile_order(list(values["sel"]), list(values["order"])),
                notes=str(values["notes"]).strip()).checked()


def signature(plan: Plan) -> Signature:
    """What the suggested order depends on: the set of stops, the start, the return."""
    return (tuple(sorted(plan.stop_ids)), plan.start.lat, plan.start.lon, plan.start.key, plan.return_to_start)


def arranged(plan: Plan, sites: gpd.GeoDataFrame, *, manual: bool,
             last: Signature | None) -> tuple[Plan, Signature]:
    """``plan`` in the shortest order when its stops, start or return changed since ``last`` (unless
    the user ordered the stops by hand), else as it is; and its new signature."""
    sig = signature(plan)
    if plan.stop_ids and not manual and last != sig:
        plan = optimise(plan, sites)
    return plan, sig


def choice_rows(shown: gpd.GeoDataFrame, b: Boundaries | None, lang: str = "vi") -> pd.DataFrame:
    """The shown sites as the page lists them to choose from: ``id``, ``name``, and ``category``,
    ``district`` and ``status`` in ``lang``, in the order shown."""
    return pd.DataFrame({
        "id": shown["id"].to_numpy(), "name": shown["name"].to_numpy(),
        "category": [category_label(c, lang) for c in shown["category"]],
        "district": [unit_names(b, "district", c, lang) if b else "" for c in shown["district_codes"]],
        "status": [status_label(s, lang) for s in shown["status"]]})


def start_site(current: str | None, chosen_ids: list[str]) -> str | None:
    """The chosen site the route starts from: ``current`` while it is still chosen, else the first.

    >>> start_site("b", ["a", "b"]), start_site("z", ["a", "b"]), start_site(None, [])
    ('b', 'a', None)
    """
    return current if current in chosen_ids else next(iter(chosen_ids), None)


def toggled(selected: list[str], site_id: str, on: bool) -> list[str]:
    """``selected`` with ``site_id`` added (at the end, while the plan has room) or removed.

    >>> toggled(["a"], "b", True), toggled(["a", "b"], "a", False), toggled(["a"], "a", True)
    (['a', 'b'], ['b'], ['a'])
    """
    if not on:
        return [s for s in selected if s != site_id]
    if site_id in selected or len(selected) >= MAX_STOPS:
        return list(selected)
    return [*selected, site_id]


def with_all(selected: list[str], ids: list[str]) -> list[str]:
    """``selected`` and then every one of ``ids`` not yet in it, up to :data:`MAX_STOPS` stops.

    >>> with_all(["b"], ["a", "b", "c"])
    ['b', 'a', 'c']
    """
    new = [i for i in dict.fromkeys(ids) if i not in selected]
    return [*selected, *new[: max(0, MAX_STOPS - len(selected))]]


def without(stop_ids: list[str], site_id: str) -> list[str]:
    """``stop_ids`` without ``site_id``.

    >>> without(["a", "b", "a"], "a")
    ['b']
    """
    return [s for s in stop_ids if s != site_id]


def move(stop_ids: list[str], site_id: str, step: int) -> list[str]:
    """``stop_ids`` with ``site_id`` moved ``step`` places (−1 up, +1 down), clamped at the ends.

    >>> move(["a", "b", "c"], "c", -1)
    ['a', 'c', 'b']
    >>> move(["a", "b", "c"], "a", -1)
    ['a', 'b', 'c']
    """
    ids = list(stop_ids)
    if site_id not in ids:
        return ids
    i = ids.index(site_id)
    j = min(max(i + step, 0), len(ids) - 1)
    ids.insert(j, ids.pop(i))
    return ids


def merge_ticks(selected: list[str], shown: list[str], ticked: list[str]) -> list[str]:
    """The selection after ticking rows of a table that shows ``shown``: sites not shown stay as
    they were, shown ones are chosen exactly when ticked (new ones appended in table order).

    >>> merge_ticks(["a", "x"], shown=["a", "b", "c"], ticked=["b", "c"])
    ['x', 'b', 'c']
    """
    on = set(ticked)
    visible = set(shown)
    out = [s for s in selected if s not in visible or s in on]
    return out + [s for s in shown if s in on and s not in out]
