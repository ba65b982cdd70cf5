"""Addresses of a visit: the page that reopens a plan (saved, or rebuilt from its query
parameters, as the QR code carries it) and the directions links to each stop."""

from __future__ import annotations

import urllib.parse
from typing import Any

from geo import settings
from geo.errors import InputError
from geo.visits.plan import DEFAULT_DEPART, PRESETS, Plan, Start, parse_latlon
from geo.visits.timetable import Route

#: longest page address put in a QR code; longer unsaved plans link to the bare page
MAX_URL = 1200


def plan_params(plan: Plan) -> dict[str, str]:
    """Query parameters that rebuild an unsaved ``plan`` on the page (stops in order, start, options).

    >>> plan_params(Plan(stop_ids=["a", "b"], return_to_start=True))["sites"]
    'a,b'
    """
    out = {"sites": ",".join(plan.stop_ids), "start": f"{plan.start.lat:.6f},{plan.start.lon:.6f}",
           "depart": plan.depart, "speed": f"{float(plan.speed_kmh):g}", "dwell": f"{float(plan.dwell_min):g}"}
    if plan.return_to_start:
        out["ret"] = "1"
    if plan.visit_date:
        out["date"] = plan.visit_date
    if plan.name:
        out["name"] = plan.name
    return out


def plan_from_params(params: dict[str, Any], lang: str = "vi") -> Plan:
    """The plan :func:`plan_params` describes (raises InputError on a bad value)."""
    def one(key: str, default: str = "") -> str:
        v = params.get(key, default)
        return str(v[-1] if isinstance(v, list) and v else v or default)

    start = Start.preset("ubnd_tp", lang)
    if one("start"):
        lat, lon = parse_latlon(one("start"))
        preset = next((p for p in PRESETS if abs(p.lat - lat) < 1e-5 and abs(p.lon - lon) < 1e-5), None)
        start = Start.preset(preset.key, lang) if preset else Start.coords(lat, lon)
    try:
        speed = float(one("speed", str(settings.get("P03_VISIT_SPEED_KMH"))))
        dwell = float(one("dwell", str(settings.get("P03_VISIT_DWELL_MIN"))))
    except ValueError as exc:
        raise InputError("tốc độ hoặc thời gian dừng trong địa chỉ không phải là số.",
                         "the speed or stop time in the address is not a number.", field="speed") from exc
    return Plan(name=one("name"), visit_date=one("date"), start=start, return_to_start=one("ret") == "1",
                speed_kmh=speed, dwell_min=dwell, depart=one("depart", DEFAULT_DEPART),
                stop_ids=[s for s in one("sites").split(",") if s]).checked()


def plan_url(plan_id: str | None = None, base: str | None = None, plan: Plan | None = None) -> str:
    """The field-visit page under ``P03_PUBLIC_URL``: opening saved ``plan_id``, else rebuilding
    ``plan`` from the address (when short enough), else the bare page."""
    root = (base or str(settings.get("P03_PUBLIC_URL"))).rstrip("/") + "/field_visit"
    if plan_id:
        return root + "?" + urllib.parse.urlencode({"plan": plan_id})
    if plan is not None and plan.stop_ids:
        url = root + "?" + urllib.parse.urlencode(plan_params(plan))
        if len(url) <= MAX_URL:
            return url
    return root


def directions_links(lat: float, lon: float, from_latlon: tuple[float, float] | None = None) -> dict[str, str]:
    """Directions to (lat, lon) in Google Maps, Apple Maps and OpenStreetMap.

    >>> directions_links(21.0, 105.8)["google"]
    'https://www.google.com/maps/dir/?api=1&destination=21.000000%2C105.800000&travelmode=driving'
    """
    dest = f"{lat:.6f},{lon:.6f}"
    osm = {"engine": "fossgis_osrm_car",
           "route": (f"{from_latlon[0]:.6f},{from_latlon[1]:.6f};" if from_latlon else ";") + dest}
    return {
        "google": "https://www.google.com/maps/dir/?" + urllib.parse.urlencode(
            {"api": "1", "destination": dest, "travelmode": "driving"}),
        "apple": "https://maps.apple.com/?" + urllib.parse.urlencode({"daddr": dest, "dirflg": "d"}),
        "osm": "https://www.openstreetmap.org/directions?" + urllib.parse.urlencode(osm),
    }


def stop_links(route: Route) -> list[dict[str, str]]:
    """Directions links per stop, each from the previous stop (the first from the start)."""
    prev = (route.plan.start.lat, route.plan.start.lon)
    out = []
    for s in route.stops:
        out.append(directions_links(s.lat, s.lon, prev))
        prev = (s.lat, s.lon)
    return out
