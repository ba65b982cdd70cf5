"""``python -m geo``: the command line. Each module in :data:`COMMAND_MODULES` registers its
sub-commands; a :class:`~geo.errors.P03Error` is printed as a plain message with its exit code."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from geo import settings
from geo.errors import InputError, P03Error

COMMAND_MODULES: tuple[str, ...] = (
    "geo.cli.core",
    "geo.cli.ingest",
    "geo.cli.indicators",
    "geo.cli.store",
    "geo.cli.users",
    "geo.cli.audit",
    "geo.cli.visits",
    "geo.cli.inspections",
    "geo.cli.reference",
    "geo.cli.api",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="P03 Map: Hanoi Programme 03 sites.")
    parser.add_argument("--lang", choices=("vi", "en"), default=None, help="language of messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def actor() -> str:
    """Who runs the CLI (recorded in the audit trail)."""
    return "cli:" + (os.environ.get("P03_USER") or os.environ.get("USER") or "unknown")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = args.lang or "vi"
    try:
        lang = args.lang or settings.get("P03_LANG")
        return int(args.func(args) or 0)
    except P03Error as exc:
        print(exc.message(lang), file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0


def write_out(data: str | bytes, path: str | None) -> None:
    """Write to ``path``, or to stdout when ``path`` is None or "-" (UTF-8)."""
    if path in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data if data.endswith("\n") else data + "\n")
        sys.stdout.flush()
        return
    assert path is not None
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise InputError(f"không có thư mục “{folder}” để ghi “{Path(path).name}”; hãy tạo thư mục trước hoặc chọn "
                         "đường dẫn khác.",
                         f"there is no folder “{folder}” to write “{Path(path).name}” into; create it first or "
                         "choose another path.")
    with open(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
