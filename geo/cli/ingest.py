"""Upload commands: ``import FILE``, ``rollback BATCH_ID``, ``uploads list``.

Exit codes of ``import``: 0 every feature valid (and committed unless ``--dry-run``); 1 some
features rejected (nothing committed unless ``--accept-valid``); 2 the file cannot be read at all;
3 not signed in as an editor (``P03_USER``/``P03_PASSWORD``) when something would be committed.
``rollback`` needs an editor too; checking (``--dry-run``) and ``uploads list`` need no sign-in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geo import auth, ingest, settings
from geo.cli import actor
from geo.errors import InputError
from geo.i18n import Text, pick
from geo.ingest import limits, report
from geo.store import open_store


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="check an upload file and commit its sites as one batch")
    p.add_argument("file", help="GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV or XLSX")
    p.add_argument("--crs", default=None, help="coordinate system of the file, e.g. EPSG:5897 (VN-2000 Hanoi)")
    p.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--accept-valid", action="store_true", help="commit the valid features even when some are rejected")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="use the file's COLUMN for FIELD (name, category, status, lon, lat, geometry...); repeatable")
    p.add_argument("--category", default=None, help="category code for features without one")
    p.add_argument("--on-duplicate", choices=("update", "new", "skip"), default=None,
                   help="what to do with each possible duplicate of a stored site (same name within 1 km, or any "
                        "site within 10 m); default: keep it as a new site")
    p.add_argument("--sync", action="store_true",
                   help="mark (a new version noting it) the stored sites of the file's districts that it lacks; "
                        "nothing is deleted")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("rollback", help="remove the sites an upload batch added")
    p.add_argument("batch_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("uploads", help="upload batches")
    usub = p.add_subparsers(dest="action", required=True)
    ls = usub.add_parser("list", help="list upload batches, newest first")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_uploads_list)


def _lang(args: argparse.Namespace) -> str:
    return str(args.lang or settings.get("P03_LANG"))


def _mapping(args: argparse.Namespace) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for item in args.map:
        fld, sep, col = item.partition("=")
        if not sep or not fld.strip():
            raise InputError(f"--map “{item}” phải có dạng TRƯỜNG=CỘT, ví dụ name=Tên.",
                             f"--map “{item}” must read FIELD=COLUMN, e.g. name=Tên.")
        mapping[fld.strip()] = col.strip()
    if args.category:
        mapping["category_default"] = args.category
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    lang = _lang(args)
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"không tìm thấy tệp {path}.", f"file {path} not found.", file=str(path))
    limits.check_size(path.stat().st_size, path.name)  # before reading a byte of it
    store = open_store()
    result = ingest.check(path.read_bytes(), path.name, crs=args.crs, mapping=_mapping(args), store=store)
    batch_id = None
    unconfirmed = result.crs_source == "guessed" and not args.dry_run
    decided = result.plan.decide(None, args.on_duplicate) if result.plan else None
    counts = decided.counts() if decided else {"new": result.n_valid, "changed": 0, "absent": 0}
    todo = counts["new"] + counts["changed"] + (counts["absent"] if args.sync else 0)
    if todo and not args.dry_run and not unconfirmed and (result.all_valid or args.accept_valid):
        batch_id = ingest.commit(result, store, auth.cli_user(store, "upload"), actor=actor(),
                                 on_duplicate=args.on_duplicate, sync=args.sync)
    out = result.summary(lang)
    out.update(result.diff(decided))
    if unconfirmed:
        out["errors"].insert(0, {"feature": None, "field": "crs", "value": result.crs,
                                 "message": _confirm_crs(result, lang)})
    out.update(committed=batch_id is not None, batch_id=batch_id,
               n_committed=counts["new"] + counts["changed"] if batch_id else 0)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        _print_text(result, out, lang)
    return 0 if result.all_valid and not unconfirmed else 1


def _confirm_crs(result: ingest.CheckResult, lang: str) -> str:
    """Nothing is stored in a guessed CRS: VN-2000 grids that fit the same numbers lie hundreds of
    metres apart, so the user confirms with --crs."""
    return _GUESSED.format(file=result.file_name, crs=result.crs, others=", ".join(result.candidates))(lang)


_GUESSED = Text("Tệp “{file}”, trường “crs”: hệ tọa độ được đoán là {crs}; chưa lưu gì. Hãy xác nhận bằng --crs {crs} "
                "hoặc chọn hệ khác ({others}).",
                "File “{file}”, field “crs”: the coordinate system was guessed as {crs}; nothing was stored. Confirm "
                "it with --crs {crs} or choose another ({others}).")


_SOURCE_VI = {"user": "do người dùng chọn", "file": "theo tệp", "default": "mặc định WGS 84", "guessed": "đoán",
              "none": "không xác định được", "evidence": "chọn theo bằng chứng"}


_ERROR = Text("LỖI: ", "ERROR: ")
_COUNTS = Text("{file}: {n} đối tượng, {valid} hợp lệ, {rejected} bị loại; hệ tọa độ {crs} ({source_vi}).",
               "{file}: {n} features, {valid} valid, {rejected} rejected; CRS {crs} ({source}).")
_COMMITTED = Text("Đã lưu lô {batch}.", "Committed as batch {batch}.")
_NOTHING_NEW = Text("Không có gì mới hay thay đổi; chưa lưu gì.", "Nothing new or changed; nothing committed.")
_NOT_ALL_VALID = Text("Chưa lưu gì (dùng --accept-valid để lưu các đối tượng hợp lệ).",
                      "Nothing committed (use --accept-valid to commit the valid features).")
_DRY_RUN = Text("Chưa lưu gì.", "Nothing committed (dry run).")
_NOTHING = Text("Không có gì để lưu.", "Nothing to commit.")


def _outcome(result: ingest.CheckResult, out: dict[str, Any]) -> Text:
    """What became of the file's features: committed, nothing new, not committed, nothing valid."""
    if out["committed"]:
        return _COMMITTED.format(batch=out["batch_id"])
    if result.n_valid and not out["new"] and not out["changed"]:
        return _NOTHING_NEW
    if result.n_valid:
        return _DRY_RUN if result.all_valid else _NOT_ALL_VALID
    return _NOTHING


def _print_text(result: ingest.CheckResult, out: dict[str, Any], lang: str) -> None:
    lines = [report.text(result.problems, result.file_name, lang)] if result.problems else []
    if out["errors"] and out["errors"][0]["field"] == "crs" and out["errors"][0]["feature"] is None:
        lines.append(_ERROR(lang) + out["errors"][0]["message"])
    lines.append(_COUNTS.format(file=result.file_name, n=result.n_features, valid=result.n_valid,
                                rejected=result.n_rejected, crs=out["crs"] or "-", source=out["crs_source"],
                                source_vi=_SOURCE_VI.get(out["crs_source"], out["crs_source"]))(lang))
    lines += _diff_lines(out, lang)
    lines.append(_outcome(result, out)(lang))
    print("\n".join(lines), file=sys.stdout)


def cmd_rollback(args: argparse.Namespace) -> int:
    store = open_store()
    n = ingest.rollback(store, args.batch_id, auth.cli_user(store, "rollback"), actor=actor())
    if args.json:
        print(json.dumps({"batch_id": args.batch_id, "removed": n}))
    else:
        print(pick(_lang(args), f"Đã hoàn tác lô {args.batch_id}: gỡ {n} công trình.",
                   f"Rolled back batch {args.batch_id}: removed {n} sites."))
    return 0


def cmd_uploads_list(args: argparse.Namespace) -> int:
    df = ingest.uploads(open_store())
    cols = ["batch_id", "created_at", "actor", "kind", "file_name", "n_features", "n_present", "crs", "status",
            "sha256"]
    df = df[cols]
    if args.json:
        print(json.dumps(df.astype(object).where(df.notna(), None).to_dict("records"), ensure_ascii=False,
                         indent=1, default=str))
    elif df.empty:
        print(pick(_lang(args), "(không có lô nào)", "(no batches)"))
    else:
        shown = df.drop(columns="sha256").assign(crs=df["crs"].astype(str).str.slice(0, 16))
        print(shown.to_string(index=False))
    return 0


_DIFF_COUNTS = Text("mới {new}, thay đổi {changed}, không đổi {unchanged}, vắng mặt {absent}, có thể trùng "
                    "{possible_duplicates}.",
                    "new {new}, changed {changed}, unchanged {unchanged}, absent {absent}, possible duplicates "
                    "{possible_duplicates}.")
_MAY_DUPLICATE = Text("  #{feature} có thể trùng với {cands} → {decision} (--on-duplicate)",
                      "  #{feature} may duplicate {cands} → {decision} (--on-duplicate)")


def _diff_lines(out: dict[str, Any], lang: str) -> list[str]:
    """The counts, then each changed feature field by field and each possible duplicate."""
    lines = [_DIFF_COUNTS.format(**{k: out[k] for k in ("new", "changed", "unchanged", "absent",
                                                        "possible_duplicates")})(lang)]
    for m in out["diff"][:200]:
        if m["effect"] == "changed":
            fields = "; ".join(f"{f}: {'' if o is None else o} → {'' if n is None else n}" if f != "geometry"
                               else "geometry" for f, (o, n) in m["changes"].items())
            lines.append(f"  #{m['feature']} {m['site_id']}: {fields}")
        if m["how"] == "possible":
            cands = ", ".join(f"{c['site_id']} “{c['name']}” {c['distance_m']:g} m" for c in m["candidates"][:3])
            lines.append(_MAY_DUPLICATE.format(feature=m["feature"], cands=cands, decision=m["decision"])(lang))
    return lines
