"""``python -m geo inspections add|list``: record a field inspection with photos, list inspections
(``--json``: GeoJSON). ``python -m geo visit minutes PLAN_ID OUT.pdf`` is wired in
:mod:`geo.cli.visits` and calls :func:`cmd_minutes`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo import auth, photos, settings
from geo import inspections as insp_ops
from geo.cli import write_out
from geo.errors import InputError
from geo.i18n import pick
from geo.schema import match_status
from geo.store import open_store


def register(sub: Any) -> None:
    p = sub.add_parser("inspections", help="record field inspections (findings, photos) and list them")
    isub = p.add_subparsers(dest="inspections_command", required=True, metavar="ACTION")
    a = isub.add_parser("add", help="record an inspection of a site (a signed-in user: P03_USER, P03_PASSWORD)")
    a.add_argument("site_id", metavar="SITE_ID")
    a.add_argument("--findings", required=True, help="what was seen at the site")
    a.add_argument("--assessment", choices=insp_ops.ASSESSMENTS, default="on_track")
    a.add_argument("--photo", action="append", default=[], metavar="FILE", help="a photo (repeatable; JPEG, "
                   "PNG, HEIC); FILE=CAPTION… is not parsed: use --caption in the same order")
    a.add_argument("--caption", action="append", default=[], help="caption of the n-th --photo (repeatable)")
    a.add_argument("--status", help="proposed status (code or label)")
    a.add_argument("--progress", type=float, help="proposed progress, 0-100")
    a.add_argument("--at", default="", help="when, YYYY-MM-DD HH:MM local time (default now)")
    a.add_argument("--inspector", action="append", default=[], help="an inspector (repeatable; default P03_USER)")
    a.add_argument("--plan", help="the saved visit plan this inspection belongs to")
    a.add_argument("--json", action="store_true", help="print {inspection_id, site_id, photos, warnings}")
    a.set_defaults(func=cmd_add)
    ls = isub.add_parser("list", help="inspections, newest first (--json: GeoJSON FeatureCollection)")
    ls.add_argument("--site", help="of this site id")
    ls.add_argument("--plan", help="of this saved visit plan")
    ls.add_argument("--since", help="on or after this date YYYY-MM-DD")
    ls.add_argument("--json", action="store_true", help="print the inspections as GeoJSON (photos' GPS for "
                    "signed-in users only)")
    ls.set_defaults(func=cmd_list)


def _photos(paths: list[str], captions: list[str]) -> list[photos.Photo]:
    out = []
    for i, name in enumerate(paths):
        path = Path(name)
        if not path.is_file():
            raise InputError("không có tệp này.", "there is no such file.", file=name, field="photo")
        out.append(photos.prepare(path.read_bytes(), path.name, captions[i] if i < len(captions) else ""))
    return out


def cmd_add(args: argparse.Namespace) -> int:
    lang = args.lang or str(settings.get("P03_LANG"))
    store = open_store()
    user = auth.cli_user(store, "inspect")
    status = None
    if args.status:
        status = match_status(args.status)
        if status is None:
            raise InputError(f"không có tình trạng “{args.status}”. Xem `python -m geo schema`.",
                             f"there is no status “{args.status}”. See `python -m geo schema`.", field="status")
    draft = insp_ops.Draft(site_id=args.site_id, findings=args.findings, assessment=args.assessment,
                           inspected_at=args.at, inspectors=args.inspector or [user.label],
                           proposed_status=status, proposed_progress=args.progress, plan_id=args.plan,
                           photos=_photos(args.photo, args.caption))
    _clean, warnings = insp_ops.check(store, draft)
    for w in warnings:  # flagged, not refused
        print(pick(lang, "cảnh báo: ", "warning: ") + w[lang], file=sys.stderr)
    iid = insp_ops.record(store, draft, user)
    if args.json:
        out = {"inspection_id": iid, "site_id": args.site_id,
               "photos": [{"file_name": p.file_name, "sha256": p.sha256, "size_bytes": p.size_bytes,
                           "flags": [f["code"] for f in p.flags]} for p in draft.photos],
               "warnings": [w["code"] for w in warnings]}
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{iid}: {args.site_id}, {len(draft.photos)} photo(s)")
    return 0


def _signed_in() -> auth.User | None:
    """The CLI user when P03_USER is set (their password checked), else None (anonymous)."""
    import os

    return auth.cli_user() if os.environ.get("P03_USER") else None


def cmd_list(args: argparse.Namespace) -> int:
    store = open_store()
    df = store.list_inspections(site_id=args.site, plan_id=args.plan, since=args.since)
    if args.json:
        write_out(insp_ops.to_geojson(store, df, with_gps=_signed_in() is not None), None)
        return 0
    for r in df.itertuples():
        first = str(r.findings).splitlines()[0][:70] if r.findings else ""
        print(f"{r.inspected_at}  {r.inspection_id}  {r.site_id}  {r.assessment:<8}  {r.n_photos} photo(s)  {first}")
    return 0


def cmd_minutes(plan_id: str, out: str) -> int:
    """``visit minutes PLAN_ID OUT.pdf``: the "Biên bản kiểm tra" of a saved visit."""
    from geo import boundaries, minutes

    write_out(minutes.minutes_pdf(open_store(), plan_id, boundaries.get()), out)
    print(f"PDF -> {out}", file=sys.stderr)
    return 0
