"""Store commands: ``migrate`` (upgrade the schema in place) and ``copy`` (move a store between
backends, verified)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geo import auth, settings
from geo.errors import StoreError
from geo.store import open_store
from geo.store.base import SQLStore
from geo.store.copy import copy_store
from geo.store.postgis import redact
from geo.store.sqlite import STORE_FILE, SQLiteStore

_URL_HELP = "sqlite:///PATH/TO/projects-folder or postgresql://user:password@host:port/database"


def register(sub: Any) -> None:
    p = sub.add_parser("migrate", help="apply pending schema migrations to the store; print its version")
    p.add_argument("--url", default=None, help=f"store URL (default P03_DATABASE_URL, else the embedded store): "
                                               f"{_URL_HELP}")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("copy", help="copy every table and uploaded file into an empty store; verified "
                                    "(an admin of the source signs in: P03_USER, P03_PASSWORD)")
    p.add_argument("--from", dest="src", required=True, help=f"source store: {_URL_HELP}")
    p.add_argument("--to", dest="dst", required=True, help=f"target store (must be empty): {_URL_HELP}")
    p.add_argument("--from-uploads", default=None, help="uploads folder of a PostGIS source "
                                                        "(default P03_DATA_DIR/projects/uploads)")
    p.add_argument("--to-uploads", default=None, help="uploads folder of a PostGIS target "
                                                      "(default P03_DATA_DIR/projects/uploads)")
    p.set_defaults(func=cmd_copy)


def store_from_url(url: str, uploads: str | None = None, *, must_exist: bool = False) -> SQLStore:
    """The store at ``url`` (``sqlite:///folder`` or ``postgresql://...``), migrated."""
    if url.startswith("sqlite:///"):
        folder = Path(url[len("sqlite:///"):])
        if must_exist and not (folder / STORE_FILE).is_file():
            raise StoreError(f"Không có kho SQLite ({STORE_FILE}) trong thư mục {folder}.",
                             f"There is no SQLite store ({STORE_FILE}) in the folder {folder}.")
        return SQLiteStore(folder)
    if url.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostGISStore

        return PostGISStore(url, Path(uploads) if uploads else settings.projects_dir() / "uploads")
    raise StoreError(f"Địa chỉ kho “{redact(url)}” không hợp lệ; dùng {_URL_HELP}.",
                     f"The store address “{redact(url)}” is not valid; use {_URL_HELP}.")


def cmd_migrate(args: argparse.Namespace) -> int:
    store = open_store(args.url) if args.url else open_store()
    print(f"{store!r}: schema version {store.migrate()}, store version {store.version()}")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    source = store_from_url(args.src, args.from_uploads, must_exist=True)
    if source.count_users():  # the copy carries every account: an admin of the source signs in first
        auth.cli_require("admin", source, what=("chép toàn bộ kho dữ liệu", "copy the whole store"))
    target = store_from_url(args.dst, args.to_uploads)
    report = copy_store(source, target)
    for table, n in report.rows.items():
        print(f"{table}: {n} rows")
    print(f"uploaded files copied: {report.files}")
    print(f"sites checksum (sha256): {report.checksum} (source = target)")
    for path in report.missing_files:
        print(f"warning: the source has no file {path} (listed by a batch); it was not copied")
    print(f"copied {redact(args.src)} -> {redact(args.dst)}")
    return 0
