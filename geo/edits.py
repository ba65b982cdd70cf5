"""Sites that move through the programme: edit, create, delete, undelete and restore one site,
each change the site's next version (see :mod:`geo.store.versions`), checked by the same rules as an
upload (:func:`geo.ingest.validate.check_record`) and allowed to editors and admins only.

Pages (the edit form, the map editor, the history view), the CLI (``python -m geo sites ...``) and
field inspections call these functions and nothing lower.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import shapely

from geo import auth, boundaries, settings
from geo import sites as site_ops
from geo.errors import ConflictError, NotFound, SiteInvalid
from geo.ingest.validate import check_record
from geo.schema import CATEGORY_BY_CODE, FIELDS
from geo.store.base import SITE_COLUMNS, Store, _row_from_version, _rows, new_id
from geo.store.versions import COMPARED, SiteWrite

#: fields an editor may change (the derived ones follow the geometry)
EDITABLE: tuple[str, ...] = tuple(f.name for f in FIELDS if not f.derived and f.name != "id")
#: how far (degrees, ~1 cm) a geometry may move and still count as unchanged (spreadsheet rounding)
GEOMETRY_TOLERANCE = 1e-7


def _require(user: auth.User | None) -> auth.User:
    return auth.require(user, "edit_site")


def _invalid(problems: list[Any], site_id: str | None) -> SiteInvalid:
    first = problems[0]
    return SiteInvalid(first.vi, first.en, field=first.field or None, site_id=site_id,
                       problems=[(p.field, p.vi, p.en) for p in problems])


def _unknown_fields(changes: dict[str, Any], site_id: str | None) -> None:
    bad = sorted(set(changes) - set(EDITABLE))
    if bad:
        raise SiteInvalid(f"không sửa được trường {', '.join(bad)} (chỉ sửa được {', '.join(EDITABLE)}).",
                          f"field(s) {', '.join(bad)} cannot be edited (editable: {', '.join(EDITABLE)}).",
                          field=bad[0], site_id=site_id)


def _need_reason(reason: str | None, site_id: str | None, why_vi: str, why_en: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise SiteInvalid(f"cần ghi lý do ngắn khi {why_vi}.", f"a short reason is required when {why_en}.",
                          field="reason", site_id=site_id)
    return text[:500]


def _vertices_within_limit(geom: Any, site_id: str | None) -> None:
    """A geometry drawn on the edit map (or sent by the CLI) is bounded like an uploaded one:
    at most ``P03_MAX_VERTICES_PER_GEOMETRY`` vertices, checked before any other work on it."""
    if not isinstance(geom, shapely.Geometry):
        return
    n, most = int(shapely.get_num_coordinates(geom)), int(settings.get("P03_MAX_VERTICES_PER_GEOMETRY"))
    if n > most:
        raise SiteInvalid(f"hình học có {n:,} đỉnh, vượt giới hạn {most:,} (P03_MAX_VERTICES_PER_GEOMETRY). "
                          "Hãy đơn giản hóa hình (bớt đỉnh) rồi lưu lại.",
                          f"the geometry has {n:,} vertices, beyond the limit of {most:,} "
                          "(P03_MAX_VERTICES_PER_GEOMETRY). Simplify the shape (fewer vertices) and save again.",
                          field="geometry", site_id=site_id)


def _validated(values: dict[str, Any], site_id: str | None, b: boundaries.Boundaries) -> tuple[dict[str, Any], Any]:
    _vertices_within_limit(values.get("geometry"), site_id)
    rec = check_record(values, values.get("geometry"), b)
    if rec.errors:
        raise _invalid(rec.errors, site_id)
    _vertices_within_limit(rec.geometry, site_id)  # a GeoJSON or WKT text, once read
    return rec.values, rec.geometry


def same_geometry(a: Any, b: Any, tolerance: float = GEOMETRY_TOLERANCE) -> bool:
    """Whether two geometries are the same within ``tolerance`` degrees (vertex by vertex).

    >>> from shapely.geometry import Point
    >>> same_geometry(Point(105.85, 21.03), Point(105.85000001, 21.03)), same_geometry(Point(0, 0), None)
    (True, False)
    """
    if a is None or b is None:
        return a is b
    return bool(shapely.equals_exact(a, b, tolerance=tolerance))


def _new_values(current: dict[str, Any], changes: dict[str, Any], site_id: str,
                b: boundaries.Boundaries) -> dict[str, Any]:
    """The site's fields after ``changes``, checked; codes re-derived when the geometry moved."""
    merged = {k: current.get(k) for k in (*EDITABLE, "geometry")}
    merged.update(changes)
    if "category" in changes and "indicator" not in changes:
        old = CATEGORY_BY_CODE.get(str(current.get("category")))
        if current.get("indicator") in (None, old.indicator if old else None):
            merged["indicator"] = None  # follows the new category's default
    clean, geom = _validated(merged, site_id, b)
    out = {k: clean.get(k) for k in EDITABLE if k != "geometry"}
    out["status"] = out.get("status") or "planned"
    if not out.get("indicator"):
        term = CATEGORY_BY_CODE.get(str(out.get("category")))
        out["indicator"] = term.indicator if term else None
    if same_geometry(geom, current.get("geometry")):
        out["geometry"] = current.get("geometry")
        out["district_codes"], out["commune_codes"] = current.get("district_codes"), current.get("commune_codes")
    else:
        out["geometry"] = geom
        districts, communes = boundaries.place(gpd.GeoSeries([geom], crs=4326), b)
        out["district_codes"], out["commune_codes"] = districts[0], communes[0]
    return out


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is None or b is None or float(a) != float(b)
    return (a or None) != (b or None)


def edit_site(store: Store, site_id: str, changes: dict[str, Any], *, user: auth.User | None,
              expected_version: int | None, reason: str | None = None, source: str = "form",
              inspection_id: str | None = None, actor: str | None = None,
              b: boundaries.Boundaries | None = None) -> dict[str, Any]:
    """Change fields of a stored site (``geometry`` a shapely geometry, GeoJSON dict or WKT) as
    its next version; return the site as stored.

    ``expected_version``: the version the change was made from (None: the one stored now, for
    callers that read and write at once, e.g. accepting an inspection's proposal).

    Raises
    ------
    PermissionDenied
        ``user`` is not an editor or admin.
    SiteInvalid
        A value breaks an upload rule (field named), or the status changes without a reason.
    EditConflict
        The site changed since ``expected_version`` (nothing written).
    NotFound
        No such site.
    """
    user = _require(user)
    _unknown_fields(changes, site_id)
    current = store.get_site(site_id)
    expected_version = current["version"] if expected_version is None else expected_version
    new = _new_values(current, changes, site_id, b or boundaries.get())
    changed = {k: v for k, v in new.items() if k != "geometry" and _differs(v, current.get(k))}
    if not same_geometry(new["geometry"], current.get("geometry")):
        changed["geometry"] = new["geometry"]
    if "status" in changed:
        reason = _need_reason(reason, site_id, "đổi tình trạng", "the status changes")
    if not changed:
        if current["version"] != expected_version:
            store.update_site(site_id, {}, actor=actor or user.username, expected_version=expected_version)
        return current
    return store.update_site(site_id, changed, actor=actor or user.username, expected_version=expected_version,
                             source=source, reason=reason, inspection_id=inspection_id)


def create_site(store: Store, fields: dict[str, Any], geometry: Any, *, user: auth.User | None,
                reason: str | None = None, source: str = "map", actor: str | None = None,
                b: boundaries.Boundaries | None = None) -> dict[str, Any]:
    """Add one site (drawn on the map or typed in) as version 1; return it as stored.

    Raises PermissionDenied, SiteInvalid, or ConflictError when ``fields["id"]`` is in use."""
    user = _require(user)
    site_id = str(fields.get("id") or "").strip() or new_id("s")
    _unknown_fields({k: v for k, v in fields.items() if k != "id"}, site_id)
    b = b or boundaries.get()
    clean, geom = _validated({**fields, "geometry": geometry}, site_id, b)
    gdf = gpd.GeoDataFrame([{**{k: clean.get(k) for k in EDITABLE if k != "geometry"}, "id": site_id}],
                           geometry=[geom], crs=4326)
    row = _rows(site_ops.complete(gdf, b))[0]
    store.write_site(SiteWrite(site_id, None, row), actor=actor or user.username, source=source, action="create",
                     reason=(reason or "").strip() or None)
    return store.get_site(site_id)


def delete_site(store: Store, site_id: str, *, user: auth.User | None, reason: str, expected_version: int,
                source: str = "form", actor: str | None = None) -> None:
    """Take a site off the map (restorable with :func:`undelete_site`); a reason is required."""
    user = _require(user)
    text = _need_reason(reason, site_id, "xóa công trình", "a site is deleted")
    store.delete_site(site_id, actor=actor or user.username, expected_version=expected_version, reason=text,
                      source=source)


def undelete_site(store: Store, site_id: str, *, user: auth.User | None, reason: str | None = None,
                  actor: str | None = None) -> dict[str, Any]:
    """Put a deleted site back as it was when deleted (a new version); return it."""
    user = _require(user)
    last = store.last_versions([site_id]).get(site_id)
    if last is None:
        raise NotFound("công trình", "site", site_id)
    if not last["deleted"]:
        raise ConflictError(f"Công trình “{site_id}” chưa bị xóa; không cần khôi phục.",
                            f"Site “{site_id}” is not deleted; there is nothing to undelete.")
    store.write_site(SiteWrite(site_id, int(last["version"]), _row_from_version(last)), actor=actor or user.username,
                     source="undelete", action="undelete", reason=(reason or "").strip() or None)
    return store.get_site(site_id)


def restore_version(store: Store, site_id: str, version: int, *, user: auth.User | None, expected_version: int,
                    reason: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Make the site as it was at ``version`` again, as its next version (a deleted site comes
    back); return it. EditConflict when the site moved on from ``expected_version``."""
    user = _require(user)
    rows = {int(r["version"]): r for r in store.site_version_rows(site_id)}
    if not rows:
        raise NotFound("công trình", "site", site_id)
    if int(version) not in rows:
        raise NotFound("phiên bản", "version", f"{site_id} v{version}")
    store.write_site(SiteWrite(site_id, int(expected_version), _row_from_version(rows[int(version)])),
                     actor=actor or user.username, source="restore", action="restore",
                     reason=(reason or "").strip() or f"restore version {int(version)}")
    return store.get_site(site_id)


def _site_of(row: dict[str, Any]) -> dict[str, Any]:
    site: dict[str, Any] = {c: row.get(c) for c in SITE_COLUMNS}
    for col in ("budget_vnd", "progress_pct"):
        site[col] = None if site[col] is None else float(site[col])
    site["geometry"] = shapely.from_wkb(row["geom_wkb"])
    site["version"], site["deleted"] = int(row["version"]), bool(row["deleted"])
    return site


def site_history(store: Store, site_id: str) -> list[dict[str, Any]]:
    """Every version of a site, oldest first: ``{version, at, actor, source, batch_id, reason,
    inspection_id, deleted, changes: {field: [old, new]}, site}`` with ``site`` the whole site
    as it then was (shapely geometry). Raises NotFound for a site that never existed."""
    rows = store.site_version_rows(site_id)
    if not rows:
        raise NotFound("công trình", "site", site_id)
    out = []
    for row in rows:
        site = _site_of(row)
        if row.get("changes_json"):
            changes = json.loads(row["changes_json"])
        else:  # version 1 of a site stored before versions were kept
            changes = {c: [None, site[c] if c != "geometry" else site[c].wkt] for c in COMPARED
                       if site.get(c) is not None}
        out.append({"version": int(row["version"]), "at": row["at"], "actor": row["actor"], "source": row["source"],
                    "batch_id": row.get("via_batch"), "reason": row.get("reason"),
                    "inspection_id": row.get("inspection_id"), "deleted": bool(row["deleted"]), "changes": changes,
                    "site": site})
    return out
