"""``python -m geo where LAT LON``: the district and 2025 commune containing a point. It imports
only :mod:`geo.locate` (json and shapely, no geopandas) so that it answers in a fraction of a second."""

from __future__ import annotations

import argparse
import json
from typing import Any

from geo import locate


def register(sub: Any) -> None:
    p = sub.add_parser("where", help="district and 2025 commune containing a point")
    p.add_argument("lat", type=float)
    p.add_argument("lon", type=float)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_where)


def cmd_where(args: argparse.Namespace) -> int:
    found = locate.where(args.lat, args.lon)
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
        return 0
    d, c = found["district"], found["commune"]
    print(f"district: {d['code']} {d['type']} {d['name']}")
    print(f"commune:  {c['code']} {c['type']} {c['name']}" if c else "commune:  -")
    return 0
