"""The store interface and the SQL shared by its backends.

A store holds sites, upload batches (with the original files), the audit trail, field-visit
plans, indicator values and users. Every write is one transaction: all of it happens or none, and
the audit rows are written in the same transaction as the change they record.

Backends: :mod:`geo.store.sqlite` (embedded, default) and :mod:`geo.store.postgis`. They share
this module's SQL; a backend supplies connections, DDL types and the spatial filter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import ConflictError, NotFound, RollbackBlocked, StoreError
from geo.i18n import fold
from geo.private_files import private_dir, write_private
from geo.schema import ATTRIBUTE_NAMES, GEOMETRY_TYPES
from geo.store.contract import (
    IndicatorsStore,
    InspectionsStore,
    PlansStore,
    SessionsStore,
    ThrottleStore,
    TokensStore,
    UsersStore,
)
from geo.store.indicators import IndicatorsMixin
from geo.store.inspections import InspectionsMixin
from geo.store.migrations import MIGRATIONS
from geo.store.mixin import now_iso
from geo.store.plans import PlansMixin
from geo.store.sessions import SessionsMixin
from geo.store.throttle import ThrottleMixin
from geo.store.tokens import TokensMixin
from geo.store.users import UsersMixin
from geo.store.versions import SiteWrite, VersionsMixin, Written

SITE_COLUMNS: tuple[str, ...] = ATTRIBUTE_NAMES  # id ... batch_id
_TEXT = ("id", "name", "category", "status", "indicator", "district_codes", "commune_codes",
         "responsible_unit", "start_date", "end_date", "notes", "batch_id")
_NUM = ("budget_vnd", "progress_pct")



def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class SiteFilter:
    """What a map view or an export asks for. Empty sequences mean "any"."""

    district: str | None = None  # pre-2025 district code
    commune: str | None = None  # 2025 commune code
    categories: Sequence[str] = ()
    statuses: Sequence[str] = ()
    indicators: Sequence[str] = ()
    text: str = ""  # diacritic-insensitive name search
    ids: Sequence[str] = ()
    bbox: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy (lon/lat)
    as_of: str | None = None  # 'YYYY-MM-DD': the sites as they stood at the end of that day (UTC)
    batch_id: str | None = None  # the sites an upload batch added


@dataclass
class Upload:
    """The original file of an upload batch, kept verbatim."""

    file_name: str
    content: bytes
    crs: str = "EPSG:4326"
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class Store(UsersStore, ThrottleStore, SessionsStore, TokensStore, PlansStore, IndicatorsStore, InspectionsStore,
            ABC):
    """What pages, the CLI and the other geo modules may ask of a store: everything it keeps.

    Sites, their versions, batches, kept files and the audit trail are declared here; users, web
    sessions, API tokens, plans, indicator data and inspections come from the per-concern bases of
    :mod:`geo.store.contract`, which the SQL mixins of :class:`SQLStore` subclass (so mypy checks each
    implementation against its declaration, and a backend missing one cannot be instantiated).
    """

    @abstractmethod
    def version(self) -> int:
        """A number that changes on every committed write (use it as a cache key)."""

    @abstractmethod
    def migrate(self) -> int:
        """Apply the schema migrations not yet applied; return the schema version."""

    @abstractmethod
    def query_sites(self, flt: SiteFilter | None = None) -> gpd.GeoDataFrame:
        """Sites matching ``flt`` as a GeoDataFrame in EPSG:4326 with the schema's columns."""

    @abstractmethod
    def get_site(self, site_id: str, *, include_deleted: bool = False) -> dict[str, Any]:
        """One site as a dict (``geometry`` a shapely geometry) with its ``version`` and ``deleted``.
        Raises NotFound (also for a deleted site unless ``include_deleted``)."""

    @abstractmethod
    def count_sites(self) -> int: ...

    @abstractmethod
    def commit_batch(self, sites: gpd.GeoDataFrame, *, actor: str, kind: str = "upload",
                     upload: Upload | None = None, updates: Sequence[SiteWrite] = (), unique_file: bool = False,
                     reason: str | None = None) -> str:
        """Insert ``sites`` (schema columns, placed) as one batch; return its id. All or nothing."""

    @abstractmethod
    def rollback_batch(self, batch_id: str, *, actor: str) -> int:
        """Remove the sites a batch added; return how many. The batch record and file stay."""

    @abstractmethod
    def list_batches(self) -> pd.DataFrame: ...

    @abstractmethod
    def find_batch_by_sha256(self, sha256: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def update_site(self, site_id: str, changes: dict[str, Any], *, actor: str,
                    expected_version: int | None = None, source: str = "edit", reason: str | None = None,
                    inspection_id: str | None = None, action: str = "edit") -> dict[str, Any]: ...

    @abstractmethod
    def delete_site(self, site_id: str, *, actor: str, expected_version: int | None = None,
                    reason: str | None = None, source: str = "edit") -> None: ...

    @abstractmethod
    def write_site(self, write: SiteWrite, *, actor: str, source: str, action: str, reason: str | None = None,
                   inspection_id: str | None = None) -> Written:
        """One site's next version with its audit row, in one transaction."""

    @abstractmethod
    def site_version_rows(self, site_id: str) -> list[dict[str, Any]]:
        """Every version row of a site, oldest first."""

    @abstractmethod
    def last_versions(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The latest version row of each of ``ids`` that has one."""

    @abstractmethod
    def versions_of(self, ids: Sequence[str]) -> dict[str, int]:
        """The stored version of each of ``ids`` that is stored."""

    @abstractmethod
    def status_changes(self) -> list[dict[str, Any]]:
        """``(id, version, at, status, deleted)`` of every version, by site and version."""

    @abstractmethod
    def get_batch(self, batch_id: str) -> dict[str, Any]:
        """The record of an upload batch. Raises NotFound."""

    @abstractmethod
    def keep_file(self, upload: Upload) -> str:
        """Keep an uploaded file verbatim (idempotent); return where (relative to the uploads folder)."""

    @abstractmethod
    def read_blob(self, sha256: str) -> bytes:
        """The bytes of a kept file by its SHA-256. Raises NotFound."""

    @abstractmethod
    def audit(self, since: str | None = None, actor: str | None = None, action: str | None = None,
              limit: int = 10_000) -> pd.DataFrame: ...


class SQLStore(UsersMixin, ThrottleMixin, SessionsMixin, TokensMixin, IndicatorsMixin, PlansMixin, InspectionsMixin,
               VersionsMixin, Store):
    """Portable SQL over a DB-API connection. Statements use ``?`` placeholders; backends whose
    driver wants ``%s`` set :attr:`paramstyle`."""

    paramstyle = "qmark"
    dialect = "sqlite"

    def __init__(self, uploads_dir: Path) -> None:
        self.uploads_dir = Path(uploads_dir)

    # -- backend hooks -------------------------------------------------
    @abstractmethod
    def _connect(self) -> Any: ...

    @contextmanager
    @abstractmethod
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction: committed on success, rolled back on any exception."""

    def _bbox_sql(self, bbox: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        minx, miny, maxx, maxy = bbox
        return "s.maxx >= ? AND s.minx <= ? AND s.maxy >= ? AND s.miny <= ?", [minx, maxx, miny, maxy]

    def _after_site_insert(self, cur: Any, rows: list[dict[str, Any]]) -> None:
        """Backend hook (the SQLite R-tree)."""

    def _before_site_delete(self, cur: Any, where: str, params: list[Any]) -> None:
        """Backend hook (the SQLite R-tree)."""

    # -- helpers -------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.paramstyle == "format" else sql

    def execute(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self._sql(sql), tuple(params))
        return cur

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction() as cur:
            self.execute(cur, sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    def migrate(self) -> int:
        """Apply every migration not yet applied, in the order of their numbers; return the
        schema version (the highest applied). Applied versions are compared as a set, so a store
        that has a later migration still gets an earlier one it lacks."""
        with self.transaction() as cur:
            self.execute(cur, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for version, _name, statements in sorted(MIGRATIONS, key=lambda m: m[0]):
            if version in self._applied_versions():
                continue
            with self.transaction() as cur:
                # another process may have applied it meanwhile (SQLite's BEGIN IMMEDIATE serialises this)
                self.execute(cur, "SELECT 1 FROM schema_version WHERE version = ?", [version])
                if cur.fetchone() is None:
                    for stmt in statements(self.dialect):
                        self.execute(cur, stmt)
                    hook = getattr(self, f"_after_migration_{version}", None)  # a data step, same transaction
                    if hook is not None:
                        hook(cur)
                    self.execute(cur, "INSERT INTO schema_version (version) VALUES (?)", [version])
        return max(self._applied_versions(), default=0)

    def _applied_versions(self) -> set[int]:
        return {int(r["version"]) for r in self.fetchall("SELECT version FROM schema_version")}

    def _bump(self, cur: Any) -> None:
        self.execute(cur, "UPDATE meta SET value = value + 1 WHERE key = 'version'")

    def record(self, cur: Any, actor: str, action: str, entity: str, entity_id: str | None,
               before: Any = None, after: Any = None, batch_id: str | None = None) -> None:
        """Write one audit row inside the caller's transaction."""
        self.execute(
            cur,
            "INSERT INTO audit (at, actor, action, entity, entity_id, before_json, after_json, batch_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [now_iso(), actor, action, entity, entity_id, _dump(before), _dump(after), batch_id],
        )

    # -- reads ----------------------------------------------------------
    def version(self) -> int:
        rows = self.fetchall("SELECT value FROM meta WHERE key = 'version'")
        return int(rows[0]["value"]) if rows else 0

    def count_sites(self) -> int:
        return int(self.fetchall("SELECT COUNT(*) AS n FROM sites")[0]["n"])

    def query_sites(self, flt: SiteFilter | None = None) -> gpd.GeoDataFrame:
        flt = flt or SiteFilter()
        if flt.as_of:
            return _filtered(_frame(self._versions_as_of(_check_day(flt.as_of))), flt)
        where, params = [], []
        if flt.district:
            where.append("s.id IN (SELECT site_id FROM site_units WHERE layer = 'district' AND code = ?)")
            params.append(flt.district)
        if flt.commune:
            where.append("s.id IN (SELECT site_id FROM site_units WHERE layer = 'commune' AND code = ?)")
            params.append(flt.commune)
        for col, values in (("category", flt.categories), ("status", flt.statuses),
                            ("indicator", flt.indicators), ("id", flt.ids),
                            ("batch_id", (flt.batch_id,) if flt.batch_id else ())):
            if values:
                where.append(f"s.{col} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        for word in fold(flt.text).split():
            where.append("s.name_folded LIKE ?")
            params.append(f"%{_escape_like(word)}%")
        if flt.bbox:
            sql, p = self._bbox_sql(flt.bbox)
            where.append(sql)
            params.extend(p)
        sql = f"SELECT {', '.join('s.' + c for c in SITE_COLUMNS)}, s.geom_wkb FROM sites s"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY s.rid"
        return _frame(self.fetchall(sql.replace("LIKE ?", "LIKE ? ESCAPE '\\'"), params))

    def get_site(self, site_id: str, *, include_deleted: bool = False) -> dict[str, Any]:
        """One site as a dict with its ``version`` and ``deleted``; ``geometry`` a shapely geometry.
        A deleted site is NotFound unless ``include_deleted`` (then: as it was when deleted)."""
        rows = self.fetchall(f"SELECT {', '.join(SITE_COLUMNS)}, geom_wkb, version FROM sites WHERE id = ?",
                             [site_id])
        deleted = False
        if not rows and include_deleted:
            last = self.last_versions([site_id]).get(site_id)
            rows, deleted = ([last], True) if last and last["deleted"] else ([], False)
        if not rows:
            raise NotFound("công trình", "site", site_id)
        row = _frame(rows).iloc[0].to_dict()
        out = {k: (None if is_missing(v) else v) for k, v in row.items()}
        out.update(version=int(rows[0]["version"]), deleted=deleted)
        return out

    def list_batches(self) -> pd.DataFrame:
        rows = self.fetchall(
            "SELECT b.batch_id, b.created_at, b.actor, b.kind, b.file_name, b.sha256, b.stored_path,"
            " b.n_features, b.crs, b.status, b.rolled_back_at, b.rolled_back_by,"
            " (SELECT COUNT(*) FROM sites s WHERE s.batch_id = b.batch_id) AS n_present"
            " FROM batches b ORDER BY b.created_at DESC, b.batch_id DESC")
        return pd.DataFrame(rows, columns=["batch_id", "created_at", "actor", "kind", "file_name", "sha256",
                                           "stored_path", "n_features", "crs", "status", "rolled_back_at",
                                           "rolled_back_by", "n_present"])

    def get_batch(self, batch_id: str) -> dict[str, Any]:
        rows = self.fetchall("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
        if not rows:
            raise NotFound("lô tải lên", "upload batch", batch_id)
        return rows[0]

    def find_batch_by_sha256(self, sha256: str) -> dict[str, Any] | None:
        rows = self.fetchall(
            "SELECT * FROM batches WHERE sha256 = ? AND status = 'committed' ORDER BY created_at DESC", [sha256])
        return rows[0] if rows else None

    def audit(self, since: str | None = None, actor: str | None = None, action: str | None = None,
              limit: int = 10_000) -> pd.DataFrame:
        where, params = [], []
        for col, op, value in (("at", ">=", since), ("actor", "=", actor), ("action", "=", action)):
            if value:
                where.append(f"{col} {op} ?")
                params.append(value)
        sql = "SELECT id, at, actor, action, entity, entity_id, before_json, after_json, batch_id FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY id DESC LIMIT {int(limit)}"
        return pd.DataFrame(self.fetchall(sql, params),
                            columns=["id", "at", "actor", "action", "entity", "entity_id", "before_json",
                                     "after_json", "batch_id"])

    # -- writes ---------------------------------------------------------
    def keep_file(self, upload: Upload) -> str:
        """Save an uploaded file verbatim under uploads/<sha256>/ (idempotent); return its path
        relative to the uploads folder. Done before, and whatever the outcome of, the commit."""
        safe = re.sub(r"[^\w.\-]+", "_", Path(upload.file_name).name, flags=re.UNICODE).strip("._") or "upload"
        private_dir(self.uploads_dir)
        folder = private_dir(self.uploads_dir / upload.sha256)  # 0700, files 0600 (issue #10)
        target = folder / safe[:120]
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            write_private(tmp, upload.content)
            tmp.replace(target)
        return str(target.relative_to(self.uploads_dir))

    # -- kept files (uploads, photos): table ``blobs`` --------------------
    #: True: a kept file's bytes go into ``blobs.content`` (PostGIS); False: under uploads/ (SQLite)
    files_in_db = False

    def _prepare_blob(self, sha256: str, content: bytes, file_name: str) -> tuple[str, bytes | None]:
        """Before the transaction: (stored path, bytes for the ``content`` column). On SQLite the
        file is written now (content-addressed, so a rolled-back transaction leaves a harmless copy)."""
        if self.files_in_db:
            safe = re.sub(r"[^\w.\-]+", "_", Path(file_name).name, flags=re.UNICODE).strip("._") or "upload"
            return f"{sha256}/{safe[:120]}", content
        return self.keep_file(Upload(file_name, content)), None

    def _insert_blob(self, cur: Any, sha256: str, kind: str, file_name: str, prepared: tuple[str, bytes | None],
                     size: int) -> None:
        """Inside the caller's transaction: list the kept file (its bytes too on PostGIS), once per SHA-256."""
        self.execute(cur, "INSERT INTO blobs (sha256, kind, file_name, stored_path, size_bytes, content, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                     [sha256, kind, file_name, prepared[0], size, prepared[1], now_iso()])

    def read_blob(self, sha256: str) -> bytes:
        """The kept file with this SHA-256, byte for byte (checked). Raises NotFound, StoreError."""
        rows = self.fetchall("SELECT stored_path, content FROM blobs WHERE sha256 = ?", [sha256])
        if not rows:
            raise NotFound("tệp đã lưu", "kept file", sha256)
        content = rows[0]["content"]
        path = self.uploads_dir / str(rows[0]["stored_path"])
        data = bytes(content) if content is not None else (path.read_bytes() if path.is_file() else b"")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"Tệp {rows[0]['stored_path']} bị thiếu hoặc hỏng (SHA-256 khác); khôi phục từ bản sao lưu.",
                             f"The kept file {rows[0]['stored_path']} is missing or damaged (SHA-256 differs); "
                             "restore it from a backup.")
        return data

    def _after_migration_6(self, cur: Any) -> None:
        """List the upload files already kept in uploads/ in ``blobs`` (on PostGIS, their bytes move
        into the database; the folder is no longer needed)."""
        self.execute(cur, "SELECT sha256, file_name, stored_path FROM batches WHERE stored_path IS NOT NULL")
        for sha, name, stored in cur.fetchall():
            path = self.uploads_dir / str(stored)
            if not sha or not path.is_file():
                continue
            content = path.read_bytes()
            self._insert_blob(cur, sha, "upload", name or path.name,
                              (str(stored), content if self.files_in_db else None), len(content))

    def commit_batch(self, sites: gpd.GeoDataFrame, *, actor: str, kind: str = "upload",
                     upload: Upload | None = None, updates: Sequence[SiteWrite] = (), unique_file: bool = False,
                     reason: str | None = None) -> str:
        """Insert ``sites`` and apply ``updates`` (stored sites, each checked against the version it
        was read at) as one batch, every site getting its next version. ``unique_file``: refuse
        (ConflictError) when a committed batch already holds the same file (checked inside the
        transaction, so that concurrent commits of one file store it once)."""
        rows = _rows(sites)
        batch_id = new_id("b")
        kept = self._prepare_blob(upload.sha256, upload.content, upload.file_name) if upload is not None else None
        stored = kept[0] if kept else None
        writes = [SiteWrite(r["id"], None, r) for r in rows] + list(updates)
        try:
            with self.transaction() as cur:
                if upload is not None and unique_file:
                    self._refuse_repeat(cur, upload)
                if upload is not None and kept is not None:
                    self._insert_blob(cur, upload.sha256, "upload", upload.file_name, kept, len(upload.content))
                self.execute(
                    cur,
                    "INSERT INTO batches (batch_id, created_at, actor, kind, file_name, sha256, stored_path,"
                    " n_features, crs, status, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?)",
                    [batch_id, now_iso(), actor, kind, upload.file_name if upload else None,
                     upload.sha256 if upload else None, stored, len(writes), upload.crs if upload else "EPSG:4326",
                     _dump(upload.report) if upload else None])
                for r in rows:
                    r["batch_id"] = batch_id
                done = self._write_sites(cur, writes, actor=actor, source=kind, via_batch=batch_id, reason=reason)
                after: dict[str, Any] = {
                    "file_name": upload.file_name if upload else None, "n_features": len(writes),
                    "sha256": upload.sha256 if upload else None, "site_ids": [r["id"] for r in rows]}
                if updates:
                    after["updated"] = {w.site_id: w.changes for w in done[len(rows):]}
                self.record(cur, actor, kind, "batch", batch_id, after=after, batch_id=batch_id)
                self._bump(cur)
        except Exception as exc:
            if _is_unique_violation(exc):
                raise ConflictError(
                    "Một số mã công trình đã có trong kho (hoặc bị lặp trong tệp); không ghi gì cả. "
                    "Hãy đổi mã hoặc bỏ các công trình trùng.",
                    "Some site ids are already in the store (or repeated in the file); nothing was written. "
                    "Change the ids or drop the duplicates.") from exc
            raise
        return batch_id

    def _refuse_repeat(self, cur: Any, upload: Upload) -> None:
        """Inside the commit's transaction: refuse a file already committed. PostGIS takes a
        transaction lock on the file's checksum first (SQLite's BEGIN IMMEDIATE serialises)."""
        if self.dialect == "postgis":
            self.execute(cur, "SELECT pg_advisory_xact_lock(hashtext(?))", [upload.sha256])
        self.execute(cur, "SELECT batch_id, created_at FROM batches WHERE sha256 = ? AND status = 'committed'"
                          " ORDER BY created_at DESC", [upload.sha256])
        found = cur.fetchone()
        if found:
            raise already_stored(upload.file_name, str(found[0]), str(found[1]))

    def _insert_sites(self, cur: Any, rows: list[dict[str, Any]], batch_id: str | None) -> None:
        cols = [*SITE_COLUMNS, "name_folded", "geom_wkb", "minx", "miny", "maxx", "maxy", "version"]
        sql = f"INSERT INTO sites ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for r in rows:
            if batch_id is not None:
                r["batch_id"] = batch_id
            r.setdefault("version", 1)
        cur.executemany(self._sql(sql), [tuple(r[c] for c in cols) for r in rows])
        self._insert_units(cur, rows)
        self._after_site_insert(cur, rows)

    def _insert_units(self, cur: Any, rows: list[dict[str, Any]]) -> None:
        unit_rows = []
        for r in rows:
            for layer, key in (("district", "district_codes"), ("commune", "commune_codes")):
                unit_rows += [(r["id"], layer, code) for code in (r[key] or "").split(";") if code]
        if unit_rows:
            cur.executemany(self._sql("INSERT INTO site_units (site_id, layer, code) VALUES (?, ?, ?)"), unit_rows)

    def rollback_batch(self, batch_id: str, *, actor: str) -> int:
        """Undo a batch: the sites it added are removed, the sites it updated get back the
        version before it (as a new version). Refused (RollbackBlocked, nothing written) when a
        site was changed after the batch. Returns how many sites were removed or restored."""
        self.get_batch(batch_id)
        with self.transaction() as cur:
            lock = " FOR UPDATE" if self.dialect == "postgis" else ""
            self.execute(cur, "SELECT status, rolled_back_at FROM batches WHERE batch_id = ?" + lock, [batch_id])
            status, when = cur.fetchone()
            if status != "committed":
                raise ConflictError(
                    f"Lô {batch_id} đã được hoàn tác lúc {when}; không làm gì thêm.",
                    f"Batch {batch_id} was already rolled back at {when}; nothing more to do.")
            writes = self._rollback_writes(cur, batch_id)
            done = self._write_sites(cur, writes, actor=actor, source="rollback", via_batch=batch_id,
                                     reason=f"rollback {batch_id}")
            self.execute(cur, "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ?"
                         " WHERE batch_id = ?", [now_iso(), actor, batch_id])
            removed = sum(w.deleted for w in done)
            before = [w.before for w in done if w.before is not None]
            self.record(cur, actor, "rollback", "batch", batch_id, before={"sites": before},
                        after={"n_removed": removed, "n_restored": len(done) - removed,
                               "restored": {w.site_id: w.changes for w in done if not w.deleted}},
                        batch_id=batch_id)
            self._bump(cur)
        return len(done)

    def _rollback_writes(self, cur: Any, batch_id: str) -> list[SiteWrite]:
        """What undoing ``batch_id`` writes: each site it touched back to its version before it.
        Raises RollbackBlocked when a site has a later version."""
        self.execute(cur, "SELECT id, version FROM site_versions WHERE via_batch = ? AND source <> 'rollback'",
                     [batch_id])
        mine = {str(r[0]): int(r[1]) for r in cur.fetchall()}
        last = self._last(cur, list(mine))
        later = [sid for sid, v in mine.items() if sid in last and int(last[sid]["version"]) > v]
        if later:
            edits = self._rows_in(cur, "SELECT id, version, actor, at, source FROM site_versions"
                                       " WHERE id IN ({ids}) ORDER BY id, version", later)
            raise RollbackBlocked(batch_id, [{"site_id": e["id"], "by": e["actor"], "at": e["at"],
                                              "version": e["version"]} for e in edits if e["version"] > mine[e["id"]]])
        prior = self._prior_versions(cur, mine)
        writes = []
        for sid, v in mine.items():
            before = prior.get(sid)
            if before is None or before["deleted"]:
                if not last[sid]["deleted"]:
                    writes.append(SiteWrite(sid, v, None))
            else:
                writes.append(SiteWrite(sid, v, _row_from_version(before)))
        return writes

    def _prior_versions(self, cur: Any, mine: dict[str, int]) -> dict[str, dict[str, Any]]:
        """The version just before ``mine[id]`` of each site (absent for version 1)."""
        out: dict[str, dict[str, Any]] = {}
        pairs = [(sid, v - 1) for sid, v in mine.items() if v > 1]
        for k in range(0, len(pairs), 200):
            chunk = pairs[k:k + 200]
            where = " OR ".join("(id = ? AND version = ?)" for _ in chunk)
            self.execute(cur, f"SELECT * FROM site_versions WHERE {where}", [x for p in chunk for x in p])
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                d = dict(zip(names, row))
                d["geom_wkb"] = bytes(d["geom_wkb"])
                out[d["id"]] = d
        return out

    def _site_snapshots(self, cur: Any, where: str, params: list[Any]) -> list[dict[str, Any]]:
        self.execute(cur, f"SELECT {', '.join(SITE_COLUMNS)}, geom_wkb FROM sites WHERE {where}", params)
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            d = dict(zip(names, row))
            d["geometry"] = shapely.to_wkt(shapely.from_wkb(bytes(d.pop("geom_wkb"))), rounding_precision=7)
            out.append(d)
        return out

    def _delete_sites(self, cur: Any, where: str, params: list[Any]) -> None:
        self._before_site_delete(cur, where, params)
        self.execute(cur, f"DELETE FROM site_units WHERE site_id IN (SELECT id FROM sites WHERE {where})", params)
        self.execute(cur, f"DELETE FROM sites WHERE {where}", params)

    def update_site(self, site_id: str, changes: dict[str, Any], *, actor: str,
                    expected_version: int | None = None, source: str = "edit", reason: str | None = None,
                    inspection_id: str | None = None, action: str = "edit") -> dict[str, Any]:
        """Write ``changes`` (schema fields, ``geometry`` shapely) as the site's next version.
        ``expected_version``: the version the change was made from (EditConflict when the stored
        one differs); None: whatever is stored. No checks of the values: see :mod:`geo.edits`."""
        bad = set(changes) - set(SITE_COLUMNS) - {"geometry"} | ({"id", "batch_id"} & set(changes))
        if bad:
            raise StoreError(f"Không sửa được trường {', '.join(sorted(bad))}.",
                             f"Fields {', '.join(sorted(bad))} cannot be edited.")
        current = self.get_site(site_id)
        updated = {k: v for k, v in {**current, **changes}.items() if k not in ("version", "deleted")}
        row = _rows(gpd.GeoDataFrame([updated], geometry="geometry", crs=4326))[0]
        expected = current["version"] if expected_version is None else expected_version
        self.write_site(SiteWrite(site_id, expected, row, dict(changes)), actor=actor, source=source, reason=reason,
                        inspection_id=inspection_id, action=action)
        return self.get_site(site_id)

    def write_site(self, write: SiteWrite, *, actor: str, source: str, action: str, reason: str | None = None,
                   inspection_id: str | None = None) -> Written:
        """One site's next version with its audit row, in one transaction (see ``_write_sites``)."""
        try:
            with self.transaction() as cur:
                done = self._write_sites(cur, [write], actor=actor, source=source, reason=reason,
                                         inspection_id=inspection_id)[0]
                self.record(cur, actor, action, "site", write.site_id, before=done.before, after=done.after,
                            batch_id=(done.after or done.before or {}).get("batch_id"))
                self._bump(cur)
        except Exception as exc:
            if _is_unique_violation(exc):
                raise ConflictError(
                    f"Công trình “{write.site_id}” vừa được người khác ghi; không ghi gì. Hãy tải lại và thử lại.",
                    f"Site “{write.site_id}” was just written by someone else; nothing was written. Reload and "
                    "try again.") from exc
            raise
        return done

    def delete_site(self, site_id: str, *, actor: str, expected_version: int | None = None,
                    reason: str | None = None, source: str = "edit") -> None:
        """Remove a site from the map; its versions stay (restorable)."""
        if expected_version is None:
            expected_version = int(self.get_site(site_id)["version"])
        self.write_site(SiteWrite(site_id, expected_version, None), actor=actor, source=source, reason=reason,
                        action="delete")


def already_stored(file_name: str, batch_id: str, created_at: str) -> ConflictError:
    """The refusal of a file that is already committed."""
    return ConflictError(
        f"Tệp “{file_name}” đã được lưu (lô {batch_id}, {created_at}); không ghi lại. Hãy hoàn tác lô đó trước "
        "nếu muốn tải lại.",
        f"File “{file_name}” is already stored (batch {batch_id}, {created_at}); nothing was written again. "
        "Roll that batch back first to upload it again.")


def _row_from_version(v: dict[str, Any]) -> dict[str, Any]:
    """A stored-row dict (as ``_rows`` makes) from a version row."""
    geom = shapely.from_wkb(v["geom_wkb"])
    row = {c: v.get(c) for c in SITE_COLUMNS}
    row["name_folded"] = fold(row["name"])
    row["geom_wkb"] = v["geom_wkb"]
    row["minx"], row["miny"], row["maxx"], row["maxy"] = (float(b) for b in shapely.bounds(geom))
    return row


def _check_day(day: str) -> str:
    try:
        return dt.date.fromisoformat(str(day)[:10]).isoformat()
    except ValueError as exc:
        raise StoreError(f"Ngày “{day}” không hợp lệ; hãy viết YYYY-MM-DD.",
                         f"Date “{day}” is invalid; write YYYY-MM-DD.") from exc


def _filtered(gdf: gpd.GeoDataFrame, flt: SiteFilter) -> gpd.GeoDataFrame:
    """``flt`` applied in memory (to sites as they stood on a past day)."""
    keep = np.ones(len(gdf), dtype=bool)
    for col, code in (("district_codes", flt.district), ("commune_codes", flt.commune)):
        if code:
            keep &= gdf[col].fillna("").map(lambda v, c=code: c in v.split(";")).to_numpy(dtype=bool)
    for col, values in (("category", flt.categories), ("status", flt.statuses), ("indicator", flt.indicators),
                        ("id", flt.ids), ("batch_id", [flt.batch_id] if flt.batch_id else [])):
        if values:
            keep &= gdf[col].isin(list(values)).to_numpy()
    words = fold(flt.text).split()
    if words:
        names = gdf["name"].map(fold)
        keep &= names.map(lambda n: all(w in n for w in words)).to_numpy(dtype=bool)
    if flt.bbox and len(gdf):
        keep &= gdf.geometry.intersects(shapely.box(*flt.bbox)).to_numpy()
    return gdf[keep].reset_index(drop=True)


# ---------------------------------------------------------------- conversion


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def is_missing(v: Any) -> bool:
    """True for None and for pandas/numpy missing values (NaN, NaT, NA)."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _is_unique_violation(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text or "duplicate key" in text


def _rows(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Schema rows ready to insert: text/number cells cleaned, geometry as WKB with its bbox."""
    if sites.crs is not None and not sites.crs.equals("EPSG:4326"):
        raise StoreError("Dữ liệu phải ở WGS 84 trước khi ghi.", "Sites must be in WGS 84 before they are stored.")
    geoms = sites.geometry.to_numpy()
    if len(geoms) and (shapely.is_missing(geoms).any() or shapely.is_empty(geoms).any()):
        raise StoreError("Có công trình không có hình học.", "A site has no geometry.")
    types = shapely.get_type_id(geoms)
    allowed = {int(getattr(shapely.GeometryType, t.upper())) for t in GEOMETRY_TYPES}
    if len(geoms) and not set(np.unique(types)) <= allowed:
        raise StoreError(f"Chỉ lưu được {', '.join(GEOMETRY_TYPES)}.", f"Only {', '.join(GEOMETRY_TYPES)} are stored.")
    bounds = shapely.bounds(geoms)
    wkb = shapely.to_wkb(geoms, output_dimension=2)
    rows = []
    records = sites.drop(columns=sites.geometry.name).to_dict("records")
    for i, rec in enumerate(records):
        row: dict[str, Any] = {}
        for col in _TEXT:
            v = rec.get(col)
            row[col] = None if is_missing(v) or v == "" else str(v)
        for col in _NUM:
            v = rec.get(col)
            row[col] = None if is_missing(v) or v == "" else float(v)
        if not row["id"] or not row["name"] or not row["category"]:
            raise StoreError(f"Công trình số {i + 1} thiếu mã, tên hoặc loại.",
                             f"Site {i + 1} lacks an id, a name or a category.")
        row["status"] = row["status"] or "planned"
        row["name_folded"] = fold(row["name"])
        row["geom_wkb"] = wkb[i]
        row["minx"], row["miny"], row["maxx"], row["maxy"] = (float(b) for b in bounds[i])
        rows.append(row)
    return rows


def _frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype="float64" if c in _NUM else "object") for c in SITE_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    df = pd.DataFrame(rows)
    geoms = shapely.from_wkb([bytes(b) for b in df.pop("geom_wkb")])
    for col in _NUM:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return gpd.GeoDataFrame(df[list(SITE_COLUMNS)], geometry=geoms, crs=4326)
