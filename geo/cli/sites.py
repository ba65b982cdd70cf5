"""``sites list`` and ``sites export`` (and, from geo.cli.edits, show/edit/history/restore/
delete/undelete); :func:`site_filter` turns the filter options into a SiteFilter."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo import boundaries
from geo import sites as site_ops
from geo.cli import write_out
from geo.store import SiteFilter, open_store


def register(sub: Any) -> None:
    p = sub.add_parser("sites", help="list or export sites")
    ssub = p.add_subparsers(dest="action", required=True)
    ls = ssub.add_parser("list", help="list sites")
    _filters(ls)
    ls.add_argument("--json", action="store_true", help="a GeoJSON FeatureCollection (UTF-8)")
    ls.set_defaults(func=cmd_sites_list)
    ex = ssub.add_parser("export", help="export sites to a file")
    ex.add_argument("--format", choices=site_ops.EXPORT_FORMATS, required=True)
    ex.add_argument("out", help="output file, '-' for stdout")
    _filters(ex)
    ex.set_defaults(func=cmd_sites_export)
    from geo.cli.edits import register_sites

    register_sites(ssub)  # show, edit, history, restore, delete, undelete


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", help="pre-2025 district name or code")
    p.add_argument("--commune", help="2025 commune/ward name or code")
    p.add_argument("--category", action="append", default=[], help="category code (repeatable)")
    p.add_argument("--status", action="append", default=[], help="status code (repeatable)")


def site_filter(args: argparse.Namespace) -> SiteFilter:
    """The SiteFilter for --district/--commune/--category/--status options."""
    district = commune = None
    if getattr(args, "district", None) or getattr(args, "commune", None):
        b = boundaries.get()
        if args.district:
            district = str(boundaries.find_unit(b, "district", args.district)["code"])
        if args.commune:
            commune = str(boundaries.find_unit(b, "commune", args.commune)["code"])
    return SiteFilter(district=district, commune=commune, categories=tuple(getattr(args, "category", ()) or ()),
                      statuses=tuple(getattr(args, "status", ()) or ()))


def cmd_sites_list(args: argparse.Namespace) -> int:
    gdf = open_store().query_sites(site_filter(args))
    if args.json:
        write_out(json.dumps(site_ops.to_feature_collection(gdf), ensure_ascii=False), None)
        return 0
    if gdf.empty:
        print("(no sites)", file=sys.stderr)
        return 0
    df = gdf[["id", "name", "category", "status", "district_codes", "commune_codes"]]
    print(df.to_string(index=False))
    return 0


def cmd_sites_export(args: argparse.Namespace) -> int:
    gdf = open_store().query_sites(site_filter(args))
    write_out(site_ops.export(gdf, args.format), args.out)
    if args.out not in (None, "-"):
        print(f"{len(gdf)} sites -> {args.out}", file=sys.stderr)
    return 0
