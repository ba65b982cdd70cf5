"""Editors' changes to indicators: definitions, hand-entered values and district/commune pledges.

Each operation checks the permission itself (``geo.auth.require(user, "indicators")``: editors and
admins) before it writes; pages and the CLI only catch and show the refusal. Every write is one
store transaction with its audit row, made in the user's name.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from geo import auth
from geo.errors import InputError
from geo.indicators.progress import parse_date
from geo.indicators.registry import Indicator, get_indicator, number, parse_definition
from geo.store.base import Store

ACTION = "indicators"
UNIT_LAYERS = ("district", "commune")


def _who(user: auth.User | None) -> str:
    """The user's name for the audit trail, if they may edit indicators (else PermissionDenied)."""
    return auth.require(user, ACTION).username


def _unit_layer(layer: str | None, fld: str) -> None:
    if layer not in UNIT_LAYERS:
        raise InputError("lớp đơn vị phải là district hoặc commune.", "the unit layer must be district or commune.",
                         field=fld)


def save_definition(store: Store, definition: dict[str, Any], *, user: auth.User | None) -> Indicator:
    """Check and save an edited or new definition; return it.

    Raises
    ------
    PermissionDenied
        ``user`` may not edit indicators.
    InputError
        The definition is broken (the field named).
    """
    actor = _who(user)
    ind = parse_definition(definition, "indicator", origin="store")
    store.save_indicator_def(ind.code, ind.to_dict(), actor=actor)
    return ind


def reset_definition(store: Store, code: str, *, user: auth.User | None) -> None:
    """Drop an editor's definition of ``code`` (the registry file's entry applies again)."""
    store.delete_indicator_def(code, actor=_who(user))


def enter_value(store: Store, code: str, value: float, as_of: dt.date | str, *, user: auth.User | None,
                source: str | None = None, note: str | None = None, unit_layer: str | None = None,
                unit_code: str | None = None) -> int:
    """Record a hand-entered value of indicator ``code`` (city-wide, or of one unit). Returns its id.

    Raises
    ------
    PermissionDenied
        ``user`` may not edit indicators (checked first: nothing is read or written).
    InputError, NotFound
        A value, date or unit that is not right; an unknown indicator.
    """
    actor = _who(user)
    get_indicator(store, code)
    day = parse_date(as_of, "as_of")
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x):
        raise InputError(f"giá trị “{value}” không phải là số.", f"value “{value}” is not a number.", field="value")
    if unit_code:
        _unit_layer(unit_layer, "unit_layer")
    return store.add_indicator_value(code, x, day.isoformat(), actor=actor, source=source, note=note,
                                     unit_layer=unit_layer, unit_code=unit_code)


def remove_value(store: Store, value_id: int, *, user: auth.User | None) -> None:
    """Remove one hand-entered value (the audit trail keeps it)."""
    store.delete_indicator_value(value_id, actor=_who(user))


def set_pledge(store: Store, code: str, layer: str, unit_code: str, target: float | None, *,
               user: auth.User | None) -> None:
    """Set or (``target=None``) remove a district's/commune's pledge for indicator ``code``."""
    actor = _who(user)
    get_indicator(store, code)
    _unit_layer(layer, "layer")
    store.set_unit_target(code, layer, unit_code, None if target is None else number(target, "pledge"), actor=actor)
