"""Field visits: which sites, in what order, at what time, and how to take the route along.

One job per module:

- :mod:`~geo.visits.plan` — the plan people make (start presets, the start, values and checks)
- :mod:`~geo.visits.solver` — great-circle distances and the shortest visiting order
- :mod:`~geo.visits.timetable` — the route: visit points, legs and times; the suggested order
- :mod:`~geo.visits.draft` — the plan being drafted on the page: the form, stop edits, the order
- :mod:`~geo.visits.links` — the page address of a plan (QR code) and directions links
- :mod:`~geo.visits.exports` — GPX and KML files
- :mod:`~geo.visits.saved` — saving, copying, deleting and opening stored plans (with the role check)
- :mod:`~geo.visits.brief`, :mod:`~geo.visits.brief_maps` — the printable brief (PDF, HTML) and
  its pictures (matplotlib, fpdf2: import them only where a brief is made)

The route on the web map is drawn by :mod:`geo.maps.route`. This package's public API is exposed
here (``from geo import visits; visits.compute_route(...)``) except ``saved`` and the brief, which
callers import as modules.
"""

from geo.visits.exports import file_stem, to_gpx, to_kml
from geo.visits.links import MAX_URL, directions_links, plan_from_params, plan_params, plan_url, stop_links
from geo.visits.plan import (
    DEFAULT_DEPART,
    MAX_STOPS,
    PLAN_VERSION,
    PRESET_BY_KEY,
    PRESETS,
    Plan,
    Preset,
    Start,
    new_plan,
    parse_date,
    parse_hhmm,
    parse_latlon,
)
from geo.visits.solver import EXACT_MAX, approach_points, best_order, distance_matrix, haversine_km, path_length
from geo.visits.timetable import ROUTE_COLOR, Route, RouteStop, back_line, compute_route, optimise, total_line

__all__ = [
    "DEFAULT_DEPART", "EXACT_MAX", "MAX_STOPS", "MAX_URL", "PLAN_VERSION", "PRESETS", "PRESET_BY_KEY", "ROUTE_COLOR",
    "Plan", "Preset", "Route", "RouteStop", "Start", "approach_points", "back_line", "best_order", "compute_route",
    "directions_links", "distance_matrix", "file_stem", "haversine_km", "new_plan", "optimise", "parse_date",
    "parse_hhmm", "parse_latlon", "path_length", "plan_from_params", "plan_params", "plan_url", "stop_links",
    "to_gpx", "to_kml", "total_line",
]
