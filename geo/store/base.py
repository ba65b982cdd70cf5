"""The store interface and the SQL shared by its backends.

A store holds sites, upload batches (with the original files), the audit trail, field-visit
plans, indicator values and users. Every write is one transaction: all of it happens or none, and
the audit rows are written in the same transaction as the change they record.

Backends: :mod:`geo.store.sqlite` (embedded, default) and :mod:`geo.store.postgis`. They share
this module's SQL; a backend supplies connections, DDL types and the spatial filter.
"""

from __future__ import annotations

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

from geo.errors import ConflictError, NotFound, StoreError
from geo.i18n import fold
from geo.schema import ATTRIBUTE_NAMES, GEOMETRY_TYPES
from geo.store.indicators import IndicatorsMixin
from geo.store.inspections import InspectionsMixin
from geo.store.migrations import MIGRATIONS
from geo.store.mixin import now_iso
from geo.store.plans import PlansMixin
from geo.store.sessions import SessionsMixin
from geo.store.users import UsersMixin

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


class Store(ABC):
    """What pages, the CLI and the other geo modules may ask of a store."""

    @abstractmethod
    def version(self) -> int:
        """A number that changes on every committed write (use it as a cache key)."""

    @abstractmethod
    def query_sites(self, flt: SiteFilter | None = None) -> gpd.GeoDataFrame:
        """Sites matching ``flt`` as a GeoDataFrame in EPSG:4326 with the schema's columns."""

    @abstractmethod
    def get_site(self, site_id: str) -> dict[str, Any]:
        """One site as a dict (``geometry`` a shapely geometry). Raises NotFound."""

    @abstractmethod
    def count_sites(self) -> int: ...

    @abstractmethod
    def commit_batch(self, sites: gpd.GeoDataFrame, *, actor: str, kind: str = "upload",
                     upload: Upload | None = None) -> str:
        """Insert ``sites`` (schema columns, placed) as one batch; return its id. All or nothing."""

    @abstractmethod
    def rollback_batch(self, batch_id: str, *, actor: str) -> int:
        """Remove the sites a batch added; return how many. The batch record and file stay."""

    @abstractmethod
    def list_batches(self) -> pd.DataFrame: ...

    @abstractmethod
    def find_batch_by_sha256(self, sha256: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def update_site(self, site_id: str, changes: dict[str, Any], *, actor: str) -> dict[str, Any]: ...

    @abstractmethod
    def delete_site(self, site_id: str, *, actor: str) -> None: ...

    @abstractmethod
    def audit(self, since: str | None = None, actor: str | None = None, action: str | None = None,
              limit: int = 10_000) -> pd.DataFrame: ...


class SQLStore(UsersMixin, SessionsMixin, IndicatorsMixin, PlansMixin, InspectionsMixin, Store):
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

    def get_site(self, site_id: str) -> dict[str, Any]:
        gdf = self.query_sites(SiteFilter(ids=[site_id]))
        if gdf.empty:
            raise NotFound("công trình", "site", site_id)
        row = gdf.iloc[0].to_dict()
        return {k: (None if is_missing(v) else v) for k, v in row.items()}

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
        folder = self.uploads_dir / upload.sha256
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe[:120]
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(upload.content)
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
                     upload: Upload | None = None) -> str:
        rows = _rows(sites)
        batch_id = new_id("b")
        kept = self._prepare_blob(upload.sha256, upload.content, upload.file_name) if upload is not None else None
        stored = kept[0] if kept else None
        try:
            with self.transaction() as cur:
                if upload is not None and kept is not None:
                    self._insert_blob(cur, upload.sha256, "upload", upload.file_name, kept, len(upload.content))
                self.execute(
                    cur,
                    "INSERT INTO batches (batch_id, created_at, actor, kind, file_name, sha256, stored_path,"
                    " n_features, crs, status, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?)",
                    [batch_id, now_iso(), actor, kind, upload.file_name if upload else None,
                     upload.sha256 if upload else None, stored, len(rows), upload.crs if upload else "EPSG:4326",
                     _dump(upload.report) if upload else None])
                self._insert_sites(cur, rows, batch_id)
                self.record(cur, actor, kind, "batch", batch_id,
                            after={"file_name": upload.file_name if upload else None, "n_features": len(rows),
                                   "sha256": upload.sha256 if upload else None, "site_ids": [r["id"] for r in rows]},
                            batch_id=batch_id)
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

    def _insert_sites(self, cur: Any, rows: list[dict[str, Any]], batch_id: str) -> None:
        cols = [*SITE_COLUMNS, "name_folded", "geom_wkb", "minx", "miny", "maxx", "maxy"]
        sql = f"INSERT INTO sites ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        unit_rows = []
        for r in rows:
            r["batch_id"] = batch_id
        cur.executemany(self._sql(sql), [tuple(r[c] for c in cols) for r in rows])
        for r in rows:
            for layer, key in (("district", "district_codes"), ("commune", "commune_codes")):
                unit_rows += [(r["id"], layer, code) for code in (r[key] or "").split(";") if code]
        if unit_rows:
            cur.executemany(self._sql("INSERT INTO site_units (site_id, layer, code) VALUES (?, ?, ?)"), unit_rows)
        self._after_site_insert(cur, rows)

    def rollback_batch(self, batch_id: str, *, actor: str) -> int:
        batch = self.get_batch(batch_id)
        if batch["status"] != "committed":
            raise ConflictError(
                f"Lô {batch_id} đã được hoàn tác lúc {batch['rolled_back_at']}; không làm gì thêm.",
                f"Batch {batch_id} was already rolled back at {batch['rolled_back_at']}; nothing more to do.")
        with self.transaction() as cur:
            before = self._site_snapshots(cur, "batch_id = ?", [batch_id])
            self._delete_sites(cur, "batch_id = ?", [batch_id])
            self.execute(cur, "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ?"
                         " WHERE batch_id = ?", [now_iso(), actor, batch_id])
            self.record(cur, actor, "rollback", "batch", batch_id, before={"sites": before},
                        after={"n_removed": len(before)}, batch_id=batch_id)
            self._bump(cur)
        return len(before)

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

    def update_site(self, site_id: str, changes: dict[str, Any], *, actor: str) -> dict[str, Any]:
        bad = set(changes) - set(SITE_COLUMNS) - {"geometry"} | ({"id", "batch_id"} & set(changes))
        if bad:
            raise StoreError(f"Không sửa được trường {', '.join(sorted(bad))}.",
                             f"Fields {', '.join(sorted(bad))} cannot be edited.")
        current = self.get_site(site_id)
        updated = {**current, **changes}
        row = _rows(gpd.GeoDataFrame([updated], geometry="geometry", crs=4326))[0]
        row["batch_id"] = current.get("batch_id")
        with self.transaction() as cur:
            before = self._site_snapshots(cur, "id = ?", [site_id])
            self._delete_sites(cur, "id = ?", [site_id])
            self._insert_sites(cur, [row], row["batch_id"])
            after = self._site_snapshots(cur, "id = ?", [site_id])
            self.record(cur, actor, "edit", "site", site_id, before=before[0], after=after[0],
                        batch_id=row["batch_id"])
            self._bump(cur)
        return self.get_site(site_id)

    def delete_site(self, site_id: str, *, actor: str) -> None:
        with self.transaction() as cur:
            before = self._site_snapshots(cur, "id = ?", [site_id])
            if not before:
                raise NotFound("công trình", "site", site_id)
            self._delete_sites(cur, "id = ?", [site_id])
            self.record(cur, actor, "delete", "site", site_id, before=before[0])
            self._bump(cur)


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
