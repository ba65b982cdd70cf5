"""Site versions (a mixin of :class:`~geo.store.base.SQLStore`): every change of a site — an upload
that adds or updates it, an edit, a deletion, a rollback, a restore — writes the next version of it
into ``site_versions`` (who, when, through which batch, why, which fields changed, the whole site as
it then was) in the same transaction as the change and its audit rows.

Optimistic concurrency: a writer names the version it read (``expected``); when the stored version
differs the whole transaction is refused with :class:`~geo.errors.EditConflict`. The live rows are
locked (``SELECT ... FOR UPDATE`` on PostGIS; SQLite's ``BEGIN IMMEDIATE`` serialises writers) and
the primary key ``(id, version)`` of ``site_versions`` refuses two writers of the same version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapely

from geo.errors import ConflictError, EditConflict, NotFound
from geo.store.mixin import StoreMixin, now_iso

#: metadata of one version
VERSION_META: tuple[str, ...] = ("version", "deleted", "at", "actor", "source", "via_batch", "reason",
                                 "inspection_id", "changes_json")
#: the fields whose changes a version records (``geometry`` as WKT)
COMPARED: tuple[str, ...] = ("name", "category", "status", "indicator", "district_codes", "commune_codes",
                             "responsible_unit", "start_date", "end_date", "budget_vnd", "progress_pct", "notes",
                             "geometry")
_CHUNK = 500


@dataclass
class SiteWrite:
    """One site to write. ``expected``: the version the writer read (None: a new site);
    ``row``: the new row as made by ``geo.store.base._rows`` (None: delete the site);
    ``yours``: the writer's values of the fields it changes (shown in a conflict)."""

    site_id: str
    expected: int | None
    row: dict[str, Any] | None
    yours: dict[str, Any] = field(default_factory=dict)


@dataclass
class Written:
    """One version written: the site's number, whether it is now deleted, what changed, and the
    site before and after (audit snapshots with WKT geometry; None when absent)."""

    site_id: str
    version: int
    deleted: bool
    changes: dict[str, list[Any]]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _wkt(wkb: Any) -> str | None:
    if wkb is None:
        return None
    return str(shapely.to_wkt(shapely.from_wkb(bytes(wkb)), rounding_precision=7))


def snapshot(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit/JSON snapshot of a stored row (schema columns, ``geometry`` as WKT)."""
    if row is None:
        return None
    from geo.store.base import SITE_COLUMNS

    out = {c: row.get(c) for c in SITE_COLUMNS}
    out["geometry"] = _wkt(row.get("geom_wkb"))
    return out


def _value(row: dict[str, Any] | None, col: str) -> Any:
    if row is None:
        return None
    if col == "geometry":
        return row.get("geom_wkb")
    v = row.get(col)
    return None if v is None or v == "" else v


def diff_rows(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every compared field that differs (geometry as WKT)."""
    out: dict[str, list[Any]] = {}
    for col in COMPARED:
        a, b = _value(old, col), _value(new, col)
        if col == "geometry":
            if (bytes(a) if a is not None else None) != (bytes(b) if b is not None else None):
                out[col] = [_wkt(a), _wkt(b)]
        elif isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or float(a) != float(b):
                out[col] = [a, b]
        elif a != b:
            out[col] = [a, b]
    return out


def _next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


class VersionsMixin(StoreMixin):
    """Versioned writes and reads of sites (see the module docstring)."""

    dialect = "sqlite"

    # -- reads inside a transaction ------------------------------------------
    def _rows_in(self, cur: Any, sql: str, ids: Sequence[str], extra: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """``sql`` (holding ``{ids}`` for a placeholder list) run over ``ids`` in chunks."""
        out: list[dict[str, Any]] = []
        ids = list(dict.fromkeys(ids))
        for k in range(0, len(ids), _CHUNK):
            chunk = ids[k:k + _CHUNK]
            self.execute(cur, sql.format(ids=", ".join("?" * len(chunk))), [*chunk, *extra])
            names = [d[0] for d in cur.description]
            out += [dict(zip(names, r)) for r in cur.fetchall()]
        return out

    def _live(self, cur: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of ``ids`` (locked until the transaction ends on PostGIS)."""
        from geo.store.base import SITE_COLUMNS

        lock = " FOR UPDATE" if self.dialect == "postgis" else ""
        rows = self._rows_in(cur, f"SELECT {', '.join(SITE_COLUMNS)}, geom_wkb, version FROM sites"
                                  " WHERE id IN ({ids})" + lock, ids)
        for r in rows:
            r["geom_wkb"] = bytes(r["geom_wkb"])
        return {r["id"]: r for r in rows}

    def _last(self, cur: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The latest version row (metadata and snapshot) of each of ``ids`` that has one."""
        rows = self._rows_in(cur, "SELECT v.* FROM site_versions v WHERE v.id IN ({ids}) AND v.version ="
                                  " (SELECT MAX(w.version) FROM site_versions w WHERE w.id = v.id)", ids)
        for r in rows:
            r["geom_wkb"] = bytes(r["geom_wkb"])
        return {r["id"]: r for r in rows}

    # -- the one versioned write ---------------------------------------------
    def _write_sites(self, cur: Any, writes: Sequence[SiteWrite], *, actor: str, source: str,
                     via_batch: str | None = None, reason: str | None = None,
                     inspection_id: str | None = None) -> list[Written]:
        """Apply ``writes`` inside the caller's transaction, each as the next version of its site.

        Raises
        ------
        EditConflict
            A site's stored version is not the ``expected`` one (nothing is written: the caller's
            transaction rolls back).
        ConflictError
            A new site's id is already in use.
        NotFound
            Deleting a site that is not stored.
        """
        ids = [w.site_id for w in writes]
        live = self._live(cur, ids)
        last = self._last(cur, ids)
        self._check_expected(writes, live, last)
        at = now_iso()
        done: list[Written] = []
        deletes: list[str] = []
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        version_rows: list[dict[str, Any]] = []
        for w in writes:
            old = live.get(w.site_id)
            number = (int(old["version"]) if old else int(last[w.site_id]["version"]) if w.site_id in last else 0) + 1
            new = None
            if w.row is not None:
                new = dict(w.row, version=number)
                if old is not None:
                    new["batch_id"] = old["batch_id"]
                (updates if old is not None else inserts).append(new)
            else:
                deletes.append(w.site_id)
            changes = diff_rows(old, new)
            kept = new if new is not None else old
            assert kept is not None  # a delete has a live row (checked)
            version_rows.append({**{c: kept.get(c) for c in _SNAPSHOT_COLS}, "id": w.site_id, "version": number,
                                 "deleted": int(new is None), "at": at, "actor": actor, "source": source,
                                 "via_batch": via_batch, "reason": reason, "inspection_id": inspection_id,
                                 "changes_json": json.dumps(changes, ensure_ascii=False, default=str)})
            done.append(Written(w.site_id, number, new is None, changes, snapshot(old), snapshot(new)))
        self._apply(cur, deletes, updates, inserts)
        cols = [*VERSION_META, *_SNAPSHOT_COLS]
        cur.executemany(self._sql(f"INSERT INTO site_versions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"),
                        [tuple(r.get(c) for c in cols) for r in version_rows])
        return done

    def _check_expected(self, writes: Sequence[SiteWrite], live: dict[str, dict[str, Any]],
                        last: dict[str, dict[str, Any]]) -> None:
        conflicts: list[dict[str, Any]] = []
        taken: list[str] = []
        for w in writes:
            old = live.get(w.site_id)
            if w.expected is None:
                if old is not None:
                    taken.append(w.site_id)
                continue
            if old is None and (w.row is None or w.site_id not in last):
                raise NotFound("công trình", "site", w.site_id)
            stored = int(old["version"]) if old else int(last[w.site_id]["version"]) if w.site_id in last else 0
            deleted_ok = old is None and w.site_id in last and bool(last[w.site_id]["deleted"])
            if stored != int(w.expected) or (old is None and not deleted_ok):
                meta = last.get(w.site_id, {})
                fields = {f: (y, (old or meta).get(f) if f != "geometry" else _wkt((old or meta).get("geom_wkb")))
                          for f, y in w.yours.items()}
                conflicts.append({"site_id": w.site_id, "expected": w.expected, "stored": stored,
                                  "by": meta.get("actor"), "at": meta.get("at"), "fields": fields})
        if taken:
            raise ConflictError(
                f"Mã công trình đã có trong kho: {', '.join(taken[:10])}; không ghi gì cả. Hãy đổi mã hoặc cập nhật "
                "công trình đó.",
                f"Site ids already in the store: {', '.join(taken[:10])}; nothing was written. Change the ids or "
                "update those sites.")
        if conflicts:
            raise EditConflict(conflicts)

    def _apply(self, cur: Any, deletes: list[str], updates: list[dict[str, Any]], inserts: list[dict[str, Any]]) -> None:
        from geo.store.base import SITE_COLUMNS

        for k in range(0, len(deletes), _CHUNK):
            chunk = deletes[k:k + _CHUNK]
            self._delete_sites(cur, f"id IN ({', '.join('?' * len(chunk))})", chunk)
        if updates:
            cols = [c for c in SITE_COLUMNS if c != "id"] + ["name_folded", "geom_wkb", "minx", "miny", "maxx", "maxy",
                                                             "version"]
            cur.executemany(self._sql(f"UPDATE sites SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?"),
                            [(*(r[c] for c in cols), r["id"]) for r in updates])
            ids = [r["id"] for r in updates]
            for k in range(0, len(ids), _CHUNK):
                chunk = ids[k:k + _CHUNK]
                self.execute(cur, f"DELETE FROM site_units WHERE site_id IN ({', '.join('?' * len(chunk))})", chunk)
            self._insert_units(cur, updates)
            self._after_site_update(cur, updates)
        if inserts:
            self._insert_sites(cur, inserts, None)

    # -- backend hooks / SQLStore methods used here ---------------------------
    if TYPE_CHECKING:  # supplied by SQLStore
        def _sql(self, sql: str) -> str: ...
        def _delete_sites(self, cur: Any, where: str, params: list[Any]) -> None: ...
        def _insert_sites(self, cur: Any, rows: list[dict[str, Any]], batch_id: str | None) -> None: ...
        def _insert_units(self, cur: Any, rows: list[dict[str, Any]]) -> None: ...

    def _after_site_update(self, cur: Any, rows: list[dict[str, Any]]) -> None:
        """Backend hook (the SQLite R-tree follows the new bounding boxes)."""

    # -- reads -----------------------------------------------------------------
    def site_version_rows(self, site_id: str) -> list[dict[str, Any]]:
        """Every version row of a site, oldest first (empty when it never existed)."""
        rows = self.fetchall("SELECT * FROM site_versions WHERE id = ? ORDER BY version", [site_id])
        for r in rows:
            r["geom_wkb"] = bytes(r["geom_wkb"])
        return rows

    def versions_of(self, ids: Sequence[str]) -> dict[str, int]:
        """The stored version of each of ``ids`` that is stored (not deleted)."""
        with self.transaction() as cur:
            rows = self._rows_in(cur, "SELECT id, version FROM sites WHERE id IN ({ids})", ids)
        return {r["id"]: int(r["version"]) for r in rows}

    def last_versions(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The latest version row of each of ``ids`` that has one (deleted ones too)."""
        with self.transaction() as cur:
            return self._last(cur, ids)

    def status_changes(self) -> list[dict[str, Any]]:
        """``(id, version, at, status, deleted)`` of every version, by site and version (for
        indicators: when a site became completed)."""
        return self.fetchall("SELECT id, version, at, status, deleted FROM site_versions ORDER BY id, version")

    def _versions_as_of(self, day: str) -> list[dict[str, Any]]:
        """The latest version of every site written before the end of ``day`` (UTC), unless that
        version is a deletion."""
        from geo.store.base import SITE_COLUMNS

        return self.fetchall(
            f"SELECT {', '.join('v.' + c for c in SITE_COLUMNS)}, v.geom_wkb FROM site_versions v"
            " WHERE v.deleted = 0 AND v.version = (SELECT MAX(w.version) FROM site_versions w"
            " WHERE w.id = v.id AND w.at < ?) ORDER BY v.id", [_next_day(day)])


_SNAPSHOT_COLS: tuple[str, ...] = ("id", "name", "category", "status", "indicator", "district_codes", "commune_codes",
                                   "responsible_unit", "start_date", "end_date", "budget_vnd", "progress_pct", "notes",
                                   "batch_id", "geom_wkb")
