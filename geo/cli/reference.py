"""Reference-layer commands: ``reference import``, ``reference search``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from geo import reference, settings
from geo.errors import ReferenceLayerError


def register(sub: Any) -> None:
    p = sub.add_parser("reference", help="OpenStreetMap reference layers (markets, parks, lakes, ...)")
    rsub = p.add_subparsers(dest="action", required=True)
    imp = rsub.add_parser("import", help="validate and install the reference layers from a folder or http(s) URL")
    imp.add_argument("src", nargs="?", default=None, help="folder or URL (default P03_REFERENCE_SRC)")
    imp.set_defaults(func=cmd_import)
    se = rsub.add_parser("search", help="reference features by name (diacritics ignored)")
    se.add_argument("query")
    se.add_argument("--layer", action="append", default=[], choices=[layer.key for layer in reference.LAYERS])
    se.add_argument("--json", action="store_true")
    se.set_defaults(func=cmd_search)


def setup_reference(force: bool = False) -> str:
    """Import the reference layers at set-up when absent (skipped when P03_REFERENCE_SRC is 'none')."""
    src = str(settings.get("P03_REFERENCE_SRC")).strip()
    if src.lower() in ("", "none", "off"):
        return "reference: skipped (P03_REFERENCE_SRC=none)"
    if reference.installed() and not force:
        return f"reference: present in {settings.reference_dir()}"
    return f"reference: {reference.import_reference(src)}"


def cmd_import(args: argparse.Namespace) -> int:
    for name, n in reference.import_reference(args.src).items():
        print(f"{name}: {n}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    ref = reference.get()
    if ref is None:
        raise ReferenceLayerError("Chưa nhập lớp tham chiếu. Chạy `python -m geo reference import`.",
                                  "No reference layers imported yet. Run `python -m geo reference import`.")
    found = reference.search(ref, args.query, tuple(args.layer))
    rows = [{"layer": r.layer, "name": r.name, "name_en": r.name_en, "kind": r.kind, "osm_id": r.osm_id,
             "lon": round(r.geometry.representative_point().x, 7), "lat": round(r.geometry.representative_point().y, 7)}
            for r in found.itertuples()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['layer']}\t{r['name']}\t{r['lat']}, {r['lon']}")
    return 0
