"""The field-visit plan as people make it: start presets, the start, the plan's values and their
checks; what the store keeps (``plan_json``).

>>> Start.preset("ubnd_tp", "en").label
"Hanoi People's Committee, 79 Dinh Tien Hoang"
>>> parse_latlon(" 21.0300 , 105.8530 ")
(21.03, 105.853)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd

from geo import settings
from geo.errors import InputError
from geo.i18n import Bilingual

#: most stops a plan may hold
MAX_STOPS = 200
DEFAULT_DEPART = "08:00"
PLAN_VERSION = 1


@dataclass(frozen=True)
class Preset(Bilingual):
    """A named start point."""

    key: str
    vi: str
    en: str
    lat: float
    lon: float


#: Start presets. UBND TP: the city People's Committee at 79 Đinh Tiên Hoàng (quận Hoàn Kiếm).
PRESETS: tuple[Preset, ...] = (
    Preset("ubnd_tp", "UBND Thành phố Hà Nội, 79 Đinh Tiên Hoàng", "Hanoi People's Committee, 79 Dinh Tien Hoang",
           21.0300, 105.8530),
)
PRESET_BY_KEY = {p.key: p for p in PRESETS}



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
    def at_site(cls, sites: gpd.GeoDataFrame, site_id: str) -> Start:
        """Start at site ``site_id`` of ``sites``: at a point on it (inside a polygon, on a line),
        labelled with its name."""
        row = sites.drop_duplicates("id").set_index("id").loc[site_id]
        pt = row.geometry.representative_point()
        return cls("site", site_id, float(pt.y), float(pt.x), str(row["name"]))

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

