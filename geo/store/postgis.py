"""The PostgreSQL + PostGIS store, chosen by ``P03_DATABASE_URL=postgresql://...``.

Same tables and SQL as the embedded store (:class:`geo.store.base.SQLStore`); sites also carry a
generated ``geom`` column with a GIST index, used by the bounding-box filter. Uploaded files are
kept verbatim in an uploads folder (shared by the app processes, e.g. on a network volume).

Each thread of each process keeps one connection (opened on first use, re-opened when broken or
after a fork); every write is one transaction, committed whole or rolled back whole.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from geo.errors import StoreError
from geo.store.base import SQLStore

_MIGRATE_LOCK = 0x503033  # pg_advisory_lock key: one migrating process at a time ("P03")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is in requirements.txt
        raise StoreError("Thiếu gói psycopg để dùng PostGIS: chạy `pip install -r requirements.txt`.",
                         "The psycopg package is needed for PostGIS: run `pip install -r requirements.txt`.") from exc
    return psycopg


def redact(url: str) -> str:
    """``url`` without its password, for messages.

    >>> redact("postgresql://p03:secret@db:5432/p03")
    'postgresql://p03:***@db:5432/p03'
    """
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, cred = head.partition("://")
    user, colon, _pw = cred.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{tail}"


class PostGISStore(SQLStore):
    """The store in a PostGIS database at ``url``; uploaded files under ``uploads_dir``."""

    dialect = "postgis"
    paramstyle = "format"

    def __init__(self, url: str, uploads_dir: Path) -> None:
        super().__init__(uploads_dir)
        self.url = url
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []
        self.migrate()

    def __repr__(self) -> str:
        return f"PostGISStore({redact(self.url)!r})"

    # -- connections -----------------------------------------------------
    def _connect(self) -> Any:
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30,
                                   application_name="p03-map")
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"Không kết nối được cơ sở dữ liệu {redact(self.url)}: {exc}. Kiểm tra P03_DATABASE_URL "
                "và máy chủ PostgreSQL.",
                f"Cannot connect to the database {redact(self.url)}: {exc}. Check P03_DATABASE_URL and "
                "the PostgreSQL server.") from exc
        with self._lock:
            self._all.append(conn)
        return conn

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken or self._local.pid != os.getpid():
            self._local.conn = conn = self._connect()
            self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        """Close every connection this store opened in this process."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            if not conn.closed:
                conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn = self._conn()
        with conn.transaction(), conn.cursor() as cur:
            yield cur

    # -- schema and spatial filter ----------------------------------------
    def migrate(self) -> int:
        """Apply pending migrations while holding an advisory lock, so that app processes
        starting together upgrade the schema once."""
        conn = self._conn()
        conn.execute("SELECT pg_advisory_lock(%s)", [_MIGRATE_LOCK])
        try:
            return super().migrate()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATE_LOCK])

    def _bbox_sql(self, bbox: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        return "s.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)", [float(v) for v in bbox]
