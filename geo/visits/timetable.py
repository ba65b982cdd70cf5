"""A plan made concrete: the visit points in order, each leg's distance and the times of arrival
and departure (the timetable), and the shortest order of a plan's stops."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from geo import fmt
from geo.errors import InputError
from geo.i18n import t
from geo.maps.colors import HIGHLIGHT
from geo.visits.plan import Plan, parse_date, parse_hhmm
from geo.visits.solver import approach_points, best_order, distance_matrix, haversine_km, nearest_on

ROUTE_COLOR = HIGHLIGHT  # the route on maps, the brief and the PDF (geo/maps/colors.py)


@dataclass
class RouteStop:
    """One stop of a computed route."""

    seq: int
    site_id: str
    name: str
    lat: float
    lon: float
    leg_km: float
    drive_min: float
    arrive: dt.datetime
    depart: dt.datetime


@dataclass
class Route:
    """A plan made concrete: visit points, legs and times."""

    plan: Plan
    stops: list[RouteStop]
    return_km: float | None
    back_at: dt.datetime | None

    @property
    def total_km(self) -> float:
        return sum(s.leg_km for s in self.stops) + (self.return_km or 0.0)

    @property
    def total_minutes(self) -> float:
        if not self.stops:
            return 0.0
        end = self.back_at or self.stops[-1].depart
        return (end - _depart_at(self.plan)).total_seconds() / 60

    def path(self) -> list[tuple[float, float]]:
        """(lat, lon) from the start through every stop (and back when the plan returns)."""
        start = (self.plan.start.lat, self.plan.start.lon)
        pts = [start, *((s.lat, s.lon) for s in self.stops)]
        return pts + [start] if self.plan.return_to_start and self.stops else pts

    def summary(self) -> dict[str, Any]:
        """The CLI's ``--json`` object."""
        return {
            "stops": [{"id": s.site_id, "name": s.name, "lat": round(s.lat, 6), "lon": round(s.lon, 6),
                       "leg_km": round(s.leg_km, 3), "arrive": s.arrive.strftime("%H:%M")} for s in self.stops],
            "total_km": round(self.total_km, 3),
            "total_minutes": round(self.total_minutes, 1),
        }


def _depart_at(plan: Plan) -> dt.datetime:
    day = parse_date(plan.visit_date) if plan.visit_date else dt.date.today()
    return dt.datetime.combine(day, parse_hhmm(plan.depart))


def _sites_in_plan_order(plan: Plan, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    by_id = sites.drop_duplicates("id").set_index("id", drop=False)
    missing = [s for s in plan.stop_ids if s not in by_id.index]
    if missing:
        raise InputError(f"không còn công trình {', '.join(missing[:5])} trong kho; bỏ chúng khỏi kế hoạch.",
                         f"sites {', '.join(missing[:5])} are no longer in the store; remove them from the plan.",
                         field="stop_ids")
    return by_id.loc[list(dict.fromkeys(plan.stop_ids))]


def optimise(plan: Plan, sites: gpd.GeoDataFrame) -> Plan:
    """``plan`` with ``stop_ids`` in the shortest order from its start (a start site stays first)."""
    plan.checked()
    chosen = _sites_in_plan_order(plan, sites)
    pinned = [plan.start.key] if plan.start.kind == "site" and plan.start.key in chosen.index else []
    rest = chosen.drop(index=pinned)
    pts = approach_points(rest.geometry.to_numpy(), plan.start.lat, plan.start.lon)
    lat = np.concatenate([[plan.start.lat], pts[:, 0]])
    lon = np.concatenate([[plan.start.lon], pts[:, 1]])
    order = best_order(distance_matrix(lat, lon), closed=plan.return_to_start)
    ids = [str(rest.index[i - 1]) for i in order]
    return Plan(**{**plan.__dict__, "stop_ids": pinned + ids})


def compute_route(plan: Plan, sites: gpd.GeoDataFrame) -> Route:
    """Legs and times of ``plan`` in its current stop order (see :func:`optimise` for the best one).

    ``sites`` must hold every stop (more is fine). A line or polygon is visited at its point
    nearest the previous stop.
    """
    plan.checked()
    chosen = _sites_in_plan_order(plan, sites)
    clock = _depart_at(plan)
    here = (plan.start.lat, plan.start.lon)
    stops = []
    for seq, (_, row) in enumerate(chosen.iterrows(), start=1):
        lat, lon = nearest_on(row.geometry, *here)
        leg = float(haversine_km(here[0], here[1], lat, lon))
        drive = leg / float(plan.speed_kmh) * 60
        arrive = clock + dt.timedelta(minutes=drive)
        clock = arrive + dt.timedelta(minutes=float(plan.dwell_min))
        stops.append(RouteStop(seq, str(row["id"]), str(row["name"]), lat, lon, leg, drive, arrive, clock))
        here = (lat, lon)
    return_km = back_at = None
    if plan.return_to_start and stops:
        return_km = float(haversine_km(here[0], here[1], plan.start.lat, plan.start.lon))
        back_at = clock + dt.timedelta(minutes=return_km / float(plan.speed_kmh) * 60)
    return Route(plan, stops, return_km, back_at)


def total_line(route: Route, lang: str = "vi") -> str:
    """"Total: 3.2 km, 1 h 40 min (stops included)." in ``lang`` (the page, the brief, the CLI)."""
    return t("visit_total", lang).format(km=fmt.km(route.total_km, lang),
                                         duration=fmt.duration(route.total_minutes, lang))


def back_line(route: Route, lang: str = "vi") -> str:
    """"Back at the start at 11:05 (2.3 km)." for a route that returns, else ""."""
    if route.back_at is None or route.return_km is None:
        return ""
    return t("visit_back_at", lang).format(time=f"{route.back_at:%H:%M}", km=fmt.km(route.return_km, lang))
