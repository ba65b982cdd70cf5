"""The PostgreSQL + PostGIS store, chosen by ``P03_DATABASE_URL=postgresql://...``.

Same tables and SQL as the embedded store (:class:`geo.store.base.SQLStore`); sites also carry a
generated ``geom`` column with a GIST index, used by the bounding-box filter. Uploaded files and
inspection photos are kept verbatim inside the database (table ``blobs``), so app processes on
several hosts share no folder; ``uploads_dir`` is read only once, by schema migration 6, to move
the files an older version kept there into the database.

Connections come from a small pool per process (Streamlit runs every script run in a new thread,
so connections are not tied to threads); a broken connection is dropped, a fork starts a new
pool. Every write is one transaction, committed whole or rolled back whole.
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
#: idle connections kept per store (per process); more are opened when needed and closed after use
POOL_IDLE = 4


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
    """The store in a PostGIS database at ``url`` (kept files in it; ``uploads_dir``: where an older
    version kept them, read by migration 6)."""

    dialect = "postgis"
    paramstyle = "format"
    files_in_db = True  # kept files in the database: app servers share no folder

    def __init__(self, url: str, uploads_dir: Path) -> None:
        super().__init__(uploads_dir)
        self.url = url
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._pid = os.getpid()
        self.migrate()

    def __repr__(self) -> str:
        return f"PostGISStore({redact(self.url)!r})"

    # -- connections -----------------------------------------------------
    def _connect(self) -> Any:
        psycopg = _psycopg()
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=30, application_name="p03-map")
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"Không kết nối được cơ sở dữ liệu {redact(self.url)}: {exc}. Kiểm tra P03_DATABASE_URL "
                "và máy chủ PostgreSQL.",
                f"Cannot connect to the database {redact(self.url)}: {exc}. Check P03_DATABASE_URL and "
                "the PostgreSQL server.") from exc

    def _acquire(self) -> Any:
        """An idle pooled connection, or a new one. After a fork the parent's connections are left
        to the parent."""
        with self._lock:
            if self._pid != os.getpid():
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed and not conn.broken:
                    return conn
        return self._connect()

    def _release(self, conn: Any) -> None:
        psycopg = _psycopg()
        healthy = not conn.closed and not conn.broken and \
            conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            if healthy and self._pid == os.getpid() and len(self._idle) < POOL_IDLE:
                self._idle.append(conn)
                return
        if not conn.closed:
            conn.close()

    def close(self) -> None:
        """Close the idle connections (those in use close when released)."""
        with self._lock:
            conns, self._idle = self._idle, []
        for conn in conns:
            conn.close()

    def _begin(self) -> tuple[Any, Any]:
        """A connection with a transaction begun. A pooled connection that the server closed
        meanwhile (restart, idle timeout) fails at BEGIN: it is dropped and a new one used."""
        psycopg = _psycopg()
        conn = self._acquire()
        for fresh in (False, True):
            tx = conn.transaction()
            try:
                tx.__enter__()
                return conn, tx
            except psycopg.OperationalError as exc:
                conn.close()
                if fresh:
                    raise StoreError(f"Mất kết nối tới {redact(self.url)}: {exc}. Kiểm tra máy chủ PostgreSQL.",
                                     f"Lost the connection to {redact(self.url)}: {exc}. Check the PostgreSQL "
                                     "server.") from exc
                conn = self._connect()
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn, tx = self._begin()
        try:
            with conn.cursor() as cur:
                yield cur
        except BaseException as exc:
            try:
                tx.__exit__(type(exc), exc, exc.__traceback__)  # rolls back
            except Exception:  # noqa: S110 - the connection is gone: the server rolled back
                pass
            raise
        else:
            tx.__exit__(None, None, None)  # commits
        finally:
            self._release(conn)

    # -- schema and spatial filter ----------------------------------------
    def migrate(self) -> int:
        """Apply pending migrations while holding an advisory lock, so that app processes
        starting together upgrade the schema once."""
        conn = self._acquire()
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", [_MIGRATE_LOCK])
            try:
                return super().migrate()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATE_LOCK])
        finally:
            self._release(conn)

    def _bbox_sql(self, bbox: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        return "s.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)", [float(v) for v in bbox]
