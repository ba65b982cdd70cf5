"""What a map view asks for, resolved against the boundaries: shared by the district map page,
the CLI and the other pages that link to it (query parameters ``district``, ``commune``,
``category``, ``status``, ``indicator``, ``q``, ``batch``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import geopandas as gpd

from geo import boundaries
from geo.errors import NotFound
from geo.i18n import pick, t
from geo.schema import CATEGORY_BY_CODE, STATUS_BY_CODE
from geo.store.base import SiteFilter


@dataclass(frozen=True)
class View:
    """One map view: a boundary layer, an optional unit in it, and the site filters."""

    layer: str = "district"
    unit: str | None = None  # a code in ``layer``; None for the whole city
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    batch: str | None = None  # only the sites an upload batch added (``?batch=ID``)

    def site_filter(self) -> SiteFilter:
        return SiteFilter(
            district=self.unit if self.layer == "district" else None,
            commune=self.unit if self.layer == "commune" else None,
            categories=self.categories, statuses=self.statuses, indicators=self.indicators, text=self.text,
            batch_id=self.batch)

    def focus(self, b: boundaries.Boundaries) -> gpd.GeoDataFrame | None:
        """The unit's row (a GeoDataFrame) or None for the whole city."""
        if not self.unit:
            return None
        gdf = b.layer(self.layer)
        return gdf[gdf["code"] == self.unit]

    @property
    def fits_city(self) -> bool:
        """Whether the map opens on the whole city (all 30 districts), not just on the sites:
        no unit chosen, and no search or upload batch that is about particular sites."""
        return not self.unit and not self.text and not self.batch

    def unit_label(self, b: boundaries.Boundaries, lang: str = "vi") -> str:
        if not self.unit:
            return pick(lang, "Toàn thành phố", "Whole city")
        row = b.layer(self.layer).set_index("code").loc[self.unit]
        return pick(lang, f"{row['type']} {row['name']}", f"{row['name_en']} ({row['type']})")


def _many(params: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = params.get(key)
    if value in (None, ""):
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(str(v).strip() for v in items if str(v).strip())


def from_params(params: Mapping[str, Any], b: boundaries.Boundaries) -> View:
    """A View from URL query parameters; unknown codes are dropped, unknown units raise NotFound.

    ``?district=Hoàn Kiếm`` and ``?district=002`` both work; ``?commune=`` selects the 2025 layer.
    """
    layer, unit = "district", None
    if params.get("commune"):
        layer, unit = "commune", str(boundaries.find_unit(b, "commune", str(params["commune"]))["code"])
    elif params.get("district"):
        unit = str(boundaries.find_unit(b, "district", str(params["district"]))["code"])
    return View(
        layer=layer, unit=unit,
        categories=tuple(c for c in _many(params, "category") if c in CATEGORY_BY_CODE),
        statuses=tuple(s for s in _many(params, "status") if s in STATUS_BY_CODE),
        indicators=_many(params, "indicator"),
        text=str(params.get("q") or ""),
        batch=str(params["batch"]).strip() or None if params.get("batch") else None)


def to_params(view: View) -> dict[str, str]:
    """Query parameters that reproduce ``view`` (for links and the browser's address bar)."""
    out: dict[str, str] = {}
    if view.unit:
        out[view.layer] = view.unit
    for key, values in (("category", view.categories), ("status", view.statuses), ("indicator", view.indicators)):
        if values:
            out[key] = ",".join(values)
    if view.text:
        out["q"] = view.text
    if view.batch:
        out["batch"] = view.batch
    return out


def map_url(view: View, page: str = "district_map") -> str:
    """The relative address of ``page`` opened on ``view`` (for links in tables and maps); a unit
    written ``{code}`` is kept as it is, for a map to fill in per unit.

    >>> map_url(View("commune", "{code}", indicators=("CT08",)))
    'district_map?commune={code}&indicator=CT08'
    """
    return f"{page}?{urlencode(to_params(view), safe='{},')}"


def layer_label(b: boundaries.Boundaries, layer: str, lang: str = "vi") -> str:
    """A boundary layer's name for a picker, with how many units it holds (counted, not written in):
    "30 quận, huyện, thị xã (trước 2025)" / "126 communes/wards (from 1 July 2025)"."""
    return t(f"layer_{layer}", lang).format(n=len(b.layer(layer)))


def unit_options(b: boundaries.Boundaries, layer: str, lang: str = "vi") -> dict[str, str]:
    """code -> label for a unit picker; labels carry the ASCII name too so typing without
    diacritics finds them (“Quận Hoàn Kiếm · Hoan Kiem”)."""
    gdf = b.layer(layer)
    rows = zip(gdf["code"], gdf["type"], gdf["name"], gdf["name_en"])
    return {c: pick(lang, f"{t} {n} · {e}", f"{e} ({t}) · {n}") for c, t, n, e in rows}


__all__ = ["NotFound", "View", "from_params", "layer_label", "map_url", "to_params", "unit_options"]
