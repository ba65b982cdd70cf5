"""``python -m geo visit``: order a field visit through chosen sites; print it, or write the PDF
brief, GPX and KML."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import geopandas as gpd

from geo import boundaries, settings, visits
from geo.cli import write_out
from geo.cli.sites import site_filter
from geo.errors import InputError, NotFound
from geo.schema import match_category, match_status
from geo.store import SiteFilter, open_store


def register(sub: Any) -> None:
    p = sub.add_parser("visit", help="order a field visit through sites; print it or write PDF/GPX/KML",
                       description="Suggest the shortest order through the chosen sites (great-circle distance) "
                       "from --start, with each leg's distance and arrival time.")
    p.add_argument("minutes", nargs="?", choices=["minutes"], metavar="minutes PLAN_ID OUT.pdf",
                   help="instead: write the inspection minutes (Biên bản kiểm tra) of a saved visit plan")
    p.add_argument("minutes_args", nargs="*", help=argparse.SUPPRESS)
    which = p.add_mutually_exclusive_group(required=False)  # required unless `visit minutes`: see cmd_visit
    which.add_argument("--sites", help="site ids, comma-separated (ID[,ID...])")
    which.add_argument("--district", help="every site in this pre-2025 district (name or code)")
    which.add_argument("--commune", help="every site in this 2025 commune/ward (name or code)")
    p.add_argument("--category", action="append", default=[], help="with --district/--commune: category "
                   "(code or label, repeatable)")
    p.add_argument("--status", action="append", default=[], help="with --district/--commune: status (repeatable)")
    p.add_argument("--start",
                   help="LAT,LON of the start, or a preset: " + ", ".join(visits.PRESET_BY_KEY))
    p.add_argument("--return", dest="return_to_start", action="store_true", help="come back to the start")
    p.add_argument("--keep-order", action="store_true", help="visit --sites in the order given (no optimising)")
    p.add_argument("--speed", type=float, default=None, help="average km/h over straight-line distance "
                   "(default P03_VISIT_SPEED_KMH)")
    p.add_argument("--dwell", type=float, default=None, help="minutes at each stop (default P03_VISIT_DWELL_MIN)")
    p.add_argument("--depart", default=visits.DEFAULT_DEPART, help="departure time HH:MM (default 08:00)")
    p.add_argument("--date", default="", help="visit date YYYY-MM-DD (for the brief)")
    p.add_argument("--name", default="", help="title of the brief")
    p.add_argument("--participant", action="append", default=[], help="a participant (repeatable)")
    p.add_argument("--pdf", metavar="OUT.pdf", help="write the printable brief")
    p.add_argument("--gpx", metavar="OUT.gpx", help="write the route as GPX")
    p.add_argument("--kml", metavar="OUT.kml", help="write the route as KML")
    p.add_argument("--json", action="store_true",
                   help="print {stops: [{id, name, lat, lon, leg_km, arrive}], total_km, total_minutes}")
    p.set_defaults(func=cmd_visit)


def _start(text: str, lang: str) -> visits.Start:
    if text.strip() in visits.PRESET_BY_KEY:
        return visits.Start.preset(text.strip(), lang)
    lat, lon = visits.parse_latlon(text)
    return visits.Start.coords(lat, lon)


def _codes(values: list[str], match: Any, what: str) -> list[str]:
    out = []
    for v in values:
        code = match(v)
        if code is None:
            raise InputError(f"không có {what} “{v}”. Xem `python -m geo schema`.",
                             f"there is no {what} “{v}”. See `python -m geo schema`.", field=what)
        out.append(code)
    return out


def _chosen_sites(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, list[str]]:
    store = open_store()
    if args.sites:
        ids = list(dict.fromkeys(s.strip() for s in args.sites.split(",") if s.strip()))
        sites = store.query_sites(SiteFilter(ids=ids))
        missing = [i for i in ids if i not in set(sites["id"])]
        if missing:
            raise NotFound("công trình", "site", ", ".join(missing))
        return sites, ids
    args.category = _codes(args.category, match_category, "category")
    args.status = _codes(args.status, match_status, "status")
    sites = store.query_sites(site_filter(args))
    if sites.empty:
        raise InputError("không có công trình nào khớp bộ lọc; nới bộ lọc ra.",
                         "no site matches the filters; widen them.", field="district")
    return sites, list(sites["id"])


def build_route(args: argparse.Namespace, lang: str) -> tuple[visits.Route, gpd.GeoDataFrame]:
    """The route the ``visit`` arguments ask for, and the sites it visits."""
    sites, ids = _chosen_sites(args)
    extra: dict[str, Any] = {}
    if args.speed is not None:
        extra["speed_kmh"] = args.speed
    if args.dwell is not None:
        extra["dwell_min"] = args.dwell
    plan = visits.new_plan(lang, name=args.name, visit_date=args.date, participants=args.participant,
                           start=_start(args.start, lang), return_to_start=args.return_to_start,
                           depart=args.depart, stop_ids=ids, **extra)
    if not (args.keep_order and args.sites):
        plan = visits.optimise(plan, sites)
    return visits.compute_route(plan, sites), sites


def _print_table(route: visits.Route, lang: str) -> None:
    start = route.plan.start
    where = f"{start.lat:.6f}, {start.lon:.6f}"
    print(f" 0  {route.plan.depart}  {'':>8}  " + (where if start.kind == "coords" else f"{start.label} ({where})"))
    for s in route.stops:
        print(f"{s.seq:>2}  {s.arrive:%H:%M}  {s.leg_km:>5.2f} km  {s.site_id}  {s.name}")
    if route.return_km is not None and route.back_at is not None:
        print(f" ↩  {route.back_at:%H:%M}  {route.return_km:>5.2f} km  {start.label}")
    print(visits.total_line(route, lang))


def cmd_visit(args: argparse.Namespace) -> int:
    lang = args.lang or str(settings.get("P03_LANG"))
    if args.minutes:
        if len(args.minutes_args) != 2:
            raise InputError("viết `visit minutes MÃ_KẾ_HOẠCH TỆP.pdf`.", "write `visit minutes PLAN_ID OUT.pdf`.")
        from geo.cli.inspections import cmd_minutes

        return cmd_minutes(*args.minutes_args)
    if not (args.sites or args.district or args.commune) or not args.start:
        raise InputError("cần --sites, --district hoặc --commune, và --start.",
                         "give --sites, --district or --commune, and --start.")
    route, sites = build_route(args, lang)
    if args.pdf:
        from geo.visits import brief  # matplotlib and fpdf2 only when a brief is asked for

        write_out(brief.brief_pdf(route, sites, boundaries.get(), lang=lang), args.pdf)
        print(f"PDF -> {args.pdf}", file=sys.stderr)
    if args.gpx:
        write_out(visits.to_gpx(route, lang), args.gpx)
        print(f"GPX -> {args.gpx}", file=sys.stderr)
    if args.kml:
        write_out(visits.to_kml(route, lang), args.kml)
        print(f"KML -> {args.kml}", file=sys.stderr)
    if args.json:
        write_out(json.dumps(route.summary(), ensure_ascii=False), None)
    else:
        _print_table(route, lang)
    return 0
