"""Field visits: the plan, the route through its sites, the timetable, GPX/KML, directions links.

Distances are great-circle (haversine) distances between visit points. The order is exact
(Held-Karp dynamic programming) for up to :data:`EXACT_MAX` stops and a nearest-neighbour tour
improved by 2-opt and Or-opt moves (with a few seeded perturbations) for more. A point site is
visited at the point; a line or polygon at its point nearest the previous stop (for ordering, its
point nearest the start).

>>> round(haversine_km(21.0, 105.8, 22.0, 105.8), 1)  # one degree of latitude
111.2
>>> best_order(np.array([[0, 1, 5], [1, 0, 4], [5, 4, 0]]), closed=False)
[1, 2]
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import settings
from geo.errors import InputError
from geo.i18n import t

EARTH_RADIUS_KM = 6371.0088
#: largest number of stops ordered exactly (Held-Karp, 2^n·n² steps: 0.02 s at 10, 0.07 s at 12)
EXACT_MAX = 12
#: most stops a plan may hold
MAX_STOPS = 200
DEFAULT_DEPART = "08:00"
ROUTE_COLOR = "#d7301f"  # the route on maps, the brief and the PDF
PLAN_VERSION = 1


@dataclass(frozen=True)
class Preset:
    """A named start point."""

    key: str
    vi: str
    en: str
    lat: float
    lon: float

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


#: Start presets. UBND TP: the city People's Committee at 79 Đinh Tiên Hoàng (quận Hoàn Kiếm).
PRESETS: tuple[Preset, ...] = (
    Preset("ubnd_tp", "UBND Thành phố Hà Nội, 79 Đinh Tiên Hoàng", "Hanoi People's Committee, 79 Dinh Tien Hoang",
           21.0300, 105.8530),
)
PRESET_BY_KEY = {p.key: p for p in PRESETS}


# ---------------------------------------------------------------- distances and order


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in km (numpy-broadcast over its arguments)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def distance_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (km) between points given by ``lat``/``lon`` arrays."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    return np.asarray(haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]))


def path_length(dist: np.ndarray, order: list[int], closed: bool) -> float:
    """Length of start (index 0) → ``order`` (→ start when ``closed``) in ``dist``."""
    seq = [0, *order, 0] if closed else [0, *order]
    return float(sum(dist[a, b] for a, b in itertools.pairwise(seq)))


def best_order(dist: np.ndarray, *, closed: bool, exact_max: int = EXACT_MAX, seed: int = 0) -> list[int]:
    """The visiting order of nodes 1..n from node 0 (the start) that makes the route shortest.

    Parameters
    ----------
    dist
        (n+1)×(n+1) distances; row/column 0 is the start.
    closed
        Whether the route returns to the start.
    exact_max
        Up to this many stops the order is exact (Held-Karp); above it, a heuristic.
    seed
        Seed of the heuristic's perturbations (the result is deterministic).
    """
    n = len(dist) - 1
    if n <= 1:
        return list(range(1, n + 1))
    if n <= exact_max:
        return _held_karp(np.asarray(dist, dtype=float), closed)
    return _heuristic(np.asarray(dist, dtype=float), closed, seed)


def _held_karp(dist: np.ndarray, closed: bool) -> list[int]:
    n = len(dist) - 1
    inner = dist[1:, 1:]
    full = (1 << n) - 1
    dp = np.full((1 << n, n), np.inf)
    parent = np.full((1 << n, n), -1, dtype=np.int64)
    bits = 1 << np.arange(n)
    dp[bits, np.arange(n)] = dist[0, 1:]
    for mask in range(1, full + 1):
        if mask & (mask - 1) == 0:
            continue
        js = np.flatnonzero(mask & bits)
        cand = dp[mask ^ bits[js]] + inner[:, js].T  # cand[i, k]: reach k without js[i], then go to js[i]
        k = np.argmin(cand, axis=1)
        dp[mask, js] = cand[np.arange(len(js)), k]
        parent[mask, js] = k
    last = dp[full] + (dist[1:, 0] if closed else 0.0)
    j, mask, order = int(np.argmin(last)), full, []
    while j >= 0:
        order.append(j + 1)
        mask, j = mask ^ (1 << j), int(parent[mask, j])
    return order[::-1]


def _heuristic(dist: np.ndarray, closed: bool, seed: int) -> list[int]:
    """Nearest neighbour, then 2-opt + Or-opt, then seeded double-bridge kicks (kept if better)."""
    n = len(dist) - 1
    # node n+1 closes the path: a copy of the start when closed, a free end (all zeros) when open
    m = np.zeros((n + 2, n + 2))
    m[: n + 1, : n + 1] = dist
    if closed:
        m[n + 1, : n + 1] = dist[0]
        m[: n + 1, n + 1] = dist[:, 0]
    tour = _local_search(m, np.array([0, *_nearest_neighbour(dist), n + 1]))
    best, best_len = tour, _length(m, tour)
    rng = np.random.default_rng(seed)
    for _ in range(max(8, min(50, 1500 // n))):
        cand = _local_search(m, _double_bridge(best, rng))
        cand_len = _length(m, cand)
        if cand_len < best_len - 1e-12:
            best, best_len = cand, cand_len
    return [int(v) for v in best[1:-1]]


def _length(m: np.ndarray, tour: np.ndarray) -> float:
    return float(m[tour[:-1], tour[1:]].sum())


def _nearest_neighbour(dist: np.ndarray) -> list[int]:
    left = set(range(1, len(dist)))
    order, here = [], 0
    while left:
        idx = np.fromiter(left, dtype=np.int64)
        here = int(idx[np.argmin(dist[here, idx])])
        order.append(here)
        left.remove(here)
    return order


def _double_bridge(tour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    inner = tour[1:-1]
    if len(inner) < 8:
        return tour.copy()
    a, b, c = sorted(rng.choice(np.arange(1, len(inner)), size=3, replace=False))
    return np.concatenate([tour[:1], inner[:a], inner[c:], inner[b:c], inner[a:b], tour[-1:]])


def _local_search(m: np.ndarray, tour: np.ndarray) -> np.ndarray:
    tour = tour.copy()
    while _two_opt(m, tour) | _or_opt(m, tour):
        pass
    return tour


def _two_opt(m: np.ndarray, tour: np.ndarray) -> bool:
    """Reverse segments while that shortens the path (endpoints fixed). In place."""
    last = len(tour) - 1
    changed = False
    for i in range(1, last - 1):
        a, b = tour[i - 1], tour[i]
        js = np.arange(i + 1, last)
        c, e = tour[js], tour[js + 1]
        delta = m[a, c] + m[b, e] - m[a, b] - m[c, e]
        k = int(np.argmin(delta))
        if delta[k] < -1e-10:
            j = int(js[k])
            tour[i : j + 1] = tour[i : j + 1][::-1].copy()
            changed = True
    return changed


def _or_opt(m: np.ndarray, tour: np.ndarray) -> bool:
    """Move runs of 1-3 stops (either way round) to a better place. In place."""
    changed = False
    for length in (1, 2, 3):
        i = 1
        while i + length < len(tour):
            seg = tour[i : i + length].copy()
            p, q = tour[i - 1], tour[i + length]
            gain = m[p, seg[0]] + m[seg[-1], q] - m[p, q]
            rest = np.concatenate([tour[:i], tour[i + length :]])
            u, v = rest[:-1], rest[1:]
            fwd = m[u, seg[0]] + m[seg[-1], v] - m[u, v]
            rev = m[u, seg[-1]] + m[seg[0], v] - m[u, v]
            cost = np.minimum(fwd, rev)
            k = int(np.argmin(cost))
            if cost[k] < gain - 1e-10:
                piece = seg if fwd[k] <= rev[k] else seg[::-1]
                tour[:] = np.concatenate([rest[: k + 1], piece, rest[k + 1 :]])
                changed = True
            i += 1
    return changed


# ---------------------------------------------------------------- visit points


def _nearest_on(geom: shapely.Geometry, lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) of the point of ``geom`` nearest to (lat, lon), measured with longitude scaled
    by cos(latitude) so that the plane is locally true to scale."""
    if shapely.get_type_id(geom) == 0:
        return float(geom.y), float(geom.x)
    k = math.cos(math.radians(lat))
    scaled = shapely.transform(geom, lambda xy: xy * np.array([k, 1.0]))
    near = shapely.ops.nearest_points(scaled, shapely.Point(lon * k, lat))[0]
    return float(near.y), float(near.x) / k


def approach_points(geoms: Any, lat: float, lon: float) -> np.ndarray:
    """(lat, lon) rows: each site's point nearest to (lat, lon); points are themselves."""
    return np.array([_nearest_on(g, lat, lon) for g in np.asarray(geoms, dtype=object)], dtype=float).reshape(-1, 2)


# ---------------------------------------------------------------- the plan


@dataclass
class Start:
    """Where the route begins: a preset, a site, or coordinates."""

    kind: str = "preset"  # preset | site | coords
    key: str = "ubnd_tp"  # the preset key, or the site id for kind "site"
    lat: float = PRESETS[0].lat
    lon: float = PRESETS[0].lon
    label: str = PRESETS[0].vi

    @classmethod
    def preset(cls, key: str = "ubnd_tp", lang: str = "vi") -> Start:
        p = PRESET_BY_KEY.get(key)
        if p is None:
            raise InputError(f"không có điểm xuất phát “{key}”; chọn {', '.join(PRESET_BY_KEY)}.",
                             f"there is no start preset “{key}”; choose {', '.join(PRESET_BY_KEY)}.",
                             field="start")
        return cls("preset", key, p.lat, p.lon, p.label(lang))

    @classmethod
    def coords(cls, lat: float, lon: float, label: str = "") -> Start:
        _check_latlon(lat, lon)
        return cls("coords", "", float(lat), float(lon), label or f"{lat:.5f}, {lon:.5f}")


@dataclass
class Plan:
    """A field visit as people plan it; what is saved in the store (``plan_json``)."""

    name: str = ""
    visit_date: str = ""  # YYYY-MM-DD
    participants: list[str] = field(default_factory=list)
    start: Start = field(default_factory=Start)
    return_to_start: bool = False
    speed_kmh: float = 20.0
    dwell_min: float = 30.0
    depart: str = DEFAULT_DEPART  # HH:MM
    stop_ids: list[str] = field(default_factory=list)
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"version": PLAN_VERSION, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """A plan from its saved form; unknown keys are ignored, values checked."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        start = known.pop("start", None) or {}
        plan = cls(**known, start=Start(**{k: v for k, v in start.items() if k in Start.__dataclass_fields__}))
        plan.participants = [str(p) for p in (plan.participants or []) if str(p).strip()]
        plan.stop_ids = [str(s) for s in plan.stop_ids or []]
        return plan.checked()

    def checked(self) -> Plan:
        """This plan, after checking its values (raises InputError naming the field)."""
        _check_latlon(self.start.lat, self.start.lon)
        if not 1 <= float(self.speed_kmh) <= 120:
            raise InputError("tốc độ trung bình phải từ 1 đến 120 km/h.", "the average speed must be 1-120 km/h.",
                             field="speed_kmh")
        if not 0 <= float(self.dwell_min) <= 600:
            raise InputError("thời gian dừng mỗi điểm phải từ 0 đến 600 phút.",
                             "the time at each stop must be 0-600 minutes.", field="dwell_min")
        parse_hhmm(self.depart)
        if self.visit_date:
            parse_date(self.visit_date)
        if len(self.stop_ids) > MAX_STOPS:
            raise InputError(f"một chuyến đi có tối đa {MAX_STOPS} điểm dừng; hãy chia thành nhiều chuyến.",
                             f"a visit has at most {MAX_STOPS} stops; split it into several visits.",
                             field="stop_ids")
        return self


def new_plan(lang: str = "vi", **values: Any) -> Plan:
    """An empty plan starting at the city People's Committee, with the configured speed and dwell
    time (``P03_VISIT_SPEED_KMH``, ``P03_VISIT_DWELL_MIN``)."""
    values.setdefault("start", Start.preset("ubnd_tp", lang))
    values.setdefault("speed_kmh", float(settings.get("P03_VISIT_SPEED_KMH")))
    values.setdefault("dwell_min", float(settings.get("P03_VISIT_DWELL_MIN")))
    return Plan(**values).checked()

def _check_latlon(lat: float, lon: float) -> None:
    if not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180) or math.isnan(float(lat) + float(lon)):
        raise InputError(f"tọa độ ({lat}, {lon}) không hợp lệ; viết “vĩ độ, kinh độ”, ví dụ 21.0300, 105.8530.",
                         f"coordinates ({lat}, {lon}) are invalid; write “lat, lon”, e.g. 21.0300, 105.8530.",
                         field="start")


def parse_latlon(text: str) -> tuple[float, float]:
    """"21.03, 105.853" → (21.03, 105.853). Raises InputError.

    >>> parse_latlon(" 21.0300 , 105.8530 ")
    (21.03, 105.853)
    """
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError as exc:
        raise InputError(f"không đọc được tọa độ “{text}”; viết “vĩ độ,kinh độ”, ví dụ 21.0300,105.8530.",
                         f"cannot read the coordinates “{text}”; write “lat,lon”, e.g. 21.0300,105.8530.",
                         field="start") from exc
    _check_latlon(lat, lon)
    return lat, lon


def parse_hhmm(text: str) -> dt.time:
    try:
        return dt.datetime.strptime(str(text).strip(), "%H:%M").time()
    except ValueError as exc:
        raise InputError(f"giờ xuất phát “{text}” phải có dạng GG:PP, ví dụ 08:00.",
                         f"the departure time “{text}” must look like HH:MM, e.g. 08:00.", field="depart") from exc


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise InputError(f"ngày “{text}” phải có dạng NNNN-TT-NN, ví dụ 2026-11-26.",
                         f"the date “{text}” must look like YYYY-MM-DD, e.g. 2026-11-26.",
                         field="visit_date") from exc


# ---------------------------------------------------------------- the route


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
        lat, lon = _nearest_on(row.geometry, *here)
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


def move(stop_ids: list[str], site_id: str, step: int) -> list[str]:
    """``stop_ids`` with ``site_id`` moved ``step`` places (−1 up, +1 down), clamped at the ends.

    >>> move(["a", "b", "c"], "c", -1)
    ['a', 'c', 'b']
    >>> move(["a", "b", "c"], "a", -1)
    ['a', 'b', 'c']
    """
    ids = list(stop_ids)
    if site_id not in ids:
        return ids
    i = ids.index(site_id)
    j = min(max(i + step, 0), len(ids) - 1)
    ids.insert(j, ids.pop(i))
    return ids


def merge_ticks(selected: list[str], shown: list[str], ticked: list[str]) -> list[str]:
    """The selection after ticking rows of a table that shows ``shown``: sites not shown stay as
    they were, shown ones are chosen exactly when ticked (new ones appended in table order).

    >>> merge_ticks(["a", "x"], shown=["a", "b", "c"], ticked=["b", "c"])
    ['x', 'b', 'c']
    """
    on = set(ticked)
    visible = set(shown)
    out = [s for s in selected if s not in visible or s in on]
    return out + [s for s in shown if s in on and s not in out]


# ---------------------------------------------------------------- phone: links, GPX, KML


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


def _title(plan: Plan, lang: str) -> str:
    return plan.name or t("visit_untitled", lang)


def to_gpx(route: Route, lang: str = "vi") -> str:
    """GPX 1.1: a waypoint per stop (and the start) and one route through them in order."""
    import gpxpy.gpx  # imported here: the CLI's other commands need not load it

    gpx = gpxpy.gpx.GPX()
    gpx.name = _title(route.plan, lang)
    gpx.creator = "P03 Map"
    start = route.plan.start
    gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(start.lat, start.lon, name=f"0. {start.label}"))
    rte = gpxpy.gpx.GPXRoute(name=gpx.name)
    rte.points.append(gpxpy.gpx.GPXRoutePoint(start.lat, start.lon, name=start.label))
    for s in route.stops:
        desc = f"{t('visit_arrive', lang)} {s.arrive:%H:%M} · {s.leg_km:.1f} km · #{s.site_id}"
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(s.lat, s.lon, name=f"{s.seq}. {s.name}", description=desc))
        rte.points.append(gpxpy.gpx.GPXRoutePoint(s.lat, s.lon, name=f"{s.seq}. {s.name}"))
    if route.plan.return_to_start and route.stops:
        rte.points.append(gpxpy.gpx.GPXRoutePoint(start.lat, start.lon, name=start.label))
    gpx.routes.append(rte)
    return str(gpx.to_xml(version="1.1"))


def to_kml(route: Route, lang: str = "vi") -> str:
    """KML 2.2: a placemark per stop (and the start) and the route as a line."""
    ns = "http://www.opengis.net/kml/2.2"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}kml")
    doc = ET.SubElement(root, f"{{{ns}}}Document")
    ET.SubElement(doc, f"{{{ns}}}name").text = _title(route.plan, lang)
    start = route.plan.start
    _placemark(doc, ns, f"0. {start.label}", "", start.lat, start.lon)
    for s in route.stops:
        desc = f"{t('visit_arrive', lang)} {s.arrive:%H:%M} · {s.leg_km:.1f} km · #{s.site_id}"
        _placemark(doc, ns, f"{s.seq}. {s.name}", desc, s.lat, s.lon)
    line = ET.SubElement(ET.SubElement(doc, f"{{{ns}}}Placemark"), f"{{{ns}}}LineString")
    ET.SubElement(line, f"{{{ns}}}tessellate").text = "1"
    ET.SubElement(line, f"{{{ns}}}coordinates").text = " ".join(f"{lon:.6f},{lat:.6f},0"
                                                                   for lat, lon in route.path())
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _placemark(doc: ET.Element, ns: str, name: str, desc: str, lat: float, lon: float) -> None:
    pm = ET.SubElement(doc, f"{{{ns}}}Placemark")
    ET.SubElement(pm, f"{{{ns}}}name").text = name
    if desc:
        ET.SubElement(pm, f"{{{ns}}}description").text = desc
    ET.SubElement(ET.SubElement(pm, f"{{{ns}}}Point"), f"{{{ns}}}coordinates").text = f"{lon:.6f},{lat:.6f},0"
