"""The embedded store: one SQLite file (WAL journal, R*Tree spatial index) under
``P03_DATA_DIR/projects/``, uploaded files kept verbatim beside it in ``uploads/``."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from geo.private_files import private_dir, private_file
from geo.store.base import SQLStore

STORE_FILE = "p03.sqlite"


def _use_wal(conn: sqlite3.Connection, patience_s: float = 60.0) -> None:
    """Put the database in WAL mode (the file keeps it once set). Switching needs the database to
    itself, and SQLite answers "database is locked" at once, without its busy wait, when another
    process is opening or switching it at the same moment (six processes opening a new store
    together): tried again, with growing pauses, for up to ``patience_s`` seconds."""
    deadline = time.monotonic() + patience_s
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


class SQLiteStore(SQLStore):
    dialect = "sqlite"

    def __init__(self, folder: Path) -> None:
        folder = private_dir(Path(folder))  # 0700: the store holds password hashes (issue #10)
        super().__init__(folder / "uploads")
        self.path = private_file(folder / STORE_FILE)  # 0600, before SQLite creates it
        self.migrate()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn = self._connect()
        try:
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
        finally:
            conn.close()

    def _bbox_sql(self, bbox: tuple[float, float, float, float]) -> tuple[str, list[Any]]:
        minx, miny, maxx, maxy = bbox
        return ("s.rid IN (SELECT rid FROM sites_rtree WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)",
                [minx, maxx, miny, maxy])

    def _after_site_insert(self, cur: Any, rows: list[dict[str, Any]]) -> None:
        ids = [r["id"] for r in rows]
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            cur.execute(
                f"INSERT INTO sites_rtree (rid, minx, maxx, miny, maxy) SELECT rid, minx, maxx, miny, maxy"
                f" FROM sites WHERE id IN ({', '.join('?' * len(chunk))})", chunk)

    def _before_site_delete(self, cur: Any, where: str, params: list[Any]) -> None:
        cur.execute(f"DELETE FROM sites_rtree WHERE rid IN (SELECT rid FROM sites WHERE {where})", params)

    def _after_site_update(self, cur: Any, rows: list[dict[str, Any]]) -> None:
        cur.executemany("UPDATE sites_rtree SET minx = ?, maxx = ?, miny = ?, maxy = ? WHERE rid ="
                        " (SELECT rid FROM sites WHERE id = ?)",
                        [(r["minx"], r["maxx"], r["miny"], r["maxy"], r["id"]) for r in rows])
