"""Move a store between backends without loss: every table, the uploaded files, checked.

:func:`copy_store` reads every data table of the source and writes it into an empty target in one
transaction, then, still inside that transaction, compares the row counts and a checksum of the
sites; any difference rolls the whole copy back. Kept files (uploads, inspection photos; table
``blobs``) travel with their rows: into the database of a PostGIS target, under the uploads folder
of an SQLite target (named by their checksum, so copying them twice is harmless).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import StoreError
from geo.store.base import SITE_COLUMNS, SQLStore

#: tables copied first, in this order (foreign keys point backwards); others follow by name
_FIRST = ("meta", "batches", "sites", "site_units", "audit")
#: never copied: schema bookkeeping and backend-specific indexes
_SKIP = ("schema_version", "sites_rtree", "spatial_ref_sys", "sqlite_sequence")
#: a target holding rows here is not empty
_DATA = ("sites", "batches", "audit")
_CHUNK = 5000


@dataclass
class CopyReport:
    """What :func:`copy_store` copied: rows per table, files, and the sites' checksum."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    checksum: str = ""
    missing_files: list[str] = field(default_factory=list)


def tables(store: SQLStore) -> list[str]:
    """The store's data tables, in copy order."""
    if store.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()" \
              " AND table_type = 'BASE TABLE'"
    names = {r["name"] for r in store.fetchall(sql)}
    names = {n for n in names if n not in _SKIP and not n.startswith(("sites_rtree", "sqlite_"))}
    return [t for t in _FIRST if t in names] + sorted(names - set(_FIRST))


def _columns(store: SQLStore, cur: Any, table: str) -> list[str]:
    store.execute(cur, f"SELECT * FROM {table} WHERE 1 = 0")
    cols = [d[0] for d in cur.description]
    if store.dialect != "sqlite":
        store.execute(cur, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                      " AND table_name = ? AND is_generated = 'ALWAYS'", [table])
        generated = {r[0] for r in cur.fetchall()}
        cols = [c for c in cols if c not in generated]
    return cols


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def sites_checksum(store: SQLStore, cur: Any) -> str:
    """SHA-256 of every site's attributes and geometry, independent of backend and row order."""
    store.execute(cur, f"SELECT {', '.join(SITE_COLUMNS)}, geom_wkb FROM sites")
    lines = []
    for row in cur.fetchall():
        cells = [c.hex() if isinstance(c, bytes) else (repr(float(c)) if isinstance(c, int | float) else c)
                 for c in map(_plain, row)]
        lines.append(json.dumps(cells, ensure_ascii=False))
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _count(store: SQLStore, cur: Any, table: str) -> int:
    store.execute(cur, f"SELECT COUNT(*) FROM {table}")
    return int(cur.fetchone()[0])


def _read(source: SQLStore, names: Sequence[str]) -> tuple[dict[str, tuple[list[str], list[tuple[Any, ...]]]], str]:
    """Every row of every table, and the sites' checksum, read in one transaction."""
    out = {}
    with source.transaction() as cur:
        for table in names:
            cols = _columns(source, cur, table)
            source.execute(cur, f"SELECT {', '.join(cols)} FROM {table}")
            out[table] = (cols, [tuple(_plain(v) for v in row) for row in cur.fetchall()])
        checksum = sites_checksum(source, cur)
    if "blobs" in out:  # kept files: their bytes travel with the rows, wherever the source keeps them
        cols, rows = out["blobs"]
        at, sha = cols.index("content"), cols.index("sha256")
        out["blobs"] = (cols, [(*r[:at], source.read_blob(r[sha]), *r[at + 1:]) for r in rows])
    return out, checksum


def _place_blobs(target: SQLStore, cols: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows of ``blobs`` as the target keeps them: bytes in the row (PostGIS), or written under
    the target's uploads/ with the row's content empty (SQLite)."""
    if target.files_in_db:
        return rows
    at, path = cols.index("content"), cols.index("stored_path")
    out = []
    for r in rows:
        dest = Path(target.uploads_dir) / str(r[path])
        if not (dest.is_file() and dest.read_bytes() == r[at]):
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".part")
            tmp.write_bytes(r[at])
            tmp.replace(dest)
        out.append((*r[:at], None, *r[at + 1:]))
    return out


def _check_empty(target: SQLStore) -> None:
    with target.transaction() as cur:
        full = [t for t in _DATA if _count(target, cur, t)]
    if full:
        raise StoreError(
            f"Kho đích đã có dữ liệu (bảng {', '.join(full)}); chỉ chép vào một kho trống. "
            "Hãy tạo cơ sở dữ liệu mới cho kho đích.",
            f"The target store already holds data (tables {', '.join(full)}); copies go only into an empty "
            "store. Create a new database for the target.")


def copy_files(source: SQLStore, target: SQLStore) -> int:
    """Copy the uploaded files (idempotent); return how many were copied."""
    src, dst = Path(source.uploads_dir), Path(target.uploads_dir)
    if not src.is_dir() or src.resolve() == dst.resolve():
        return 0
    n = 0
    for path in sorted(p for p in src.rglob("*") if p.is_file() and not p.name.endswith(".part")):
        out = dst / path.relative_to(src)
        if out.exists() and out.stat().st_size == path.stat().st_size:
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(out)
        n += 1
    return n


def _write(target: SQLStore, cur: Any, data: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    for table in reversed(list(data)):
        target.execute(cur, f"DELETE FROM {table}")
    for table, (cols, rows) in data.items():
        keep = [c for c in _columns(target, cur, table) if c in cols]
        idx = [cols.index(c) for c in keep]
        if table == "blobs":
            rows = _place_blobs(target, cols, rows)
        sql = target._sql(f"INSERT INTO {table} ({', '.join(keep)}) VALUES ({', '.join('?' * len(keep))})")
        for i in range(0, len(rows), _CHUNK):
            cur.executemany(sql, [tuple(r[j] for j in idx) for r in rows[i:i + _CHUNK]])
    if target.dialect == "sqlite":
        target.execute(cur, "DELETE FROM sites_rtree")
        target.execute(cur, "INSERT INTO sites_rtree (rid, minx, maxx, miny, maxy)"
                       " SELECT rid, minx, maxx, miny, maxy FROM sites")
    else:
        _reset_sequences(cur)


def _reset_sequences(cur: Any) -> None:
    """After explicit ids, point PostgreSQL's sequences past the highest id."""
    cur.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND column_default LIKE %s", ["nextval(%"])
    for table, col in cur.fetchall():
        cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({col}), 0) + 1, false)"
                    f" FROM {table}", [table, col])


def copy_store(source: SQLStore, target: SQLStore) -> CopyReport:
    """Copy everything in ``source`` into the empty ``target``; all or nothing.

    Raises
    ------
    StoreError
        When the target is not empty, or when the copy's counts or checksum differ from the source
        (the target is then left empty, as it was).
    """
    if repr(source) == repr(target):
        raise StoreError("Kho nguồn và kho đích là một.", "The source and the target are the same store.")
    if target.migrate() < source.migrate():
        raise StoreError("Kho đích có lược đồ cũ hơn kho nguồn; hãy cập nhật phần mềm.",
                         "The target's schema is older than the source's; update the software.")
    _check_empty(target)
    names = [t for t in tables(source) if t in set(tables(target))]
    data, checksum = _read(source, names)
    report = CopyReport(rows={t: len(rows) for t, (_, rows) in data.items()}, checksum=checksum)
    report.files = 0 if target.files_in_db else copy_files(source, target)  # PostGIS: files travel as blobs
    with target.transaction() as cur:
        _write(target, cur, data)
        got = {t: _count(target, cur, t) for t in names}
        got_sum = sites_checksum(target, cur)
        if got != report.rows or got_sum != checksum:
            raise StoreError(
                f"Bản chép không khớp nguồn (số dòng {got} ≠ {report.rows} hoặc tổng kiểm tra khác); "
                "kho đích không bị thay đổi.",
                f"The copy does not match the source (rows {got} ≠ {report.rows} or checksum differs); "
                "the target was left unchanged.")
    kept = {r["sha256"] for r in target.fetchall("SELECT sha256 FROM blobs")} if "blobs" in data else set()
    batches = data.get("batches", ([], []))
    stored = [(r[batches[0].index("sha256")], r[batches[0].index("stored_path")]) for r in batches[1]]
    report.missing_files = [p for sha, p in stored if p and sha not in kept
                            and not (Path(target.uploads_dir) / p).is_file()]
    return report
