"""Site commands that show and change one site: ``sites show|edit|history|restore|delete|undelete``
(registered under ``sites`` by :mod:`geo.cli.sites`).

Every change signs in as an editor (``P03_USER``/``P03_PASSWORD``) and goes through
:mod:`geo.edits`. Exit codes: 0 done; 1 refused (an invalid value, a missing reason, a conflict
with a newer version, no such site or version); 2 bad arguments; 3 not signed in as an editor.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import shapely

from geo import auth, settings
from geo.cli import actor
from geo.errors import InputError
from geo.i18n import pick
from geo.schema import FIELDS
from geo.store import open_store

_EDITABLE = tuple(f.name for f in FIELDS if not f.derived and f.name != "id")


def register_sites(ssub: Any) -> None:
    """Add the one-site commands to the ``sites`` sub-parsers."""
    p = ssub.add_parser("show", help="one site with its version")
    p.add_argument("site_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = ssub.add_parser("edit", help="change fields of a site (a new version; editors)")
    p.add_argument("site_id")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True,
                   help=f"a new value (empty clears it); fields: {', '.join(_EDITABLE)} (geometry as WKT)")
    p.add_argument("--reason", default=None, help="why (required when the status changes)")
    p.add_argument("--expected-version", type=int, default=None,
                   help="refuse when the stored version is not this one (default: the one stored now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_edit)
    p = ssub.add_parser("history", help="every version of a site, oldest first")
    p.add_argument("site_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)
    p = ssub.add_parser("restore", help="make a site as it was at VERSION again (a new version; editors)")
    p.add_argument("site_id")
    p.add_argument("version", type=int)
    p.add_argument("--reason", default=None)
    p.set_defaults(func=cmd_restore)
    p = ssub.add_parser("delete", help="take a site off the map, restorable (editors)")
    p.add_argument("site_id")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_delete)
    p = ssub.add_parser("undelete", help="put a deleted site back (editors)")
    p.add_argument("site_id")
    p.add_argument("--reason", default=None)
    p.set_defaults(func=cmd_undelete)


def _say(args: argparse.Namespace, vi: str, en: str) -> None:
    """Print the outcome in the CLI's language (``--lang``, else ``P03_LANG``)."""
    print(pick(str(args.lang or settings.get("P03_LANG")), vi, en))


def _plain(site: dict[str, Any]) -> dict[str, Any]:
    """A site as JSON: geometry as GeoJSON, numbers as numbers."""
    out = {k: v for k, v in site.items() if k != "geometry"}
    geom = site.get("geometry")
    out["geometry"] = json.loads(shapely.to_geojson(geom)) if geom is not None else None
    return out


def _print_site(site: dict[str, Any]) -> None:
    width = max(len(k) for k in site)
    for key, value in site.items():
        shown = value.wkt if key == "geometry" and value is not None else ("" if value is None else value)
        print(f"{key:<{width}}  {shown}")


def _editor(store: Any) -> auth.User:
    return auth.cli_user(store, "edit_site")  # geo.edits checks the role


def cmd_show(args: argparse.Namespace) -> int:
    site = open_store().get_site(args.site_id, include_deleted=True)
    if args.json:
        print(json.dumps(_plain(site), ensure_ascii=False, indent=1, default=str))
    else:
        _print_site(site)
    return 0


def _changes(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        fld, sep, value = item.partition("=")
        if not sep or not fld.strip():
            raise InputError(f"--set “{item}” phải có dạng TRƯỜNG=GIÁ_TRỊ, ví dụ status=completed.",
                             f"--set “{item}” must read FIELD=VALUE, e.g. status=completed.")
        out[fld.strip()] = value.strip() or None
    return out


def cmd_edit(args: argparse.Namespace) -> int:
    from geo import edits

    store = open_store()
    changes = _changes(args.set)
    user = _editor(store)
    site = edits.edit_site(store, args.site_id, changes, user=user, expected_version=args.expected_version,
                           reason=args.reason, source="cli", actor=actor())
    if args.json:
        print(json.dumps(_plain(site), ensure_ascii=False, indent=1, default=str))
    else:
        _say(args, f"Đã lưu {args.site_id}, phiên bản {site['version']}.",
             f"Saved {args.site_id}, version {site['version']}.")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from geo import edits

    history = edits.site_history(open_store(), args.site_id)
    if args.json:
        out = [{**h, "site": _plain(h["site"])} for h in history]
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return 0
    for h in history:
        what = " [deleted]" if h["deleted"] else ""
        via = f" batch {h['batch_id']}" if h["batch_id"] else ""
        print(f"v{h['version']}  {h['at']}  {h['actor']}  {h['source']}{via}{what}"
              + (f"  — {h['reason']}" if h["reason"] else ""))
        for fld, (old, new) in h["changes"].items():
            if fld != "geometry":
                print(f"      {fld}: {'' if old is None else old} → {'' if new is None else new}")
            else:
                print("      geometry: changed")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from geo import edits

    store = open_store()
    user = _editor(store)
    current = store.get_site(args.site_id, include_deleted=True)["version"]
    site = edits.restore_version(store, args.site_id, args.version, user=user, expected_version=current,
                                 reason=args.reason, actor=actor())
    _say(args, f"Đã khôi phục {args.site_id} về phiên bản {args.version} (phiên bản mới {site['version']}).",
         f"Restored {args.site_id} to version {args.version} (new version {site['version']}).")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from geo import edits

    store = open_store()
    user = _editor(store)
    version = store.get_site(args.site_id)["version"]
    edits.delete_site(store, args.site_id, user=user, reason=args.reason, expected_version=version, source="cli",
                      actor=actor())
    _say(args, f"Đã xóa {args.site_id} (khôi phục được: sites undelete {args.site_id}).",
         f"Deleted {args.site_id} (restorable: sites undelete {args.site_id}).")
    return 0


def cmd_undelete(args: argparse.Namespace) -> int:
    from geo import edits

    store = open_store()
    user = _editor(store)
    site = edits.undelete_site(store, args.site_id, user=user, reason=args.reason, actor=actor())
    _say(args, f"Đã khôi phục {args.site_id} (phiên bản {site['version']}).",
         f"Undeleted {args.site_id} (version {site['version']}).")
    return 0
