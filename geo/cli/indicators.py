"""``python -m geo indicators``: every indicator's target, value, progress and status at a date,
optionally by district or 2025 commune, as a table, JSON, or an exported file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from geo import boundaries, fmt, settings
from geo.cli import write_out
from geo.errors import InputError
from geo.indicators import judge, measure, registry
from geo.indicators.progress import Progress, parse_date
from geo.store import Store, open_store


def register(sub: Any) -> None:
    p = sub.add_parser("indicators", help="programme indicators: target, value, progress, status")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="date of the figures (default today)")
    p.add_argument("--by", choices=("district", "commune"), default=None,
                   help="add each indicator's figures per pre-2025 district or 2025 commune")
    p.add_argument("--indicator", action="append", default=[], metavar="CODE", help="only this indicator (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON (UTF-8)")
    p.add_argument("--export", default=None, metavar="FILE",
                   help="write the indicator table to FILE.csv / FILE.xlsx, or the one-page summary to FILE.pdf")
    p.set_defaults(func=cmd_indicators)


def _lang(args: argparse.Namespace) -> str:
    return str(getattr(args, "lang", None) or settings.get("P03_LANG"))


def cmd_indicators(args: argparse.Namespace) -> int:
    store = open_store()
    lang = _lang(args)
    inds = registry.registry(store)
    known = {i.code for i in inds}
    unknown = [c for c in args.indicator if c not in known]
    if unknown:
        raise InputError(f"không có chỉ tiêu {', '.join(unknown)}; có: {', '.join(sorted(known))}.",
                         f"no indicator {', '.join(unknown)}; known: {', '.join(sorted(known))}.",
                         field="--indicator")
    as_of = parse_date(args.as_of, "--as-of")
    sites = store.query_sites()
    every = judge.compute(store, as_of, indicators=inds, sites=sites)
    progress = [p for p in every if not args.indicator or p.indicator.code in args.indicator]
    b = boundaries.get() if (args.by or (args.export or "").lower().endswith((".xlsx", ".pdf"))) else None
    if args.export:
        return _export(store, every if args.export.lower().endswith(".pdf") else progress, b, args, lang, sites)
    rows = [p.to_dict(lang) for p in progress]
    if args.by and b is not None:
        for row, p in zip(rows, progress, strict=True):
            table = measure.by_unit(store, p.indicator, b, args.by, as_of, sites=sites)
            row["by"] = args.by
            row["units"] = _unit_records(table)
    if args.json:
        write_out(json.dumps(rows, ensure_ascii=False, indent=1), None)
    else:
        _print_table(rows, progress, lang)
    return 0


def _unit_records(table: Any) -> list[dict[str, Any]]:
    out = []
    for r in table.to_dict("records"):
        out.append({"code": r["code"], "name": r["name"], "name_en": r["name_en"], "total": int(r["total"]),
                    "count": int(r["count"]), "value": _num(r["value"]), "share": _num(r["share"]),
                    "target": _num(r["target"]), "gap": _num(r["gap"])})
    return out


def _num(x: Any) -> float | int | None:
    if x is None or x != x:  # NaN
        return None
    return int(x) if float(x).is_integer() else round(float(x), 4)


def _print_table(rows: list[dict[str, Any]], progress: list[Progress], lang: str) -> None:
    for row, p in zip(rows, progress, strict=True):
        prog = "-" if row["progress"] is None else f"{row['progress']:.0%}"
        print(f"{row['code']:<6} {p.indicator.target_text(lang):>7} {p.value_text(lang):>8} {prog:>5}  "
              f"{row['status']:<9} {row['title']}")
        for u in row.get("units", []):
            if u["total"] or u["target"] is not None or (u["value"] or 0):
                print(f"         {u['code']:<6} {u['name']:<22} total {u['total']:>3}  done {u['count']:>3}  "
                      f"value {fmt.figure(u['value'], lang)}  pledge {fmt.figure(u['target'], lang)}")


def _export(store: Store, progress: list[Progress], b: boundaries.Boundaries | None,
            args: argparse.Namespace, lang: str, sites: Any) -> int:
    from geo.indicators import report  # fpdf, matplotlib: loaded only for an export

    path = Path(args.export)
    fmt = path.suffix.lower().lstrip(".")
    layer = args.by or "district"
    chosen = [p.indicator for p in progress if p.indicator.code in args.indicator]
    first = chosen[0] if chosen else (progress[0].indicator if progress else None)
    units = measure.by_unit(store, first, b, layer, progress[0].as_of, sites=sites) \
        if (first is not None and b is not None) else None
    if fmt == "csv":
        data = report.to_csv(progress, lang)
    elif fmt == "xlsx":
        data = report.to_xlsx(progress, units, layer, lang)
    elif fmt == "pdf":
        if units is not None and layer != "district" and first is not None and b is not None:
            units = measure.by_unit(store, first, b, "district", progress[0].as_of, sites=sites)
        data = report.summary_pdf(progress, units, first, lang=lang)
    else:
        raise InputError("chỉ xuất được .csv, .xlsx hoặc .pdf.", "only .csv, .xlsx or .pdf can be written.",
                         file=str(path))
    write_out(data, str(path))
    print(f"{len(progress)} indicators -> {path}")
    return 0
