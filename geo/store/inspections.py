"""Field inspections and their photos in the store (tables ``inspections``, ``photos``, ``blobs``).

An inspection and all its photos are written in one transaction with its audit row: either the
whole inspection is there, every photo byte for byte, or nothing is. A photo's original bytes are a
kept file (``blobs``: in the database on PostGIS, under uploads/ on SQLite); its display image
and thumbnail (small, derived) sit in the ``photos`` row. Portable SQL only.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.errors import ConflictError, NotFound, StoreError
from geo.store.contract import InspectionsStore
from geo.store.mixin import StoreMixin, now_iso

if TYPE_CHECKING:
    from geo.photos import Photo

INSPECTION_COLUMNS = ("inspection_id", "site_id", "plan_id", "stop_seq", "inspected_at", "inspectors", "findings",
                      "assessment", "proposed_status", "proposed_progress", "applied_at", "applied_by",
                      "created_by", "created_at")
PHOTO_COLUMNS = ("photo_id", "inspection_id", "seq", "sha256", "file_name", "media_type", "size_bytes", "width",
                 "height", "caption", "taken_at", "lat", "lon", "distance_m", "flags_json")


def _lost(exc: BaseException) -> StoreError:
    return StoreError(f"Mất kết nối khi lưu kết quả kiểm tra ({type(exc).__name__}); không có gì được lưu. "
                      "Những gì đã nhập vẫn còn: bấm Lưu lần nữa khi có mạng.",
                      f"The connection was lost while saving the inspection ({type(exc).__name__}); nothing was "
                      "saved. What was typed is kept: press Save again once connected.")


class InspectionsMixin(StoreMixin, InspectionsStore):
    """Methods of :class:`~geo.store.base.SQLStore` for inspections (mixed into it)."""

    if TYPE_CHECKING:  # supplied by SQLStore
        def _prepare_blob(self, sha256: str, content: bytes, file_name: str) -> tuple[str, bytes | None]: ...
        def _insert_blob(self, cur: Any, sha256: str, kind: str, file_name: str,
                         prepared: tuple[str, bytes | None], size: int) -> None: ...
        def read_blob(self, sha256: str) -> bytes: ...

    def add_inspection(self, row: dict[str, Any], photos: list[Photo], *, actor: str) -> str:
        """Store an inspection (``row``: the columns of :data:`INSPECTION_COLUMNS` but the id and
        the bookkeeping) with its photos; return its id. All or nothing."""
        inspection_id = f"i-{uuid.uuid4().hex[:12]}"
        rec = {c: row.get(c) for c in INSPECTION_COLUMNS}
        rec.update(inspection_id=inspection_id, applied_at=None, applied_by=None, created_by=actor,
                   created_at=now_iso())
        kept = [self._prepare_blob(p.sha256, p.content, p.file_name) for p in photos]
        try:
            self._write_inspection(rec, photos, kept, actor)
        except (ConnectionError, TimeoutError) as exc:
            raise _lost(exc) from exc
        except Exception as exc:
            if type(exc).__name__ in ("OperationalError", "InterfaceError"):  # the driver's lost connection
                raise _lost(exc) from exc
            raise
        return inspection_id

    def _write_inspection(self, rec: dict[str, Any], photos: list[Photo], kept: list[tuple[str, bytes | None]],
                          actor: str) -> None:
        inspection_id = rec["inspection_id"]
        cols = list(INSPECTION_COLUMNS)
        with self.transaction() as cur:
            self.execute(cur, f"INSERT INTO inspections ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         [rec[c] for c in cols])
            summary = []
            for seq, (photo, prepared) in enumerate(zip(photos, kept, strict=True), start=1):
                self._insert_blob(cur, photo.sha256, "photo", photo.file_name, prepared, photo.size_bytes)
                summary.append(self._insert_photo(cur, inspection_id, seq, photo))
            self.record(cur, actor, "inspection", "site", rec["site_id"],
                        after={**{k: v for k, v in rec.items() if k not in ("created_by", "created_at")},
                               "photos": summary})
            self._bump(cur)

    def _insert_photo(self, cur: Any, inspection_id: str, seq: int, p: Photo) -> dict[str, Any]:
        photo_id = f"ph-{uuid.uuid4().hex[:12]}"
        values = [photo_id, inspection_id, seq, p.sha256, p.file_name, p.media_type, p.size_bytes, p.width,
                  p.height, p.caption or None, p.taken_at, p.lat, p.lon, p.distance_m,
                  json.dumps([f["code"] for f in p.flags]) if p.flags else None]
        self.execute(cur, f"INSERT INTO photos ({', '.join(PHOTO_COLUMNS)}, thumb, display)"
                     f" VALUES ({', '.join('?' * (len(PHOTO_COLUMNS) + 2))})", [*values, p.thumb, p.display])
        return {"photo_id": photo_id, "sha256": p.sha256, "file_name": p.file_name, "size_bytes": p.size_bytes}

    def list_inspections(self, site_id: str | None = None, plan_id: str | None = None,
                         since: str | None = None) -> pd.DataFrame:
        """Inspections (of a site, of a plan, since a date), newest first, with ``n_photos``."""
        where, params = [], []
        for col, op, value in (("site_id", "=", site_id), ("plan_id", "=", plan_id), ("inspected_at", ">=", since)):
            if value:
                where.append(f"i.{col} {op} ?")
                params.append(value)
        sql = (f"SELECT {', '.join('i.' + c for c in INSPECTION_COLUMNS)},"
               " (SELECT COUNT(*) FROM photos p WHERE p.inspection_id = i.inspection_id) AS n_photos"
               " FROM inspections i")
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.fetchall(sql + " ORDER BY i.inspected_at DESC, i.created_at DESC, i.inspection_id", params)
        df = pd.DataFrame(rows, columns=[*INSPECTION_COLUMNS, "n_photos"])
        df["proposed_progress"] = pd.to_numeric(df["proposed_progress"], errors="coerce").astype("float64")
        return df

    def get_inspection(self, inspection_id: str) -> dict[str, Any]:
        """One inspection's columns. Raises NotFound."""
        rows = self.fetchall(f"SELECT {', '.join(INSPECTION_COLUMNS)} FROM inspections WHERE inspection_id = ?",
                             [inspection_id])
        if not rows:
            raise NotFound("biên bản kiểm tra", "inspection", inspection_id)
        return rows[0]

    def list_photos(self, inspection_ids: list[str], *, thumbs: bool = True) -> pd.DataFrame:
        """The photos of these inspections in order, with ``thumb`` bytes when asked (never the originals)."""
        cols = [*PHOTO_COLUMNS, *(["thumb"] if thumbs else [])]
        if not inspection_ids:
            return pd.DataFrame(columns=cols)
        rows = self.fetchall(f"SELECT {', '.join(cols)} FROM photos WHERE inspection_id IN"
                             f" ({', '.join('?' * len(inspection_ids))}) ORDER BY inspection_id, seq",
                             list(inspection_ids))
        for r in rows:
            if thumbs:
                r["thumb"] = bytes(r["thumb"])
        return pd.DataFrame(rows, columns=cols)

    def photo_image(self, photo_id: str, size: str = "display") -> bytes:
        """A photo's ``display`` image or ``thumb`` (JPEG without EXIF), or its ``original`` bytes."""
        column = "sha256" if size == "original" else ("thumb" if size == "thumb" else "display")
        rows = self.fetchall(f"SELECT {column} AS v FROM photos WHERE photo_id = ?", [photo_id])
        if not rows:
            raise NotFound("ảnh", "photo", photo_id)
        return self.read_blob(rows[0]["v"]) if size == "original" else bytes(rows[0]["v"])

    def last_inspected(self) -> dict[str, str]:
        """site id -> the time of its latest inspection (ISO local time)."""
        rows = self.fetchall("SELECT site_id, MAX(inspected_at) AS last FROM inspections GROUP BY site_id")
        return {str(r["site_id"]): str(r["last"]) for r in rows}

    def mark_inspection_applied(self, inspection_id: str, *, actor: str) -> None:
        """Note that an inspection's proposal was accepted (one transaction, bumps the version).
        Raises ConflictError when it already was: accepted twice at once, the second is refused."""
        with self.transaction() as cur:
            self.execute(cur, "UPDATE inspections SET applied_at = ?, applied_by = ? WHERE inspection_id = ?"
                         " AND applied_at IS NULL", [now_iso(), actor, inspection_id])
            if cur.rowcount != 1:
                raise ConflictError(f"Đề xuất của biên bản {inspection_id} đã được duyệt rồi (hoặc không có).",
                                    f"The proposal of inspection {inspection_id} was already accepted (or does not"
                                    " exist).")
            self._bump(cur)
