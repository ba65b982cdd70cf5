"""Foundation commands: setup, boundaries, schema (``sites`` is geo.cli.sites, ``where`` geo.cli.where)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from geo import boundaries, settings
from geo.cli import actor
from geo.schema import schema_markdown


def register(sub: Any) -> None:
    p = sub.add_parser("setup", help="import boundaries and demo sites when absent; install map assets")
    p.add_argument("--force", action="store_true", help="re-import boundaries even when present")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("boundaries", help="boundary layers")
    bsub = p.add_subparsers(dest="action", required=True)
    imp = bsub.add_parser("import", help="import boundary layers from a folder or http(s) URL")
    imp.add_argument("src", nargs="?", default=None, help="folder or URL (default P03_BOUNDARIES_SRC)")
    imp.set_defaults(func=cmd_boundaries_import)
    ls = bsub.add_parser("list", help="list districts or communes")
    ls.add_argument("--layer", choices=("district", "commune"), default="district")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_boundaries_list)

    p = sub.add_parser("schema", help="print the site schema (Markdown)")
    p.set_defaults(func=lambda a: print(schema_markdown()))


def cmd_setup(args: argparse.Namespace) -> int:
    from geo import assets  # folium: loaded only by the command that needs it

    assets.install()
    folder = settings.boundaries_dir()
    if args.force or not (folder / boundaries.DISTRICTS_FILE).exists():
        counts = boundaries.import_boundaries()
        print(f"boundaries: {counts}")
    else:
        print(f"boundaries: present in {folder}")
    from geo import sites as site_ops
    from geo.cli.reference import setup_reference
    from geo.store import open_store

    print(setup_reference(args.force))
    store = open_store()
    src = Path(str(settings.get("P03_SITES_SRC")))
    n = site_ops.load_demo(store, src, actor=actor())
    print(f"sites: loaded {n} from {src}" if n else f"sites: store already holds {store.count_sites()}")
    return 0


def cmd_boundaries_import(args: argparse.Namespace) -> int:
    counts = boundaries.import_boundaries(args.src)
    for name, n in counts.items():
        print(f"{name}: {n}")
    return 0


def cmd_boundaries_list(args: argparse.Namespace) -> int:
    b = boundaries.get()
    cols = ["code", "name", "type", "name_en"]
    df = b.layer(args.layer)[cols]
    if args.json:
        print(json.dumps(df.to_dict("records"), ensure_ascii=False, indent=1))
    else:
        print(df.to_string(index=False))
    return 0
