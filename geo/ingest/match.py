"""An upload against the stored sites: which features update a stored site, which are new, which
may duplicate one (for the user to decide), and what would change, field by field.

Matching, per accepted feature:

- the same id as a stored site → an update of it;
- else the same name (diacritics and case ignored) within 50 m of a stored site → an update by
  default, or kept as a new site when the user says so;
- else the same name within 1 km, or any stored site within 10 m → a *possible duplicate*: the
  user decides (update it, keep as new, skip); kept as new unless decided otherwise.

Only the fields the file gives (a column it has, a non-empty cell) are compared and changed; the
others, the id, and the geometry (when it moved less than ~1 cm, e.g. rounded in a spreadsheet)
stay as stored. Stored sites in the districts of the updated ones that the file does not hold are
listed as *absent* (left alone). Versions are read before the sites, so that a site edited after
the check makes the commit refuse (see :class:`geo.errors.EditConflict`) instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.ingest.validate import INPUT_FIELDS, fast_fold
from geo.store.base import SiteFilter, Store, _frame, _rows
from geo.store.versions import SiteWrite

NAME_UPDATE_M = 50.0
NAME_POSSIBLE_M = 1000.0
NEAR_POSSIBLE_M = 10.0
#: degrees (~1 cm): a geometry that moved less is unchanged (spreadsheet rounding)
GEOMETRY_TOLERANCE = 1e-7
DECISIONS = ("update", "new", "skip")
_COMPARED = tuple(f for f in INPUT_FIELDS if f != "id")


@dataclass
class Match:
    """One accepted feature against the store. ``row``: its index in ``CheckResult.accepted``;
    ``feature``: its 1-based number in the file; ``how``: ``id``, ``name`` (same name within 50 m),
    ``possible`` (a possible duplicate) or ``""`` (nothing stored matches); ``kind`` what the
    feature does when it updates ``site_id``: ``changed`` or ``unchanged`` (``new`` without one)."""

    row: int
    feature: int
    how: str = ""
    site_id: str | None = None
    version: int | None = None
    kind: str = "new"
    changes: dict[str, list[Any]] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    decision: str = "new"

    @property
    def effect(self) -> str:
        """What committing does with it: ``new``, ``changed``, ``unchanged`` or ``skip``."""
        if self.decision == "skip":
            return "skip"
        if self.decision == "update" and self.site_id:
            return self.kind
        return "new"

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "effect": self.effect, "how": self.how or None, "site_id": self.site_id,
                "version": self.version, "decision": self.decision, "changes": self.changes,
                "candidates": self.candidates}


@dataclass
class UpdatePlan:
    """Every accepted feature's match, and the stored sites absent from the file."""

    matches: list[Match]
    absent: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # the schema fields the file gives

    def decide(self, decisions: dict[int, str] | None = None, on_duplicate: str | None = None) -> UpdatePlan:
        """A copy with the user's choices: ``decisions`` by feature number (``update``/``new``/
        ``skip``) for name matches and possible duplicates; ``on_duplicate`` for every possible
        duplicate not decided one by one."""
        out = []
        for m in self.matches:
            choice = (decisions or {}).get(m.feature)
            if choice is None and m.how == "possible" and on_duplicate:
                choice = on_duplicate
            if choice is not None and m.how in ("name", "possible"):
                if choice not in DECISIONS:
                    raise ValueError(f"decision {choice!r} is not one of {DECISIONS}")
                m = Match(**{**m.__dict__, "decision": choice})
            out.append(m)
        return UpdatePlan(out, self.absent, self.fields)

    def counts(self) -> dict[str, int]:
        effects = [m.effect for m in self.matches]
        return {"new": effects.count("new"), "changed": effects.count("changed"),
                "unchanged": effects.count("unchanged"), "skipped": effects.count("skip"),
                "absent": len(self.absent), "possible_duplicates": sum(m.how == "possible" for m in self.matches)}


def plan(accepted: gpd.GeoDataFrame, given: pd.DataFrame, fields: Sequence[str], features: Sequence[int],
         store: Store) -> UpdatePlan:
    """Match the accepted features of an upload with the stored sites (see the module docstring).

    ``given``: the file's checked values of the accepted features before defaults are filled
    (aligned with ``accepted``); ``fields``: the schema fields the file has a column for."""
    fields = [f for f in fields if f in _COMPARED]
    matches = [Match(i, int(features[i])) for i in range(len(accepted))]
    if not len(accepted):
        return UpdatePlan(matches, [], list(fields))
    given_ids = [v if isinstance(v, str) and v else None for v in given["id"].tolist()] \
        if "id" in given else [None] * len(accepted)
    versions = store.versions_of([v for v in given_ids if v])  # before the sites: see the docstring
    for m, sid in zip(matches, given_ids, strict=True):
        if sid in versions:
            m.how, m.site_id, m.version, m.decision = "id", sid, versions[sid], "update"
    stored = _stored_near(accepted, store, versions)
    _by_place(accepted, matches, stored)
    by_id = {**_frame_by_id(stored), **_frame_by_id(_stored_by_ids(store, list(versions), stored))}
    _diff_all(matches, by_id, accepted, given, fields)
    return UpdatePlan(matches, _absent(store, matches, by_id), list(fields))


def _diff_all(matches: list[Match], by_id: dict[str, dict[str, Any]], accepted: gpd.GeoDataFrame,
              given: pd.DataFrame, fields: Sequence[str]) -> None:
    """Each matched feature's changes (plain records and one vectorised geometry comparison)."""
    todo = [m for m in matches if m.site_id]
    if not todo:
        return
    rows = [m.row for m in todo]
    mine = accepted.geometry.to_numpy()[rows]
    theirs = np.array([by_id[str(m.site_id)]["geometry"] for m in todo], dtype=object)
    moved = ~shapely.equals_exact(mine, theirs, tolerance=GEOMETRY_TOLERANCE)
    feats = accepted.drop(columns=accepted.geometry.name).iloc[rows].to_dict("records")
    gives = given.iloc[rows].to_dict("records")
    for m, feat, give, geom, mv in zip(todo, feats, gives, mine, moved, strict=True):
        m.changes = _changes(by_id[str(m.site_id)], feat, give, fields, geom if mv else None)
        m.kind = "changed" if m.changes else "unchanged"


def _stored_near(accepted: gpd.GeoDataFrame, store: Store, versions: dict[str, int]) -> gpd.GeoDataFrame:
    """Stored sites within ~1 km of the file's extent, with their versions (read first)."""
    minx, miny, maxx, maxy = accepted.total_bounds
    pad = 0.011
    ids = store.query_sites(SiteFilter(bbox=(minx - pad, miny - pad, maxx + pad, maxy + pad)))["id"].tolist()
    more = store.versions_of([i for i in ids if i not in versions])
    versions.update(more)
    near = store.query_sites(SiteFilter(ids=list(more))) if more else _frame([])
    near["version"] = near["id"].map(versions)
    return near


def _stored_by_ids(store: Store, ids: list[str], have: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = sorted(set(ids) - set(have["id"]))
    frames = [store.query_sites(SiteFilter(ids=missing[k:k + 500])) for k in range(0, len(missing), 500)]
    return pd.concat(frames, ignore_index=True) if frames else have.iloc[0:0]


def _frame_by_id(gdf: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    records = gdf.drop(columns="geometry").to_dict("records")
    for rec, geom in zip(records, gdf.geometry.to_numpy(), strict=True):
        rec["geometry"] = geom
    return {r["id"]: r for r in records}


def _by_place(accepted: gpd.GeoDataFrame, matches: list[Match], stored: gpd.GeoDataFrame) -> None:
    """Name-within-50 m matches and possible duplicates of the features not matched by id."""
    todo = np.array([m.row for m in matches if not m.site_id], dtype=int)
    if not len(todo) or stored.empty:
        return
    taken = {m.site_id for m in matches if m.site_id}
    names = np.array([fast_fold(v) for v in accepted["name"].iloc[todo].tolist()], dtype=object)
    s_names = np.array([fast_fold(v) for v in stored["name"].tolist()], dtype=object)
    mine = to_metric(accepted.geometry.to_numpy()[todo])
    theirs = to_metric(stored.geometry.to_numpy())
    tree = shapely.STRtree(theirs)
    a, b = tree.query(mine, predicate="dwithin", distance=NEAR_POSSIBLE_M)  # any site within 10 m
    stored_names = set(s_names.tolist())  # a set: np.isin sorts object arrays (0.8 s at 10k x 10k)
    named = np.flatnonzero([n in stored_names for n in names])  # same name within 1 km: only names stored
    if len(named):
        a2, b2 = tree.query(mine[named], predicate="dwithin", distance=NAME_POSSIBLE_M)
        keep2 = names[named[a2]] == s_names[b2]
        a, b = np.concatenate([a, named[a2[keep2]]]), np.concatenate([b, b2[keep2]])
        a, b = np.unique(np.column_stack([a, b]), axis=0).T if len(a) else (a, b)
    dist = shapely.distance(mine[a], theirs[b])
    same = names[a] == s_names[b]
    keep = (same & (dist <= NAME_POSSIBLE_M)) | (dist <= NEAR_POSSIBLE_M)
    order = np.lexsort((dist[keep], a[keep]))
    a, b, dist, same = a[keep][order], b[keep][order], dist[keep][order], same[keep][order]
    version_of = dict(zip(stored["id"], stored["version"], strict=True))
    if not len(a):
        return
    starts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
    for lo, hi in zip(starts, [*starts[1:], len(a)], strict=True):
        sel = slice(int(lo), int(hi))
        m = matches[int(todo[a[lo]])]
        cands: list[dict[str, Any]] = [
            {"site_id": str(stored["id"].iat[j]), "name": str(stored["name"].iat[j]), "distance_m": round(float(d), 1),
             "same_name": bool(s)} for j, d, s in zip(b[sel], dist[sel], same[sel], strict=True)]
        best = next((c for c in cands if c["same_name"] and c["distance_m"] <= NAME_UPDATE_M
                     and c["site_id"] not in taken), None)
        m.how = "name" if best else "possible"
        m.candidates = cands[:5]
        target = best or cands[0]
        m.site_id = target["site_id"]
        m.version = int(version_of[m.site_id])
        m.decision = "update" if best else "new"
        if best:
            taken.add(best["site_id"])


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or (isinstance(a, float) and np.isnan(a)) or (isinstance(b, float) and np.isnan(b)):
        return (a is None or a != a) and (b is None or b != b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def _plain(v: Any) -> Any:
    """A JSON-ready value: NaN -> None, numpy numbers -> Python ones."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


def _changes(stored: dict[str, Any], feature: dict[str, Any], given: dict[str, Any], fields: Sequence[str],
             moved: Any) -> dict[str, list[Any]]:
    """``{field: [stored, file]}`` for the given, non-empty fields that differ, and the geometry
    (with the derived codes) when it ``moved`` (the new geometry, else None)."""
    out: dict[str, list[Any]] = {}
    for f in fields:
        new = given.get(f)
        if new is None or (isinstance(new, float) and np.isnan(new)):
            continue  # an empty cell leaves the stored value alone
        if f in ("category", "status"):
            new = feature[f]
        old = stored.get(f)
        if f in ("start_date", "end_date") and old is not None:
            old = str(old)[:10]  # the same day, whether stored with a time or not
        if not _same(old, new):
            out[f] = [_plain(stored.get(f)), _plain(new)]
    if moved is not None:
        out["geometry"] = [stored["geometry"].wkt, moved.wkt]
        for f in ("district_codes", "commune_codes"):
            if not _same(stored.get(f), feature[f]):
                out[f] = [_plain(stored.get(f)), _plain(feature[f])]
    return out


def _absent(store: Store, matches: list[Match], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored sites in the districts of the updated sites that no feature matched."""
    updated = {m.site_id for m in matches if m.effect in ("changed", "unchanged") and m.site_id}
    if not updated:
        return []
    districts = sorted({c for sid in updated for c in str(by_id[sid].get("district_codes") or "").split(";") if c})
    seen = {m.site_id for m in matches if m.site_id}
    out: dict[str, dict[str, Any]] = {}
    for code in districts:
        gdf = store.query_sites(SiteFilter(district=code))
        for sid, name in zip(gdf["id"], gdf["name"], strict=True):
            if sid not in seen:
                out[sid] = {"site_id": sid, "name": name}
    return list(out.values())


def writes(accepted: gpd.GeoDataFrame, decided: UpdatePlan, store: Store) -> tuple[gpd.GeoDataFrame, list[SiteWrite]]:
    """The new sites and the updates (each against the version read at the check) a decided plan
    commits."""
    new_rows = [m.row for m in decided.matches if m.effect == "new"]
    changed = [m for m in decided.matches if m.effect == "changed"]
    ids = [m.site_id for m in changed if m.site_id]
    current = _frame_by_id(_stored_by_ids(store, ids, accepted.iloc[0:0])) if ids else {}
    sites = []
    for m in changed:
        site = dict(current.get(str(m.site_id)) or {})
        if not site:  # deleted since the check: the commit refuses it (EditConflict)
            site = {**accepted.iloc[m.row].to_dict(), "id": m.site_id}
            site["geometry"] = accepted.geometry.iat[m.row]
        for f, (_old, new) in m.changes.items():
            site[f] = shapely.from_wkt(new) if f == "geometry" else new
        sites.append(site)
    rows = _rows(gpd.GeoDataFrame(sites, geometry="geometry", crs=4326)) if sites else []
    out = [SiteWrite(str(m.site_id), int(m.version or 0), row, {f: v[1] for f, v in m.changes.items()})
           for m, row in zip(changed, rows, strict=True)]
    return accepted.iloc[new_rows].reset_index(drop=True), out


def absent_marks(decided: UpdatePlan, store: Store) -> list[SiteWrite]:
    """``--sync``: a version of each absent site noting it (same values; nothing deleted)."""
    ids = [a["site_id"] for a in decided.absent]
    if not ids:
        return []
    versions = store.versions_of(ids)
    current = _frame_by_id(_stored_by_ids(store, ids, _frame([])))
    keep = [sid for sid in ids if sid in current and sid in versions]
    rows = _rows(gpd.GeoDataFrame([current[sid] for sid in keep], geometry="geometry", crs=4326)) if keep else []
    return [SiteWrite(sid, versions[sid], row) for sid, row in zip(keep, rows, strict=True)]
