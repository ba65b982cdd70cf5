"""The site edit form's values: what each schema field starts as, and which fields a submitted form
changed (the page passes that ``changes`` dict to :func:`geo.edits.edit_site`, which validates it by
the upload rules). Nothing here imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from shapely.geometry.base import BaseGeometry

from geo.schema import FIELDS, Field

#: the fields a person types or picks in the form (id and the derived codes are shown, not edited;
#: the geometry comes from the edit map)
EDITABLE: tuple[Field, ...] = tuple(f for f in FIELDS if not f.derived and f.name not in ("id", "geometry"))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def widget_value(field: Field, value: Any) -> Any:
    """What the form's widget for ``field`` starts with, from a stored site's ``value``: a date or
    None for dates, a float or None for numbers, a string ('' for none) otherwise.

    >>> widget_value(FIELDS[8], "2024-03-01")
    datetime.date(2024, 3, 1)
    """
    if field.type == "date":
        return _date(value)
    if field.type == "number":
        return None if _blank(value) else float(value)
    return "" if _blank(value) else str(value)


def form_defaults(site: dict[str, Any] | None) -> dict[str, Any]:
    """Every editable field's starting widget value for ``site`` (None: a new site, all empty
    except the status, which starts as ``planned``)."""
    site = site or {"status": "planned"}
    return {f.name: widget_value(f, site.get(f.name)) for f in EDITABLE}


def _stored_form(field: Field, value: Any) -> Any:
    """A widget's value as it is passed on (None when empty, a date as YYYY-MM-DD, text stripped)."""
    if field.type == "date":
        d = _date(value)
        return d.isoformat() if d else None
    if field.type == "number":
        return None if _blank(value) else float(value)
    return None if _blank(value) else str(value).strip()


def form_changes(site: dict[str, Any], values: dict[str, Any], geometry: BaseGeometry | None = None) -> dict[str, Any]:
    """The fields ``values`` (the form's widgets) change on the stored ``site``, as ``{field: new}``;
    ``geometry`` (from the edit map, None: untouched) is included when it moved.

    >>> form_changes({"name": "Chợ A", "status": "planned"}, {"name": "Chợ A ", "status": "completed"})
    {'status': 'completed'}
    """
    changes: dict[str, Any] = {}
    for f in EDITABLE:
        if f.name not in values:
            continue
        new = _stored_form(f, values[f.name])
        if new != _stored_form(f, site.get(f.name)):
            changes[f.name] = new
    old_geom = site.get("geometry")
    if geometry is not None and (old_geom is None or not geometry.equals_exact(old_geom, 1e-9)):
        changes["geometry"] = geometry
    return changes


def new_site_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The fields of a new site from the form's widgets (empty ones left out)."""
    out = {f.name: _stored_form(f, values.get(f.name)) for f in EDITABLE}
    return {k: v for k, v in out.items() if v is not None}


def status_changes(changes: dict[str, Any]) -> bool:
    """Whether the status is among ``changes`` (a reason is then required)."""
    return "status" in changes


def where_names(geometry: BaseGeometry, b: Any, lang: str = "vi") -> tuple[str, str]:
    """(district names, 2025 commune names) a geometry lies in or touches, e.g. for the edit map's
    "will move to ..." line; ``b`` is the installed :class:`geo.boundaries.Boundaries`."""
    from geo import boundaries

    districts, communes = boundaries.place([geometry], b)
    return (boundaries.unit_names(b, "district", districts[0], lang),
            boundaries.unit_names(b, "commune", communes[0], lang))


def version_as_of(history: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    """The site as it stood at the end of ``day`` (YYYY-MM-DD, UTC) from its ``history``
    (:func:`geo.edits.site_history`, oldest first): the last version stored by then, with its
    ``version`` and ``deleted``; None when the site did not exist yet.

    >>> h = [{"version": 1, "at": "2025-01-02T10:00:00+00:00", "deleted": False, "site": {"name": "A"}},
    ...      {"version": 2, "at": "2025-03-04T08:00:00+00:00", "deleted": False, "site": {"name": "B"}}]
    >>> version_as_of(h, "2025-02-01")["name"], version_as_of(h, "2025-01-01")
    ('A', None)
    """
    then = [v for v in history if str(v.get("at") or "")[:10] <= day]
    if not then:
        return None
    last = then[-1]
    return {**last["site"], "version": last["version"], "deleted": bool(last.get("deleted"))}
