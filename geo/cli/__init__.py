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

#: top-level command -> the module that registers it (a test checks this against the modules), so
#: that one command imports only its own module and what that needs (``where`` answers fast)
COMMANDS: dict[str, str] = {
    "setup": "geo.cli.core", "boundaries": "geo.cli.core", "where": "geo.cli.where", "schema": "geo.cli.core",
    "sites": "geo.cli.sites",
    "import": "geo.cli.ingest", "rollback": "geo.cli.ingest", "uploads": "geo.cli.ingest",
    "indicators": "geo.cli.indicators",
    "migrate": "geo.cli.store", "copy": "geo.cli.store",
    "users": "geo.cli.users",
    "audit": "geo.cli.audit",
    "visit": "geo.cli.visits",
    "inspections": "geo.cli.inspections",
    "reference": "geo.cli.reference",
    "api": "geo.cli.api",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the module registering ``command`` when known."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="P03 Map: Hanoi Programme 03 sites.")
    parser.add_argument("--lang", choices=("vi", "en"), default=None, help="language of messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def command_word(argv: list[str]) -> str | None:
    """The command ``argv`` names, or None before it comes an option other than ``--lang``.

    >>> command_word(["--lang", "en", "where", "21", "105"]), command_word(["--help"])
    ('where', None)
    """
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("--lang="):
            return None if word.startswith("-") else word
    return None


def actor() -> str:
    """Who runs the CLI (recorded in the audit trail)."""
    return "cli:" + (os.environ.get("P03_USER") or os.environ.get("USER") or "unknown")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(command_word(argv)).parse_args(argv)
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
